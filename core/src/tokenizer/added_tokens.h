#pragma once
// Added/special tokens of a tokenizer.json: their spellings are found in user
// text before any pre-tokenization and become single ids (HF's default).
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace csm {

struct AddedToken {
  int32_t id = 0;
  std::string content;
  bool special = false;
  bool lstrip = false;       // the match swallows whitespace on its left
  bool rstrip = false;       // ... and on its right
  bool single_word = false;  // matches only when not inside a word
};

// A run of the input: either plain text for the normal pipeline, or one added token.
struct TextSegment {
  std::string_view text;
  int32_t added_id = -1;  // >= 0: this segment is that added token
};

class AddedTokenMatcher {
 public:
  void add(AddedToken token);
  // Cuts `text` at leftmost-longest matches of the added tokens.
  std::vector<TextSegment> split(std::string_view text) const;
  const AddedToken* find(int32_t id) const;
  const std::vector<AddedToken>& tokens() const { return tokens_; }

 private:
  bool word_boundary_ok(std::string_view text, size_t begin, size_t end) const;
  std::vector<AddedToken> tokens_;
  std::array<std::vector<size_t>, 256> by_first_byte_;  // token indices, longest first
};

}  // namespace csm
