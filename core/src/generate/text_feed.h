#pragma once
// Text that arrives while it is spoken (an LLM's reply, a pipe): fragments are
// buffered as they come, and cut into pieces a stream speaks one after another. A
// piece is ready as soon as a sentence is complete (".!?" then a space, or a line
// break), when the writer flushes or ends the text, when the buffer holds more than a
// piece may (then at a clause, else a word boundary), or when text has waited `wait`
// without a sentence end (then at a clause boundary, else the last whole word): a
// boundary never holds speech back for long. One sentence a piece, so the same text
// cuts the same way however it arrives (the waits aside).
#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

namespace csm {

class TextFeed {
 public:
  using Clock = std::chrono::steady_clock;
  // `count_tokens` measures a candidate piece (the tokenizer's); at most `max_tokens` a piece.
  TextFeed(std::function<size_t(const std::string&)> count_tokens, size_t max_tokens,
           std::chrono::milliseconds wait);

  // The writer's side (any thread). Nothing is taken after end().
  void append(const std::string& fragment);
  void flush();  // what is buffered goes out as a piece, boundary or not
  void end();    // no more text: what is buffered is the last piece

  // The speaker's side: the next piece, if one is ready at `now`.
  std::optional<std::string> take(Clock::time_point now);
  bool exhausted() const;  // ended, and every piece taken
  // When buffered text without a boundary must be cut (a time to wake up for); nothing when none waits.
  std::optional<Clock::time_point> deadline() const;

 private:
  std::optional<std::string> cut_locked(Clock::time_point now);
  std::string pop_locked(size_t length);

  const std::function<size_t(const std::string&)> count_;
  const size_t max_tokens_;
  const std::chrono::milliseconds wait_;
  mutable std::mutex mutex_;
  std::string buffer_;
  std::optional<Clock::time_point> waiting_since_;  // the oldest unspoken text's arrival
  bool flush_ = false, ended_ = false;
};

}  // namespace csm
