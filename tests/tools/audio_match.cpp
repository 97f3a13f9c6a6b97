// audio_match RECORDED.wav REFERENCE.wav [BLOCK_MS]: finds each block of the
// reference inside the recording (normalised cross-correlation, via FFT) and
// prints JSON: the worst block's correlation, whether blocks appear in order,
// and how much silence was inserted between them (gaps). Used by the audio tests.
// A sound server that runs dry mid-block (generation slower than real time, e.g.
// under sanitizers) inserts silence inside a block: such a block is matched as
// its two parts around the best split, each found on its own and in order.
#include <cmath>
#include <cstdio>
#include <string>

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include "csm/audio_file.h"

namespace {

// Normalised correlation of `block` against every position of `signal`.
at::Tensor correlate(const at::Tensor& signal, const at::Tensor& block) {
  const int64_t n = signal.size(0) + block.size(0);
  const auto spectrum = at::fft_rfft(signal, n) * at::conj(at::fft_rfft(block, n));
  auto corr = at::fft_irfft(spectrum, n).narrow(0, 0, signal.size(0) - block.size(0) + 1);
  const auto sq = at::cat({at::zeros({1}, at::kDouble), (signal * signal).cumsum(0)});
  const auto window = (sq.narrow(0, block.size(0), corr.size(0)) - sq.narrow(0, 0, corr.size(0))).clamp_min(1e-12);
  return corr / (window.sqrt() * block.norm());
}

struct BlockMatch {
  double correlation;
  int64_t start, end;  // where the block's first and last samples were found
  bool split;
};

BlockMatch match_whole(const at::Tensor& recorded, const at::Tensor& piece) {
  const auto corr = correlate(recorded, piece);
  const int64_t lag = corr.argmax().item<int64_t>();
  return {corr[lag].item<double>(), lag, lag + piece.size(0), false};
}

constexpr double kFound = 0.95;

BlockMatch match_block(const at::Tensor& recorded, const at::Tensor& piece) {
  auto best = match_whole(recorded, piece);
  if (best.correlation >= kFound) return best;
  const int64_t n = piece.size(0), step = 120, least = 240;  // 5 ms splits, 10 ms parts
  for (int64_t cut = least; cut + least <= n; cut += step) {
    const auto head = match_whole(recorded, piece.narrow(0, 0, cut));
    const auto tail = match_whole(recorded, piece.narrow(0, cut, n - cut));
    if (tail.start < head.end - 24) continue;  // parts out of order are no match
    const double both = std::min(head.correlation, tail.correlation);
    if (both > best.correlation) best = {both, head.start, tail.end, true};
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: audio_match RECORDED.wav REFERENCE.wav [BLOCK_MS]\n");
    return 2;
  }
  try {
    csm::AudioReadOptions any;
    any.allow_silence = true;
    const auto recorded = at::tensor(csm::read_audio_mono(argv[1], any), at::kFloat).to(at::kDouble);
    const auto reference = at::tensor(csm::read_audio_mono(argv[2], any), at::kFloat).to(at::kDouble);
    const int64_t block = (argc > 3 ? std::stoi(argv[3]) : 320) * 24;
    // The first block is reported apart: a sound server may start a monitor
    // recording a few milliseconds into a new stream (it rewinds the sink).
    double worst = 1.0, first = 1.0, gaps = 0;
    int64_t previous_end = -1, blocks = 0, split_blocks = 0;
    bool in_order = true;
    for (int64_t at = 0; at + block <= reference.size(0); at += block, ++blocks) {
      const auto piece = reference.narrow(0, at, block);
      if (piece.norm().item<double>() < 1e-6 || recorded.size(0) < block) continue;
      if (blocks == 0) {  // reported, but not part of order, gaps or the worst figure
        first = match_whole(recorded, piece).correlation;
        continue;
      }
      const auto found = match_block(recorded, piece);
      worst = std::min(worst, found.correlation);
      split_blocks += found.split ? 1 : 0;
      if (previous_end >= 0) {
        in_order = in_order && found.start >= previous_end - 24;  // a sample of jitter
        gaps += std::max<int64_t>(0, found.start - previous_end) / 24.0;
      }
      // Silence inserted inside a split block counts as a gap too.
      gaps += std::max<int64_t>(0, found.end - found.start - block) / 24.0;
      previous_end = found.end;
    }
    nlohmann::json out = {{"blocks", blocks},
                          {"worst_correlation", worst},
                          {"first_block_correlation", first},
                          {"in_order", in_order},
                          {"gap_ms", gaps},
                          {"split_blocks", split_blocks},
                          {"recorded_seconds", recorded.size(0) / 24000.0},
                          {"recorded_rms", recorded.pow(2).mean().sqrt().item<double>()}};
    std::printf("%s\n", out.dump().c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "audio_match: %s\n", e.what());
    return 1;
  }
}
