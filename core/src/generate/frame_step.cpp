#include "generate/frame_step.h"

#include <algorithm>
#include <chrono>
#include <limits>

#include "csm/error.h"
#include "runtime/op_census.h"

namespace csm {
namespace {

// Attention windows grow in steps of this many positions: one graph per step.
constexpr int64_t kWindowBucket = 256;
// One eager run before a capture sets up cuBLAS handles and workspaces; the graphs
// after the first reuse them.
constexpr int kCaptureWarmup = 1;

using Clock = std::chrono::steady_clock;
double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

}  // namespace

FrameStep::FrameStep(std::shared_ptr<const CsmModel> model, const FrameStepOptions& options)
    : model_(std::move(model)), options_(options), slots_(options.slots) {
  if (slots_ < 1) throw Error(ErrorCode::InvalidArgument, "a frame step needs at least one slot");
  const auto& c = model_->config();
  const auto device = model_->device();
  const auto longs = at::TensorOptions().dtype(at::kLong).device(device);
  const auto floats = at::TensorOptions().dtype(at::kFloat).device(device);
  const auto bools = at::TensorOptions().dtype(at::kBool).device(device);
  capacity_ = c.backbone.max_positions;
  codebooks_ = c.num_codebooks;
  backbone_cache_ = model_->backbone().make_cache(slots_, capacity_, model_->dtype());
  decoder_cache_ = model_->decoder().make_cache(slots_, codebooks_, model_->dtype());
  hidden_ = at::zeros({slots_, c.backbone.dim}, floats.dtype(model_->dtype()));
  hidden_used_ = at::zeros_like(hidden_);
  // Only the ids the codec can decode are ever scored: the heads are narrowed to them.
  vocab_ = options_.decodable_codes > 0 && options_.decodable_codes < c.audio_vocab ? options_.decodable_codes
                                                                                    : c.audio_vocab;
  c0_logits_ = at::zeros({slots_, vocab_}, floats);
  decoder_start_ = at::zeros({slots_, 2, c.decoder.dim}, floats.dtype(model_->dtype()));
  // Codebook-major, so each draw writes, and each lookup reads, one contiguous row.
  codes_ = at::zeros({codebooks_, slots_}, longs);
  positions_ = at::zeros({slots_}, longs);
  running_ = at::zeros({slots_}, bools);
  sampling_ = {at::zeros({slots_}, floats), at::zeros({slots_}, longs), at::zeros({slots_}, longs),
               at::zeros({slots_}, longs)};
  lanes_ = at::arange(vocab_, longs);
  draws_ = at::arange(codebooks_, longs);
  draw_settings_ = prepare_draws(sampling_, vocab_);
  host_positions_.assign(static_cast<size_t>(slots_), 0);
  live_.assign(static_cast<size_t>(slots_), false);
  host_codes_ = HostCopy(codes_);
  host_frame_ = host_codes_.host().t();
  note_how_frames_run();
}

FrameStep::~FrameStep() = default;

void FrameStep::prefill(int64_t slot, const PromptRows& prompt, const SamplingParams& sampling) {
  if (slot < 0 || slot >= slots_) throw Error(ErrorCode::Internal, "slot " + std::to_string(slot) + " out of range");
  const int64_t n = prompt.rows.size(0);
  if (n < 1 || n >= capacity_)
    throw Error(ErrorCode::InvalidArgument,
                "the prompt has " + std::to_string(n) + " rows, but the model holds " + std::to_string(capacity_) +
                    " positions in all",
                "shorten the text or the context");
  const auto device = model_->device();
  const auto x = model_->embed_rows(prompt.rows.to(device).unsqueeze(0), prompt.mask.to(device).unsqueeze(0));
  KvCache cache = backbone_cache_.slot(slot);
  const auto h = model_->backbone().forward(x, 0, cache);
  hidden_.narrow(0, slot, 1).copy_(h.select(1, n - 1));
  positions_.narrow(0, slot, 1).fill_(n);
  running_.narrow(0, slot, 1).fill_(true);
  sampling_.counter.narrow(0, slot, 1).fill_(0);
  set_sampling(slot, sampling);
  host_positions_[slot] = n;
  live_[slot] = true;
}

void FrameStep::set_sampling(int64_t slot, const SamplingParams& s) {
  sampling_.temperature.narrow(0, slot, 1).fill_(s.temperature);
  sampling_.top_k.narrow(0, slot, 1).fill_(static_cast<int64_t>(s.top_k));
  sampling_.seed.narrow(0, slot, 1).fill_(fold_seed(s.seed));
  // Into the same buffers (a captured frame reads them where they are).
  const DrawSettings now = prepare_draws(sampling_, vocab_);
  draw_settings_.seed_key.copy_(now.seed_key);
  draw_settings_.minus_t.copy_(now.minus_t);
  draw_settings_.kth.copy_(now.kth);
}

void FrameStep::release(int64_t slot) {
  running_.narrow(0, slot, 1).fill_(false);
  live_.at(slot) = false;
}

int64_t FrameStep::window() const {
  int64_t needed = 1;
  for (int64_t s = 0; s < slots_; ++s)
    if (live_[s]) needed = std::max(needed, host_positions_[s] + 1);
  return std::min(capacity_, (needed + kWindowBucket - 1) / kWindowBucket * kWindowBucket);
}

void FrameStep::draw(int64_t codebook, const at::Tensor& logits, const at::Tensor& noise, const at::Tensor& kth) {
  OpCensus::Part part("sampler");
  draw_into(codes_[codebook], logits, noise.select(1, codebook), kth);
}

void FrameStep::compute(const std::function<bool()>& cancelled, bool* completed) {
  *completed = false;
  const CsmModel& m = *model_;
  const auto t0 = Clock::now();
  const at::Tensor& kth = draw_settings_.kth;
  const at::Tensor noise = [&] {
    OpCensus::Part part("sampler");  // every draw's noise, once a frame
    return frame_noise(draw_settings_, sampling_.counter, codebooks_, draws_, lanes_);
  }();
  hidden_used_.copy_(hidden_);
  m.codebook0_logits_into(c0_logits_, hidden_);
  draw(0, c0_logits_, noise, kth);
  // Depth decoder positions 0 and 1: the backbone state and codebook 0's embedding.
  m.project_into(decoder_start_.select(1, 0), hidden_);
  m.decoder_input_into(decoder_start_.select(1, 1), codes_[0], 0);
  at::Tensor input = decoder_start_;
  int64_t pos = 0;
  const auto t1 = Clock::now();
  for (int64_t i = 1; i < codebooks_; ++i) {
    if (cancelled && cancelled()) return;
    const auto out = [&] {
      OpCensus::Part part("depth_decoder");
      return m.decoder().forward(input, pos, decoder_cache_);
    }();
    pos += input.size(1);
    draw(i, m.codebook_logits(out.select(1, out.size(1) - 1), i, vocab_), noise, kth);
    if (i + 1 < codebooks_) input = m.decoder_input(codes_[i], i).unsqueeze(1);
  }
  // The frame is each stream's next backbone row. A stream at its end of speech (or
  // a free slot) keeps riding along, its position held, so it never runs past the cache.
  const auto t2 = Clock::now();
  running_.logical_and_(codes_.ne(0).any(0));  // an all-zero frame is the end of speech
  const auto x = m.embed_frame(codes_.t());
  const auto h = [&] {
    OpCensus::Part part("backbone");
    return m.backbone().step(x, positions_, current_window_, backbone_cache_);
  }();
  hidden_.copy_(h.select(1, 0));
  positions_.add_(running_).clamp_max_(capacity_ - 1);
  sampling_.counter.add_(1);
  backbone_ms_ = ms_between(t0, t1) + ms_between(t2, Clock::now());
  decoder_ms_ = ms_between(t1, t2);
  *completed = true;
}

void FrameStep::try_capture(int64_t window) {
  std::vector<at::Tensor> saved;
  const auto state = [this] {
    return std::vector<at::Tensor>{hidden_, positions_, running_, sampling_.counter};
  };
  const auto save = [&] {
    saved.clear();
    for (const auto& t : state()) saved.push_back(t.clone());
  };
  const auto restore = [&] {
    const auto now = state();
    for (size_t i = 0; i < now.size(); ++i) now[i].copy_(saved[i]);
  };
  const auto step = [this] {
    bool completed = false;
    compute({}, &completed);
  };
  std::string why;
  auto graph = GraphedStep::capture(step, save, restore, model_->device().index(), kCaptureWarmup, &why, &graph_pool_);
  if (!graph) {
    graphs_failed_ = true;
    capture_failure_ = why;
    graphs_.clear();
    note_how_frames_run();
    return;
  }
  graphs_[window] = std::move(graph);
  note_how_frames_run();
}

bool FrameStep::graphs_wanted() const {
  return options_.cuda_graphs && graphs_allowed_ && model_->device().is_cuda() && !graphs_failed_;
}

void FrameStep::note_how_frames_run() {
  if (!options_.cuda_graphs || !graphs_allowed_) graph_note_ = "CUDA graphs off (asked)";
  else if (!model_->device().is_cuda()) graph_note_ = "eager: CUDA graphs need a CUDA device";
  else if (graphs_failed_) graph_note_ = "eager: CUDA graph capture failed: " + capture_failure_;
  else graph_note_ = "CUDA graphs (" + std::to_string(graphs_.size()) + " captured)";
}

void FrameStep::prepare_graphs(int64_t position) {
  if (!graphs_wanted()) return;
  const int64_t last = std::min(capacity_, (std::min(position, capacity_ - 1) + 1 + kWindowBucket - 1) / kWindowBucket *
                                               kWindowBucket);
  const int64_t saved_window = current_window_;
  for (int64_t w = window(); w <= last && !graphs_failed_; w += kWindowBucket) {
    if (graphs_.count(w)) continue;
    current_window_ = w;  // what compute() attends over while it is captured
    try_capture(w);
  }
  current_window_ = saved_window;
}

bool FrameStep::run(const std::function<bool()>& cancelled) {
  current_window_ = window();
  copy_started_ = false;
  const bool want_graph = graphs_wanted();
  if (want_graph && !graphs_.count(current_window_)) try_capture(current_window_);
  const auto graph = want_graph ? graphs_.find(current_window_) : graphs_.end();
  graphed_last_ = graph != graphs_.end();
  graph_nodes_ = graphed_last_ ? static_cast<int64_t>(graph->second->nodes()) : 0;
  note_how_frames_run();
  if (graphed_last_) {
    graph->second->replay();
  } else {
    bool completed = false;
    compute(cancelled, &completed);
    if (!completed) return false;
  }
  for (int64_t s = 0; s < slots_; ++s)
    if (live_[s]) host_positions_[s] = std::min(host_positions_[s] + 1, capacity_ - 1);
  return true;
}

void FrameStep::start_copy() {
  host_codes_.start(codes_);
  copy_started_ = true;
}

const at::Tensor& FrameStep::codes() {
  if (!copy_started_) start_copy();
  host_codes_.wait();
  return host_frame_;
}

std::vector<const void*> FrameStep::buffer_addresses() const {
  std::vector<const void*> out;
  for (const auto* cache : {&backbone_cache_, &decoder_cache_}) {
    for (const auto& t : cache->keys) out.push_back(t.data_ptr());
    for (const auto& t : cache->rows) out.push_back(t.data_ptr());
    for (const auto& t : cache->values) out.push_back(t.data_ptr());
  }
  for (const auto* t : {&hidden_, &hidden_used_, &c0_logits_, &decoder_start_, &codes_, &positions_, &running_,
                        &sampling_.temperature, &sampling_.top_k, &sampling_.seed, &sampling_.counter, &lanes_,
                        &draws_, &draw_settings_.seed_key, &draw_settings_.minus_t, &draw_settings_.kth})
    out.push_back(t->data_ptr());
  return out;
}

}  // namespace csm
