// Text that arrives while it is spoken (issue #24): the feed cuts it into pieces at
// sentence ends (and, after a wait, at clause or word boundaries), and a stream speaks
// each piece as soon as it is cut, with the one before it as context, in one slot.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "csm/engine.h"
#include "generate/text_feed.h"

namespace {

using namespace std::chrono_literals;
using Clock = csm::TextFeed::Clock;

csm::TextFeed feed(std::chrono::milliseconds wait = 700ms, size_t max_tokens = 80) {
  return csm::TextFeed([](const std::string& s) { return s.size(); }, max_tokens, wait);
}

TEST(TextFeed, ASentenceIsAPieceAsSoonAsItEnds) {
  auto f = feed();
  const auto now = Clock::now();
  f.append("Hello the");
  EXPECT_FALSE(f.take(now));
  f.append("re.");
  EXPECT_FALSE(f.take(now)) << "a sentence end needs the space after it";
  f.append(" And then");
  EXPECT_EQ(f.take(now).value_or(""), "Hello there.");
  EXPECT_FALSE(f.take(now));
  f.append(" more! Two? Three.");
  EXPECT_EQ(f.take(now).value_or(""), "And then more!");
  EXPECT_EQ(f.take(now).value_or(""), "Two?");
  EXPECT_FALSE(f.take(now)) << "'Three.' could go on ('Three.5'): it waits";
  f.end();
  EXPECT_EQ(f.take(now).value_or(""), "Three.");
  EXPECT_TRUE(f.exhausted());
}

TEST(TextFeed, AFlushOrALineBreakCutsWithoutASentenceEnd) {
  auto f = feed();
  const auto now = Clock::now();
  f.append("a list item\nanother one");
  EXPECT_EQ(f.take(now).value_or(""), "a list item");
  EXPECT_FALSE(f.take(now));
  f.flush();
  EXPECT_EQ(f.take(now).value_or(""), "another one");
  EXPECT_FALSE(f.exhausted());
  f.end();
  EXPECT_TRUE(f.exhausted());
}

TEST(TextFeed, TextThatWaitsTooLongIsCutAtAClauseElseAWord) {
  auto f = feed(200ms);
  f.append("well, then we sh");
  const auto start = Clock::now();
  EXPECT_FALSE(f.take(start));
  ASSERT_TRUE(f.deadline().has_value());
  const auto later = *f.deadline() + 1ms;
  EXPECT_EQ(f.take(later).value_or(""), "well,");
  EXPECT_FALSE(f.take(later)) << "the rest waits its own turn";
  EXPECT_EQ(f.take(later + 300ms).value_or(""), "then we") << "the unfinished word stays";
  EXPECT_FALSE(f.take(later + 900ms)) << "one unfinished word never goes out alone";
}

TEST(TextFeed, TooMuchTextWithoutAnEndIsCutToFit) {
  auto f = feed(10s, 20);
  const std::string text = "one two three four five six seven eight nine ten eleven";
  f.append(text);
  const auto piece = f.take(Clock::now());
  ASSERT_TRUE(piece.has_value()) << "more than a piece's worth waits for no sentence end";
  EXPECT_LE(piece->size(), 20u);
  EXPECT_GT(piece->size(), 10u);
  EXPECT_EQ(text.rfind(*piece, 0), 0u);
  EXPECT_EQ(text[piece->size()], ' ') << "cut at a word boundary";
}

TEST(TextFeed, TheSameTextCutsTheSameWayAllAtOnceOrWordByWord) {
  const std::string text = "First sentence here. A second one, with a clause! And a third? The end.";
  auto whole = feed(), words = feed();
  const auto now = Clock::now();
  whole.append(text);
  whole.end();
  std::vector<std::string> a, b;
  while (auto p = whole.take(now)) a.push_back(*p);
  size_t from = 0;
  while (from < text.size()) {
    const size_t to = std::min(text.find(' ', from + 1), text.size());
    words.append(text.substr(from, to - from));
    from = to;
    while (auto p = words.take(now)) b.push_back(*p);
  }
  words.end();
  while (auto p = words.take(now)) b.push_back(*p);
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.size(), 4u);
}

// The engine side: a stream whose text arrives word by word starts speaking after the
// first sentence, says every sentence as a piece of its own, and hears what the same
// text given at once makes (the same pieces, seeds and contexts).
struct Heard {
  std::vector<std::vector<int32_t>> codes;
  std::vector<int> pieces_of_chunks;
  std::vector<std::string> pieces;
  csm::StopReason stop = csm::StopReason::Running;
  bool heard_before_text_done = false;
};

// `hold`: the writer stops after the word that completes the first sentence until audio
// is heard (or a minute passes), the way a slow LLM would: audio must come before the rest.
Heard speak(const csm::Engine& engine, const std::string& text, bool hold) {
  csm::StreamingConfig c;
  c.chunk_size_ms = 160;
  c.first_chunk_ms = 80;
  c.sampling.seed = 5;
  c.length_guard = 0;      // the demo never ends a sentence: each piece runs to its own frame limit
  c.text_wait_ms = 30000;  // only sentence ends cut here, however slow a loaded machine is
  auto stream = engine.scheduler().submit({"", 0, {}, true}, c);
  std::atomic<bool> heard{false};
  Heard h;
  std::thread writer([&] {
    size_t from = 0;
    bool held = !hold;
    while (from < text.size()) {
      const size_t to = std::min(text.find(' ', from + 1), text.size());
      stream->append_text(text.substr(from, to - from));
      if (!held && text.rfind(". ", from) != std::string::npos) {
        held = true;
        const auto t0 = std::chrono::steady_clock::now();
        while (!heard && std::chrono::steady_clock::now() - t0 < 60s) std::this_thread::sleep_for(10ms);
        h.heard_before_text_done = heard;
      }
      from = to;
    }
    stream->end_text();
  });
  csm::AudioChunk chunk;
  for (;;) {
    const auto p = stream->next(chunk, 100ms);
    if (p == csm::Stream::Poll::Ended) break;
    if (p == csm::Stream::Poll::Timeout) continue;
    if (!chunk.samples.empty()) heard = true;
    h.codes.insert(h.codes.end(), chunk.codes.begin(), chunk.codes.end());
    if (!chunk.codes.empty()) h.pieces_of_chunks.push_back(chunk.piece);
  }
  writer.join();
  h.pieces = stream->pieces();
  h.stop = stream->summary().stop;
  return h;
}

TEST(TextStream, SentencesArePiecesSpokenAsSoonAsTheyEndAndAsTheWholeTextWouldBe) {
  const auto engine = csm::Engine::load({"demo"});
  const std::string text = "Hi there. Go on. Bye now.";
  const auto paced = speak(*engine, text, true);
  EXPECT_TRUE(paced.heard_before_text_done) << "the first sentence must be heard before the text is complete";
  ASSERT_EQ(paced.pieces, (std::vector<std::string>{"Hi there.", "Go on.", "Bye now."}));
  EXPECT_NE(paced.stop, csm::StopReason::Failed);
  // Each chunk belongs to one piece, in order, every piece heard.
  EXPECT_TRUE(std::is_sorted(paced.pieces_of_chunks.begin(), paced.pieces_of_chunks.end()));
  EXPECT_EQ(paced.pieces_of_chunks.back(), 2);
  const auto at_once = speak(*engine, text, false);
  EXPECT_EQ(at_once.pieces, paced.pieces);
  EXPECT_EQ(at_once.codes, paced.codes) << "the same pieces must make the same codes however the text arrived";
}

TEST(TextStream, CancelEndsAWaitingStreamAndATextEndedEmptyEndsAtOnce) {
  const auto engine = csm::Engine::load({"demo"});
  csm::StreamingConfig c;
  auto quiet = engine->scheduler().submit({"", 0, {}, true}, c);
  auto unfinished = engine->scheduler().submit({"no end in sight", 0, {}, true}, c);
  std::this_thread::sleep_for(50ms);
  quiet->end_text();
  unfinished->cancel();
  csm::AudioChunk chunk;
  for (auto* s : {quiet.get(), unfinished.get()}) {
    const auto t0 = std::chrono::steady_clock::now();
    while (s->next(chunk, 100ms) != csm::Stream::Poll::Ended)
      ASSERT_LT(std::chrono::steady_clock::now() - t0, 10s) << "a stream did not end";
  }
  EXPECT_EQ(quiet->summary().stop, csm::StopReason::EndOfSpeech);
  EXPECT_EQ(quiet->summary().frames, 0);
  EXPECT_EQ(unfinished->summary().stop, csm::StopReason::Cancelled);
  EXPECT_EQ(engine->scheduler().stats().active, 0);
}

}  // namespace
