// Byte-level BPE tokenizer loaded from a HuggingFace tokenizer.json.
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "csm/error.h"
#include "csm/tokenizer.h"
#include "tokenizer/added_tokens.h"
#include "tokenizer/bpe_model.h"
#include "tokenizer/byte_unicode.h"
#include "tokenizer/pre_tokenizer.h"
#include "tokenizer/utf8.h"

namespace csm {
namespace {

nlohmann::json read_json_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::Io, "cannot open tokenizer file " + path);
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorCode::BadModelFile, path + " is not valid JSON: " + e.what());
  }
}

// The special token a TemplateProcessing "single" template puts first (bos) or last (eos).
int32_t template_token(const nlohmann::json& post, bool first) {
  if (!post.is_object()) return -1;
  if (post.value("type", "") == "Sequence" && post.contains("processors")) {
    for (const auto& p : post.at("processors")) {
      const int32_t id = template_token(p, first);
      if (id >= 0) return id;
    }
    return -1;
  }
  if (post.value("type", "") != "TemplateProcessing" || !post.contains("single")) return -1;
  const auto& single = post.at("single");
  if (!single.is_array() || single.empty()) return -1;
  const auto& piece = first ? single.front() : single.back();
  if (!piece.contains("SpecialToken")) return -1;
  const std::string name = piece.at("SpecialToken").value("id", "");
  const auto& specials = post.value("special_tokens", nlohmann::json::object());
  if (!specials.contains(name)) return -1;
  const auto& ids = specials.at(name).value("ids", nlohmann::json::array());
  return ids.empty() ? -1 : ids.front().get<int32_t>();
}

class BpeTokenizer final : public Tokenizer {
 public:
  explicit BpeTokenizer(const std::string& path) {
    const nlohmann::json j = read_json_file(path);
    try {
      if (!j.contains("model")) throw Error(ErrorCode::BadModelFile, path + " has no \"model\": not a tokenizer.json");
      if (j.contains("normalizer") && !j.at("normalizer").is_null())
        throw Error(ErrorCode::BadModelFile, path + ": normalizers are not supported (Llama-3 has none)");
      model_ = std::make_unique<BpeModel>(j.at("model"), path);
      pre_ = std::make_unique<PreTokenizer>(j.value("pre_tokenizer", nlohmann::json()), path);
      vocab_size_ = model_->max_id() + 1;
      for (const auto& t : j.value("added_tokens", nlohmann::json::array())) {
        AddedToken token{t.at("id").get<int32_t>(), t.at("content").get<std::string>(), t.value("special", false),
                         t.value("lstrip", false), t.value("rstrip", false), t.value("single_word", false)};
        vocab_size_ = std::max(vocab_size_, token.id + 1);
        added_.add(std::move(token));
      }
      bos_ = resolve_framing(j.value("post_processor", nlohmann::json()), true, "<|begin_of_text|>");
      eos_ = resolve_framing(j.value("post_processor", nlohmann::json()), false, "<|end_of_text|>");
    } catch (const nlohmann::json::exception& e) {
      throw Error(ErrorCode::BadModelFile, path + " is not a valid tokenizer.json: " + e.what());
    }
  }

  std::vector<int32_t> encode(std::string_view text) const override {
    check_utf8(text);
    std::vector<int32_t> ids;
    for (const TextSegment& segment : added_.split(text)) {
      if (segment.added_id >= 0) {
        ids.push_back(segment.added_id);
        continue;
      }
      for (const std::string& piece : pre_->split(segment.text)) model_->encode_piece(spell(piece), ids);
    }
    return ids;
  }

  std::string decode(const std::vector<int32_t>& ids) const override {
    std::string bytes;
    for (int32_t id : ids) {
      if (const AddedToken* t = added_.find(id)) {
        bytes += t->content;
      } else if (const std::string* s = model_->spelling(id)) {
        if (!pre_->byte_level() || !unicode_to_bytes(*s, bytes)) bytes += *s;
      } else {
        throw Error(ErrorCode::InvalidArgument, "token id " + std::to_string(id) + " is outside the vocabulary (0.." +
                                                    std::to_string(vocab_size_ - 1) + ")");
      }
    }
    return utf8::make_valid(bytes);
  }

  int32_t bos_id() const override { return bos_; }
  int32_t eos_id() const override { return eos_; }
  int32_t vocab_size() const override { return vocab_size_; }
  std::string kind() const override { return "bpe"; }
  std::string token_text(int32_t id) const override {
    if (const AddedToken* t = added_.find(id)) return t->content;
    const std::string* s = model_->spelling(id);
    return s ? *s : std::string();
  }

 private:
  std::string spell(const std::string& piece) const {
    if (!pre_->byte_level()) return piece;
    const auto& table = byte_to_unicode();
    std::string out;
    out.reserve(piece.size() * 2);
    for (unsigned char c : piece) out += table[c];
    return out;
  }

  int32_t resolve_framing(const nlohmann::json& post, bool first, const std::string& fallback) const {
    const int32_t from_template = template_token(post, first);
    // A template whose first and last token are the same single BOS says nothing about EOS.
    if (from_template >= 0 && (first || from_template != template_token(post, true))) return from_template;
    for (const auto& t : added_.tokens())
      if (t.content == fallback) return t.id;
    return model_->lookup(fallback);
  }

  std::unique_ptr<BpeModel> model_;
  std::unique_ptr<PreTokenizer> pre_;
  AddedTokenMatcher added_;
  int32_t vocab_size_ = 0;
  int32_t bos_ = -1;
  int32_t eos_ = -1;
};

}  // namespace

std::unique_ptr<Tokenizer> load_bpe_tokenizer(const std::string& path) { return std::make_unique<BpeTokenizer>(path); }

}  // namespace csm
