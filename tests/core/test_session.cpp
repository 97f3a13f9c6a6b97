// The streaming engine: chunking is invisible, cancel stops within a frame,
// batches equal single runs, long text goes piece by piece, bad settings are refused.
#include <atomic>
#include <cmath>
#include <filesystem>
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "csm/engine.h"
#include "csm/error.h"
#include "support/fixtures.h"

namespace {

struct RunOutput {
  std::vector<std::vector<int32_t>> codes;
  std::vector<float> samples;
  std::vector<csm::AudioChunk> chunks;
};

RunOutput collect(csm::Session& session, int stream = 0) {
  RunOutput run;
  while (auto chunk = session.next()) {
    if (chunk->stream != stream) continue;
    run.codes.insert(run.codes.end(), chunk->codes.begin(), chunk->codes.end());
    run.samples.insert(run.samples.end(), chunk->samples.begin(), chunk->samples.end());
    run.chunks.push_back(std::move(*chunk));
  }
  return run;
}

std::shared_ptr<const csm::Engine> demo() {
  static const auto engine = csm::Engine::load({"demo"});
  return engine;
}

csm::StreamingConfig config(int chunk, int first, int batch, int max_ms = 1600) {
  csm::StreamingConfig c;
  c.chunk_size_ms = chunk;
  c.first_chunk_ms = first;
  c.frame_batch_size = batch;
  c.max_audio_ms = max_ms;
  c.sampling.seed = 7;
  return c;
}

TEST(Session, DemoModelIsLabelledAndRunsEndToEnd) {
  const auto& info = demo()->info();
  EXPECT_TRUE(info.demo);
  EXPECT_NE(info.label.find("noise, not speech"), std::string::npos);
  auto session = demo()->start({{"Hello there.", 0, {}}}, config(320, 80, 4, 800));
  const auto run = collect(*session);
  EXPECT_EQ(run.codes.size(), 10u);
  EXPECT_EQ(run.samples.size(), 10u * 1920u);
  ASSERT_FALSE(run.chunks.empty());
  EXPECT_EQ(run.chunks.front().codes.size(), 1u);  // first chunk: 80 ms
  EXPECT_TRUE(run.chunks.back().last);
  EXPECT_GT(run.chunks.front().metrics.first_audio_ms, 0);
  EXPECT_GT(run.chunks.back().metrics.rtf, 0);
  EXPECT_GT(run.chunks.back().metrics.rss_bytes, 0);
  EXPECT_EQ(session->summary().streams[0].stop, csm::StopReason::MaxLength);
  EXPECT_DOUBLE_EQ(session->summary().streams[0].audio_ms, 800);
}

TEST(Session, ChunkingIsInvisible) {
  auto one_shot = demo()->start({{"Chunking must not change the audio.", 1, {}}}, config(1600, 1600, 20));
  const auto reference = collect(*one_shot);
  ASSERT_EQ(reference.chunks.size(), 1u);
  for (const auto& c : {config(80, 80, 1), config(320, 80, 4), config(240, 160, 2), config(400, 400, 3)}) {
    auto session = demo()->start({{"Chunking must not change the audio.", 1, {}}}, c);
    const auto run = collect(*session);
    EXPECT_EQ(run.codes, reference.codes) << "chunk " << c.chunk_size_ms;
    ASSERT_EQ(run.samples.size(), reference.samples.size());
    double worst = 0;
    for (size_t i = 0; i < run.samples.size(); ++i)
      worst = std::max(worst, double(std::abs(run.samples[i] - reference.samples[i])));
    EXPECT_LT(worst, 1e-5) << "chunk " << c.chunk_size_ms << " first " << c.first_chunk_ms << " batch "
                           << c.frame_batch_size;
    for (size_t k = 1; k + 1 < run.chunks.size(); ++k)
      EXPECT_EQ(run.chunks[k].codes.size(), static_cast<size_t>(c.chunk_frames()));
  }
}

TEST(Session, CancelFromAnotherThreadStopsWithinOneFrame) {
  csm::CancelToken cancel;
  auto session = demo()->start({{"A long run that will be interrupted.", 0, {}}}, config(80, 80, 1, 60000), cancel);
  auto first = session->next();
  ASSERT_TRUE(first.has_value());
  const double frame_ms = first->metrics.generate_ms;
  std::atomic<int64_t> frames_at_cancel{-1};
  std::atomic<int64_t> frames{1};  // read by the canceller while the main thread counts (TSan found it plain)
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(3.5 * std::max(frame_ms, 1.0)));
    frames_at_cancel = frames.load();
    cancel.cancel();
  });
  std::vector<csm::AudioChunk> rest;
  while (auto chunk = session->next()) {
    frames += static_cast<int64_t>(chunk->codes.size());
    rest.push_back(std::move(*chunk));
  }
  canceller.join();
  ASSERT_FALSE(rest.empty());
  EXPECT_TRUE(rest.back().last);
  EXPECT_EQ(session->summary().streams[0].stop, csm::StopReason::Cancelled);
  EXPECT_LE(frames.load(), frames_at_cancel.load() + 1) << "more than one frame after cancel";
  EXPECT_LT(frames.load(), 750);
}

TEST(Session, BatchedStreamsEqualTheirSingleRunsAtTemperatureZero) {
  CSM_REQUIRE_FIXTURE(dir, "tiny-a/hf");
  const auto engine = csm::Engine::load({dir});
  auto c = config(160, 80, 2, 960);
  c.sampling.temperature = 0;
  const std::vector<std::string> texts = {"Hello from the tiny model.", "A second, somewhat longer text to speak here.",
                                          "Third."};
  std::vector<csm::Request> requests;
  for (size_t i = 0; i < texts.size(); ++i) requests.push_back({texts[i], static_cast<int>(i), {}});
  auto batch = engine->start(requests, c);
  std::vector<RunOutput> batched(texts.size());
  while (auto chunk = batch->next()) {
    auto& run = batched[chunk->stream];
    run.codes.insert(run.codes.end(), chunk->codes.begin(), chunk->codes.end());
    run.samples.insert(run.samples.end(), chunk->samples.begin(), chunk->samples.end());
  }
  EXPECT_GT(batch->summary().realtime_streams, 0);
  for (size_t i = 0; i < texts.size(); ++i) {
    auto single = engine->start({requests[i]}, c);
    const auto run = collect(*single);
    EXPECT_EQ(batched[i].codes, run.codes) << "stream " << i;
    ASSERT_EQ(batched[i].samples.size(), run.samples.size());
    for (size_t k = 0; k < run.samples.size(); ++k) ASSERT_NEAR(batched[i].samples[k], run.samples[k], 1e-5);
  }
}

// A piece that runs away is cut at the guard, and the stream goes on with the next one:
// the demo never ends a sentence, so every piece of a long text is cut, and each is heard.
TEST(Session, TheLengthGuardCutsARunawayPieceAndGoesOnWithTheNext) {
  std::string text;
  for (int i = 0; i < 12; ++i) text += "Sentence number " + std::to_string(i) + " is here. ";
  auto c = config(320, 80, 4, 300000);
  c.length_guard = 1.0;
  auto session = demo()->start({{text, 0, {}}}, c);
  const auto run = collect(*session);
  const auto pieces = session->stream(0).pieces();
  ASSERT_GE(pieces.size(), 4u);
  int64_t expected = 0;
  for (const auto& piece : pieces) expected += c.guard_frames(piece);
  EXPECT_EQ(static_cast<int64_t>(run.codes.size()), expected);
  EXPECT_EQ(run.chunks.back().piece, static_cast<int>(pieces.size()) - 1);
  EXPECT_EQ(session->summary().streams[0].stop, csm::StopReason::LengthGuard);
}

TEST(Session, LongTextIsGeneratedPieceByPiece) {
  std::string text;
  for (int i = 0; i < 12; ++i) text += "Sentence number " + std::to_string(i) + " is here. ";
  // Bytes are tokens for the demo: ~320 of them, so 4+ pieces of at most 80, each capped near
  // 6 frames a token (~350 frames); 400 frames in all therefore crosses into the second piece,
  // whose prompt carries the first piece's 350 frames as context.
  auto c = config(320, 80, 4, 32000);
  c.length_guard = 0;  // the demo never ends a sentence: each piece runs to its cap
  auto session = demo()->start({{text, 0, {}}}, c);
  const auto run = collect(*session);
  EXPECT_EQ(run.codes.size(), 400u);
  EXPECT_EQ(run.samples.size(), run.codes.size() * 1920);
  int64_t expected_first = 0;
  for (const auto& chunk : run.chunks) {
    EXPECT_EQ(chunk.first_frame, expected_first);
    expected_first += static_cast<int64_t>(chunk.codes.size());
  }
}

// The length guard (issue #23): the demo never ends its sentence; a short text stops at
// the guard's floor (2 s) with its own stop reason, a longer one later, and 0 turns it off.
TEST(Session, TheLengthGuardStopsSpeechThatNeverEnds) {
  auto c = config(320, 80, 4, 30000);
  const auto run_of = [&](const std::string& text, double guard) {
    c.length_guard = guard;
    auto session = demo()->start({{text, 0, {}}}, c);
    const auto run = collect(*session);
    return std::make_pair(run.codes.size(), session->summary().streams[0].stop);
  };
  const auto [short_frames, short_stop] = run_of("Hi.", 4.0);
  EXPECT_EQ(short_stop, csm::StopReason::LengthGuard);
  EXPECT_EQ(short_frames, 25u);  // the 2-second floor
  EXPECT_EQ(std::string(csm::to_string(short_stop)), "length_guard");
  const std::string longer = "A sentence of some length, well past the floor, for the guard.";
  const auto [long_frames, long_stop] = run_of(longer, 2.0);
  EXPECT_EQ(long_stop, csm::StopReason::LengthGuard);
  EXPECT_EQ(static_cast<int64_t>(long_frames), c.guard_frames(longer));
  EXPECT_GT(long_frames, 25u);
  c.max_audio_ms = 4000;
  const auto [off_frames, off_stop] = run_of("Hi.", 0.0);
  EXPECT_EQ(off_stop, csm::StopReason::MaxLength);
  EXPECT_EQ(off_frames, 50u);
}

TEST(Session, BadSettingsAndInputsAreRefusedClearly) {
  csm::StreamingConfig bad;
  bad.chunk_size_ms = 100;
  bad.first_chunk_ms = 0;
  bad.frame_batch_size = 0;
  bad.sampling.temperature = -1;
  bad.sampling.top_k = -2;
  bad.max_audio_ms = 10;
  const auto problems = bad.problems();
  EXPECT_EQ(problems.size(), 6u);
  try {
    demo()->start({{"hi", 0, {}}}, bad);
    FAIL() << "no error";
  } catch (const csm::Error& e) {
    EXPECT_NE(std::string(e.what()).find("chunk_size_ms must be a positive multiple of 80"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("frame_batch_size"), std::string::npos);
  }
  csm::StreamingConfig first_too_big;
  first_too_big.first_chunk_ms = 400;
  EXPECT_EQ(first_too_big.problems().size(), 1u);
  EXPECT_THROW(demo()->start({{"   ", 0, {}}}, csm::StreamingConfig{}), csm::Error);
  EXPECT_THROW(demo()->start({}, csm::StreamingConfig{}), csm::Error);
  EXPECT_THROW(demo()->start({{"ok", -1, {}}}, csm::StreamingConfig{}), csm::Error);
}

TEST(Session, ALongTextRunsInABatchBesideAShortOne) {
  // Batches run on the scheduler, where a long text is spoken piece by piece in its own slot.
  std::string long_text;
  for (int i = 0; i < 100; ++i) long_text += "word ";
  csm::StreamingConfig c;
  c.max_audio_ms = 800;
  auto session = demo()->start({{long_text, 0, {}}, {"short", 1, {}}}, c);
  std::vector<int64_t> frames(2, 0);
  std::vector<bool> last(2, false);
  while (auto chunk = session->next()) {
    ASSERT_TRUE(chunk->stream == 0 || chunk->stream == 1);
    EXPECT_FALSE(last[chunk->stream]) << "a chunk after the last one";
    EXPECT_EQ(chunk->first_frame, frames[chunk->stream]);
    frames[chunk->stream] += static_cast<int64_t>(chunk->codes.size());
    last[chunk->stream] = chunk->last;
  }
  EXPECT_TRUE(last[0] && last[1]);
  EXPECT_EQ(session->summary().streams.size(), 2u);
  EXPECT_EQ(session->summary().streams[0].frames, frames[0]);
  EXPECT_GT(frames[0], 0);
  EXPECT_GT(frames[1], 0);
}

TEST(Session, ContextThatCannotFitIsRefusedUpFront) {
  csm::Segment huge{1, "A very long clip.", std::vector<std::vector<int32_t>>(2100, std::vector<int32_t>(32, 7))};
  try {
    demo()->start({{"Hi.", 0, {huge}}}, csm::StreamingConfig{});
    FAIL() << "no error";
  } catch (const csm::Error& e) {
    EXPECT_EQ(e.code(), csm::ErrorCode::InvalidArgument);
    EXPECT_NE(std::string(e.what()).find("2048"), std::string::npos) << e.what();
    EXPECT_NE(e.hint().find("shorter voice clips"), std::string::npos) << e.hint();
  }
  // The engine stays usable.
  csm::StreamingConfig small;
  small.max_audio_ms = 160;
  auto session = demo()->start({{"Still fine.", 0, {}}}, small);
  int64_t frames = 0;
  while (auto chunk = session->next()) frames += static_cast<int64_t>(chunk->codes.size());
  EXPECT_EQ(frames, 2);
}

TEST(Session, ModelLookupFallsBackToTheHfCacheThenTheDemo) {
  const std::string empty = csm::test::temp_dir("hfhome");
  setenv("HF_HUB_CACHE", empty.c_str(), 1);
  EXPECT_EQ(csm::find_in_hf_cache("sesame/csm-1b"), "");
  EXPECT_TRUE(csm::Engine::load({""})->info().demo);
  const std::string dir = csm::test::fixture_path("tiny-a/hf");
  if (!dir.empty()) {
    const std::string snapshot = empty + "/models--sesame--csm-1b/snapshots/abc";
    std::filesystem::create_directories(snapshot);
    for (const char* f : {"config.json", "model.safetensors", "tokenizer.json"})
      std::filesystem::create_symlink(dir + "/" + f, snapshot + "/" + f);
    EXPECT_EQ(csm::find_in_hf_cache("sesame/csm-1b"), empty + "/models--sesame--csm-1b");
    const auto engine = csm::Engine::load({""});
    EXPECT_FALSE(engine->info().demo);
    EXPECT_EQ(engine->info().num_codebooks, 16);
  }
  unsetenv("HF_HUB_CACHE");
}

}  // namespace
