// Running out of memory: a clear error, nothing made before it lost, and the same
// engine usable again with a smaller setting. Memory runs out for real here: a
// budgeted CPU allocator in front of LibTorch's refuses what does not fit.
#include <cmath>

#include <gtest/gtest.h>

#include "csm/codec.h"
#include "csm/engine.h"
#include "csm/error.h"
#include "runtime/torch_failure.h"
#include "support/limited_cpu_allocator.h"

namespace {

using csm::test::LimitedCpuAllocator;

std::shared_ptr<const csm::Engine> demo() {
  static const auto engine = csm::Engine::load({"demo"});
  return engine;
}

csm::StreamingConfig config(int max_ms) {
  csm::StreamingConfig c;
  c.chunk_size_ms = 800;  // ten frames a chunk: a failure lands between chunks
  c.first_chunk_ms = 80;
  c.max_audio_ms = max_ms;
  c.sampling.seed = 11;
  return c;
}

std::vector<csm::Request> requests(int streams) {
  std::vector<csm::Request> out;
  for (int i = 0; i < streams; ++i) out.push_back({"Memory is finite, speech goes on.", i % 2, {}});
  return out;
}

struct Collected {
  std::vector<std::vector<int32_t>> codes;
  std::vector<float> samples;
  std::vector<csm::AudioChunk> chunks;
};

// Every chunk up to the end or the error; the error (if any) comes back too.
Collected collect(csm::Session& session, std::optional<csm::Error>* error = nullptr) {
  Collected run;
  try {
    while (auto chunk = session.next()) {
      run.codes.insert(run.codes.end(), chunk->codes.begin(), chunk->codes.end());
      run.samples.insert(run.samples.end(), chunk->samples.begin(), chunk->samples.end());
      run.chunks.push_back(std::move(*chunk));
    }
  } catch (const csm::Error& e) {
    if (!error) throw;
    *error = e;
  }
  return run;
}

TEST(OutOfMemory, EveryAllocatorsWordingIsRecognised) {
  const c10::SourceLocation here{__func__, __FILE__, __LINE__};
  EXPECT_TRUE(csm::is_out_of_memory(c10::OutOfMemoryError(here, "CUDA out of memory. Tried to allocate 2.00 GiB")));
  EXPECT_TRUE(csm::is_out_of_memory(c10::Error(here, "DefaultCPUAllocator: not enough memory: you tried to allocate 8")));
  EXPECT_TRUE(csm::is_out_of_memory(c10::Error(here, "DefaultCPUAllocator: can't allocate memory: you tried to allocate 8")));
  EXPECT_FALSE(csm::is_out_of_memory(c10::Error(here, "The size of tensor a (4) must match the size of tensor b (5)")));

  const auto oom = csm::from_torch_failure(c10::Error(here, "DefaultCPUAllocator: not enough memory"), "generating", "ask for less");
  EXPECT_EQ(oom.code(), csm::ErrorCode::OutOfMemory);
  EXPECT_EQ(std::string(oom.what()).rfind("out of memory while generating: DefaultCPUAllocator", 0), 0u) << oom.what();
  EXPECT_EQ(oom.hint(), "ask for less");
  const auto other = csm::from_torch_failure(c10::Error(here, "shape mismatch"), "generating", "ask for less");
  EXPECT_EQ(other.code(), csm::ErrorCode::Internal);
  EXPECT_EQ(std::string(other.what()), "LibTorch failed while generating: shape mismatch");
  EXPECT_TRUE(other.hint().empty());

  // LibTorch 1.13's CPU allocator prefixes its source line and failed check: users get the sentence.
  const auto enforce = csm::from_torch_failure(
      c10::Error(here, "[enforce fail at alloc_cpu.cpp:75] err == 0. DefaultCPUAllocator: can't allocate memory: "
                       "you tried to allocate 64 bytes."),
      "loading", "");
  EXPECT_EQ(std::string(enforce.what()),
            "out of memory while loading: DefaultCPUAllocator: can't allocate memory: you tried to allocate 64 bytes.");
}

TEST(OutOfMemory, TooManyStreamsFailClearlyAndFewerRunOnTheSameEngine) {
  const auto engine = demo();
  LimitedCpuAllocator allocator;
  collect(*engine->start(requests(1), config(800)));
  const int64_t one_stream = allocator.peak_bytes();
  ASSERT_GT(one_stream, 0) << "the allocator saw nothing: LibTorch did not use it";

  // Room for a few streams, not for 32 at once: a real machine's limit, scaled down.
  allocator.set_budget(allocator.live_bytes() + 3 * one_stream);
  engine->scheduler().set_max_streams(32);
  std::optional<csm::Error> error;
  try {
    collect(*engine->start(requests(32), config(800)), &error);
  } catch (const csm::Error& e) {
    error = e;  // the caches did not fit at the start: just as good
  }
  ASSERT_TRUE(error.has_value()) << "32 streams fit in a budget of three";
  EXPECT_EQ(error->code(), csm::ErrorCode::OutOfMemory) << error->what();
  EXPECT_NE(std::string(error->what()).find("out of memory while"), std::string::npos) << error->what();
  EXPECT_NE(error->hint().find("fewer streams"), std::string::npos) << error->hint();
  EXPECT_GT(allocator.refused(), 0);

  // Same engine, same budget, a smaller setting: a full run.
  engine->scheduler().set_max_streams(1);
  const auto run = collect(*engine->start(requests(1), config(800)));
  EXPECT_EQ(run.codes.size(), 10u);
  EXPECT_EQ(run.samples.size(), 10u * 1920u);
  EXPECT_TRUE(run.chunks.back().last);
}

TEST(OutOfMemory, FailureMidRunHandsOutEveryFrameMadeThenTheError) {
  const auto engine = demo();
  const auto reference = collect(*engine->start(requests(1), config(2400)));
  ASSERT_EQ(reference.codes.size(), 30u);

  // Generation runs ahead of the reader on the model thread, which alone allocates:
  // an allocation count from an unbroken run says where a third of the run is.
  int64_t whole_run = 0;
  {
    LimitedCpuAllocator counting;
    collect(*engine->start(requests(1), config(2400)));
    whole_run = counting.allocations();
  }
  ASSERT_GT(whole_run, 30);
  LimitedCpuAllocator allocator;
  allocator.fail_nth(whole_run / 3);
  auto session = engine->start(requests(1), config(2400));
  auto first = session->next();  // one frame
  ASSERT_TRUE(first.has_value());

  std::optional<csm::Error> error;
  auto rest = collect(*session, &error);
  ASSERT_TRUE(error.has_value()) << "the forced allocation failure never surfaced";
  EXPECT_EQ(error->code(), csm::ErrorCode::OutOfMemory) << error->what();
  EXPECT_EQ(allocator.refused(), 1);
  ASSERT_FALSE(rest.chunks.empty()) << "the frames made before the failure were dropped";
  EXPECT_TRUE(rest.chunks.back().last);
  EXPECT_EQ(session->summary().streams[0].stop, csm::StopReason::Failed);

  // Nothing lost: every frame made is there, decoded, and equals the unbroken run.
  const size_t made = 1 + rest.codes.size();
  EXPECT_GE(made, 3u);
  EXPECT_LT(made, 30u);
  EXPECT_EQ(rest.samples.size(), rest.codes.size() * 1920u);
  EXPECT_EQ(static_cast<int64_t>(made), session->summary().streams[0].frames);
  for (size_t i = 1; i < made; ++i) EXPECT_EQ(rest.codes[i - 1], reference.codes[i]) << "frame " << i;
  EXPECT_FALSE(session->next().has_value()) << "a failed session must stay ended";

  // The engine carries nothing over from the failure: the next run is the reference.
  const auto again = collect(*engine->start(requests(1), config(2400)));
  EXPECT_EQ(again.codes, reference.codes);
}

// Wherever the failure lands (in a frame, in Mimi's decode of a chunk), what comes
// out before the error is exactly the unbroken run's audio, up to where it stopped.
TEST(OutOfMemory, WhateverFailsTheAudioHeardIsTheUnbrokenRunsAudio) {
  const auto engine = demo();
  const auto reference = collect(*engine->start(requests(1), config(2400)));
  std::vector<int64_t> after_chunk;  // allocations made by the end of each chunk
  {
    LimitedCpuAllocator counting;
    auto session = engine->start(requests(1), config(2400));
    while (session->next()) after_chunk.push_back(counting.allocations());
  }
  ASSERT_GE(after_chunk.size(), 3u);
  // The second chunk ends with ten frames decoded: its last allocations are Mimi's.
  for (int64_t back : {1, 4, 16, 64, 256, 1024}) {
    const int64_t nth = after_chunk[1] - back;
    if (nth <= after_chunk[0]) continue;
    LimitedCpuAllocator allocator;
    allocator.fail_nth(nth);
    std::optional<csm::Error> error;
    const auto run = collect(*engine->start(requests(1), config(2400)), &error);
    ASSERT_TRUE(error.has_value()) << "allocation " << nth << " never failed";
    EXPECT_EQ(error->code(), csm::ErrorCode::OutOfMemory);
    ASSERT_FALSE(run.chunks.empty());
    EXPECT_TRUE(run.chunks.back().last) << "failing at allocation " << nth;
    ASSERT_LE(run.codes.size(), reference.codes.size());
    EXPECT_GE(run.codes.size(), 2u);
    EXPECT_EQ(run.samples.size(), run.codes.size() * 1920u) << "failing at allocation " << nth;
    for (size_t i = 0; i < run.codes.size(); ++i) ASSERT_EQ(run.codes[i], reference.codes[i]) << "frame " << i;
    double worst = 0;
    for (size_t i = 0; i < run.samples.size(); ++i)
      worst = std::max(worst, double(std::abs(run.samples[i] - reference.samples[i])));
    EXPECT_LT(worst, 1e-5) << "failing at allocation " << nth << ": the audio heard differs from the unbroken run";
  }
}

TEST(OutOfMemory, AFailedStreamingDecodeLeavesTheStreamAsItWas) {
  const auto codec = csm::Codec::load({"", "random:mimi", "cpu"});
  const auto frame = [&](int32_t v) { return std::vector<int32_t>(static_cast<size_t>(codec->num_codebooks()), v); };
  const csm::Frames first{frame(3)}, second{frame(9)};
  auto unbroken = codec->stream();
  unbroken->decode(first);
  const auto expected = unbroken->decode(second);

  int64_t per_call = 0;
  {
    auto probe = codec->stream();
    probe->decode(first);
    LimitedCpuAllocator counting;
    probe->decode(second);
    per_call = counting.allocations();
  }
  ASSERT_GT(per_call, 4);
  for (int64_t nth : {int64_t(1), per_call / 3, per_call / 2, per_call - 1}) {
    auto stream = codec->stream();
    stream->decode(first);
    {
      LimitedCpuAllocator allocator;
      allocator.fail_nth(nth);
      EXPECT_THROW(stream->decode(second), csm::Error) << "allocation " << nth << " of " << per_call;
    }
    EXPECT_EQ(stream->decode(second), expected) << "a decode failing at allocation " << nth << " moved the stream on";
  }
}

TEST(OutOfMemory, CodecSaysSoAndDecodesAfterwards) {
  const auto codec = csm::Codec::load({"", "random:mimi", "cpu"});
  const csm::Frames frames(4, std::vector<int32_t>(static_cast<size_t>(codec->num_codebooks()), 5));
  const auto reference = codec->decode(frames);
  {
    LimitedCpuAllocator allocator(1 << 20);  // 1 MiB: not enough for full-size Mimi's activations
    try {
      codec->decode(frames);
      FAIL() << "decoding fit in 1 MiB";
    } catch (const csm::Error& e) {
      EXPECT_EQ(e.code(), csm::ErrorCode::OutOfMemory) << e.what();
      EXPECT_NE(std::string(e.what()).find("out of memory while decoding audio"), std::string::npos) << e.what();
      EXPECT_NE(e.hint().find("--chunk-frames"), std::string::npos);
    }
  }
  EXPECT_EQ(codec->decode(frames), reference);
}

}  // namespace
