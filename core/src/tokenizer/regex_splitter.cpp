#define PCRE2_CODE_UNIT_WIDTH 8
#include "tokenizer/regex_splitter.h"

#include <pcre2.h>

#include "csm/error.h"
#include "tokenizer/utf8.h"

namespace csm {

struct RegexSplitter::Impl {
  pcre2_code* code = nullptr;
  ~Impl() {
    if (code) pcre2_code_free(code);
  }
};

RegexSplitter::RegexSplitter(const std::string& pattern, const std::string& origin)
    : impl_(std::make_unique<Impl>()) {
  int error_code = 0;
  PCRE2_SIZE error_offset = 0;
  // UCP makes \s, \w and case folding Unicode-aware, as the onig engine behind HF tokenizers is.
  impl_->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                              PCRE2_UTF | PCRE2_UCP, &error_code, &error_offset, nullptr);
  if (!impl_->code) {
    PCRE2_UCHAR message[256];
    pcre2_get_error_message(error_code, message, sizeof message);
    throw Error(ErrorCode::BadModelFile, origin + ": pre-tokenizer regex does not compile at offset " +
                                             std::to_string(error_offset) + ": " +
                                             reinterpret_cast<const char*>(message));
  }
  pcre2_jit_compile(impl_->code, PCRE2_JIT_COMPLETE);  // falls back to the interpreter if JIT is unavailable
}

RegexSplitter::~RegexSplitter() = default;

std::vector<TextSpan> RegexSplitter::split(std::string_view text) const {
  std::vector<TextSpan> spans;
  pcre2_match_data* match = pcre2_match_data_create_from_pattern(impl_->code, nullptr);
  if (!match) throw Error(ErrorCode::OutOfMemory, "cannot allocate regex match data");
  const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  size_t offset = 0, gap_begin = 0;
  while (offset <= text.size()) {
    // The text was validated once up front, so PCRE2 need not check it again per match.
    const int rc = pcre2_match(impl_->code, subject, text.size(), offset, PCRE2_NO_UTF_CHECK, match, nullptr);
    if (rc == PCRE2_ERROR_NOMATCH) break;
    if (rc < 0) {
      pcre2_match_data_free(match);
      throw Error(ErrorCode::Internal, "pre-tokenizer regex failed with PCRE2 code " + std::to_string(rc));
    }
    const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(match);
    const size_t begin = ovector[0], end = ovector[1];
    if (begin > gap_begin) spans.push_back({gap_begin, begin, false});
    if (end > begin) {
      spans.push_back({begin, end, true});
      offset = end;
    } else {  // an empty match: step over one character so the scan always advances
      if (begin >= text.size()) break;
      offset = begin + std::max<size_t>(1, utf8::sequence_length(text, begin));
      continue;
    }
    gap_begin = end;
  }
  if (gap_begin < text.size()) spans.push_back({gap_begin, text.size(), false});
  pcre2_match_data_free(match);
  return spans;
}

}  // namespace csm
