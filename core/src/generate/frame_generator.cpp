#include "generate/frame_generator.h"

#include <chrono>
#include <limits>

#include "csm/error.h"
#include "generate/sampler.h"

namespace csm {
namespace {

std::vector<PromptRows> split_rows(const at::Tensor& rows, const at::Tensor& mask) {
  std::vector<PromptRows> prompts;
  for (int64_t b = 0; b < rows.size(0); ++b) prompts.push_back({rows[b], mask[b]});
  return prompts;
}

}  // namespace

FrameGenerator::FrameGenerator(std::shared_ptr<const CsmModel> model, const at::Tensor& rows, const at::Tensor& mask,
                               SamplingParams sampling, int64_t max_frames)
    : FrameGenerator(std::move(model), split_rows(rows, mask), FrameGeneratorOptions{sampling, max_frames, 0}) {}

FrameGenerator::FrameGenerator(std::shared_ptr<const CsmModel> model, const std::vector<PromptRows>& prompts,
                               FrameGeneratorOptions options)
    : model_(std::move(model)), options_(options), generator_(at::detail::createCPUGenerator(options.sampling.seed)),
      batch_(static_cast<int64_t>(prompts.size())) {
  if (prompts.empty()) throw Error(ErrorCode::InvalidArgument, "nothing to generate: no prompt");
  const auto& c = model_->config();
  const int64_t limit = c.backbone.max_positions;
  for (size_t b = 0; b < prompts.size(); ++b) {
    const int64_t rows = prompts[b].rows.size(0);
    if (rows >= limit)
      throw Error(ErrorCode::InvalidArgument,
                  "the prompt" + (prompts.size() > 1 ? " of stream " + std::to_string(b) : std::string()) + " has " +
                      std::to_string(rows) + " rows, but the model holds " + std::to_string(limit) + " positions in all",
                  "shorten the text or the context");
  }
  limit_ = limit;
  backbone_cache_ = model_->backbone().make_cache(batch_, limit, model_->dtype());
  decoder_cache_ = model_->decoder().make_cache(batch_, c.num_codebooks, model_->dtype());
  for (const auto& p : prompts) prompts_.push_back({p.rows.to(model_->device()), p.mask.to(model_->device())});
}

at::Tensor FrameGenerator::sample(const at::Tensor& logits) {
  at::Tensor l = logits;
  if (options_.decodable_codes > 0 && options_.decodable_codes < l.size(-1))
    l = l.index_fill(-1, at::arange(options_.decodable_codes, l.size(-1), l.options().dtype(at::kLong)),
                     -std::numeric_limits<float>::infinity());
  return sample_topk(l, options_.sampling.temperature, options_.sampling.top_k, generator_);
}

at::Tensor FrameGenerator::backbone_step() {
  if (!prompts_.empty()) {  // prefill: each stream's prompt into its own cache slot
    std::vector<at::Tensor> last;
    std::vector<int64_t> lengths;
    for (int64_t b = 0; b < batch_; ++b) {
      const auto& p = prompts_[b];
      const auto x = model_->embed_rows(p.rows.unsqueeze(0), p.mask.unsqueeze(0));
      KvCache slot = backbone_cache_.slot(b);
      const auto hidden = model_->backbone().forward(x, 0, slot);
      last.push_back(hidden.select(1, hidden.size(1) - 1));
      lengths.push_back(p.rows.size(0));
    }
    prompts_.clear();
    positions_ = at::tensor(lengths, at::kLong).to(model_->device());
    return at::cat(last, 0);
  }
  const auto x = model_->embed_rows(pending_rows_, pending_mask_);
  at::Tensor hidden;
  if (batch_ == 1) {
    KvCache& cache = backbone_cache_;
    hidden = model_->backbone().forward(x, positions_.item<int64_t>(), cache);
  } else {
    hidden = model_->backbone().forward_at(x, positions_, backbone_cache_);
  }
  // A stream that already stopped keeps riding along in the batch; its position
  // is held at the last slot so it never runs past the cache.
  positions_ = (positions_ + 1).clamp_max(limit_ - 1);
  return hidden.select(1, 0);
}

at::Tensor FrameGenerator::depth_decode(const at::Tensor& h, const at::Tensor& c0,
                                        const std::function<bool()>& cancelled) {
  const int64_t cb = model_->config().num_codebooks;
  std::vector<at::Tensor> codes{c0};
  // Positions 0 and 1: the backbone state and codebook 0's embedding, both projected.
  auto input = model_->project(at::stack({h, model_->embed_audio(c0, 0)}, 1));
  int64_t pos = 0;
  for (int64_t i = 1; i < cb; ++i) {
    if (cancelled && cancelled()) return {};
    const auto out = model_->decoder().forward(input, pos, decoder_cache_);
    pos += input.size(1);
    const auto code = sample(model_->codebook_logits(out.select(1, out.size(1) - 1), i));
    codes.push_back(code);
    if (i + 1 < cb) input = model_->project(model_->embed_audio(code, i)).unsqueeze(1);
  }
  return at::stack(codes, 1);
}

at::Tensor FrameGenerator::next_frame(const std::function<bool()>& cancelled) {
  const auto t0 = std::chrono::steady_clock::now();
  last_hidden_ = backbone_step();
  last_c0_logits_ = model_->codebook0_logits(last_hidden_);
  backbone_ms_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  const auto frame = depth_decode(last_hidden_, sample(last_c0_logits_), cancelled);
  if (!frame.defined()) return frame;
  // The frame is each stream's next backbone input: one audio row, text column masked out.
  const int64_t cb = model_->config().num_codebooks;
  pending_rows_ = at::cat({frame, at::zeros_like(frame.narrow(1, 0, 1))}, 1).unsqueeze(1);
  auto mask = at::ones({frame.size(0), 1, cb + 1}, frame.options().dtype(at::kBool));
  mask.select(2, cb).fill_(false);
  pending_mask_ = mask;
  return frame;
}

}  // namespace csm
