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
    : model_(std::move(model)), options_(options), slots_(options.slots), voices_(options.voice_cache_bytes) {
  if (slots_ < 1) throw Error(ErrorCode::InvalidArgument, "a frame step needs at least one slot");
  const auto& c = model_->config();
  const auto device = model_->device();
  const auto longs = at::TensorOptions().dtype(at::kLong).device(device);
  const auto floats = at::TensorOptions().dtype(at::kFloat).device(device);
  const auto bools = at::TensorOptions().dtype(at::kBool).device(device);
  const auto weights = floats.dtype(model_->dtype());
  capacity_ = c.backbone.max_positions;
  codebooks_ = c.num_codebooks;
  backbone_cache_ = model_->backbone().make_cache(slots_, capacity_, model_->dtype());
  decoder_cache_ = model_->decoder().make_cache(slots_, codebooks_, model_->dtype());
  hidden_ = at::zeros({slots_, c.backbone.dim}, weights);
  hidden_used_ = at::zeros_like(hidden_);
  // Only the ids the codec can decode are ever scored: the heads are narrowed to them.
  vocab_ = options_.decodable_codes > 0 && options_.decodable_codes < c.audio_vocab ? options_.decodable_codes
                                                                                    : c.audio_vocab;
  c0_logits_ = at::zeros({slots_, vocab_}, floats);
  entropy_ = at::zeros({slots_}, floats);
  decoder_start_ = at::zeros({slots_, 2, c.decoder.dim}, weights);
  // Codebook-major, so each draw writes, and each lookup reads, one contiguous row.
  codes_ = at::zeros({codebooks_, slots_}, longs);
  beyond_ = at::zeros({codebooks_, slots_}, bools);
  row_weights_ = at::ones({slots_, 1, codebooks_}, weights);
  row_bias_ = at::zeros({slots_, 1, c.backbone.dim}, weights);
  positions_ = at::zeros({slots_}, longs);
  running_ = at::zeros({slots_}, bools);
  sampling_ = make_sampling_rows(slots_, device);
  lanes_ = at::arange(vocab_, longs);
  draws_ = at::arange(codebooks_, longs);
  draw_settings_ = prepare_draws(sampling_, vocab_, codebooks_);
  host_positions_.assign(static_cast<size_t>(slots_), 0);
  host_depth_.assign(static_cast<size_t>(slots_), codebooks_);
  live_.assign(static_cast<size_t>(slots_), false);
  host_nucleus_.assign(static_cast<size_t>(slots_), false);
  host_codes_ = HostCopy(codes_);
  host_entropy_ = HostCopy(entropy_);
  host_frame_ = host_codes_.host().t();
  note_how_frames_run();
}

FrameStep::~FrameStep() = default;

void FrameStep::prefill(int64_t slot, const PromptRows& prompt, const SamplingParams& sampling, SlotCodebooks codebooks) {
  if (slot < 0 || slot >= slots_) throw Error(ErrorCode::Internal, "slot " + std::to_string(slot) + " out of range");
  const int64_t n = prompt.rows.size(0);
  if (n < 1 || n >= capacity_)
    throw Error(ErrorCode::InvalidArgument,
                "the prompt has " + std::to_string(n) + " rows, but the model holds " + std::to_string(capacity_) +
                    " positions in all",
                "shorten the text or the context");
  const int64_t depth = codebooks.count > 0 ? codebooks.count : codebooks_;
  if (depth > codebooks_)
    throw Error(ErrorCode::InvalidArgument, std::to_string(depth) + " codebooks asked for; the model generates " +
                                                std::to_string(codebooks_));
  KvCache cache = backbone_cache_.slot(slot);
  const int64_t start = restore_voice(prompt, cache);
  const auto device = model_->device();
  const auto rows = prompt.rows.narrow(0, start, n - start), mask = prompt.mask.narrow(0, start, n - start);
  const auto x = model_->embed_rows(rows.to(device).unsqueeze(0), mask.to(device).unsqueeze(0));
  const auto h = model_->backbone().forward(x, start, cache);
  if (start == 0) keep_voice(prompt, cache);
  hidden_.narrow(0, slot, 1).copy_(h.select(1, n - start - 1));
  positions_.narrow(0, slot, 1).fill_(n);
  running_.narrow(0, slot, 1).fill_(true);
  sampling_.counter.narrow(0, slot, 1).fill_(0);
  // The codebooks this stream leaves out: 0 in the frame, and in its backbone row
  // nothing (masked) or the pad id's embedding.
  beyond_.select(1, slot).copy_(draws_.ge(depth));
  row_weights_.select(0, slot).copy_(draws_.lt(depth).to(row_weights_.scalar_type()).unsqueeze(0));
  row_bias_.select(0, slot).copy_(codebooks.pad ? model_->pad_embeddings(depth).unsqueeze(0)
                                                : at::zeros_like(row_bias_.select(0, slot)));
  set_sampling(slot, sampling);
  host_positions_[slot] = n;
  host_depth_[slot] = depth;
  live_[slot] = true;
}

// The voice's rows of this prompt, if their keys and values are kept: copied into the
// slot's cache. Returns how many rows need no prefill (0: none kept). The last row is
// always prefilled: its state starts the first frame.
int64_t FrameStep::restore_voice(const PromptRows& prompt, KvCache& cache) {
  const int64_t p = prompt.voice_rows;
  if (p < 1 || p >= prompt.rows.size(0) || !cache.rows.empty()) return 0;
  const auto kept = voices_.find(prompt.rows.narrow(0, 0, p), prompt.mask.narrow(0, 0, p));
  if (!kept) return 0;
  for (size_t i = 0; i < cache.keys.size(); ++i) {
    cache.keys[i].narrow(2, 0, p).copy_(kept->keys[i].unsqueeze(0));
    cache.values[i].narrow(2, 0, p).copy_(kept->values[i].unsqueeze(0));
  }
  return p;
}

// After a full prefill: the voice's keys and values, for the next request with it.
void FrameStep::keep_voice(const PromptRows& prompt, const KvCache& cache) {
  const int64_t p = prompt.voice_rows;
  if (p < 1 || p >= prompt.rows.size(0) || !cache.rows.empty() || !voices_.enabled()) return;
  auto entry = std::make_shared<CachedPrefix>();
  entry->rows = prompt.rows.narrow(0, 0, p).clone();
  entry->mask = prompt.mask.narrow(0, 0, p).clone();
  for (size_t i = 0; i < cache.keys.size(); ++i) {
    entry->keys.push_back(cache.keys[i].narrow(2, 0, p).squeeze(0).clone());
    entry->values.push_back(cache.values[i].narrow(2, 0, p).squeeze(0).clone());
    entry->bytes += 2 * entry->keys.back().nbytes();
  }
  voices_.put(std::move(entry));
}

PrefixCacheStats FrameStep::voice_cache() const { return voices_.stats(); }

void FrameStep::set_sampling(int64_t slot, const SamplingParams& s) {
  const auto put = [&](const at::Tensor& t, auto value) { t.narrow(0, slot, 1).fill_(value); };
  put(sampling_.temperature, s.temperature);
  put(sampling_.top_k, static_cast<int64_t>(s.top_k));
  put(sampling_.top_p, s.top_p);
  put(sampling_.depth_temperature, s.decoder_temperature());
  put(sampling_.depth_top_k, static_cast<int64_t>(s.decoder_top_k()));
  put(sampling_.depth_top_p, s.decoder_top_p());
  put(sampling_.seed, fold_seed(s.seed));
  host_nucleus_[slot] = s.uses_top_p();
  // Into the same buffers (a captured frame reads them where they are).
  const DrawSettings now = prepare_draws(sampling_, vocab_, codebooks_);
  draw_settings_.seed_key.copy_(now.seed_key);
  draw_settings_.minus_t.copy_(now.minus_t);
  draw_settings_.inv_t.copy_(now.inv_t);
  draw_settings_.kth.copy_(now.kth);
  draw_settings_.top_p.copy_(now.top_p);
}

void FrameStep::release(int64_t slot) {
  running_.narrow(0, slot, 1).fill_(false);
  live_.at(slot) = false;
}

FrameStep::Shape FrameStep::shape() const {
  Shape s;
  int64_t needed = 1;
  for (int64_t i = 0; i < slots_; ++i) {
    if (!live_[i]) continue;
    needed = std::max(needed, host_positions_[i] + 1);
    s.depth = std::max(s.depth, host_depth_[i]);
    s.nucleus = s.nucleus || host_nucleus_[i];
  }
  if (s.depth == 0) s.depth = codebooks_;
  s.window = std::min(capacity_, (needed + kWindowBucket - 1) / kWindowBucket * kWindowBucket);
  return s;
}

void FrameStep::draw(int64_t codebook, const at::Tensor& logits, const at::Tensor& noise) {
  OpCensus::Part part("sampler");
  const auto& d = draw_settings_;
  const auto kth = d.kth.narrow(1, codebook, 1);
  if (!current_.nucleus) return draw_into(codes_[codebook], logits, noise.select(1, codebook), kth);
  draw_into(codes_[codebook], logits, noise.select(1, codebook), kth, d.top_p.narrow(1, codebook, 1),
            d.inv_t.narrow(1, codebook, 1));
}

void FrameStep::compute(const std::function<bool()>& cancelled, bool* completed) {
  *completed = false;
  const CsmModel& m = *model_;
  const int64_t depth = current_.depth;
  const auto t0 = Clock::now();
  const at::Tensor noise = [&] {
    OpCensus::Part part("sampler");  // every draw's noise, once a frame
    return frame_noise(draw_settings_, sampling_.counter, codebooks_, draws_.narrow(0, 0, depth), lanes_);
  }();
  hidden_used_.copy_(hidden_);
  m.codebook0_logits_into(c0_logits_, hidden_);
  // Codebook 0's entropy at temperature 1, for the studio's codes view (3 kernels).
  at::sum_out(entropy_, at::special_entr(at::softmax(c0_logits_, -1)), {-1});
  draw(0, c0_logits_, noise);
  const auto t1 = Clock::now();
  if (depth > 1) {
    // Depth decoder positions 0 and 1: the backbone state and codebook 0's embedding.
    m.project_into(decoder_start_.select(1, 0), hidden_);
    m.decoder_input_into(decoder_start_.select(1, 1), codes_[0], 0);
    at::Tensor input = decoder_start_;
    int64_t pos = 0;
    for (int64_t i = 1; i < depth; ++i) {
      if (cancelled && cancelled()) return;
      const auto out = [&] {
        OpCensus::Part part("depth_decoder");
        return m.decoder().forward(input, pos, decoder_cache_);
      }();
      pos += input.size(1);
      draw(i, m.codebook_logits(out.select(1, out.size(1) - 1), i, vocab_), noise);
      if (i + 1 < depth) input = m.decoder_input(codes_[i], i).unsqueeze(1);
    }
  }
  // Codes a stream does not generate are 0 (a batch decodes as deep as its deepest).
  codes_.masked_fill_(beyond_, 0);
  // The frame is each stream's next backbone row. A stream at its end of speech (or
  // a free slot) keeps riding along, its position held, so it never runs past the cache.
  const auto t2 = Clock::now();
  running_.logical_and_(codes_.ne(0).any(0));  // an all-zero frame is the end of speech
  const auto x = m.embed_frame(codes_.t(), row_weights_, row_bias_);
  const auto h = [&] {
    OpCensus::Part part("backbone");
    return m.backbone().step(x, positions_, current_.window, backbone_cache_);
  }();
  hidden_.copy_(h.select(1, 0));
  positions_.add_(running_).clamp_max_(capacity_ - 1);
  sampling_.counter.add_(1);
  backbone_ms_ = ms_between(t0, t1) + ms_between(t2, Clock::now());
  decoder_ms_ = ms_between(t1, t2);
  *completed = true;
}

void FrameStep::try_capture(const Shape& shape) {
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
  const Shape saved_shape = current_;
  current_ = shape;  // what compute() runs while it is captured
  auto graph = GraphedStep::capture(step, save, restore, model_->device().index(), kCaptureWarmup, &why, &graph_pool_);
  current_ = saved_shape;
  if (!graph) {
    graphs_failed_ = true;
    capture_failure_ = why;
    graphs_.clear();
    note_how_frames_run();
    return;
  }
  graphs_[shape] = std::move(graph);
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
  Shape s = shape();
  for (; s.window <= last && !graphs_failed_; s.window += kWindowBucket)
    if (!graphs_.count(s)) try_capture(s);
}

bool FrameStep::run(const std::function<bool()>& cancelled) {
  current_ = shape();
  copy_started_ = false;
  const bool want_graph = graphs_wanted();
  if (want_graph && !graphs_.count(current_)) try_capture(current_);
  const auto graph = want_graph ? graphs_.find(current_) : graphs_.end();
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
  host_entropy_.start(entropy_);
  copy_started_ = true;
}

const at::Tensor& FrameStep::wait_copy() {
  host_codes_.wait();
  host_entropy_.wait();
  return host_frame_;
}

const at::Tensor& FrameStep::codes() {
  if (!copy_started_) start_copy();
  return wait_copy();
}

std::vector<const void*> FrameStep::buffer_addresses() const {
  std::vector<const void*> out;
  for (const auto* cache : {&backbone_cache_, &decoder_cache_}) {
    for (const auto& t : cache->keys) out.push_back(t.data_ptr());
    for (const auto& t : cache->rows) out.push_back(t.data_ptr());
    for (const auto& t : cache->values) out.push_back(t.data_ptr());
  }
  for (const auto* t : {&hidden_, &hidden_used_, &c0_logits_, &entropy_, &decoder_start_, &codes_, &beyond_,
                        &row_weights_, &row_bias_, &positions_, &running_, &sampling_.counter, &lanes_, &draws_,
                        &draw_settings_.seed_key, &draw_settings_.minus_t, &draw_settings_.inv_t, &draw_settings_.kth,
                        &draw_settings_.top_p})
    out.push_back(t->data_ptr());
  return out;
}

}  // namespace csm
