#pragma once
// A compiled Unicode regex (PCRE2, UTF + Unicode properties) that cuts text
// into the spans it matches and the gaps between them.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace csm {

struct TextSpan {
  size_t begin = 0;
  size_t end = 0;
  bool matched = false;  // false: a gap between matches
};

class RegexSplitter {
 public:
  // Throws csm::Error naming `origin` when the pattern does not compile.
  RegexSplitter(const std::string& pattern, const std::string& origin);
  ~RegexSplitter();
  RegexSplitter(const RegexSplitter&) = delete;
  RegexSplitter& operator=(const RegexSplitter&) = delete;

  // Matches and gaps, in order, covering all of `text` (which must be valid UTF-8).
  std::vector<TextSpan> split(std::string_view text) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace csm
