// Voices kept ready (issue #24): a request whose context turns were prefilled before
// copies their keys and values instead of running them through the backbone again,
// and makes the same codes as without the cache.
#include <cmath>

#include <gtest/gtest.h>

#include "csm/engine.h"
#include "generate/prefix_cache.h"

namespace {

using namespace std::chrono_literals;

std::shared_ptr<const csm::Engine> engine_with_cache(int mb) {
  csm::EngineOptions o;
  o.model = "demo";
  o.voice_cache_mb = mb;
  return csm::Engine::load(o);
}

// A voice: a second of a tone as its clip, with its transcript.
csm::Segment voice(const csm::Engine& engine) {
  std::vector<float> clip(24000);
  for (size_t i = 0; i < clip.size(); ++i) clip[i] = 0.3f * std::sin(2 * M_PI * 220.0 * i / 24000.0);
  return {1, "A short clip of my voice.", engine.encode_audio(clip, 24000)};
}

std::vector<std::vector<int32_t>> codes_of(const csm::Engine& engine, const std::string& text, float temperature) {
  csm::StreamingConfig c;
  c.max_audio_ms = 800;
  c.sampling.temperature = temperature;
  c.sampling.seed = 11;
  auto stream = engine.scheduler().submit({text, 1, {voice(engine)}}, c);
  std::vector<std::vector<int32_t>> codes;
  csm::AudioChunk chunk;
  for (auto p = stream->next(chunk, 60s); p != csm::Stream::Poll::Ended; p = stream->next(chunk, 60s))
    if (p == csm::Stream::Poll::Chunk) codes.insert(codes.end(), chunk.codes.begin(), chunk.codes.end());
  return codes;
}

TEST(VoiceCache, AKeptVoiceMakesTheSameCodesAsOneRunThroughTheModel) {
  const auto plain = engine_with_cache(0);
  const auto cached = engine_with_cache(16);
  for (float temperature : {0.0f, 0.9f}) {
    const auto expected = codes_of(*plain, "Hello there.", temperature);
    ASSERT_EQ(expected.size(), 10u);
    EXPECT_EQ(codes_of(*cached, "Hello there.", temperature), expected) << "the first request keeps the voice";
    EXPECT_EQ(codes_of(*cached, "Hello there.", temperature), expected) << "the second copies it: T=" << temperature;
  }
  EXPECT_EQ(codes_of(*cached, "Another text.", 0.9f), codes_of(*plain, "Another text.", 0.9f))
      << "the same voice before another text";
  const auto stats = cached->scheduler().stats();
  EXPECT_EQ(stats.voice_cache_misses, 1) << "one voice, prefilled once";
  EXPECT_EQ(stats.voice_cache_hits, 4);
  EXPECT_GT(stats.voice_cache_bytes, 0);
  EXPECT_EQ(plain->scheduler().stats().voice_cache_hits, 0);
  EXPECT_EQ(plain->scheduler().stats().voice_cache_bytes, 0);
}

// The budget: least recently used entries go first; one larger than it all is not kept.
std::shared_ptr<csm::CachedPrefix> entry(int64_t id, size_t bytes) {
  auto e = std::make_shared<csm::CachedPrefix>();
  e->rows = at::full({2, 3}, id, at::kLong);
  e->mask = at::ones({2, 3}, at::kBool);
  e->bytes = bytes;
  return e;
}

TEST(VoiceCache, TheLeastRecentlyUsedGoesFirstAndTheBudgetHolds) {
  csm::PrefixCache cache(100);
  for (int64_t id : {1, 2, 3}) cache.put(entry(id, 40));  // 3 evicts 1
  const auto ones = at::ones({2, 3}, at::kBool);
  EXPECT_FALSE(cache.find(at::full({2, 3}, 1, at::kLong), ones));
  EXPECT_TRUE(cache.find(at::full({2, 3}, 2, at::kLong), ones));  // 2 is now the most recent
  cache.put(entry(4, 40));                                          // evicts 3, not 2
  EXPECT_TRUE(cache.find(at::full({2, 3}, 2, at::kLong), ones));
  EXPECT_FALSE(cache.find(at::full({2, 3}, 3, at::kLong), ones));
  EXPECT_TRUE(cache.find(at::full({2, 3}, 4, at::kLong), ones));
  EXPECT_FALSE(cache.find(at::full({2, 3}, 4, at::kLong), at::zeros({2, 3}, at::kBool))) << "the mask counts too";
  cache.put(entry(5, 101));
  EXPECT_FALSE(cache.find(at::full({2, 3}, 5, at::kLong), ones)) << "larger than the whole budget";
  const auto s = cache.stats();
  EXPECT_EQ(s.entries, 2);
  EXPECT_EQ(s.bytes, 80u);
  EXPECT_EQ(s.hits, 3);
  EXPECT_EQ(s.misses, 4);
  EXPECT_FALSE(csm::PrefixCache(0).enabled());
}

}  // namespace
