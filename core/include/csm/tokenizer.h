#pragma once
// Text tokenizers behind one interface: byte-level BPE from a HuggingFace
// tokenizer.json (Llama-3, what CSM uses) and SentencePiece .model files.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace csm {

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;

  // Bare ids of `text` (no BOS/EOS). Special-token spellings inside the text
  // become their single id, as HF tokenizers does by default.
  // Throws csm::Error on invalid UTF-8.
  virtual std::vector<int32_t> encode(std::string_view text) const = 0;

  // Ids back to text. Special tokens are written out as their spelling.
  virtual std::string decode(const std::vector<int32_t>& ids) const = 0;

  virtual int32_t bos_id() const = 0;
  virtual int32_t eos_id() const = 0;
  virtual int32_t vocab_size() const = 0;
  // Token spelling as stored in the vocabulary ("" for an unknown id).
  virtual std::string token_text(int32_t id) const = 0;
  virtual std::string kind() const = 0;  // "bpe" or "sentencepiece"

  // CSM's segment framing: [BOS] + encode(text) + [EOS], whatever template the file carries.
  std::vector<int32_t> encode_framed(std::string_view text) const;
};

// Picks the backend from the file: a JSON tokenizer.json gets byte-level BPE,
// anything else is tried as a SentencePiece model. Throws csm::Error.
std::unique_ptr<Tokenizer> load_tokenizer(const std::string& path);

std::unique_ptr<Tokenizer> load_bpe_tokenizer(const std::string& tokenizer_json_path);
std::unique_ptr<Tokenizer> load_sentencepiece_tokenizer(const std::string& model_path);

// One id per UTF-8 byte plus BOS (256) and EOS (257): the built-in demo model's tokenizer.
std::unique_ptr<Tokenizer> make_byte_tokenizer();

// Throws csm::Error naming the byte offset when `text` is not valid UTF-8.
void check_utf8(std::string_view text, std::string_view what = "text");

}  // namespace csm
