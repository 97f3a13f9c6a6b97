// csm::Codec: locating Mimi's weights and config, and the tensor-free wrapper.
#include "csm/codec.h"



#include "codec/code_frames.h"
#include "codec/codec_location.h"
#include "codec/mimi_codec.h"
#include "codec/mimi_weights.h"
#include "csm/error.h"
#include "runtime/blas_warmup.h"
#include "runtime/device_policy.h"
#include "runtime/torch_failure.h"

namespace csm {
namespace fs = std::filesystem;
namespace {

std::vector<float> to_samples(const at::Tensor& audio) {
  const auto flat = audio.flatten().to(at::kCPU).to(at::kFloat).contiguous();
  return {flat.data_ptr<float>(), flat.data_ptr<float>() + flat.numel()};
}

const char* const kShorterAudio = "give shorter audio, or decode it in chunks (--chunk-frames)";

class CodecImpl final : public Codec {
 public:
  CodecImpl(CodecSource source, at::Device device)
      : mimi_(MimiCodec::load(source.store, source.config, device)),
        description_(source.description + " (" + MimiWeights(source.store).layout() + " layout)") {}
  CodecImpl(const MimiConfig& config, uint64_t seed, at::Device device)
      : mimi_(std::make_shared<MimiCodec>(config, MimiWeights::random(seed), device)),
        description_("random weights (full-size Mimi)") {}

  int sample_rate() const override { return mimi_->config().sample_rate; }
  int samples_per_frame() const override { return mimi_->config().samples_per_frame(); }
  int num_codebooks() const override { return mimi_->config().num_quantizers; }
  int codebook_size() const override { return mimi_->config().codebook_size; }
  std::string source() const override { return description_; }

  Frames encode(const std::vector<float>& samples) const override {
    if (samples.empty()) throw Error(ErrorCode::InvalidArgument, "no audio to encode");
    return guard_torch("encoding audio", kShorterAudio, [&] {
      return to_frames(mimi_->encode(at::tensor(samples, at::kFloat).view({1, 1, -1})));
    });
  }
  std::vector<float> decode(const Frames& frames) const override {
    if (frames.empty()) return {};
    // Frames of fewer codes are the first codebooks of each: the rest are not decoded.
    const auto depth = static_cast<int>(frames.front().size());
    if (depth < 1 || depth > num_codebooks())
      throw Error(ErrorCode::InvalidArgument, "frames of " + std::to_string(depth) + " codes; this Mimi decodes 1.." +
                                                  std::to_string(num_codebooks()) + " codebooks");
    Frames full = frames;
    for (auto& f : full) f.resize(static_cast<size_t>(num_codebooks()), 0);
    for (const auto& f : frames)
      if (static_cast<int>(f.size()) != depth)
        throw Error(ErrorCode::InvalidArgument, "every frame must hold as many codes as the first (" +
                                                    std::to_string(depth) + ")");
    return guard_torch("decoding audio", kShorterAudio,
                       [&] { return to_samples(mimi_->decode(to_codes(full, num_codebooks()), depth)); });
  }

  class StreamImpl final : public Stream {
   public:
    explicit StreamImpl(std::shared_ptr<const MimiCodec> mimi) : mimi_(std::move(mimi)) {}
    std::vector<float> decode(const Frames& frames) override {
      if (frames.empty()) return {};
      return guard_torch("decoding audio", kShorterAudio, [&] {
        return to_samples(mimi_->decode_step(to_codes(frames, mimi_->config().num_quantizers), state_));
      });
    }
    void reset() override { state_ = MimiDecoderState{}; }

   private:
    std::shared_ptr<const MimiCodec> mimi_;
    MimiDecoderState state_;
  };
  std::unique_ptr<Stream> stream() const override { return std::make_unique<StreamImpl>(mimi_); }

  class StreamsImpl final : public Streams {
   public:
    StreamsImpl(std::shared_ptr<const MimiCodec> mimi, int count) : mimi_(std::move(mimi)), count_(count) {}
    std::vector<std::vector<float>> decode(const std::vector<Frames>& frames) override {
      if (static_cast<int>(frames.size()) != count_)
        throw Error(ErrorCode::InvalidArgument, "frames for " + std::to_string(frames.size()) + " streams given to " +
                                                    std::to_string(count_) + " streams");
      const int codebooks = mimi_->config().num_quantizers;
      std::vector<at::Tensor> codes;
      for (const auto& f : frames) {
        if (f.size() != frames.front().size())
          throw Error(ErrorCode::InvalidArgument, "every stream must bring as many frames in one call");
        codes.push_back(to_codes(f, codebooks));
      }
      if (frames.front().empty()) return std::vector<std::vector<float>>(frames.size());
      return guard_torch("decoding audio", kShorterAudio, [&] {
        const auto audio = mimi_->decode_step(at::cat(codes, 0), state_).to(at::kCPU, at::kFloat).contiguous();
        std::vector<std::vector<float>> out;
        for (int64_t i = 0; i < audio.size(0); ++i) out.push_back(to_samples(audio[i]));
        return out;
      });
    }

   private:
    std::shared_ptr<const MimiCodec> mimi_;
    int count_;
    MimiDecoderState state_;
  };
  std::unique_ptr<Streams> streams(int count) const override {
    if (count < 1) throw Error(ErrorCode::InvalidArgument, "decoding needs at least one stream");
    return std::make_unique<StreamsImpl>(mimi_, count);
  }

 private:
  std::shared_ptr<const MimiCodec> mimi_;
  std::string description_;
};

}  // namespace

std::shared_ptr<const Codec> Codec::load(const CodecOptions& options) {
  const at::Device device = parse_device(options.device);
  if (options.codec.empty() && options.model.empty())
    throw Error(ErrorCode::InvalidArgument, "no codec: give --model DIR or --codec PATH");
  reserve_blas_buffers();
  return guard_torch("loading Mimi", "close other programs that hold much memory", [&]() -> std::shared_ptr<const Codec> {
    if (options.codec == "random:mimi" || (options.codec.empty() && options.model.rfind("random:", 0) == 0))
      return std::make_shared<CodecImpl>(MimiConfig{}, 0, device);
    return std::make_shared<CodecImpl>(locate_codec(options.model, options.codec), device);
  });
}

}  // namespace csm
