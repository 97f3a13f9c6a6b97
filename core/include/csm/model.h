#pragma once
// For tools (csm-bench, csm-stream --codes-out): a CSM model alone, its codes and
// timings for one stream, and a census of its frame step. Applications generate
// audio with csm::Engine (csm/engine.h); this runs the same frame step through the
// same frame driver, without a codec. Plain C++ types only: nothing above core/
// sees a tensor.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "csm/frame_census.h"
#include "csm/generation.h"

namespace csm {

struct ModelOptions {
  // A model directory (config.json + safetensors [+ tokenizer.json]), a HF cache
  // folder (models--sesame--csm-1b or one of its snapshots), or "random:csm-1b"
  // for full-size random weights built in memory.
  std::string model;
  std::string tokenizer;       // overrides the tokenizer found beside the model
  std::string device = "cpu";  // "cpu" or "cuda[:N]"
  std::string dtype = "auto";  // "auto" (fp32 on CPU, bf16 on CUDA), "float32", "bfloat16", "float16"
  uint64_t random_seed = 0;    // for random:* models
  std::string attention;       // fused attention kernels (see use_attention_kernels)
};

struct ModelInfo {
  std::string name;        // what the user asked for
  std::string path;        // the resolved directory ("" for random models)
  std::string format;      // "hf", "orig" or "random"
  std::string tokenizer;   // tokenizer file in use ("" if none)
  std::string device;
  std::string dtype;
  int64_t parameters = 0;
  int num_codebooks = 0;
  int audio_vocab = 0;
  int max_positions = 0;
  int backbone_layers = 0, backbone_dim = 0, decoder_layers = 0, decoder_dim = 0;
  int64_t bytes_per_frame = 0;  // weight bytes one frame reads (batch 1)
  std::string attention;        // the attention kernels allowed, as chosen
};

// Time spent inside one frame, split by stage.
struct FrameTiming {
  double backbone_ms = 0;
  double decoder_ms = 0;
};

// One generation: call next() until it returns nothing (end of speech or max
// frames). Frames are codes of codebooks 0..C-1.
class FrameStream {
 public:
  virtual ~FrameStream() = default;
  virtual std::optional<std::vector<int32_t>> next() = 0;
  // Codebook-0 logits of the frame next() returned last (fp32, audio_vocab entries).
  virtual std::vector<float> last_c0_logits() const = 0;
  virtual FrameTiming last_timing() const = 0;
  virtual int64_t prompt_rows() const = 0;
  virtual int64_t frames_made() const = 0;
  virtual void set_sampling(const SamplingParams& sampling) = 0;
};

class Model {
 public:
  virtual ~Model() = default;
  // Throws csm::Error naming the file, tensor or field at fault.
  static std::shared_ptr<const Model> load(const ModelOptions& options);

  virtual const ModelInfo& info() const = 0;
  virtual bool has_tokenizer() const = 0;
  // Starts generating `target` after the `context` turns. Throws csm::Error when the
  // prompt plus max_frames exceeds the model's positions, or on bad codes.
  virtual std::unique_ptr<FrameStream> start(const std::vector<Segment>& context, const Segment& target,
                                             const SamplingParams& sampling, int64_t max_frames) const = 0;
  // Same, from the target's text token ids (already framed with BOS/EOS).
  virtual std::unique_ptr<FrameStream> start_from_ids(const std::vector<int32_t>& text_ids,
                                                      const SamplingParams& sampling, int64_t max_frames) const = 0;
  // Watches the frame step for `batch` streams of the given text ids (see FrameCensus),
  // then times `timed_frames` more frames generating `codebooks` codebooks (0: all).
  virtual FrameCensus census(const std::vector<int32_t>& text_ids, int batch, int timed_frames = 0,
                             bool cuda_graphs = true, int codebooks = 0) const = 0;
};

// A frame whose every code is 0 ends the speech (and is not audio).
bool is_end_of_speech(const std::vector<int32_t>& frame);

}  // namespace csm
