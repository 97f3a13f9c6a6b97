#include "generate/text_feed.h"

#include <cctype>

#include "generate/text_splitter.h"

namespace csm {
namespace {

bool space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

bool blank(const std::string& s) {
  for (char c : s)
    if (!space(c)) return false;
  return true;
}

// The end of the first complete sentence (one past its mark or line break), or npos.
// A mark at the very end counts only once nothing can follow it ("3." may become "3.5").
size_t sentence_end(const std::string& text, bool final) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') return i + 1;
    if (text[i] != '.' && text[i] != '!' && text[i] != '?') continue;
    if (i + 1 < text.size() ? space(text[i + 1]) : final) return i + 1;
  }
  return std::string::npos;
}

// The end of the last clause (",;:" then a space) or, failing that, of the last whole
// word (before a space); npos when the text is one unfinished word.
size_t last_break(const std::string& text) {
  size_t clause = std::string::npos, word = std::string::npos;
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    if (!space(text[i + 1]) || space(text[i])) continue;
    word = i + 1;
    if (text[i] == ',' || text[i] == ';' || text[i] == ':') clause = i + 1;
  }
  return clause != std::string::npos ? clause : word;
}

}  // namespace

TextFeed::TextFeed(std::function<size_t(const std::string&)> count_tokens, size_t max_tokens,
                   std::chrono::milliseconds wait)
    : count_(std::move(count_tokens)), max_tokens_(max_tokens), wait_(wait) {}

void TextFeed::append(const std::string& fragment) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (ended_ || fragment.empty()) return;
  if (blank(buffer_) && !blank(fragment)) waiting_since_ = Clock::now();
  buffer_ += fragment;
}

void TextFeed::flush() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!blank(buffer_)) flush_ = true;
}

void TextFeed::end() {
  std::lock_guard<std::mutex> lock(mutex_);
  ended_ = true;
}

std::optional<std::string> TextFeed::take(Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto piece = cut_locked(now);
  if (blank(buffer_)) {
    buffer_.clear();
    waiting_since_.reset();
    flush_ = false;
  } else if (piece) {
    waiting_since_ = now;  // what is left waits its own turn
  }
  return piece;
}

bool TextFeed::exhausted() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return ended_ && blank(buffer_);
}

std::optional<TextFeed::Clock::time_point> TextFeed::deadline() const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!waiting_since_ || blank(buffer_)) return std::nullopt;
  return *waiting_since_ + wait_;
}

std::string TextFeed::pop_locked(size_t length) {
  std::string piece = buffer_.substr(0, length);
  buffer_.erase(0, length);
  const auto b = piece.find_first_not_of(" \t\r\n");
  const auto e = piece.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? std::string() : piece.substr(b, e - b + 1);
}

std::optional<std::string> TextFeed::cut_locked(Clock::time_point now) {
  if (blank(buffer_)) return std::nullopt;
  const bool final = ended_ || flush_;
  if (const size_t end = sentence_end(buffer_, final); end != std::string::npos) {
    const std::string sentence = buffer_.substr(0, end);
    if (count_(sentence) <= max_tokens_) return pop_locked(end);
    const std::string first = split_text(sentence, max_tokens_, count_).front();
    return pop_locked(buffer_.find(first) + first.size());
  }
  if (final) {
    const std::string first = split_text(buffer_, max_tokens_, count_).front();
    return pop_locked(buffer_.find(first) + first.size());
  }
  if (count_(buffer_) > max_tokens_) {
    // Too long to wait for its sentence end: what fits, up to the last whole word.
    const auto pieces = split_text(buffer_.substr(0, last_break(buffer_) == std::string::npos ? buffer_.size()
                                                                                                : last_break(buffer_)),
                                   max_tokens_, count_);
    return pop_locked(buffer_.find(pieces.front()) + pieces.front().size());
  }
  if (waiting_since_ && now - *waiting_since_ >= wait_) {
    const size_t end = last_break(buffer_);
    if (end != std::string::npos) return pop_locked(end);
  }
  return std::nullopt;
}

}  // namespace csm
