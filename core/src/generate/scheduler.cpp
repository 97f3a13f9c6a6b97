// The first, simple Scheduler: one model thread takes requests in FIFO order and
// runs up to max_streams of them as separate one-request sessions, interleaved
// chunk by chunk (no shared forward pass yet). A stand-in with the final
// interface: continuous batching over a batched frame step replaces it.
#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <list>
#include <mutex>
#include <thread>

#include "csm/error.h"
#include "csm/scheduler.h"

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
  double queued_ms_ = 0;
  bool started_ = false, finished_ = false, last_pushed_ = false, error_thrown_ = false;
};

class SimpleScheduler final : public Scheduler {
 public:
  SimpleScheduler(std::shared_ptr<const Engine> engine, const SchedulerOptions& options)
      : engine_(std::move(engine)), options_(options) {
    if (!engine_) throw Error(ErrorCode::InvalidArgument, "scheduler: no engine");
    if (options_.max_streams < 1) throw Error(ErrorCode::InvalidArgument, "scheduler: max_streams must be >= 1");
    if (options_.max_queue < 0) throw Error(ErrorCode::InvalidArgument, "scheduler: max_queue must be >= 0");
    thread_ = std::thread([this] { run(); });
  }

  ~SimpleScheduler() override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
      for (auto& s : queue_) s->cancel();
      for (auto& a : active_) a.stream->token().cancel();
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
    s.active = static_cast<int>(active_.size());
    s.queued = static_cast<int>(std::count_if(queue_.begin(), queue_.end(), [](auto& q) { return !q->finished(); }));
    s.max_streams = options_.max_streams;
    s.frames_total = frames_total_;
    s.completed = completed_;
    s.cancelled = cancelled_;
    s.failed = failed_;
    s.draining = draining_;
    const auto now = Clock::now();
    const auto window = std::chrono::seconds(5);
    int64_t frames = 0;
    for (auto& [t, n] : rate_)
      if (now - t <= window) frames += n;
    s.frames_per_s = frames / 5.0;
    return s;
  }

  void drain() override {
    std::unique_lock<std::mutex> lock(mutex_);
    draining_ = true;
    cv_.notify_all();
    idle_cv_.wait(lock, [&] {
      prune_queue_locked();
      return queue_.empty() && active_.empty();
    });
  }

 private:
  struct Active {
    std::shared_ptr<StreamImpl> stream;
    std::unique_ptr<Session> session;
  };

  void prune_queue_locked() {
    queue_.erase(std::remove_if(queue_.begin(), queue_.end(),
                                [&](auto& s) {
                                  if (!s->finished()) return false;
                                  ++cancelled_;
                                  return true;
                                }),
                 queue_.end());
  }

  void run() {
    for (;;) {
      std::vector<std::shared_ptr<StreamImpl>> starting;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        cv_.wait(lock, [&] {
          prune_queue_locked();
          return stopping_ || !queue_.empty() || !active_.empty();
        });
        if (stopping_ && active_.empty()) {
          for (auto& s : queue_) s->end(StopReason::Cancelled);
          queue_.clear();
          idle_cv_.notify_all();
          return;
        }
        while (static_cast<int>(active_.size() + starting.size()) < options_.max_streams && !queue_.empty()) {
          starting.push_back(queue_.front());
          queue_.pop_front();
        }
      }
      for (auto& s : starting) start(s);
      // One chunk from each running stream, in turn.
      std::vector<Active*> round;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        for (auto& a : active_) round.push_back(&a);
      }
      for (Active* a : round) step(*a);
      {
        std::lock_guard<std::mutex> lock(mutex_);
        active_.remove_if([](const Active& a) { return a.session == nullptr; });
        prune_queue_locked();
        if (queue_.empty() && active_.empty()) idle_cv_.notify_all();
      }
    }
  }

  void start(const std::shared_ptr<StreamImpl>& stream) {
    if (!stream->begin()) {
      std::lock_guard<std::mutex> lock(mutex_);
      ++cancelled_;
      return;
    }
    try {
      auto session = engine_->start({stream->request()}, stream->config(), stream->token());
      std::lock_guard<std::mutex> lock(mutex_);
      active_.push_back({stream, std::move(session)});
    } catch (...) {
      stream->end(StopReason::Failed, std::current_exception());
      std::lock_guard<std::mutex> lock(mutex_);
      ++failed_;
    }
  }

  static std::exception_ptr as_error(std::exception_ptr e) {
    try {
      std::rethrow_exception(e);
    } catch (const Error&) {
      return e;
    } catch (const std::exception& x) {
      return std::make_exception_ptr(Error(ErrorCode::Internal, x.what()));
    } catch (...) {
      return std::make_exception_ptr(Error(ErrorCode::Internal, "unknown failure while generating"));
    }
  }

  void step(Active& a) {
    std::exception_ptr error;
    std::optional<AudioChunk> chunk;
    try {
      chunk = a.session->next();
    } catch (...) {
      error = as_error(std::current_exception());
    }
    if (chunk) {
      const int64_t frames = static_cast<int64_t>(chunk->codes.size());
      const bool last = chunk->last;
      StreamSummary summary = a.session->summary().streams.at(0);
      if (!last) summary.stop = StopReason::Running;
      a.stream->push(std::move(*chunk), summary);
      {
        std::lock_guard<std::mutex> lock(mutex_);
        frames_total_ += frames;
        const auto now = Clock::now();
        rate_.emplace_back(now, frames);
        while (!rate_.empty() && now - rate_.front().first > std::chrono::seconds(5)) rate_.pop_front();
      }
      if (!last) return;
      try {  // settle the end now: nothing more, or the error after the last chunk
        while (a.session->next()) {
        }
      } catch (...) {
        error = as_error(std::current_exception());
      }
    }
    const StopReason stop = error ? StopReason::Failed : a.session->summary().streams.at(0).stop;
    a.stream->end(stop, error);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stop == StopReason::Cancelled) ++cancelled_;
      else if (stop == StopReason::Failed) ++failed_;
      else ++completed_;
    }
    a.session.reset();  // ended: the slot is free
  }

  const std::shared_ptr<const Engine> engine_;
  const SchedulerOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable cv_, idle_cv_;
  std::deque<std::shared_ptr<StreamImpl>> queue_;
  std::list<Active> active_;
  std::deque<std::pair<Clock::time_point, int64_t>> rate_;
  int64_t frames_total_ = 0, completed_ = 0, cancelled_ = 0, failed_ = 0;
  bool draining_ = false, stopping_ = false;
  std::thread thread_;
};

}  // namespace

std::unique_ptr<Scheduler> Scheduler::create(std::shared_ptr<const Engine> engine, const SchedulerOptions& options) {
  return std::make_unique<SimpleScheduler>(std::move(engine), options);
}

}  // namespace csm
