#include "csm/tokenizer.h"

#include <fstream>

#include "csm/error.h"

namespace csm {

std::vector<int32_t> Tokenizer::encode_framed(std::string_view text) const {
  if (bos_id() < 0 || eos_id() < 0)
    throw Error(ErrorCode::BadModelFile, "the tokenizer defines no begin/end-of-text tokens, which CSM needs",
                "use the Llama-3 tokenizer.json that ships with the model");
  std::vector<int32_t> ids{bos_id()};
  const auto body = encode(text);
  ids.insert(ids.end(), body.begin(), body.end());
  ids.push_back(eos_id());
  return ids;
}

std::unique_ptr<Tokenizer> load_tokenizer(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::Io, "cannot open tokenizer file " + path, "check the path");
  char first = 0;
  while (in.get(first) && (first == ' ' || first == '\n' || first == '\r' || first == '\t')) {}
  if (first == '{') return load_bpe_tokenizer(path);
  return load_sentencepiece_tokenizer(path);
}

}  // namespace csm
