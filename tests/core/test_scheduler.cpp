// The Scheduler (many independent streams through one engine): behaviour only,
// so the same tests hold for the simple stand-in and for continuous batching.
#include <chrono>
#include <future>
#include <thread>

#include <gtest/gtest.h>

#include "csm/engine.h"
#include "csm/error.h"
#include "csm/scheduler.h"
#include "support/tensor_checks.h"

namespace {

using namespace std::chrono_literals;
using Poll = csm::Stream::Poll;

std::shared_ptr<const csm::Engine> demo() {
  static const auto engine = csm::Engine::load({"demo"});
  return engine;
}

// An engine of its own (and so a scheduler of its own): `slots` streams at once,
// `queue` more waiting.
std::shared_ptr<const csm::Engine> engine_with(int slots, int queue) {
  csm::EngineOptions o;
  o.model = "demo";
  o.max_streams = slots;
  o.max_queue = queue;
  return csm::Engine::load(o);
}

csm::StreamingConfig config(uint64_t seed, int max_ms = 800) {
  csm::StreamingConfig c;
  c.chunk_size_ms = 160;
  c.first_chunk_ms = 80;
  c.sampling.temperature = 0.9f;
  c.sampling.seed = seed;
  c.max_audio_ms = max_ms;
  return c;
}

struct Collected {
  std::vector<float> samples;
  std::vector<std::vector<int32_t>> codes;
  int64_t frames = 0;
  int chunks = 0;
  bool saw_last = false;
};

// Reads a stream to its end (bounded: fails the test rather than hang).
Collected drain_stream(csm::Stream& stream, std::chrono::seconds limit = 120s, int64_t first_frame = 0) {
  Collected c;
  c.frames = first_frame;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  csm::AudioChunk chunk;
  for (;;) {
    if (std::chrono::steady_clock::now() > deadline) {
      ADD_FAILURE() << "stream did not end in time";
      return c;
    }
    const Poll p = stream.next(chunk, 100ms);
    if (p == Poll::Ended) return c;
    if (p == Poll::Timeout) continue;
    EXPECT_FALSE(c.saw_last) << "a chunk after the last one";
    EXPECT_EQ(chunk.first_frame, c.frames);
    c.samples.insert(c.samples.end(), chunk.samples.begin(), chunk.samples.end());
    c.codes.insert(c.codes.end(), chunk.codes.begin(), chunk.codes.end());
    c.frames += static_cast<int64_t>(chunk.codes.size());
    ++c.chunks;
    c.saw_last = chunk.last;
  }
}

bool wait_for(const std::function<bool()>& condition, std::chrono::seconds limit = 60s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

TEST(Scheduler, StreamGivesItsChunksInOrderThenEnds) {
  const auto engine = engine_with(2, 4);
  csm::Scheduler* scheduler = &engine->scheduler();
  auto stream = scheduler->submit({"Hello there.", 0, {}}, config(1, 800));
  const Collected c = drain_stream(*stream);
  EXPECT_TRUE(c.saw_last);
  EXPECT_GT(c.frames, 0);
  EXPECT_LE(c.frames, 10);
  EXPECT_EQ(c.samples.size(), static_cast<size_t>(c.frames) * 1920u);
  const auto summary = stream->summary();
  EXPECT_EQ(summary.frames, c.frames);
  EXPECT_TRUE(summary.stop == csm::StopReason::MaxLength || summary.stop == csm::StopReason::EndOfSpeech);
  csm::AudioChunk chunk;
  EXPECT_EQ(stream->next(chunk, 10ms), Poll::Ended);  // stays ended
  EXPECT_GE(stream->queued_ms(), 0.0);
  ASSERT_TRUE(wait_for([&] { return scheduler->stats().completed == 1; }));
  const auto stats = scheduler->stats();
  EXPECT_EQ(stats.max_streams, 2);
  EXPECT_GE(stats.frames_total, c.frames);
  EXPECT_EQ(stats.active, 0);
  EXPECT_EQ(stats.queued, 0);
}

TEST(Scheduler, SameAudioAloneOrAmongOthers) {
  const std::vector<std::string> texts = {"The first one.", "A second, different text.", "Third.", "And the fourth."};
  std::vector<Collected> alone;
  {
    const auto engine = engine_with(1, 8);
    csm::Scheduler* scheduler = &engine->scheduler();
    for (size_t i = 0; i < texts.size(); ++i) {
      auto s = scheduler->submit({texts[i], 0, {}}, config(100 + i, 640));
      alone.push_back(drain_stream(*s));
      ASSERT_FALSE(alone.back().samples.empty());
    }
  }
  const auto engine = engine_with(3, 8);
  csm::Scheduler* scheduler = &engine->scheduler();
  std::vector<std::shared_ptr<csm::Stream>> streams;
  for (size_t i = 0; i < texts.size(); ++i) streams.push_back(scheduler->submit({texts[i], 0, {}}, config(100 + i, 640)));
  // Read them concurrently, as a server would.
  std::vector<std::future<Collected>> readers;
  for (auto& s : streams) readers.push_back(std::async(std::launch::async, [s] { return drain_stream(*s); }));
  for (size_t i = 0; i < texts.size(); ++i) {
    const auto together = readers[i].get();
    // The same draws exactly; the same audio up to the order a batched Mimi call sums in.
    EXPECT_EQ(together.codes, alone[i].codes) << "stream " << i << " drew other codes than its solo run";
    ASSERT_EQ(together.samples.size(), alone[i].samples.size()) << "stream " << i;
    EXPECT_LT(csm::test::max_difference(together.samples, alone[i].samples), 1e-5) << "stream " << i;
  }
  // Different seeds really give different codes (the comparison above means something).
  EXPECT_NE(alone[0].codes, alone[2].codes);
}

TEST(Scheduler, CancelStopsARunningStream) {
  const auto engine = engine_with(1, 4);
  csm::Scheduler* scheduler = &engine->scheduler();
  auto stream = scheduler->submit({"A long one that we will stop.", 0, {}}, config(3, 60000));
  csm::AudioChunk chunk;
  ASSERT_TRUE(wait_for([&] { return stream->next(chunk, 50ms) == Poll::Chunk; }));
  stream->cancel();
  const auto t0 = std::chrono::steady_clock::now();
  const Collected rest = drain_stream(*stream, 30s, static_cast<int64_t>(chunk.codes.size()));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 10s);
  EXPECT_TRUE(rest.saw_last || chunk.last);
  EXPECT_EQ(stream->summary().stop, csm::StopReason::Cancelled);
  EXPECT_LT(stream->summary().frames, 60000 / 80);
  // The slot is free again: another request runs to the end.
  auto next = scheduler->submit({"After the cancel.", 0, {}}, config(4, 240));
  EXPECT_TRUE(drain_stream(*next).saw_last);
  ASSERT_TRUE(wait_for([&] { return scheduler->stats().active == 0; }));
  EXPECT_GE(scheduler->stats().cancelled, 1);
}

TEST(Scheduler, CancelWhileQueuedEndsAtOnce) {
  const auto engine = engine_with(1, 4);
  csm::Scheduler* scheduler = &engine->scheduler();
  auto running = scheduler->submit({"Occupies the only slot.", 0, {}}, config(5, 60000));
  auto waiting = scheduler->submit({"Waits behind it.", 0, {}}, config(6, 800));
  ASSERT_TRUE(wait_for([&] { return scheduler->stats().active == 1; }));
  waiting->cancel();
  const Collected c = drain_stream(*waiting, 10s);
  EXPECT_TRUE(c.saw_last);
  EXPECT_EQ(c.frames, 0);
  EXPECT_EQ(waiting->summary().stop, csm::StopReason::Cancelled);
  ASSERT_TRUE(wait_for([&] { return scheduler->stats().queued == 0; }, 10s));
  running->cancel();
  drain_stream(*running, 30s);
}

TEST(Scheduler, FullQueueRefusesWithBusy) {
  const auto engine = engine_with(1, 1);
  csm::Scheduler* scheduler = &engine->scheduler();
  auto running = scheduler->submit({"Occupies the only slot.", 0, {}}, config(7, 60000));
  ASSERT_TRUE(wait_for([&] { return scheduler->stats().active == 1; }));
  auto queued = scheduler->submit({"Takes the only queue place.", 0, {}}, config(8, 240));
  EXPECT_EQ(scheduler->stats().queued, 1);
  try {
    scheduler->submit({"One too many.", 0, {}}, config(9, 240));
    FAIL() << "no error";
  } catch (const csm::Error& e) {
    EXPECT_EQ(e.code(), csm::ErrorCode::Busy);
  }
  running->cancel();
  drain_stream(*running, 30s);
  EXPECT_TRUE(drain_stream(*queued).saw_last);  // the accepted one still runs
  // There is room again.
  auto later = scheduler->submit({"Room again.", 0, {}}, config(10, 160));
  EXPECT_TRUE(drain_stream(*later).saw_last);
}

// The queue is for requests that wait: one a free slot takes at once does not count.
TEST(Scheduler, NoQueueStillServesAFreeSlot) {
  const auto engine = engine_with(1, 0);
  csm::Scheduler* scheduler = &engine->scheduler();
  auto first = scheduler->submit({"Gets the free slot.", 0, {}}, config(7, 60000));
  try {
    auto second = scheduler->submit({"Would have to wait.", 0, {}}, config(8, 240));
    ADD_FAILURE() << "a request that would wait was taken with no queue";
  } catch (const csm::Error& e) {
    EXPECT_EQ(e.code(), csm::ErrorCode::Busy);
  }
  first->cancel();
  EXPECT_TRUE(drain_stream(*first, 30s).saw_last);
}

TEST(Scheduler, BadInputIsInvalidArgument) {
  const auto engine = engine_with(1, 2);
  csm::Scheduler* scheduler = &engine->scheduler();
  auto code_of = [&](csm::Request r, csm::StreamingConfig c) {
    try {
      scheduler->submit(std::move(r), c);
    } catch (const csm::Error& e) {
      return e.code();
    }
    return csm::ErrorCode::Internal;
  };
  EXPECT_EQ(code_of({"   ", 0, {}}, config(1)), csm::ErrorCode::InvalidArgument);
  auto bad = config(1);
  bad.chunk_size_ms = 100;
  EXPECT_EQ(code_of({"Fine text.", 0, {}}, bad), csm::ErrorCode::InvalidArgument);
  EXPECT_EQ(scheduler->stats().queued, 0);
}

TEST(Scheduler, InputThatCannotFitFailsWithoutHanging) {
  const auto engine = engine_with(1, 2);
  csm::Scheduler* scheduler = &engine->scheduler();
  csm::Segment huge{1, "A very long clip.", std::vector<std::vector<int32_t>>(2100, std::vector<int32_t>(32, 7))};
  try {
    auto stream = scheduler->submit({"Hi.", 0, {huge}}, config(1));
    EXPECT_THROW(drain_stream(*stream, 30s), csm::Error);
    EXPECT_EQ(stream->summary().stop, csm::StopReason::Failed);
  } catch (const csm::Error& e) {  // refusing it at submit is fine too
    EXPECT_EQ(e.code(), csm::ErrorCode::InvalidArgument);
  }
  // The scheduler keeps working.
  auto ok = scheduler->submit({"Still fine.", 0, {}}, config(2, 160));
  EXPECT_TRUE(drain_stream(*ok).saw_last);
}

TEST(Scheduler, DrainFinishesAcceptedStreamsAndRefusesNewOnes) {
  const auto engine = engine_with(2, 8);
  csm::Scheduler* scheduler = &engine->scheduler();
  std::vector<std::shared_ptr<csm::Stream>> streams;
  for (int i = 0; i < 4; ++i) streams.push_back(scheduler->submit({"Accepted before the drain.", 0, {}}, config(20 + i, 480)));
  std::vector<std::future<Collected>> readers;
  for (auto& s : streams) readers.push_back(std::async(std::launch::async, [s] { return drain_stream(*s); }));
  auto drained = std::async(std::launch::async, [&] { scheduler->drain(); });
  ASSERT_TRUE(wait_for([&] { return scheduler->stats().draining; }, 10s));
  try {
    scheduler->submit({"Too late.", 0, {}}, config(1));
    FAIL() << "no error";
  } catch (const csm::Error& e) {
    EXPECT_EQ(e.code(), csm::ErrorCode::Busy);
  }
  ASSERT_EQ(drained.wait_for(120s), std::future_status::ready);
  for (auto& r : readers) {
    const Collected c = r.get();
    EXPECT_TRUE(c.saw_last);
    EXPECT_GT(c.frames, 0);
  }
  for (auto& s : streams) EXPECT_NE(s->summary().stop, csm::StopReason::Cancelled);
  const auto stats = scheduler->stats();
  EXPECT_EQ(stats.active, 0);
  EXPECT_EQ(stats.queued, 0);
}

TEST(Scheduler, DestroyingItEndsEveryStream) {
  std::shared_ptr<csm::Stream> running, waiting;
  {
    const auto engine = engine_with(1, 4);
    csm::Scheduler* scheduler = &engine->scheduler();
    running = scheduler->submit({"Running when the scheduler goes.", 0, {}}, config(30, 60000));
    waiting = scheduler->submit({"Still queued.", 0, {}}, config(31, 60000));
    ASSERT_TRUE(wait_for([&] { return scheduler->stats().active == 1; }));
  }
  EXPECT_TRUE(drain_stream(*running, 10s).saw_last);
  EXPECT_TRUE(drain_stream(*waiting, 10s).saw_last);
  EXPECT_EQ(waiting->summary().stop, csm::StopReason::Cancelled);
}

}  // namespace
