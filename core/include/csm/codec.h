#pragma once
// The Mimi codec behind plain C++ types: audio <-> frames of codes.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace csm {

struct CodecOptions {
  // Where Mimi is found, in order: `codec` if given (a safetensors file or a
  // folder: HF kyutai/mimi or Kyutai's original file); else inside the CSM
  // checkpoint of `model` (HF: codec_model.*); else mimi.safetensors (or
  // Kyutai's tokenizer-*.safetensors) beside it. "random:mimi" (or a random:*
  // model) builds a full-size Mimi with random weights.
  std::string model;
  std::string codec;
  std::string device = "cpu";  // "cpu" or "cuda[:N]"
};

using Frames = std::vector<std::vector<int32_t>>;  // T frames x C codes

class Codec {
 public:
  virtual ~Codec() = default;
  static std::shared_ptr<const Codec> load(const CodecOptions& options);

  virtual int sample_rate() const = 0;
  virtual int samples_per_frame() const = 0;
  virtual int num_codebooks() const = 0;
  virtual int codebook_size() const = 0;
  virtual std::string source() const = 0;  // which file, which layout

  virtual Frames encode(const std::vector<float>& samples) const = 0;  // mono at sample_rate()
  // Frames of N < num_codebooks() codes are decoded with the first N quantizers (the
  // residual sum of N levels), as codes generated with fewer codebooks are.
  virtual std::vector<float> decode(const Frames& frames) const = 0;

  // A streaming decoder: frames in, their samples out, no look-ahead.
  class Stream {
   public:
    virtual ~Stream() = default;
    virtual std::vector<float> decode(const Frames& frames) = 0;
    virtual void reset() = 0;
  };
  virtual std::unique_ptr<Stream> stream() const = 0;
  // Several streams decoded together: each call brings the next frames of every
  // stream (as many for each) and decodes them in one batched call.
  class Streams {
   public:
    virtual ~Streams() = default;
    virtual std::vector<std::vector<float>> decode(const std::vector<Frames>& frames) = 0;
  };
  virtual std::unique_ptr<Streams> streams(int count) const = 0;
};

}  // namespace csm
