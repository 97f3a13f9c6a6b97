#pragma once
// The tokenizer.json "pre_tokenizer": regex splits and the ByteLevel step,
// turning user text into the pieces that BPE merges independently.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "tokenizer/regex_splitter.h"

namespace csm {

class PreTokenizer {
 public:
  // `config` is the "pre_tokenizer" value (null allowed). Throws csm::Error naming `origin`.
  PreTokenizer(const nlohmann::json& config, const std::string& origin);
  ~PreTokenizer();

  // Raw-byte pieces of `text` (valid UTF-8), in order.
  std::vector<std::string> split(std::string_view text) const;
  // True when the pieces must be spelled in the GPT-2 byte alphabet before BPE.
  bool byte_level() const { return byte_level_; }

 private:
  enum class Behavior { Isolated, Removed, MergedWithPrevious, MergedWithNext };
  struct Step {
    std::shared_ptr<RegexSplitter> regex;  // null: no split (a bare ByteLevel without regex)
    Behavior behavior = Behavior::Isolated;
    bool add_prefix_space = false;
  };
  void add_step(const nlohmann::json& config, const std::string& origin);
  static std::vector<std::string> apply(const Step& step, const std::string& piece, bool first);

  std::vector<Step> steps_;
  bool byte_level_ = false;
};

}  // namespace csm
