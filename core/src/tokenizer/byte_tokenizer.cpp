// The demo model's tokenizer: one id per UTF-8 byte, then BOS and EOS. The demo
// has random weights, so any faithful text -> ids map serves; this one needs no file.
#include "csm/error.h"
#include "csm/tokenizer.h"

namespace csm {
namespace {

class ByteTokenizer final : public Tokenizer {
 public:
  std::vector<int32_t> encode(std::string_view text) const override {
    check_utf8(text);
    std::vector<int32_t> ids;
    for (unsigned char c : text) ids.push_back(c);
    return ids;
  }
  std::string decode(const std::vector<int32_t>& ids) const override {
    std::string out;
    for (int32_t id : ids) {
      if (id < 0 || id >= vocab_size())
        throw Error(ErrorCode::InvalidArgument, "token id " + std::to_string(id) + " is outside the vocabulary (0..257)");
      if (id < 256) out.push_back(static_cast<char>(id));
    }
    return out;
  }
  int32_t bos_id() const override { return 256; }
  int32_t eos_id() const override { return 257; }
  int32_t vocab_size() const override { return 258; }
  std::string token_text(int32_t id) const override {
    if (id == 256) return "<bos>";
    if (id == 257) return "<eos>";
    return id >= 0 && id < 256 ? std::string(1, static_cast<char>(id)) : std::string();
  }
  std::string kind() const override { return "bytes"; }
};

}  // namespace

std::unique_ptr<Tokenizer> make_byte_tokenizer() { return std::make_unique<ByteTokenizer>(); }

}  // namespace csm
