// One generation path (issue #20): every caller's streams run on the engine's one
// scheduler, whose frame driver queues frame t+1 before it reads frame t; what the
// driver hands out belongs to the frame it says; a live sampling change lasts for
// the rest of the stream; a request for no CUDA graphs reaches the frame step.
#include <dirent.h>

#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "csm/engine.h"
#include "generate/batching_scheduler.h"
#include "generate/demo_model.h"
#include "support/frame_runner.h"
#include "support/tensor_checks.h"
#include "support/text_prompt.h"
#include "codec/mimi_weights.h"
#include "csm/tokenizer.h"

namespace {

using namespace std::chrono_literals;
using csm::test::same_values;
using csm::test::text_prompt;

std::shared_ptr<const csm::CsmModel> demo_model() {
  static const auto model = csm::CsmModel::random(csm::demo_csm_config(), csm::kDemoSeed, at::kFloat, at::kCPU);
  return model;
}

std::shared_ptr<const csm::Engine> engine_with(int slots, int lookahead = -1, int decode_thread = -1) {
  csm::EngineOptions o;
  o.model = "demo";
  o.max_streams = slots;
  o.frame_lookahead = lookahead;
  o.decode_thread = decode_thread;
  return csm::Engine::load(o);
}

csm::StreamingConfig config(uint64_t seed, int max_ms, float temperature = 0.9f) {
  csm::StreamingConfig c;
  c.chunk_size_ms = 160;
  c.first_chunk_ms = 80;
  c.sampling = {temperature, 50, seed};
  c.max_audio_ms = max_ms;
  c.length_guard = 0;  // the demo never ends a sentence: these runs are meant to run to max_ms
  return c;
}

struct Collected {
  std::vector<std::vector<float>> samples;
  std::vector<std::vector<std::vector<int32_t>>> codes;
  std::vector<std::vector<csm::ChunkMetrics>> metrics;
};

Collected run(const csm::Engine& engine, const std::vector<csm::Request>& requests, const csm::StreamingConfig& c,
        const std::function<void(csm::Session&, const csm::AudioChunk&)>& on_chunk = {}) {
  Collected r;
  r.samples.resize(requests.size());
  r.codes.resize(requests.size());
  r.metrics.resize(requests.size());
  auto session = engine.start(requests, c);
  while (auto chunk = session->next()) {
    const auto i = static_cast<size_t>(chunk->stream);
    r.samples[i].insert(r.samples[i].end(), chunk->samples.begin(), chunk->samples.end());
    r.codes[i].insert(r.codes[i].end(), chunk->codes.begin(), chunk->codes.end());
    r.metrics[i].push_back(chunk->metrics);
    if (on_chunk) on_chunk(*session, *chunk);
  }
  return r;
}

TEST(FrameDriver, LookAheadQueuesFrameTPlusOneBeforeReadingFrameT) {
  std::vector<std::string> events;
  csm::FrameDriverOptions o;
  o.step.slots = 2;
  o.lookahead = true;
  o.observer = [&](const char* what, int64_t frame) { events.push_back(std::string(what) + std::to_string(frame)); };
  csm::FrameDriver driver(demo_model(), o);
  driver.prefill(0, text_prompt(12, 1, 32), {0.9f, 50, 3});
  driver.prefill(1, text_prompt(9, 2, 32), {0.9f, 50, 4});
  for (int t = 0; t < 4; ++t) ASSERT_TRUE(driver.next().has_value());
  const std::vector<std::string> expected = {"launch0", "launch1", "read0", "launch2", "read1",
                                             "launch3", "read2", "launch4", "read3"};
  EXPECT_EQ(events, expected);
}

TEST(FrameDriver, LookAheadHandsOutTheSameFramesAndEachFramesOwnLogits) {
  const auto model = demo_model();
  const std::vector<csm::PromptRows> prompts = {text_prompt(12, 1, 32), text_prompt(20, 5, 32)};
  csm::test::FrameRunner plain(model, prompts, {{0.9f, 50, 7}, 8, 2048, true, false});
  csm::test::FrameRunner ahead(model, prompts, {{0.9f, 50, 7}, 8, 2048, true, true});
  for (int t = 0; t < 8; ++t) {
    const auto a = plain.next_frame(), b = ahead.next_frame();
    EXPECT_TRUE(same_values(b, a)) << "frame " << t;
    // The logits handed out with frame t are frame t's, not those of t+1 already made.
    EXPECT_TRUE(same_values(ahead.last_c0_logits(), plain.last_c0_logits())) << "frame " << t;
  }
}

TEST(FrameDriver, ARowAlreadyOnItsWayIsNotTheNewStreamsAfterAPrefill) {
  csm::FrameDriverOptions o;
  o.step.slots = 1;
  o.lookahead = true;
  csm::FrameDriver driver(demo_model(), o);
  driver.prefill(0, text_prompt(12, 1, 32), {0.9f, 50, 3});
  auto first = driver.next();  // frame 0 read, frame 1 on its way
  ASSERT_TRUE(first && first->fresh[0]);
  driver.prefill(0, text_prompt(7, 9, 32), {0.9f, 50, 4});
  auto stale = driver.next();  // frame 1: made for the slot's previous stream
  ASSERT_TRUE(stale.has_value());
  EXPECT_FALSE(stale->fresh[0]);
  auto fresh = driver.next();
  ASSERT_TRUE(fresh.has_value());
  EXPECT_TRUE(fresh->fresh[0]);
}

TEST(OnePath, TheSchedulersLoopQueuesFrameTPlusOneBeforeItReadsFrameT) {
  auto parts = std::make_shared<csm::EngineParts>();
  parts->model = demo_model();
  parts->mimi = std::make_shared<csm::MimiCodec>(csm::demo_mimi_config(), csm::MimiWeights::random(csm::kDemoSeed), at::kCPU);
  parts->tokenizer = csm::make_byte_tokenizer();
  std::mutex m;
  std::vector<std::pair<std::string, int64_t>> events;
  csm::SchedulerSettings s;
  s.max_streams = 2;
  s.lookahead = true;
  s.frame_observer = [&](const char* what, int64_t frame) {
    std::lock_guard<std::mutex> lock(m);
    events.emplace_back(what, frame);
  };
  csm::BatchingScheduler scheduler(parts, s);
  auto stream = scheduler.submit({"Ordering.", 0, {}}, config(1, 640));
  csm::AudioChunk chunk;
  while (stream->next(chunk, 100ms) != csm::Stream::Poll::Ended) {
  }
  std::lock_guard<std::mutex> lock(m);
  ASSERT_GE(events.size(), 8u);
  for (size_t i = 0; i < events.size(); ++i) {
    if (events[i].first != "read") continue;
    const int64_t t = events[i].second;
    bool next_launched = false;
    for (size_t j = 0; j < i; ++j) next_launched = next_launched || (events[j] == std::make_pair(std::string("launch"), t + 1));
    EXPECT_TRUE(next_launched) << "frame " << t << " was read before frame " << t + 1 << " was queued";
  }
  EXPECT_TRUE(scheduler.stats().lookahead);
}

// "Hi." is a piece of its own (the next sentence would not fit beside it), so the
// stream crosses a piece boundary after 43 frames (25 + 6 a token).
std::string two_piece_text() {
  return "Hi. This second sentence is long enough that it cannot share a piece with the first.";
}

TEST(OnePath, LookAheadInTheSchedulerChangesNoAudio) {
  // Three streams through two slots: one joins mid-run, one is long enough for pieces.
  const std::string long_text = two_piece_text();
  const std::vector<csm::Request> requests = {{"The first one.", 0, {}}, {long_text, 1, {}}, {"Joins later.", 0, {}}};
  const auto plain = run(*engine_with(2, 0), requests, config(5, 4480));
  const auto ahead = run(*engine_with(2, 1), requests, config(5, 4480));
  for (size_t i = 0; i < requests.size(); ++i) {
    ASSERT_FALSE(plain.codes[i].empty()) << "stream " << i;
    EXPECT_EQ(ahead.codes[i], plain.codes[i]) << "stream " << i;
    // Streams decode batched with whichever others are due then: the same audio up to
    // the order a batched Mimi call sums in.
    ASSERT_EQ(ahead.samples[i].size(), plain.samples[i].size()) << "stream " << i;
    EXPECT_LT(csm::test::max_difference(ahead.samples[i], plain.samples[i]), 1e-5) << "stream " << i;
  }
}

// Mimi on its own thread (the CUDA arrangement, forced here on the CPU): the same codes,
// the same audio up to batched summation order, every chunk in order and each stream
// ended after its last chunk.
TEST(OnePath, DecodingOnItsOwnThreadChangesNoAudio) {
  const std::vector<csm::Request> requests = {{"The first one.", 0, {}}, {two_piece_text(), 1, {}}, {"Joins later.", 0, {}}};
  const auto inline_run = run(*engine_with(2, 1, 0), requests, config(5, 4480));
  const auto threaded = run(*engine_with(2, 1, 1), requests, config(5, 4480));
  for (size_t i = 0; i < requests.size(); ++i) {
    ASSERT_FALSE(inline_run.codes[i].empty()) << "stream " << i;
    EXPECT_EQ(threaded.codes[i], inline_run.codes[i]) << "stream " << i;
    ASSERT_EQ(threaded.samples[i].size(), inline_run.samples[i].size()) << "stream " << i;
    EXPECT_LT(csm::test::max_difference(threaded.samples[i], inline_run.samples[i]), 1e-5) << "stream " << i;
  }
}

TEST(OnePath, ALiveSamplingChangeLastsAcrossAPieceBoundary) {
  const auto engine = engine_with(1);
  const std::vector<csm::Request> requests = {{two_piece_text(), 0, {}}};
  const int max_ms = 4480;  // 56 frames: the first piece and part of the second
  const auto greedy = run(*engine, requests, config(9, max_ms, 0.0f));
  ASSERT_EQ(greedy.codes[0].size(), 56u);
  // Sampled by its config, made greedy live while it waits for the only slot (so before
  // its first frame, whatever the timing): the whole stream, second piece included,
  // must be the greedy run.
  auto blocker = engine->scheduler().submit({"Holds the slot.", 0, {}}, config(1, 60000));
  auto session = engine->start(requests, config(9, max_ms, 0.9f));
  session->set_sampling({0.0f, 50, 9});
  blocker->cancel();
  Collected live;
  live.codes.resize(1);
  while (auto chunk = session->next()) {
    live.codes[0].insert(live.codes[0].end(), chunk->codes.begin(), chunk->codes.end());
    if (!chunk->codes.empty()) EXPECT_EQ(chunk->metrics.temperature, 0.0f) << "frame " << chunk->first_frame;
  }
  EXPECT_EQ(live.codes[0], greedy.codes[0]) << "the second piece went back to the request's sampling";
  // And the sampled run really differs (the comparison above means something).
  const auto sampled = run(*engine, requests, config(9, max_ms, 0.9f));
  EXPECT_NE(sampled.codes[0], greedy.codes[0]);
}

TEST(OnePath, GraphsOffReachesTheFrameStepAtAnyBatch) {
  const auto engine = engine_with(2);
  auto c = config(3, 320);
  c.enable_cuda_graphs = false;
  auto session = engine->start({{"One.", 0, {}}, {"Two.", 1, {}}}, c);
  while (session->next()) {
  }
  EXPECT_EQ(session->summary().cuda_graphs_note, "CUDA graphs off (asked)");
  EXPECT_FALSE(session->summary().cuda_graphs);
  c.enable_cuda_graphs = true;
  auto again = engine->start({{"One.", 0, {}}, {"Two.", 1, {}}}, c);
  while (again->next()) {
  }
  EXPECT_EQ(again->summary().cuda_graphs_note, "eager: CUDA graphs need a CUDA device");
}

int threads_of_this_process() {
  int n = 0;
  if (DIR* d = opendir("/proc/self/task")) {
    while (const dirent* e = readdir(d)) n += e->d_name[0] != '.';
    closedir(d);
  }
  return n;
}

TEST(OnePath, OneSchedulerAndOneModelThreadPerEngineHoweverManyStarts) {
  const auto engine = engine_with(2);
  csm::Scheduler* first = &engine->scheduler();
  (void)run(*engine, {{"Warm up.", 0, {}}}, config(1, 160));
  const int threads = threads_of_this_process();
  std::vector<std::unique_ptr<csm::Session>> sessions;
  for (int i = 0; i < 4; ++i) sessions.push_back(engine->start({{"Many starts.", 0, {}}, {"At once.", 1, {}}}, config(i, 240)));
  EXPECT_LE(threads_of_this_process(), threads) << "a start made threads of its own";
  for (auto& s : sessions)
    while (s->next()) {
    }
  EXPECT_EQ(&engine->scheduler(), first);
  EXPECT_EQ(engine->scheduler().stats().completed, 1 + 4 * 2);
  EXPECT_EQ(engine->scheduler().stats().max_streams, 2);
}

TEST(OnePath, MoreTextsThanSlotsWaitTheirTurnAndSoundAsAlone) {
  const auto engine = engine_with(1);
  const std::vector<csm::Request> requests = {{"One.", 0, {}}, {"Two.", 1, {}}, {"Three.", 0, {}}};
  const auto together = run(*engine, requests, config(4, 400));
  for (size_t i = 0; i < requests.size(); ++i) {
    const auto alone = run(*engine, {requests[i]}, config(4, 400));
    EXPECT_EQ(together.codes[i], alone.codes[0]) << "text " << i;
  }
  engine->scheduler().set_max_streams(3);
  const auto wide = run(*engine, requests, config(4, 400));
  EXPECT_EQ(wide.codes, together.codes);
  EXPECT_EQ(engine->scheduler().stats().max_streams, 3);
}

TEST(OnePath, OneStopVocabulary) {
  for (auto r : {csm::StopReason::Running, csm::StopReason::EndOfSpeech, csm::StopReason::MaxLength,
                 csm::StopReason::Cancelled, csm::StopReason::Failed})
    EXPECT_EQ(csm::stop_reason_from_string(csm::to_string(r)), r);
  EXPECT_STREQ(csm::to_string(csm::StopReason::EndOfSpeech), "end_of_speech");
  EXPECT_STREQ(csm::to_string(csm::StopReason::MaxLength), "max_length");
  EXPECT_FALSE(csm::stop_reason_from_string("end of speech").has_value());
}

}  // namespace
