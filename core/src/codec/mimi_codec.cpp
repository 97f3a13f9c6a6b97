#include "codec/mimi_codec.h"

#include "csm/error.h"

namespace csm {

MimiCodec::MimiCodec(const MimiConfig& c, const MimiWeights& w, at::Device device)
    : config_(c), device_(device), encoder_(Seanet::encoder(c, w)), decoder_(Seanet::decoder(c, w)),
      encoder_transformer_(c, w, "encoder_transformer"), decoder_transformer_(c, w, "decoder_transformer"),
      quantizer_(c, w) {
  const int64_t stride = c.latent_stride(), h = c.hidden;
  downsample_.weight = w.get("downsample.conv.weight", {h, h, 2 * stride});
  downsample_.stride = stride;
  downsample_.replicate_pad = true;
  upsample_.weight = w.get("upsample.conv.weight", {h, h / c.upsample_groups, 2 * stride});
  upsample_.stride = stride;
  upsample_.groups = c.upsample_groups;
  if (device.type() != at::kCPU)
    throw Error(ErrorCode::DeviceUnavailable, "Mimi on " + device.str() + " is not supported yet; it runs on the CPU");
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
  if (codes.numel() == 0) return;
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

at::Tensor MimiCodec::decode(const at::Tensor& codes) const {
  MimiDecoderState state;
  return decode_step(codes, state);
}

at::Tensor MimiCodec::decode_step(const at::Tensor& codes, MimiDecoderState& state) const {
  check_codes(codes);
  // The steps replace state tensors, never write into them, so this copy is a
  // snapshot: a failure part way (out of memory) leaves the caller's state as it was.
  MimiDecoderState next = state;
  auto latent = quantizer_.decode(codes.to(device_, at::kLong));
  latent = upsample_.step(latent, next.upsample_partial);
  latent = decoder_transformer_.step(latent.transpose(1, 2), next.transformer).transpose(1, 2);
  next.frames += codes.size(2);
  auto audio = decoder_.step(latent, next.seanet);
  state = std::move(next);
  return audio;
}

int64_t MimiCodec::parameter_count() const {
  return encoder_.parameter_count() + decoder_.parameter_count() + encoder_transformer_.parameter_count() +
         decoder_transformer_.parameter_count() + downsample_.weight.numel() + upsample_.weight.numel() +
         quantizer_.parameter_count();
}

}  // namespace csm
