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
  c0_logits_ = at::zeros({slots_, c.audio_vocab}, floats);
  // The frame doubles as the next backbone row: C audio codes, the text column masked out.
  rows_ = at::zeros({slots_, 1, codebooks_ + 1}, longs);
  row_mask_ = at::ones({slots_, 1, codebooks_ + 1}, bools);
  row_mask_.select(2, codebooks_).fill_(false);
  codes_ = rows_.select(1, 0).narrow(1, 0, codebooks_);
  positions_ = at::zeros({slots_}, longs);
  active_ = at::zeros({slots_}, bools);
  done_ = at::zeros({slots_}, bools);
  sampling_ = {at::zeros({slots_}, floats), at::zeros({slots_}, longs), at::zeros({slots_}, longs),
               at::zeros({slots_}, longs)};
  code_mask_ = at::zeros({c.audio_vocab}, floats);
  if (options_.decodable_codes > 0 && options_.decodable_codes < c.audio_vocab)
    code_mask_.narrow(0, options_.decodable_codes, c.audio_vocab - options_.decodable_codes)
        .fill_(-std::numeric_limits<float>::infinity());
  lanes_ = at::arange(c.audio_vocab, longs);
  host_positions_.assign(static_cast<size_t>(slots_), 0);
  live_.assign(static_cast<size_t>(slots_), false);
  host_codes_ = HostCopy(codes_);
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
  active_.narrow(0, slot, 1).fill_(true);
  done_.narrow(0, slot, 1).fill_(false);
  sampling_.counter.narrow(0, slot, 1).fill_(0);
  set_sampling(slot, sampling);
  host_positions_[slot] = n;
  live_[slot] = true;
}

void FrameStep::set_sampling(int64_t slot, const SamplingParams& s) {
  sampling_.temperature.narrow(0, slot, 1).fill_(s.temperature);
  sampling_.top_k.narrow(0, slot, 1).fill_(static_cast<int64_t>(s.top_k));
  sampling_.seed.narrow(0, slot, 1).fill_(fold_seed(s.seed));
}

void FrameStep::release(int64_t slot) {
  active_.narrow(0, slot, 1).fill_(false);
  live_.at(slot) = false;
}

int64_t FrameStep::window() const {
  int64_t needed = 1;
  for (int64_t s = 0; s < slots_; ++s)
    if (live_[s]) needed = std::max(needed, host_positions_[s] + 1);
  return std::min(capacity_, (needed + kWindowBucket - 1) / kWindowBucket * kWindowBucket);
}

at::Tensor FrameStep::sample(const at::Tensor& logits, int64_t draw) {
  OpCensus::Part part("sampler");
  return sample_rows(logits + code_mask_, sampling_, codebooks_, draw, lanes_);
}

void FrameStep::compute(const std::function<bool()>& cancelled, bool* completed) {
  *completed = false;
  const CsmModel& m = *model_;
  const auto t0 = Clock::now();
  hidden_used_.copy_(hidden_);
  c0_logits_.copy_(m.codebook0_logits(hidden_));
  codes_.select(1, 0).copy_(sample(c0_logits_, 0));
  // Depth decoder positions 0 and 1: the backbone state and codebook 0's embedding.
  auto input = m.project(at::stack({hidden_, m.embed_audio(codes_.select(1, 0), 0)}, 1));
  int64_t pos = 0;
  const auto t1 = Clock::now();
  for (int64_t i = 1; i < codebooks_; ++i) {
    if (cancelled && cancelled()) return;
    const auto out = [&] {
      OpCensus::Part part("depth_decoder");
      return m.decoder().forward(input, pos, decoder_cache_);
    }();
    pos += input.size(1);
    const auto code = sample(m.codebook_logits(out.select(1, out.size(1) - 1), i), i);
    codes_.select(1, i).copy_(code);
    if (i + 1 < codebooks_) input = m.project(m.embed_audio(code, i)).unsqueeze(1);
  }
  // The frame is each stream's next backbone row. A stream at its end of speech (or
  // a free slot) keeps riding along, its position held, so it never runs past the cache.
  const auto t2 = Clock::now();
  const auto eos = codes_.eq(0).all(-1);
  const auto advancing = active_.logical_and(done_.logical_not()).logical_and(eos.logical_not());
  const auto x = m.embed_rows(rows_, row_mask_);
  const auto h = [&] {
    OpCensus::Part part("backbone");
    return m.backbone().step(x, positions_, current_window_, backbone_cache_);
  }();
  hidden_.copy_(h.select(1, 0));
  positions_.copy_((positions_ + advancing.to(at::kLong)).clamp_max(capacity_ - 1));
  done_.copy_(done_.logical_or(eos.logical_and(active_)));
  sampling_.counter.add_(1);
  backbone_ms_ = ms_between(t0, t1) + ms_between(t2, Clock::now());
  decoder_ms_ = ms_between(t1, t2);
  *completed = true;
}

void FrameStep::try_capture(int64_t window) {
  std::vector<at::Tensor> saved;
  const auto state = [this] {
    return std::vector<at::Tensor>{hidden_, positions_, done_, sampling_.counter};
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
  return host_codes_.wait();
}

std::vector<const void*> FrameStep::buffer_addresses() const {
  std::vector<const void*> out;
  for (const auto* cache : {&backbone_cache_, &decoder_cache_}) {
    for (const auto& t : cache->keys) out.push_back(t.data_ptr());
    for (const auto& t : cache->values) out.push_back(t.data_ptr());
  }
  for (const auto* t : {&hidden_, &hidden_used_, &c0_logits_, &rows_, &row_mask_, &positions_, &active_, &done_,
                        &sampling_.temperature, &sampling_.top_k, &sampling_.seed, &sampling_.counter, &code_mask_,
                        &lanes_})
    out.push_back(t->data_ptr());
  return out;
}

}  // namespace csm
