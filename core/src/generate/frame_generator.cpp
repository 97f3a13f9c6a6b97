#include "generate/frame_generator.h"

#include <chrono>

#include "csm/error.h"
#include "generate/sampler.h"

namespace csm {

FrameGenerator::FrameGenerator(std::shared_ptr<const CsmModel> model, const at::Tensor& rows, const at::Tensor& mask,
                               SamplingParams sampling, int64_t max_frames)
    : model_(std::move(model)), sampling_(sampling), generator_(at::detail::createCPUGenerator(sampling.seed)) {
  const auto& c = model_->config();
  const int64_t limit = c.backbone.max_positions;
  if (rows.size(1) + max_frames > limit)
    throw Error(ErrorCode::InvalidArgument,
                "the prompt has " + std::to_string(rows.size(1)) + " rows and " + std::to_string(max_frames) +
                    " frames were asked for, but the model holds " + std::to_string(limit) + " positions in all",
                "shorten the text or context, or ask for fewer frames (" +
                    std::to_string(std::max<int64_t>(0, limit - rows.size(1))) + " fit)");
  const auto batch = rows.size(0);
  backbone_cache_ = model_->backbone().make_cache(batch, limit, model_->dtype());
  decoder_cache_ = model_->decoder().make_cache(batch, c.num_codebooks, model_->dtype());
  pending_rows_ = rows.to(model_->device());
  pending_mask_ = mask.to(model_->device());
}

at::Tensor FrameGenerator::sample(const at::Tensor& logits) {
  return sample_topk(logits, sampling_.temperature, sampling_.top_k, generator_);
}

at::Tensor FrameGenerator::depth_decode(const at::Tensor& h, const at::Tensor& c0) {
  const int64_t cb = model_->config().num_codebooks;
  std::vector<at::Tensor> codes{c0};
  // Positions 0 and 1: the backbone state and codebook 0's embedding, both projected.
  auto input = model_->project(at::stack({h, model_->embed_audio(c0, 0)}, 1));
  int64_t pos = 0;
  for (int64_t i = 1; i < cb; ++i) {
    const auto out = model_->decoder().forward(input, pos, decoder_cache_);
    pos += input.size(1);
    const auto code = sample(model_->codebook_logits(out.select(1, out.size(1) - 1), i));
    codes.push_back(code);
    if (i + 1 < cb) input = model_->project(model_->embed_audio(code, i)).unsqueeze(1);
  }
  return at::stack(codes, 1);
}

at::Tensor FrameGenerator::next_frame() {
  const auto t0 = std::chrono::steady_clock::now();
  const auto x = model_->embed_rows(pending_rows_, pending_mask_);
  const auto hidden = model_->backbone().forward(x, position_, backbone_cache_);
  position_ += x.size(1);
  last_hidden_ = hidden.select(1, hidden.size(1) - 1);
  last_c0_logits_ = model_->codebook0_logits(last_hidden_);
  backbone_ms_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  const auto frame = depth_decode(last_hidden_, sample(last_c0_logits_));
  // The frame is the next backbone input: one audio row, text column masked out.
  const int64_t cb = model_->config().num_codebooks;
  pending_rows_ = at::cat({frame, at::zeros_like(frame.narrow(1, 0, 1))}, 1).unsqueeze(1);
  auto mask = at::ones({frame.size(0), 1, cb + 1}, frame.options().dtype(at::kBool));
  mask.select(2, cb).fill_(false);
  pending_mask_ = mask;
  return frame;
}

}  // namespace csm
