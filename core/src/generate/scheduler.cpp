// Continuous batching: one model thread owns a frame driver with max_streams slots.
// Between two frames it admits queued requests into free slots (prefill), lets
// cancelled streams go and applies sampling changes; each frame then advances every
// live stream at once, and the audio decoder turns each slot's frames into its
// stream's chunks (every slot's Mimi state in one batched call). A stream's audio for
// a seed is the same alone or among others: its draws depend on its own seed and frame
// counter only.
#include "generate/batching_scheduler.h"

#include <algorithm>

#include "csm/error.h"
#include "csm/model.h"
#include "runtime/blas_warmup.h"
#include "runtime/torch_failure.h"

namespace csm {
namespace {

using Clock = std::chrono::steady_clock;

bool blank(const std::string& text) { return text.find_first_not_of(" \t\r\n") == std::string::npos; }

}  // namespace

BatchingScheduler::BatchingScheduler(std::shared_ptr<const EngineParts> parts, SchedulerSettings settings)
    : parts_(std::move(parts)), settings_(std::move(settings)), max_streams_(settings_.max_streams) {
  if (max_streams_ < 1) throw Error(ErrorCode::InvalidArgument, "scheduler: max_streams must be >= 1");
  if (settings_.max_queue < 0) throw Error(ErrorCode::InvalidArgument, "scheduler: max_queue must be >= 0");
  slots_.resize(static_cast<size_t>(max_streams_));
  thread_ = std::thread([this] { run(); });
}

BatchingScheduler::~BatchingScheduler() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    for (auto& s : queue_) s->cancel();
  }
  cv_.notify_all();
  thread_.join();
}

void BatchingScheduler::check(const Request& request, const StreamingConfig& config, const std::string& what) const {
  config.validate();
  if (blank(request.text) && !request.text_streamed)
    throw Error(ErrorCode::InvalidArgument, what + " is empty", "give something to say");
  const int model_codebooks = parts_->model->config().num_codebooks;
  if (config.codebooks > model_codebooks)
    throw Error(ErrorCode::InvalidArgument, "codebooks " + std::to_string(config.codebooks) + " asked for; the model has " +
                                                std::to_string(model_codebooks),
                "use 1.." + std::to_string(model_codebooks) + " (or 0 for all)");
  if (request.speaker < 0) throw Error(ErrorCode::InvalidArgument, "speaker ids are >= 0");
  // The first piece must fit the model's positions with its context (later pieces
  // carry only the piece before them). A streamed text's pieces are not known yet:
  // its context must leave room for one of at most a piece's length.
  if (request.text_streamed) {
    piece_prompt(*parts_, request, {}, std::string(kMaxPieceTokens, 'x'), true, config.max_frames(), what);
    return;
  }
  const auto pieces = plan_pieces(*parts_->tokenizer, request.text);
  piece_prompt(*parts_, request, {}, pieces.front(), pieces.size() > 1, config.max_frames(), what);
}

std::shared_ptr<StreamChannel> BatchingScheduler::enqueue(Request request, const StreamingConfig& config, bool bounded) {
  const bool streamed = request.text_streamed;
  auto stream = std::make_shared<StreamChannel>(std::move(request), config);
  if (streamed) {
    auto feed = std::make_unique<TextFeed>([tokenizer = parts_->tokenizer](const std::string& t) {
      return tokenizer->encode(t).size();
    }, kMaxPieceTokens, std::chrono::milliseconds(config.text_wait_ms));
    feed->append(stream->request().text);
    stream->set_feed(std::move(feed));
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (draining_ || stopping_) throw Error(ErrorCode::Busy, "the scheduler is draining: no new requests");
    prune_queue_locked();
    // Those the free slots take at once do not wait: only the rest count against the queue.
    const int free_slots = std::max(0, max_streams_ - active_);
    if (bounded && static_cast<int>(queue_.size()) >= settings_.max_queue + free_slots)
      throw Error(ErrorCode::Busy, "the queue is full (" + std::to_string(settings_.max_queue) + " waiting)",
                  "try again later");
    queue_.push_back(stream);
  }
  cv_.notify_all();
  return stream;
}

std::shared_ptr<Stream> BatchingScheduler::submit(Request request, const StreamingConfig& config) {
  guard_torch("checking the request", settings_.smaller_run_hint, [&] { check(request, config, "the text"); });
  return enqueue(std::move(request), config, true);
}

SchedulerStats BatchingScheduler::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  SchedulerStats s;
  s.active = active_;
  s.queued = static_cast<int>(std::count_if(queue_.begin(), queue_.end(), [](auto& q) { return !q->finished(); }));
  s.max_streams = max_streams_;
  s.frames_total = frames_total_;
  s.completed = completed_;
  s.cancelled = cancelled_;
  s.failed = failed_;
  s.draining = draining_;
  s.frames_per_s = rate_locked();
  s.cuda_graphs = graphs_;
  s.cuda_graphs_note = graphs_note_;
  s.lookahead = settings_.lookahead;
  s.voice_cache_hits = voice_cache_.hits;
  s.voice_cache_misses = voice_cache_.misses;
  s.voice_cache_bytes = static_cast<int64_t>(voice_cache_.bytes);
  return s;
}

void BatchingScheduler::set_max_streams(int max_streams) {
  if (max_streams < 1) throw Error(ErrorCode::InvalidArgument, "streams at once must be at least 1");
  {
    std::lock_guard<std::mutex> lock(mutex_);
    max_streams_ = max_streams;
  }
  cv_.notify_all();
}

void BatchingScheduler::drain() {
  std::unique_lock<std::mutex> lock(mutex_);
  draining_ = true;
  cv_.notify_all();
  idle_cv_.wait(lock, [&] {
    prune_queue_locked();
    return queue_.empty() && active_ == 0;
  });
}

void BatchingScheduler::prune_queue_locked() {
  queue_.erase(std::remove_if(queue_.begin(), queue_.end(),
                              [&](auto& s) {
                                if (!s->finished()) return false;
                                ++cancelled_;
                                return true;
                              }),
               queue_.end());
}

double BatchingScheduler::rate_locked() const {
  const auto now = Clock::now();
  int64_t frames = 0;
  for (auto& [t, n] : rate_)
    if (now - t <= std::chrono::seconds(5)) frames += n;
  return frames / 5.0;
}

double BatchingScheduler::rate() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return rate_locked();
}

int BatchingScheduler::live() const {
  return static_cast<int>(std::count_if(slots_.begin(), slots_.end(), [](auto& s) { return s != nullptr; }));
}

int BatchingScheduler::generating() const {
  return static_cast<int>(std::count_if(slots_.begin(), slots_.end(), [](auto& s) { return s && !s->waiting(); }));
}

void BatchingScheduler::run() {
  try {  // this thread's BLAS buffers, while memory is still free
    reserve_blas_buffers();
  } catch (const Error& e) {
    const bool oom = e.code() == ErrorCode::OutOfMemory;
    startup_failure_ = std::make_exception_ptr(
        Error(e.code(), std::string(oom ? "out of memory while starting the model thread: " : "starting the model thread: ") + e.what(),
              oom ? settings_.smaller_run_hint : e.hint()));
  } catch (...) {
    startup_failure_ = failure(std::current_exception(), "starting the model thread");
  }
  for (;;) {
    bool stopping = false;
    const auto joining = wait_for_work(&stopping);
    for (auto& s : joining) admit(s);
    if (stopping)
      for (auto& slot : slots_)
        if (slot) slot->channel().cancel();
    let_cancelled_go();
    resume_waiting();
    if (generating() > 0) generate_frame();
    else if (driver_) driver_->drop_in_flight();
    if (!work_.empty()) audio().submit(std::move(work_));
    work_.clear();
    bool idle = false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      active_ = live();
      waiting_ = live() - generating();
      if (driver_) voice_cache_ = driver_->step().voice_cache();
      idle = active_ == 0 && queue_.empty();
    }
    if (idle && audio_) audio_->wait_idle();  // idle means every stream's last chunk is out
    std::lock_guard<std::mutex> lock(mutex_);
    if (active_ == 0 && queue_.empty()) idle_cv_.notify_all();
    if (stopping && active_ == 0 && queue_.empty()) return;
  }
}

// Waits for something to do; returns the requests that join the batch now.
std::vector<std::shared_ptr<StreamChannel>> BatchingScheduler::wait_for_work(bool* stopping) {
  std::vector<std::shared_ptr<StreamChannel>> joining;
  std::unique_lock<std::mutex> lock(mutex_);
  const auto work = [&] {
    prune_queue_locked();
    return stopping_ || !queue_.empty() || active_ > waiting_;
  };
  // Streams waiting for their text: look again soon (text arrives on other threads).
  if (waiting_ > 0) cv_.wait_for(lock, std::chrono::milliseconds(10), work);
  else cv_.wait(lock, work);
  *stopping = stopping_;
  if (stopping_) {
    for (auto& s : queue_) s->end(StopReason::Cancelled);
    queue_.clear();
  }
  if (active_ == 0 && static_cast<int>(slots_.size()) != max_streams_) {
    lock.unlock();
    resize_if_idle();
    lock.lock();
  }
  // Running streams come first: one newcomer per frame while others speak.
  const int free = static_cast<int>(slots_.size()) - active_;
  const int admit = active_ > 0 ? std::min(free, 1) : free;
  while (static_cast<int>(joining.size()) < admit && !queue_.empty()) {
    joining.push_back(queue_.front());
    queue_.pop_front();
  }
  active_ += static_cast<int>(joining.size());
  return joining;
}

void BatchingScheduler::resize_if_idle() {
  int wanted = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    wanted = max_streams_;
  }
  if (live() > 0 || static_cast<int>(slots_.size()) == wanted) return;
  if (audio_) audio_->wait_idle();
  audio_.reset();
  driver_.reset();  // its caches go before the new size's are made
  slots_.clear();
  slots_.resize(static_cast<size_t>(wanted));
}

FrameDriver& BatchingScheduler::driver() {
  if (!driver_) {
    FrameDriverOptions o;
    o.step.slots = static_cast<int64_t>(slots_.size());
    o.step.decodable_codes = parts_->mimi->config().codebook_size;
    o.step.voice_cache_bytes = settings_.voice_cache_bytes;
    o.lookahead = settings_.lookahead;
    o.observer = settings_.frame_observer;
    driver_ = std::make_unique<FrameDriver>(parts_->model, o);
  }
  return *driver_;
}

AudioDecoder& BatchingScheduler::audio() {
  if (!audio_)
    audio_ = std::make_unique<AudioDecoder>(parts_, static_cast<int64_t>(slots_.size()), settings_.decode_thread,
                                            settings_.smaller_run_hint);
  return *audio_;
}

void BatchingScheduler::admit(const std::shared_ptr<StreamChannel>& channel) {
  const auto not_admitted = [this] {  // it was counted active when it left the queue
    std::lock_guard<std::mutex> lock(mutex_);
    --active_;
  };
  if (!channel->begin()) {  // cancelled while it waited
    not_admitted();
    count(StopReason::Cancelled);
    return;
  }
  if (startup_failure_) {
    not_admitted();
    count(StopReason::Failed);
    channel->end(StopReason::Failed, startup_failure_);
    return;
  }
  const auto free = std::find(slots_.begin(), slots_.end(), nullptr);
  const auto index = static_cast<int64_t>(free - slots_.begin());
  try {
    *free = std::make_unique<StreamState>(channel, *parts_);
    start_piece(index);
  } catch (...) {
    const auto error = failure(std::current_exception(), "starting a stream");
    if (*free) release(index);
    else not_admitted();
    count(StopReason::Failed);
    channel->end(StopReason::Failed, error);
    return;
  }
  AudioEvent begin;
  begin.kind = AudioEvent::Kind::Begin;
  begin.slot = index;
  begin.channel = channel;
  work_.push_back(std::move(begin));
}

// Prefills the slot with its stream's next piece, and has the graphs it will reach
// captured now rather than when it gets there. A streamed text's next piece may not
// be there yet: the slot then waits, generating nothing (false).
bool BatchingScheduler::start_piece(int64_t index) {
  StreamState& state = *slots_[static_cast<size_t>(index)];
  const auto text = state.next_piece();
  if (!text) {
    state.set_waiting(true);
    driver().release(index);
    return false;
  }
  const auto piece = state.begin_piece(*parts_, *text);
  driver().prefill(index, piece.prompt, state.piece_sampling(), state.codebooks(parts_->model->config().num_codebooks));
  driver().prepare_graphs(driver().step().position(index) + piece.frame_limit);
  return true;
}

// Streams between pieces of a streamed text: the next piece starts once it is cut; a
// text that ended meanwhile ends its stream.
void BatchingScheduler::resume_waiting() {
  for (size_t i = 0; i < slots_.size(); ++i) {
    if (!slots_[i] || !slots_[i]->waiting()) continue;
    const auto index = static_cast<int64_t>(i);
    try {
      if (start_piece(index)) continue;
    } catch (...) {
      end_stream(index, StopReason::Failed, failure(std::current_exception(), "starting the next piece"));
      continue;
    }
    if (!slots_[i]->more_text()) end_stream(index, StopReason::EndOfSpeech, nullptr);
  }
}

// Streams cancelled by their reader end here; a stream the audio decoder ended (its
// decode failed) only gives its slot back.
void BatchingScheduler::let_cancelled_go() {
  for (size_t i = 0; i < slots_.size(); ++i) {
    if (!slots_[i]) continue;
    const auto index = static_cast<int64_t>(i);
    if (slots_[i]->channel().finished()) {
      release(index);
      count(StopReason::Failed);
    } else if (slots_[i]->channel().cancelled()) {
      end_stream(index, StopReason::Cancelled, nullptr);
    }
  }
}

void BatchingScheduler::generate_frame() {
  bool graphs = true;
  for (size_t i = 0; i < slots_.size(); ++i) {
    if (!slots_[i]) continue;
    graphs = graphs && slots_[i]->config().enable_cuda_graphs;
    if (auto change = slots_[i]->channel().take_sampling_change()) {
      slots_[i]->change_sampling(*change);
      driver().set_sampling(static_cast<int64_t>(i), slots_[i]->piece_sampling());
    }
  }
  driver().allow_graphs(graphs);
  // An eager frame stops part way when every stream in it was cancelled.
  const auto all_cancelled = [this] {
    for (const auto& s : slots_)
      if (s && !s->channel().cancelled()) return false;
    return true;
  };
  const auto t0 = Clock::now();
  std::optional<DrivenFrame> frame;
  try {
    frame = driver().next(all_cancelled);
  } catch (...) {
    fail_all(failure(std::current_exception(), "generating"));
    return;
  }
  if (!frame) return;  // cancelled: the streams end before the next frame
  const double frame_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  int64_t made = 0;
  for (size_t i = 0; i < slots_.size(); ++i) made += slots_[i] && frame->fresh[i];
  {  // counted before any stream can be seen to end with this frame
    std::lock_guard<std::mutex> lock(mutex_);
    graphs_ = frame->graphed;
    graphs_note_ = driver().step().graph_note();
    frames_total_ += made;
    rate_.emplace_back(Clock::now(), made);
    while (!rate_.empty() && Clock::now() - rate_.front().first > std::chrono::seconds(5)) rate_.pop_front();
  }
  const int cb = static_cast<int>(frame->codes.size(1));
  const double frames_per_s = rate();
  for (size_t i = 0; i < slots_.size(); ++i) {
    if (!slots_[i] || !frame->fresh[i]) continue;
    const int32_t* row = frame->codes.data_ptr<int32_t>() + i * cb;
    advance(static_cast<int64_t>(i), std::vector<int32_t>(row, row + cb), frame->entropy[i].item<float>(), frame_ms,
            frames_per_s);
  }
}

// One new frame of the slot's stream: to the audio decoder, and the stream goes on,
// moves to its next piece or ends.
void BatchingScheduler::advance(int64_t index, std::vector<int32_t> frame, float entropy, double frame_ms,
                                double frames_per_s) {
  StreamState& state = *slots_[static_cast<size_t>(index)];
  const auto out = state.take(frame);
  if (out.speech) {
    AudioEvent e;
    e.slot = index;
    e.codes = std::move(frame);
    e.entropy = entropy;
    e.frame_ms = frame_ms;
    e.sampling = state.sampling();
    e.frames_per_s = frames_per_s;
    e.piece = state.piece_index();
    work_.push_back(std::move(e));
  }
  if (out.finished) {
    end_stream(index, out.stop, nullptr);
    return;
  }
  if (!out.piece_done) return;
  AudioEvent end_of_piece;  // its audio goes out now, whether the next piece is there or not
  end_of_piece.kind = AudioEvent::Kind::PieceEnd;
  end_of_piece.slot = index;
  work_.push_back(std::move(end_of_piece));
  try {
    state.end_piece();
    start_piece(index);
  } catch (...) {
    end_stream(index, StopReason::Failed, failure(std::current_exception(), "starting the next piece"));
  }
}

// The slot is free and the stream counted before its reader can see it end: the
// audio decoder hands out its last chunk and ends it after this.
void BatchingScheduler::end_stream(int64_t index, StopReason stop, std::exception_ptr error) {
  release(index);
  count(error ? StopReason::Failed : stop);
  AudioEvent e;
  e.kind = AudioEvent::Kind::End;
  e.slot = index;
  e.stop = stop;
  e.error = error;
  work_.push_back(std::move(e));
}

// A failure of the shared frame ends every live stream; each keeps what it made.
void BatchingScheduler::fail_all(std::exception_ptr error) {
  driver_.reset();  // its caches go first, to make room for decoding
  for (size_t i = 0; i < slots_.size(); ++i)
    if (slots_[i]) end_stream(static_cast<int64_t>(i), StopReason::Failed, error);
}

void BatchingScheduler::release(int64_t index) {
  slots_[static_cast<size_t>(index)] = nullptr;
  if (driver_) driver_->release(index);
  std::lock_guard<std::mutex> lock(mutex_);
  --active_;
}

void BatchingScheduler::count(StopReason stop) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (stop == StopReason::Cancelled) ++cancelled_;
  else if (stop == StopReason::Failed) ++failed_;
  else ++completed_;
}

// Any failure as a csm::Error, LibTorch's (out of memory above all) made readable.
std::exception_ptr BatchingScheduler::failure(std::exception_ptr e, const char* doing) const {
  return as_error(e, doing, settings_.smaller_run_hint);
}

}  // namespace csm
