// Continuous batching: one model thread owns a frame step with max_streams slots.
// Between two frames it admits queued requests into free slots (prefill) and lets
// cancelled streams go; each frame then advances every live stream at once, and
// each stream's frames are decoded by its own Mimi state into chunks. A stream's
// audio for a seed is the same alone or among others: its draws depend on its own
// seed and frame counter only.
#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <list>
#include <mutex>
#include <optional>
#include <thread>

#include "csm/error.h"
#include "csm/model.h"
#include "csm/scheduler.h"
#include "csm/system_info.h"
#include "generate/engine_parts.h"
#include "generate/frame_step.h"
#include "generate/pending_decode.h"
#include "generate/piece_plan.h"
#include "runtime/blas_warmup.h"
#include "runtime/device_policy.h"
#include "runtime/torch_failure.h"

namespace csm {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

class StreamImpl final : public Stream {
 public:
  StreamImpl(Request request, const StreamingConfig& config)
      : request_(std::move(request)), config_(config), submitted_(Clock::now()) {}

  Poll next(AudioChunk& out, std::chrono::milliseconds wait) override {
    std::unique_lock<std::mutex> lock(mutex_);
    cv_.wait_for(lock, wait, [&] { return !chunks_.empty() || finished_; });
    if (!chunks_.empty()) {
      out = std::move(chunks_.front());
      chunks_.pop_front();
      return Poll::Chunk;
    }
    if (!finished_) return Poll::Timeout;
    if (error_ && !error_thrown_) {
      error_thrown_ = true;
      std::rethrow_exception(error_);
    }
    return Poll::Ended;
  }

  void cancel() override {
    cancel_.cancel();
    std::lock_guard<std::mutex> lock(mutex_);
    if (!started_ && !finished_) finish_locked(StopReason::Cancelled);  // still queued: ends now
  }

  StreamSummary summary() const override {
    std::lock_guard<std::mutex> lock(mutex_);
    return summary_;
  }

  void set_sampling(const SamplingParams& sampling) override {
    std::lock_guard<std::mutex> lock(mutex_);
    sampling_change_ = sampling;
  }
  // Model thread: a change asked for since the last frame, if any.
  std::optional<SamplingParams> take_sampling() {
    std::lock_guard<std::mutex> lock(mutex_);
    auto change = sampling_change_;
    sampling_change_.reset();
    return change;
  }

  double queued_ms() const override {
    std::lock_guard<std::mutex> lock(mutex_);
    return started_ ? queued_ms_ : ms_since(submitted_);
  }

  // --- model thread side ---
  // Marks the stream as started; false when it already ended (cancelled while queued).
  bool begin() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (finished_) return false;
    started_ = true;
    queued_ms_ = ms_since(submitted_);
    return true;
  }
  void push(AudioChunk chunk, const StreamSummary& summary) {
    std::lock_guard<std::mutex> lock(mutex_);
    summary_ = summary;
    if (chunk.last) last_pushed_ = true;
    chunks_.push_back(std::move(chunk));
    cv_.notify_all();
  }
  // Ends the stream: a last (empty) chunk if none was queued yet, then the error if any.
  void end(StopReason stop, std::exception_ptr error = nullptr) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (finished_) return;
    error_ = error;
    if (error) stop = StopReason::Failed;
    finish_locked(stop);
  }
  bool finished() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return finished_;
  }

  const Request& request() const { return request_; }
  const StreamingConfig& config() const { return config_; }
  const CancelToken& token() const { return cancel_; }

 private:
  void finish_locked(StopReason stop) {
    if (!last_pushed_) {
      AudioChunk last;
      last.last = true;
      last.first_frame = summary_.frames;
      chunks_.push_back(std::move(last));
      last_pushed_ = true;
    }
    summary_.stop = stop;
    finished_ = true;
    cv_.notify_all();
  }

  const Request request_;
  const StreamingConfig config_;
  const Clock::time_point submitted_;
  CancelToken cancel_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<AudioChunk> chunks_;
  StreamSummary summary_;
  std::exception_ptr error_;
  std::optional<SamplingParams> sampling_change_;
  double queued_ms_ = 0;
  bool started_ = false, finished_ = false, last_pushed_ = false, error_thrown_ = false;
};

// What the model thread keeps per slot.
struct Slot {
  std::shared_ptr<StreamImpl> stream;  // null: the slot is free
  std::vector<std::string> pieces;     // what is left to say, in order
  Segment previous;                    // the last finished piece, context for the next
  MimiDecoderState decoder;
  Frames pending, piece_frames;
  int64_t frames = 0, piece_limit = 0, chunks = 0, pieces_done = 0;
  double generate_ms = 0, first_audio_ms = -1;
  Clock::time_point started;
  StreamSummary summary;
};


class BatchingScheduler final : public Scheduler {
 public:
  BatchingScheduler(std::shared_ptr<const Engine> engine, const SchedulerOptions& options)
      : engine_(std::move(engine)), options_(options) {
    if (!engine_) throw Error(ErrorCode::InvalidArgument, "scheduler: no engine");
    if (options_.max_streams < 1) throw Error(ErrorCode::InvalidArgument, "scheduler: max_streams must be >= 1");
    if (options_.max_queue < 0) throw Error(ErrorCode::InvalidArgument, "scheduler: max_queue must be >= 0");
    parts_ = parts_of(*engine_);
    slots_.resize(static_cast<size_t>(options_.max_streams));
    thread_ = std::thread([this] { run(); });
  }

  ~BatchingScheduler() override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
      for (auto& s : queue_) s->cancel();
    }
    cv_.notify_all();
    thread_.join();
  }

  std::shared_ptr<Stream> submit(Request request, const StreamingConfig& config) override {
    config.validate();
    if (request.text.find_first_not_of(" \t\r\n") == std::string::npos)
      throw Error(ErrorCode::InvalidArgument, "the text is empty", "give something to say");
    if (request.speaker < 0) throw Error(ErrorCode::InvalidArgument, "speaker ids are >= 0");
    auto stream = std::make_shared<StreamImpl>(std::move(request), config);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (draining_ || stopping_) throw Error(ErrorCode::Busy, "the scheduler is draining: no new requests");
      prune_queue_locked();
      if (static_cast<int>(queue_.size()) >= options_.max_queue)
        throw Error(ErrorCode::Busy, "the queue is full (" + std::to_string(options_.max_queue) + " waiting)",
                    "try again later");
      queue_.push_back(stream);
    }
    cv_.notify_all();
    return stream;
  }

  SchedulerStats stats() const override {
    std::lock_guard<std::mutex> lock(mutex_);
    SchedulerStats s;
    s.active = active_;
    s.queued = static_cast<int>(std::count_if(queue_.begin(), queue_.end(), [](auto& q) { return !q->finished(); }));
    s.max_streams = options_.max_streams;
    s.frames_total = frames_total_;
    s.completed = completed_;
    s.cancelled = cancelled_;
    s.failed = failed_;
    s.draining = draining_;
    s.frames_per_s = rate_locked();
    s.cuda_graphs = graphs_;
    s.cuda_graphs_note = graphs_note_;
    return s;
  }

  void drain() override {
    std::unique_lock<std::mutex> lock(mutex_);
    draining_ = true;
    cv_.notify_all();
    idle_cv_.wait(lock, [&] {
      prune_queue_locked();
      return queue_.empty() && active_ == 0;
    });
  }

 private:
  void prune_queue_locked() {
    queue_.erase(std::remove_if(queue_.begin(), queue_.end(),
                                [&](auto& s) {
                                  if (!s->finished()) return false;
                                  ++cancelled_;
                                  return true;
                                }),
                 queue_.end());
  }

  double rate_locked() const {
    const auto now = Clock::now();
    int64_t frames = 0;
    for (auto& [t, n] : rate_)
      if (now - t <= std::chrono::seconds(5)) frames += n;
    return frames / 5.0;
  }

  int live() const {
    int n = 0;
    for (const auto& s : slots_) n += s.stream != nullptr;
    return n;
  }

  void run() {
    try {  // this thread's BLAS buffers, while memory is still free
      reserve_blas_buffers();
    } catch (const Error& e) {
      startup_failure_ = std::make_exception_ptr(
          Error(e.code(), std::string(e.code() == ErrorCode::OutOfMemory ? "out of memory while starting the model "
                                                                           "thread: "
                                                                         : "starting the model thread: ") +
                              e.what(),
                e.code() == ErrorCode::OutOfMemory ? options_.smaller_run_hint : e.hint()));
    } catch (...) {
      startup_failure_ = failure(std::current_exception(), "starting the model thread");
    }
    for (;;) {
      std::vector<std::shared_ptr<StreamImpl>> joining;
      bool stopping = false;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        cv_.wait(lock, [&] {
          prune_queue_locked();
          return stopping_ || !queue_.empty() || active_ > 0;
        });
        stopping = stopping_;
        if (stopping) {
          for (auto& s : queue_) s->end(StopReason::Cancelled);
          queue_.clear();
        }
        // Running streams come first: one newcomer per frame while others speak.
        const int free = options_.max_streams - active_;
        const int admit = active_ > 0 ? std::min(free, 1) : free;
        while (static_cast<int>(joining.size()) < admit && !queue_.empty()) {
          joining.push_back(queue_.front());
          queue_.pop_front();
        }
        active_ += static_cast<int>(joining.size());
      }
      for (auto& s : joining) admit_stream(s);
      if (stopping)
        for (auto& slot : slots_)
          if (slot.stream) slot.stream->token().cancel();
      let_cancelled_go();
      if (live() > 0) generate_frame();
      std::lock_guard<std::mutex> lock(mutex_);
      active_ = live();
      if (active_ == 0 && queue_.empty()) idle_cv_.notify_all();
      if (stopping && active_ == 0 && queue_.empty()) return;
    }
  }

  FrameStep& step() {
    if (!step_) {
      FrameStepOptions o;
      o.slots = options_.max_streams;
      o.decodable_codes = parts_->mimi->config().codebook_size;
      step_ = std::make_unique<FrameStep>(parts_->model, o);
    }
    return *step_;
  }

  int64_t free_slot() const {
    for (size_t i = 0; i < slots_.size(); ++i)
      if (!slots_[i].stream) return static_cast<int64_t>(i);
    return -1;
  }

  void admit_stream(const std::shared_ptr<StreamImpl>& stream) {
    if (!stream->begin()) {  // cancelled while it waited
      count(StopReason::Cancelled);
      return;
    }
    if (startup_failure_) {
      stream->end(StopReason::Failed, startup_failure_);
      count(StopReason::Failed);
      return;
    }
    const int64_t index = free_slot();
    Slot& slot = slots_.at(static_cast<size_t>(index));
    slot = Slot{};
    slot.stream = stream;
    slot.started = Clock::now();
    try {
      slot.pieces = plan_pieces(*parts_->tokenizer, stream->request().text);
      start_piece(index);
    } catch (...) {
      const auto error = failure(std::current_exception(), "starting a stream");
      slot.stream->end(StopReason::Failed, error);
      count(StopReason::Failed);
      slot = Slot{};
      if (step_) step_->release(index);
    }
  }

  // Prefills the slot with its next piece (after the previous one as context).
  void start_piece(int64_t index) {
    Slot& slot = slots_[static_cast<size_t>(index)];
    const auto& config = slot.stream->config();
    const auto piece = piece_prompt(*parts_, slot.stream->request(), slot.previous, slot.pieces.front(),
                                    slot.pieces.size() > 1 || slot.pieces_done > 0, config.max_frames() - slot.frames,
                                    "this request");
    slot.piece_limit = piece.frame_limit;
    slot.piece_frames.clear();
    const SamplingParams sampling{config.sampling.temperature, config.sampling.top_k, config.sampling.seed + static_cast<uint64_t>(slot.pieces_done)};
    step().prefill(index, piece.prompt, sampling);
  }

  void let_cancelled_go() {
    for (size_t i = 0; i < slots_.size(); ++i)
      if (slots_[i].stream && slots_[i].stream->token().cancelled()) finish(static_cast<int64_t>(i), StopReason::Cancelled);
  }

  void generate_frame() {
    for (size_t i = 0; i < slots_.size(); ++i)
      if (slots_[i].stream)
        if (auto change = slots_[i].stream->take_sampling()) step().set_sampling(static_cast<int64_t>(i), *change);
    const auto t0 = Clock::now();
    at::Tensor codes;
    try {
      step().run();
      codes = step().codes().to(at::kInt).contiguous();
    } catch (...) {
      fail_all(failure(std::current_exception(), "generating"));
      return;
    }
    const double frame_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    const int cb = static_cast<int>(codes.size(1));
    int64_t made = 0;
    for (size_t i = 0; i < slots_.size(); ++i) {
      Slot& slot = slots_[i];
      if (!slot.stream) continue;
      const int32_t* row = codes.data_ptr<int32_t>() + i * cb;
      advance(static_cast<int64_t>(i), std::vector<int32_t>(row, row + cb), frame_ms);
      ++made;
    }
    std::lock_guard<std::mutex> lock(mutex_);
    if (step_) {
      graphs_ = step_->graphed();
      graphs_note_ = step_->graph_note();
    }
    frames_total_ += made;
    rate_.emplace_back(Clock::now(), made);
    while (!rate_.empty() && Clock::now() - rate_.front().first > std::chrono::seconds(5)) rate_.pop_front();
  }

  // One new frame of the slot's stream: keep it, chunk it, or end the piece.
  void advance(int64_t index, std::vector<int32_t> frame, double frame_ms) {
    Slot& slot = slots_[static_cast<size_t>(index)];
    const auto& config = slot.stream->config();
    slot.generate_ms += frame_ms;
    const bool eos = is_end_of_speech(frame);
    if (!eos) {
      slot.pending.push_back(frame);
      slot.piece_frames.push_back(std::move(frame));
      ++slot.frames;
    }
    const bool piece_done = eos || static_cast<int64_t>(slot.piece_frames.size()) >= slot.piece_limit;
    const bool out_of_room = slot.frames >= config.max_frames();
    try {
      if (piece_done && (slot.pieces.size() <= 1 || out_of_room)) {
        finish(index, eos ? StopReason::EndOfSpeech : StopReason::MaxLength);
        return;
      }
      const int64_t target = slot.chunks == 0 ? config.first_chunk_frames() : config.chunk_frames();
      if (static_cast<int64_t>(slot.pending.size()) >= target) emit(index, false);
      if (piece_done) {
        slot.previous = Segment{slot.stream->request().speaker, slot.pieces.front(), slot.piece_frames};
        slot.pieces.erase(slot.pieces.begin());
        ++slot.pieces_done;
        start_piece(index);
      }
    } catch (...) {
      end_failed(index, failure(std::current_exception(), "decoding"));
    }
  }

  // The stream's pending frames, decoded, as a chunk with its metrics.
  void emit(int64_t index, bool last) {
    Slot& slot = slots_[static_cast<size_t>(index)];
    AudioChunk chunk;
    chunk.stream = 0;
    chunk.first_frame = slot.frames - static_cast<int64_t>(slot.pending.size());
    chunk.last = last;
    const auto t0 = Clock::now();
    decode_pending(*parts_->mimi, slot.pending, slot.decoder, static_cast<size_t>(slot.stream->config().frame_batch_size),
                   parts_->model->config().num_codebooks, chunk);
    const auto now = Clock::now();
    auto& m = chunk.metrics;
    m.decode_ms = std::chrono::duration<double, std::milli>(now - t0).count();
    m.generate_ms = slot.generate_ms;
    slot.generate_ms = 0;
    m.elapsed_ms = std::chrono::duration<double, std::milli>(now - slot.started).count();
    slot.summary.frames = chunk.first_frame + static_cast<int64_t>(chunk.codes.size());
    slot.summary.audio_ms = slot.summary.frames * double(StreamingConfig::kFrameMs);
    m.rtf = slot.summary.audio_ms > 0 ? m.elapsed_ms / slot.summary.audio_ms : 0;
    if (slot.first_audio_ms < 0 && !chunk.samples.empty()) slot.first_audio_ms = m.elapsed_ms;
    m.first_audio_ms = slot.first_audio_ms;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      m.frames_per_s = rate_locked();
    }
    m.rss_bytes = resident_memory_bytes();
    m.device_bytes = device_memory_in_use(parts_->model->device());
    ++slot.chunks;
    StreamSummary summary = slot.summary;
    summary.stop = StopReason::Running;
    slot.stream->push(std::move(chunk), summary);
  }

  // The stream's last chunk (what was pending, decoded), then the slot is free.
  void finish(int64_t index, StopReason stop) {
    Slot& slot = slots_[static_cast<size_t>(index)];
    try {
      emit(index, true);
    } catch (...) {
      end_failed(index, failure(std::current_exception(), "decoding"));
      return;
    }
    slot.stream->end(stop);
    count(stop);
    release(index);
  }

  void end_failed(int64_t index, std::exception_ptr error) {
    Slot& slot = slots_[static_cast<size_t>(index)];
    slot.stream->end(StopReason::Failed, error);
    count(StopReason::Failed);
    release(index);
  }

  void release(int64_t index) {
    slots_[static_cast<size_t>(index)] = Slot{};
    if (step_) step_->release(index);
  }

  // A failure of the shared step ends every live stream; each keeps what it made.
  void fail_all(std::exception_ptr error) {
    step_.reset();  // its caches go first, to make room for decoding
    for (size_t i = 0; i < slots_.size(); ++i) {
      Slot& slot = slots_[i];
      if (!slot.stream) continue;
      try {
        emit(static_cast<int64_t>(i), false);
      } catch (...) {  // not even decoding fits: the frames left are gone
      }
      end_failed(static_cast<int64_t>(i), error);
    }
  }

  void count(StopReason stop) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stop == StopReason::Cancelled) ++cancelled_;
    else if (stop == StopReason::Failed) ++failed_;
    else ++completed_;
  }

  // Any failure as a csm::Error, LibTorch's (out of memory above all) made readable.
  std::exception_ptr failure(std::exception_ptr e, const char* doing) const {
    const std::string& hint = options_.smaller_run_hint;
    try {
      std::rethrow_exception(e);
    } catch (const Error&) {
      return e;
    } catch (const c10::Error& x) {
      return std::make_exception_ptr(from_torch_failure(x, doing, hint));
    } catch (const std::bad_alloc&) {
      return std::make_exception_ptr(Error(ErrorCode::OutOfMemory, std::string("out of memory while ") + doing, hint));
    } catch (const std::exception& x) {
      return std::make_exception_ptr(Error(ErrorCode::Internal, x.what()));
    } catch (...) {
      return std::make_exception_ptr(Error(ErrorCode::Internal, std::string("unknown failure while ") + doing));
    }
  }

  const std::shared_ptr<const Engine> engine_;
  const SchedulerOptions options_;
  std::shared_ptr<const EngineParts> parts_;
  std::unique_ptr<FrameStep> step_;  // model thread only, as are the slots
  std::exception_ptr startup_failure_;
  std::vector<Slot> slots_;
  mutable std::mutex mutex_;
  std::condition_variable cv_, idle_cv_;
  std::deque<std::shared_ptr<StreamImpl>> queue_;
  std::deque<std::pair<Clock::time_point, int64_t>> rate_;
  int active_ = 0;
  bool graphs_ = false;
  std::string graphs_note_;
  int64_t frames_total_ = 0, completed_ = 0, cancelled_ = 0, failed_ = 0;
  bool draining_ = false, stopping_ = false;
  std::thread thread_;
};

}  // namespace

std::unique_ptr<Scheduler> Scheduler::create(std::shared_ptr<const Engine> engine, const SchedulerOptions& options) {
  return std::make_unique<BatchingScheduler>(std::move(engine), options);
}

}  // namespace csm
