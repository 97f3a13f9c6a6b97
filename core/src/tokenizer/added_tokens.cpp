#include "tokenizer/added_tokens.h"

#include <algorithm>
#include <cctype>

namespace csm {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
// ASCII word characters and any non-ASCII byte (letters of other scripts) count as "inside a word".
bool is_word_byte(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || (c & 0x80); }

}  // namespace

void AddedTokenMatcher::add(AddedToken token) {
  if (token.content.empty()) return;
  tokens_.push_back(std::move(token));
  const size_t index = tokens_.size() - 1;
  auto& bucket = by_first_byte_[static_cast<unsigned char>(tokens_[index].content[0])];
  bucket.push_back(index);
  std::stable_sort(bucket.begin(), bucket.end(),
                   [&](size_t a, size_t b) { return tokens_[a].content.size() > tokens_[b].content.size(); });
}

const AddedToken* AddedTokenMatcher::find(int32_t id) const {
  for (const auto& t : tokens_)
    if (t.id == id) return &t;
  return nullptr;
}

bool AddedTokenMatcher::word_boundary_ok(std::string_view text, size_t begin, size_t end) const {
  const bool left_ok = begin == 0 || !is_word_byte(text[begin - 1]);
  const bool right_ok = end >= text.size() || !is_word_byte(text[end]);
  return left_ok && right_ok;
}

std::vector<TextSegment> AddedTokenMatcher::split(std::string_view text) const {
  std::vector<TextSegment> out;
  size_t plain_begin = 0;
  for (size_t i = 0; i < text.size();) {
    const AddedToken* hit = nullptr;
    for (size_t index : by_first_byte_[static_cast<unsigned char>(text[i])]) {
      const AddedToken& t = tokens_[index];
      if (text.compare(i, t.content.size(), t.content) != 0) continue;
      if (t.single_word && !word_boundary_ok(text, i, i + t.content.size())) continue;
      hit = &t;
      break;
    }
    if (!hit) {
      ++i;
      continue;
    }
    size_t begin = i, end = i + hit->content.size();
    if (hit->lstrip)
      while (begin > plain_begin && is_space(text[begin - 1])) --begin;
    if (hit->rstrip)
      while (end < text.size() && is_space(text[end])) ++end;
    if (begin > plain_begin) out.push_back({text.substr(plain_begin, begin - plain_begin), -1});
    out.push_back({text.substr(begin, end - begin), hit->id});
    plain_begin = i = end;
  }
  if (plain_begin < text.size()) out.push_back({text.substr(plain_begin), -1});
  return out;
}

}  // namespace csm
