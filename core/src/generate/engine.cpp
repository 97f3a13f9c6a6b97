// csm::Engine: model lookup (path, HF cache, demo), loading of CSM + Mimi + tokenizer.
#include <filesystem>

#include "codec/code_frames.h"
#include "codec/codec_location.h"
#include "codec/mimi_weights.h"
#include "csm/audio_file.h"
#include "csm/error.h"
#include "csm/system_info.h"
#include "generate/demo_model.h"
#include "generate/engine_parts.h"
#include "generate/batching_scheduler.h"
#include "generate/session_view.h"
#include "io/model_location.h"
#include "io/tensor_store.h"
#include "runtime/blas_warmup.h"
#include "runtime/cuda_graph.h"
#include "runtime/device_policy.h"
#include "runtime/passing_thread.h"
#include "runtime/torch_failure.h"

namespace csm {
namespace fs = std::filesystem;
namespace {

// Mimi runs where the model does (fp32 on either): its streams decode batched there.
std::shared_ptr<const MimiCodec> load_mimi(const std::string& model_dir, const std::string& codec_path,
                                           at::Device device) {
  const CodecSource source = locate_codec(model_dir, codec_path);
  return MimiCodec::load(source.store, source.config, device);
}

std::shared_ptr<EngineParts> load_parts(const EngineOptions& options) {
  const std::string attention = use_attention_kernels(options.attention);
  reserve_blas_buffers();
  auto parts = std::make_shared<EngineParts>();
  std::string info_model_name;
  const at::Device device = parse_device(options.device);
  const at::ScalarType dtype = parse_dtype(options.dtype, device);
  std::string model = options.model;
  std::string codec = options.codec;
  if (model.empty()) model = find_in_hf_cache("sesame/csm-1b");
  if (looks_like_repo_id(model)) {
    HubOptions hub = hub_options_from_environment();
    hub.progress = options.download_progress;
    const std::string repo = model;
    model = download_repo(repo, hub);
    // Sesame's original release has no codec inside: fetch Kyutai's Mimi beside it.
    if (codec.empty() && !MimiWeights::present(TensorStore::open(model)) && !fs::exists(fs::path(model) / "mimi.safetensors"))
      codec = download_repo("kyutai/mimi", hub);
    info_model_name = repo;
  }
  EngineInfo& info = parts->info;
  if (model.empty() || model == "demo") {
    parts->model = CsmModel::random(demo_csm_config(), kDemoSeed, dtype, device);
    parts->mimi = std::make_shared<MimiCodec>(demo_mimi_config(), MimiWeights::random(kDemoSeed), device);
    parts->tokenizer = make_byte_tokenizer();
    info.model = "demo";
    info.demo = true;
    info.label = kDemoLabel;
    info.codec = "demo Mimi (random weights)";
  } else if (model.rfind("random:", 0) == 0) {
    if (model != "random:csm-1b")
      throw Error(ErrorCode::InvalidArgument, "unknown random model \"" + model + "\"", "use random:csm-1b");
    parts->model = CsmModel::random(csm_1b_config(), 0, dtype, device);
    parts->mimi = std::make_shared<MimiCodec>(MimiConfig{}, MimiWeights::random(0), device);
    parts->tokenizer = options.tokenizer.empty() ? make_byte_tokenizer() : load_tokenizer(options.tokenizer);
    info.model = model;
    info.demo = true;
    info.label = "random:csm-1b (full size, random weights): the sound is noise, not speech";
    info.codec = "Mimi (random weights)";
  } else {
    const ModelLocation loc = locate_model(model, options.tokenizer);
    if (loc.tokenizer.empty())
      throw Error(ErrorCode::BadModelFile, loc.directory + " has no tokenizer.json",
                  "pass --tokenizer FILE (Llama-3's tokenizer.json)");
    parts->model = CsmModel::load(TensorStore::open(loc.directory), load_csm_config(loc.directory + "/config.json"),
                                  dtype, device);
    parts->mimi = load_mimi(loc.directory, codec, device);
    parts->tokenizer = load_tokenizer(loc.tokenizer);
    info.model = info_model_name.empty() ? model : info_model_name;
    info.path = loc.directory;
    info.label = "CSM " + fs::path(loc.directory).filename().string() + " (" + parts->model->source() + ")";
    info.codec = codec.empty() ? loc.directory : codec;
  }
  const auto& c = parts->model->config();
  const auto& m = parts->mimi->config();
  if (m.num_quantizers != c.num_codebooks)
    throw Error(ErrorCode::BadModelFile, "the codec has " + std::to_string(m.num_quantizers) +
                                             " codebooks but the model generates " + std::to_string(c.num_codebooks),
                "use the Mimi that belongs to this model");
  if (parts->tokenizer->vocab_size() > c.text_vocab)
    throw Error(ErrorCode::BadModelFile, "the tokenizer has " + std::to_string(parts->tokenizer->vocab_size()) +
                                             " tokens but the model embeds only " + std::to_string(c.text_vocab),
                "use the tokenizer that belongs to this model");
  info.device = device.str();
  info.dtype = dtype_name(dtype);
  info.parameters = parts->model->parameter_count() + parts->mimi->parameter_count();
  info.num_codebooks = c.num_codebooks;
  info.sample_rate = m.sample_rate;
  info.samples_per_frame = m.samples_per_frame();
  info.max_positions = c.backbone.max_positions;
  info.cuda_graphs_available = device.is_cuda() && cuda_graphs_supported();
  info.attention = attention;
  return parts;
}

SchedulerSettings scheduler_settings(const EngineOptions& options, const EngineParts& parts) {
  const bool cuda = parts.model->device().is_cuda();
  SchedulerSettings s;
  s.max_streams = options.max_streams > 0 ? options.max_streams : (cuda ? 16 : 1);
  s.max_queue = options.max_queue;
  s.smaller_run_hint = options.smaller_run_hint;
  s.lookahead = options.frame_lookahead < 0 ? cuda : options.frame_lookahead > 0;
  s.decode_thread = options.decode_thread < 0 ? cuda : options.decode_thread > 0;
  const int mb = options.voice_cache_mb < 0 ? (cuda ? 256 : 64) : options.voice_cache_mb;
  s.voice_cache_bytes = static_cast<size_t>(mb) << 20;
  return s;
}

class EngineImpl final : public Engine, public std::enable_shared_from_this<EngineImpl> {
 public:
  EngineImpl(std::shared_ptr<const EngineParts> parts, const EngineOptions& options)
      : parts_(std::move(parts)), scheduler_(parts_, scheduler_settings(options, *parts_)) {}
  const EngineInfo& info() const override { return parts_->info; }
  std::unique_ptr<Session> start(std::vector<Request> requests, const StreamingConfig& config,
                                 CancelToken cancel) const override {
    return start_session(shared_from_this(), scheduler_, std::move(requests), config, std::move(cancel));
  }
  Scheduler& scheduler() const override { return scheduler_; }
  std::vector<std::vector<int32_t>> encode_audio(const std::vector<float>& samples, int sample_rate) const override {
    if (samples.empty()) throw Error(ErrorCode::InvalidArgument, "the voice clip is empty");
    const auto audio = resample(samples, sample_rate, parts_->mimi->config().sample_rate);
    return guard_torch("encoding the voice clip", "use a shorter voice clip", [&] {
      return on_passing_thread(
          [&] { return to_frames(parts_->mimi->encode(at::tensor(audio, at::kFloat).view({1, 1, -1}))); });
    });
  }

 private:
  const std::shared_ptr<const EngineParts> parts_;
  mutable BatchingScheduler scheduler_;  // thread-safe; every start() shares it
};

}  // namespace

std::shared_ptr<const Engine> Engine::load(const EngineOptions& options) {
  return guard_torch("loading", "use --dtype bfloat16, or a device with more memory", [&] {
    auto parts = on_passing_thread([&] { return load_parts(options); });
    return std::make_shared<EngineImpl>(std::move(parts), options);
  });
}

const char* to_string(StopReason reason) {
  switch (reason) {
    case StopReason::Running: return "running";
    case StopReason::EndOfSpeech: return "end_of_speech";
    case StopReason::MaxLength: return "max_length";
    case StopReason::LengthGuard: return "length_guard";
    case StopReason::Cancelled: return "cancelled";
    case StopReason::Failed: return "failed";
  }
  return "?";
}

std::optional<StopReason> stop_reason_from_string(const std::string& label) {
  for (auto r : {StopReason::Running, StopReason::EndOfSpeech, StopReason::MaxLength, StopReason::LengthGuard,
                 StopReason::Cancelled, StopReason::Failed})
    if (label == to_string(r)) return r;
  return std::nullopt;
}

}  // namespace csm
