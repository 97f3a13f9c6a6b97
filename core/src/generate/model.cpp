// csm::Model and csm::FrameStream: the tensor-free face of the CSM engine.
#include "csm/model.h"

#include <chrono>

#include "csm/error.h"
#include "csm/hub.h"
#include "csm/system_info.h"
#include "csm/tokenizer.h"
#include "generate/frame_census.h"
#include "generate/frame_driver.h"
#include "generate/prompt_builder.h"
#include "io/model_location.h"
#include "io/tensor_store.h"
#include "model/csm_model.h"
#include "runtime/blas_warmup.h"
#include "runtime/device_policy.h"
#include "runtime/torch_failure.h"

namespace csm {
namespace {

using Clock = std::chrono::steady_clock;
const char* const kSmallerRun = "use a shorter context, fewer frames, or a smaller dtype";

// Mimi's codebooks hold 2048 entries; ids above (CSM's extra 2048..2050) are not audio.
int64_t mimi_codes(const CsmConfig& c) { return std::min<int64_t>(c.audio_vocab, 2048); }

int64_t bytes_per_frame(const CsmModel& m, int64_t codes) {
  // What a frame must read (spec §7.2): the backbone once, the codebook-0 head and the
  // projection once, then per depth step the decoder, one audio-head slice and one row
  // of the precomputed decoder inputs. The heads are narrowed to the decodable codes.
  const auto& c = m.config();
  const int64_t elem = at::elementSize(m.dtype());
  const int64_t steps = c.num_codebooks - 1, bd = c.backbone.dim, dd = c.decoder.dim;
  const int64_t vocab = codes > 0 && codes < c.audio_vocab ? codes : c.audio_vocab;
  const int64_t per_step = m.decoder().parameter_count() + dd * vocab + dd;
  return elem * (m.backbone().parameter_count() + vocab * bd + dd * bd + steps * per_step);
}

// One stream on the frame driver the scheduler uses, without a codec: codes,
// codebook-0 logits and timings, each the frame's own.
class FrameStreamImpl final : public FrameStream {
 public:
  FrameStreamImpl(std::shared_ptr<const CsmModel> model, const PromptRows& prompt, const SamplingParams& sampling,
                  int64_t max_frames)
      : driver_(fitting(model, prompt, max_frames), driver_options(*model)),
        prompt_rows_(prompt.rows.size(0)), max_frames_(max_frames) {
    driver_.prefill(0, prompt, sampling);
  }

  // The model, once the prompt plus max_frames is known to fit its positions.
  static std::shared_ptr<const CsmModel> fitting(const std::shared_ptr<const CsmModel>& model,
                                                 const PromptRows& prompt, int64_t max_frames) {
    const int64_t rows = prompt.rows.size(0), limit = model->config().backbone.max_positions;
    if (rows + max_frames > limit)
      throw Error(ErrorCode::InvalidArgument,
                  "the prompt has " + std::to_string(rows) + " rows and " + std::to_string(max_frames) +
                      " frames were asked for, but the model holds " + std::to_string(limit) + " positions in all",
                  "shorten the text or context, or ask for fewer frames (" +
                      std::to_string(std::max<int64_t>(0, limit - rows)) + " fit)");
    return model;
  }
  std::optional<std::vector<int32_t>> next() override {
    if (done_ || frames_ >= max_frames_) return std::nullopt;
    auto frame = guard_torch("generating", kSmallerRun, [&] { return *driver_.next(); });
    timing_ = frame.timing;
    logits_ = frame.c0_logits;
    std::vector<int32_t> codes(frame.codes.data_ptr<int32_t>(), frame.codes.data_ptr<int32_t>() + frame.codes.numel());
    if (is_end_of_speech(codes)) {
      done_ = true;
      return std::nullopt;
    }
    ++frames_;
    return codes;
  }
  std::vector<float> last_c0_logits() const override {
    if (!logits_.defined()) return {};
    const auto row = logits_[0].contiguous();
    return {row.data_ptr<float>(), row.data_ptr<float>() + row.numel()};
  }
  FrameTiming last_timing() const override { return timing_; }
  int64_t prompt_rows() const override { return prompt_rows_; }
  int64_t frames_made() const override { return frames_; }
  void set_sampling(const SamplingParams& sampling) override { driver_.set_sampling(0, sampling); }

 private:
  static FrameDriverOptions driver_options(const CsmModel& model) {
    FrameDriverOptions o;
    o.lookahead = model.device().is_cuda();
    o.keep_c0_logits = true;
    return o;
  }

  FrameDriver driver_;
  int64_t prompt_rows_, max_frames_, frames_ = 0;
  bool done_ = false;
  FrameTiming timing_;
  at::Tensor logits_;
};

class ModelImpl final : public Model {
 public:
  explicit ModelImpl(const ModelOptions& options) {
    info_.attention = use_attention_kernels(options.attention);
    reserve_blas_buffers();
    const at::Device device = parse_device(options.device);
    const at::ScalarType dtype = parse_dtype(options.dtype, device);
    info_.name = options.model;
    if (options.model.rfind("random:", 0) == 0) {
      if (options.model != "random:csm-1b")
        throw Error(ErrorCode::InvalidArgument, "unknown random model \"" + options.model + "\"", "use random:csm-1b");
      model_ = CsmModel::random(csm_1b_config(), options.random_seed, dtype, device);
      if (!options.tokenizer.empty()) tokenizer_ = load_tokenizer(options.tokenizer);
      info_.tokenizer = options.tokenizer;
    } else {
      const std::string path =
          looks_like_repo_id(options.model) ? download_repo(options.model, hub_options_from_environment()) : options.model;
      const ModelLocation loc = locate_model(path, options.tokenizer);
      const CsmConfig config = load_csm_config(loc.directory + "/config.json");
      model_ = CsmModel::load(TensorStore::open(loc.directory), config, dtype, device);
      info_.path = loc.directory;
      info_.tokenizer = loc.tokenizer;
      if (!loc.tokenizer.empty()) tokenizer_ = load_tokenizer(loc.tokenizer);
    }
    const auto& c = model_->config();
    info_.format = model_->source();
    info_.device = device.str();
    info_.dtype = dtype_name(dtype);
    info_.parameters = model_->parameter_count();
    info_.num_codebooks = c.num_codebooks;
    info_.audio_vocab = c.audio_vocab;
    info_.max_positions = c.backbone.max_positions;
    info_.backbone_layers = c.backbone.layers;
    info_.backbone_dim = c.backbone.dim;
    info_.decoder_layers = c.decoder.layers;
    info_.decoder_dim = c.decoder.dim;
    info_.bytes_per_frame = bytes_per_frame(*model_, mimi_codes(c));
  }

  const ModelInfo& info() const override { return info_; }
  bool has_tokenizer() const override { return tokenizer_ != nullptr; }

  std::unique_ptr<FrameStream> start(const std::vector<Segment>& context, const Segment& target,
                                     const SamplingParams& sampling, int64_t max_frames) const override {
    if (!tokenizer_)
      throw Error(ErrorCode::InvalidArgument, "the model " + info_.name + " has no tokenizer",
                  "pass --tokenizer tokenizer.json (Llama-3's)");
    check_max_frames(max_frames);
    const auto& c = model_->config();
    const auto prompt = build_prompt(*tokenizer_, context, target, c.num_codebooks, mimi_codes(c));
    return guard_torch("starting generation", kSmallerRun,
                       [&] { return std::make_unique<FrameStreamImpl>(model_, prompt, sampling, max_frames); });
  }

  std::unique_ptr<FrameStream> start_from_ids(const std::vector<int32_t>& ids, const SamplingParams& sampling,
                                              int64_t max_frames) const override {
    check_max_frames(max_frames);
    const auto prompt = prompt_from_ids(ids);
    return guard_torch("starting generation", kSmallerRun,
                       [&] { return std::make_unique<FrameStreamImpl>(model_, prompt, sampling, max_frames); });
  }

  FrameCensus census(const std::vector<int32_t>& ids, int batch, int timed_frames, bool cuda_graphs,
                     int codebooks) const override {
    if (batch < 1) throw Error(ErrorCode::InvalidArgument, "the census needs a batch of at least 1");
    const std::vector<PromptRows> prompts(static_cast<size_t>(batch), prompt_from_ids(ids));
    return guard_torch("watching a frame", kSmallerRun, [&] {
      const int64_t decodable = mimi_codes(model_->config());
      auto census = take_frame_census(model_, prompts, decodable, 2, codebooks);
      if (timed_frames > 0) time_frame_step(model_, prompts, decodable, timed_frames, cuda_graphs, census, codebooks);
      census.codebooks = codebooks;
      return census;
    });
  }

 private:
  PromptRows prompt_from_ids(const std::vector<int32_t>& ids) const {
    const int cb = model_->config().num_codebooks;
    PromptRows prompt;
    const auto n = static_cast<int64_t>(ids.size());
    if (n < 1) throw Error(ErrorCode::InvalidArgument, "no text ids given");
    prompt.rows = at::zeros({n, cb + 1}, at::kLong);
    prompt.rows.select(1, cb).copy_(at::tensor(std::vector<int64_t>(ids.begin(), ids.end()), at::kLong));
    prompt.mask = at::zeros({n, cb + 1}, at::kBool);
    prompt.mask.select(1, cb).fill_(true);
    return prompt;
  }
  static void check_max_frames(int64_t max_frames) {
    if (max_frames < 1) throw Error(ErrorCode::InvalidArgument, "max frames must be at least 1");
  }
  std::shared_ptr<const CsmModel> model_;
  std::unique_ptr<Tokenizer> tokenizer_;
  ModelInfo info_;
};

}  // namespace

std::shared_ptr<const Model> Model::load(const ModelOptions& options) {
  return guard_torch("loading the model", "use --dtype bfloat16, or a device with more memory",
                     [&] { return std::make_shared<ModelImpl>(options); });
}

bool is_end_of_speech(const std::vector<int32_t>& frame) {
  for (int32_t c : frame)
    if (c != 0) return false;
  return !frame.empty();
}

}  // namespace csm
