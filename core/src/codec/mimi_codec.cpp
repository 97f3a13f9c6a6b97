#include "codec/mimi_codec.h"

#include "csm/error.h"

namespace csm {

MimiCodec::MimiCodec(const MimiConfig& c, const MimiWeights& w, at::Device device) : MimiCodec(c, w.on(device)) {}

MimiCodec::MimiCodec(const MimiConfig& c, const MimiWeights& w)
    : config_(c), device_(w.device()), encoder_(Seanet::encoder(c, w)), decoder_(Seanet::decoder(c, w)),
      encoder_transformer_(c, w, "encoder_transformer"), decoder_transformer_(c, w, "decoder_transformer"),
      quantizer_(c, w) {
  const int64_t stride = c.latent_stride(), h = c.hidden;
  downsample_.weight = w.get("downsample.conv.weight", {h, h, 2 * stride});
  downsample_.stride = stride;
  downsample_.replicate_pad = true;
  upsample_.weight = w.get("upsample.conv.weight", {h, h / c.upsample_groups, 2 * stride});
  upsample_.stride = stride;
  upsample_.groups = c.upsample_groups;
}

std::shared_ptr<const MimiCodec> MimiCodec::load(const TensorStore& store, const MimiConfig& config, at::Device device) {
  return std::make_shared<MimiCodec>(config, MimiWeights(store), device);
}

void MimiCodec::check_codes(const at::Tensor& codes) const {
  if (codes.dim() != 3 || codes.size(1) != config_.num_quantizers)
    throw Error(ErrorCode::InvalidArgument, "Mimi codes must be [batch, " + std::to_string(config_.num_quantizers) +
                                                ", frames], got " + std::to_string(codes.dim()) + " dims with " +
                                                (codes.dim() > 1 ? std::to_string(codes.size(1)) : std::string("?")) +
                                                " codebooks");
  // Checked where they come from (the host, for a stream's frames): no device round trip.
  if (codes.numel() == 0 || !codes.device().is_cpu()) return;
  const int64_t low = codes.min().item<int64_t>(), high = codes.max().item<int64_t>();
  if (low < 0 || high >= config_.codebook_size)
    throw Error(ErrorCode::InvalidArgument, "Mimi code " + std::to_string(low < 0 ? low : high) + " is outside 0.." +
                                                std::to_string(config_.codebook_size - 1),
                "codes 2048..2050 are CSM's special ids and carry no audio");
}

at::Tensor MimiCodec::encode(const at::Tensor& waveform) const {
  if (waveform.dim() != 3 || waveform.size(1) != config_.channels || waveform.size(2) == 0)
    throw Error(ErrorCode::InvalidArgument, "Mimi encodes [batch, " + std::to_string(config_.channels) +
                                                ", samples] audio with at least one sample");
  auto latent = encoder_.forward(waveform.to(device_, at::kFloat));
  latent = encoder_transformer_.forward(latent.transpose(1, 2)).transpose(1, 2);
  latent = downsample_.forward(latent);
  return quantizer_.encode(latent);
}

MimiDecoderState MimiCodec::decoder_state(int64_t rows) const {
  MimiDecoderState s;
  s.upsample_partial = upsample_.make_state(rows);
  s.transformer = decoder_transformer_.make_state(rows, kMaxFramesPerCall * config_.latent_stride(),
                                                  upsample_.weight.options());
  s.seanet = decoder_.make_state(rows);
  return s;
}

at::Tensor MimiCodec::step(const at::Tensor& codes, MimiDecoderState& state, const at::Tensor& depth) const {
  auto latent = quantizer_.decode(codes.to(device_, at::kLong), depth);
  latent = upsample_.step(latent, state.upsample_partial);
  latent = decoder_transformer_.step(latent.transpose(1, 2), state.transformer).transpose(1, 2);
  return decoder_.step(latent, state.seanet);
}

at::Tensor MimiCodec::decode(const at::Tensor& codes, int64_t depth) const {
  check_codes(codes);
  MimiDecoderState state = decoder_state(codes.size(0));
  const at::Tensor depths = depth > 0 && depth < config_.num_quantizers
                                ? at::full({codes.size(0)}, depth, at::TensorOptions().dtype(at::kLong).device(device_))
                                : at::Tensor();
  std::vector<at::Tensor> pieces;
  for (int64_t t = 0; t < codes.size(2); t += kMaxFramesPerCall)
    pieces.push_back(step(codes.narrow(2, t, std::min(kMaxFramesPerCall, codes.size(2) - t)), state, depths));
  return pieces.empty() ? at::zeros({codes.size(0), 1, 0}, upsample_.weight.options()) : at::cat(pieces, -1);
}

namespace {

// Every per-row tensor of a decoder state (batch first), to gather rows from or put back.
std::vector<at::Tensor*> row_tensors(MimiDecoderState& s) {
  std::vector<at::Tensor*> out{&s.upsample_partial, &s.transformer.positions};
  for (auto& t : s.transformer.keys) out.push_back(&t);
  for (auto& t : s.transformer.values) out.push_back(&t);
  for (auto& t : s.seanet.slots) out.push_back(&t);
  return out;
}

// A copy whose ring tensors (written in place by a step) are its own.
MimiDecoderState deep_copy(const MimiDecoderState& s) {
  MimiDecoderState copy = s;
  for (auto* t : row_tensors(copy))
    if (t->defined()) *t = t->clone();
  return copy;
}

}  // namespace

at::Tensor MimiCodec::decode_step(const at::Tensor& codes, MimiDecoderState& state) const {
  check_codes(codes);
  if (!state.defined()) state = decoder_state(codes.size(0));
  if (state.rows() != codes.size(0))
    throw Error(ErrorCode::InvalidArgument, "Mimi: codes for " + std::to_string(codes.size(0)) +
                                                " streams on a decoder state of " + std::to_string(state.rows()));
  // One call writes its keys only where no later query of the old state looks, and
  // replaces every other tensor: a shallow copy is a snapshot. Several calls are not.
  const bool one_call = codes.size(2) <= kMaxFramesPerCall;
  MimiDecoderState next = one_call ? state : deep_copy(state);
  std::vector<at::Tensor> pieces;
  for (int64_t t = 0; t < codes.size(2); t += kMaxFramesPerCall)
    pieces.push_back(step(codes.narrow(2, t, std::min(kMaxFramesPerCall, codes.size(2) - t)), next));
  state = std::move(next);
  return pieces.empty() ? at::zeros({codes.size(0), 1, 0}, upsample_.weight.options()) : at::cat(pieces, -1);
}

at::Tensor MimiCodec::decode_rows(const at::Tensor& codes, MimiDecoderState& state, const std::vector<int64_t>& rows,
                                  const std::vector<int64_t>& depth) const {
  check_codes(codes);
  if (codes.size(2) > kMaxFramesPerCall || static_cast<int64_t>(rows.size()) != codes.size(0) ||
      (!depth.empty() && depth.size() != rows.size()))
    throw Error(ErrorCode::Internal, "Mimi: a batched step takes one code row (and depth) per state row, at most " +
                                         std::to_string(kMaxFramesPerCall) + " frames");
  bool shallow = false;
  for (int64_t d : depth) shallow = shallow || d < config_.num_quantizers;
  const at::Tensor depths = shallow ? at::tensor(depth, at::kLong).to(device_) : at::Tensor();
  bool all = static_cast<int64_t>(rows.size()) == state.rows();
  for (size_t i = 0; all && i < rows.size(); ++i) all = rows[i] == static_cast<int64_t>(i);
  if (all) {
    MimiDecoderState next = state;  // one call: a shallow copy is a snapshot (see decode_step)
    const auto audio = step(codes, next, depths);
    state = std::move(next);
    return audio;
  }
  // Gather the rows, step them, put them back: on failure nothing of the state moved.
  const auto index = at::tensor(rows, at::kLong).to(device_);
  MimiDecoderState some = state;
  for (auto* t : row_tensors(some))
    if (t->defined()) *t = t->index_select(0, index);
  const auto audio = step(codes, some, depths);
  auto mine = row_tensors(state), theirs = row_tensors(some);
  for (size_t i = 0; i < mine.size(); ++i)
    if (mine[i]->defined()) mine[i]->index_copy_(0, index, *theirs[i]);
  return audio;
}

void MimiCodec::reset_row(MimiDecoderState& state, int64_t row) const {
  for (auto* t : row_tensors(state))
    if (t->defined()) t->narrow(0, row, 1).zero_();
}

int64_t MimiCodec::parameter_count() const {
  return encoder_.parameter_count() + decoder_.parameter_count() + encoder_transformer_.parameter_count() +
         decoder_transformer_.parameter_count() + downsample_.weight.numel() + upsample_.weight.numel() +
         quantizer_.parameter_count();
}

}  // namespace csm
