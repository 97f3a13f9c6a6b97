// A streaming run: frames from the batched frame generator, grouped into chunks,
// decoded by each stream's own Mimi state, handed out with their metrics.
#include <chrono>
#include <deque>

#include "csm/error.h"
#include "csm/model.h"
#include "csm/system_info.h"
#include "generate/engine_parts.h"
#include "generate/frame_generator.h"
#include "generate/prompt_builder.h"
#include "generate/pending_decode.h"
#include "generate/piece_plan.h"
#include "runtime/device_policy.h"
#include "runtime/torch_failure.h"

namespace csm {
namespace {

using Clock = std::chrono::steady_clock;

const char* const kSmallerRun = "try fewer streams at once (--stream-batch), shorter text, or a smaller dtype";

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

struct StreamState {
  Request request;
  std::vector<std::string> pieces;  // what is left to say, in order
  Segment previous;                 // the last finished piece, context for the next
  MimiDecoderState decoder;
  std::vector<std::vector<int32_t>> pending;  // generated, not yet decoded
  std::vector<std::vector<int32_t>> piece_frames;
  int64_t frames = 0, piece_frame_limit = 0, chunks = 0;
  double generate_ms = 0;  // since the last chunk
  StreamSummary summary;
  bool piece_done = false, finished = false;
};

class SessionImpl final : public Session {
 public:
  SessionImpl(std::shared_ptr<const EngineParts> parts, std::vector<Request> requests, const StreamingConfig& config,
              CancelToken cancel)
      : parts_(std::move(parts)), config_(config), cancel_(std::move(cancel)), start_(Clock::now()) {
    config_.validate();
    if (requests.empty()) throw Error(ErrorCode::InvalidArgument, "nothing to generate: no text given");
    for (size_t i = 0; i < requests.size(); ++i) {
      auto& r = requests[i];
      if (r.text.find_first_not_of(" \t\r\n") == std::string::npos)
        throw Error(ErrorCode::InvalidArgument, "text " + std::to_string(i + 1) + " is empty", "give something to say");
      if (r.speaker < 0) throw Error(ErrorCode::InvalidArgument, "speaker ids are >= 0");
      StreamState s;
      s.pieces = plan_pieces(*parts_->tokenizer, r.text);
      s.request = std::move(r);
      streams_.push_back(std::move(s));
    }
    summary_.streams.resize(streams_.size());
    start_pieces();
  }

  std::optional<AudioChunk> next() override {
    try {
      while (ready_.empty() && !all_finished()) step();
    } catch (const c10::Error& e) {
      fail(from_torch_failure(e, "generating", kSmallerRun));
    } catch (const std::bad_alloc&) {
      fail(Error(ErrorCode::OutOfMemory, "out of memory while generating", kSmallerRun));
    }
    if (ready_.empty()) {
      if (failure_) throw take_failure();
      return std::nullopt;
    }
    AudioChunk chunk = std::move(ready_.front());
    ready_.pop_front();
    return chunk;
  }

  // A failure inside LibTorch ends the session. What was generated is not lost:
  // each stream's pending frames are decoded into its last chunk, handed out
  // before the error. The generator (and its caches) go first, to make room.
  void fail(Error error) {
    generator_.reset();
    failure_ = std::move(error);
    for (auto& s : streams_) {
      if (s.finished) continue;
      try {
        finish(s, StopReason::Failed);
      } catch (const std::exception&) {  // not even decoding fits: the frames left are gone
        s.finished = true;
        s.pending.clear();
        const auto index = static_cast<size_t>(&s - streams_.data());
        AudioChunk end;  // the stream still gets its last chunk, empty
        end.stream = static_cast<int>(index);
        end.first_frame = s.summary.frames;
        end.last = true;
        deliver(index, std::move(end), Clock::now());
      }
    }
  }

  Error take_failure() {
    Error error = std::move(*failure_);
    failure_.reset();
    return error;
  }

  void set_sampling(const SamplingParams& sampling) override {
    sampling_ = sampling;
    if (generator_) generator_->set_sampling(sampling);
  }
  const RunSummary& summary() const override { return summary_; }

 private:
  bool all_finished() const {
    for (const auto& s : streams_)
      if (!s.finished) return false;
    return true;
  }

  // Builds the prompts of every stream's next piece and a generator for them.
  void start_pieces() {
    std::vector<PromptRows> prompts;
    active_.clear();
    for (size_t i = 0; i < streams_.size(); ++i) {
      auto& s = streams_[i];
      if (s.finished) continue;
      auto piece = piece_prompt(*parts_, s.request, s.previous, s.pieces.front(), s.pieces.size() > 1,
                                config_.max_frames() - s.frames, "stream " + std::to_string(i + 1));
      prompts.push_back(std::move(piece.prompt));
      s.piece_frame_limit = piece.frame_limit;
      s.piece_done = false;
      s.piece_frames.clear();
      active_.push_back(i);
    }
    int64_t frames = 0;
    for (size_t i : active_) frames = std::max(frames, streams_[i].piece_frame_limit);
    FrameGeneratorOptions options;
    options.sampling = sampling_.has_value() ? *sampling_ : SamplingParams{config_.sampling.temperature, config_.sampling.top_k, config_.sampling.seed + pieces_started_};
    options.max_frames = frames;
    options.decodable_codes = parts_->mimi->config().codebook_size;
    options.cuda_graphs = config_.enable_cuda_graphs;
    generator_.reset();  // the last piece's caches go before the next piece's are made
    generator_ = std::make_unique<FrameGenerator>(parts_->model, prompts, options);
    ++pieces_started_;
  }

  void step() {
    const auto t0 = Clock::now();
    const auto cancelled = [this] { return cancel_.cancelled(); };
    at::Tensor frame;
    if (!cancel_.cancelled()) frame = generator_->next_frame(cancelled);
    const double frame_ms = ms_between(t0, Clock::now());
    summary_.cuda_graphs = generator_->step().graphed();
    summary_.cuda_graphs_note = generator_->step().graph_note();
    if (!frame.defined()) {  // cancelled: flush what was made, keep it valid
      for (size_t i : active_) finish(streams_[i], StopReason::Cancelled);
      return;
    }
    const auto codes = frame.to(at::kCPU).to(at::kInt).contiguous();
    const int64_t cb = codes.size(1);
    frames_generated_ += static_cast<int64_t>(active_.size());
    bool any_running = false;
    for (size_t row = 0; row < active_.size(); ++row) {
      auto& s = streams_[active_[row]];
      if (s.piece_done || s.finished) continue;
      s.generate_ms += frame_ms;
      const int32_t* data = codes.data_ptr<int32_t>() + row * cb;
      std::vector<int32_t> f(data, data + cb);
      const bool eos = is_end_of_speech(f);
      if (eos) {
        s.piece_done = true;
        generator_->release(static_cast<int64_t>(row));
      } else {
        s.pending.push_back(f);
        s.piece_frames.push_back(std::move(f));
        ++s.frames;
        if (static_cast<int64_t>(s.piece_frames.size()) >= s.piece_frame_limit) {
          s.piece_done = true;
          generator_->release(static_cast<int64_t>(row));
        }
      }
      const int64_t target = s.chunks == 0 ? config_.first_chunk_frames() : config_.chunk_frames();
      const bool out_of_room = s.frames >= config_.max_frames();
      if (s.piece_done && (s.pieces.size() <= 1 || out_of_room)) {
        finish(s, eos ? StopReason::EndOfSpeech : StopReason::MaxLength);
        continue;
      }
      if (static_cast<int64_t>(s.pending.size()) >= target) emit(active_[row], false);
      any_running = any_running || !s.piece_done;
    }
    if (!any_running && !all_finished()) next_piece();
  }

  // Every stream of this batch finished its piece: move on to the next pieces.
  void next_piece() {
    for (size_t i : active_) {
      auto& s = streams_[i];
      if (s.finished) continue;
      s.previous = Segment{s.request.speaker, s.pieces.front(), s.piece_frames};
      s.pieces.erase(s.pieces.begin());
    }
    start_pieces();
  }

  // Marked finished only once its last chunk is out: if decoding that fails, the
  // failure path still owes the stream a last chunk.
  void finish(StreamState& s, StopReason reason) {
    if (s.finished) return;
    s.summary.stop = reason;
    emit(static_cast<size_t>(&s - streams_.data()), true);
    s.finished = true;
  }

  void emit(size_t index, bool last) {
    auto& s = streams_[index];
    if (s.pending.empty() && !last) return;
    AudioChunk chunk;
    chunk.stream = static_cast<int>(index);
    chunk.first_frame = s.frames - static_cast<int64_t>(s.pending.size());
    chunk.last = last;
    const auto t0 = Clock::now();
    try {
      decode_pending(*parts_->mimi, s.pending, s.decoder, static_cast<size_t>(config_.frame_batch_size),
                     parts_->model->config().num_codebooks, chunk);
    } catch (...) {
      // What was decoded before the failure still goes out; the rest stays pending.
      chunk.last = false;
      if (!chunk.codes.empty()) deliver(index, std::move(chunk), t0);
      throw;
    }
    deliver(index, std::move(chunk), t0);
  }

  void deliver(size_t index, AudioChunk chunk, Clock::time_point decode_start) {
    auto& s = streams_[index];
    const auto now = Clock::now();
    auto& m = chunk.metrics;
    m.decode_ms = ms_between(decode_start, now);
    m.generate_ms = s.generate_ms;
    s.generate_ms = 0;
    m.elapsed_ms = ms_between(start_, now);
    s.summary.frames = chunk.first_frame + static_cast<int64_t>(chunk.codes.size());  // heard so far
    s.summary.audio_ms = s.summary.frames * double(StreamingConfig::kFrameMs);
    m.rtf = s.summary.audio_ms > 0 ? m.elapsed_ms / s.summary.audio_ms : 0;
    if (summary_.first_audio_ms < 0 && !chunk.samples.empty()) summary_.first_audio_ms = m.elapsed_ms;
    m.first_audio_ms = summary_.first_audio_ms;
    m.frames_per_s = frames_generated_ / (m.elapsed_ms / 1000.0);
    m.rss_bytes = resident_memory_bytes();
    m.device_bytes = device_memory_in_use(parts_->model->device());
    ++s.chunks;
    update_summary(m);
    summary_.streams[index] = s.summary;
    ready_.push_back(std::move(chunk));
  }

  void update_summary(const ChunkMetrics& m) {
    summary_.wall_ms = m.elapsed_ms;
    summary_.peak_rss_bytes = std::max(summary_.peak_rss_bytes, m.rss_bytes);
    summary_.peak_device_bytes = std::max(summary_.peak_device_bytes, m.device_bytes);
    double longest = 0, total = 0;
    for (const auto& s : streams_) {
      longest = std::max(longest, s.summary.audio_ms);
      total += s.summary.audio_ms;
    }
    summary_.rtf = longest > 0 ? m.elapsed_ms / longest : 0;
    summary_.realtime_streams = m.elapsed_ms > 0 ? total / m.elapsed_ms : 0;
  }

  std::shared_ptr<const EngineParts> parts_;
  StreamingConfig config_;
  CancelToken cancel_;
  Clock::time_point start_;
  std::vector<StreamState> streams_;
  std::vector<size_t> active_;  // streams of the current generator, in its batch order
  std::unique_ptr<FrameGenerator> generator_;
  std::optional<SamplingParams> sampling_;
  uint64_t pieces_started_ = 0;
  int64_t frames_generated_ = 0;
  std::deque<AudioChunk> ready_;
  std::optional<Error> failure_;  // thrown once the chunks made before it are out
  RunSummary summary_;
};

}  // namespace

std::unique_ptr<Session> start_session(std::shared_ptr<const EngineParts> parts, std::vector<Request> requests,
                                       const StreamingConfig& config, CancelToken cancel) {
  try {
    return std::make_unique<SessionImpl>(std::move(parts), std::move(requests), config, std::move(cancel));
  } catch (const c10::Error& e) {
    throw from_torch_failure(e, "starting generation", kSmallerRun);
  } catch (const std::bad_alloc&) {
    throw Error(ErrorCode::OutOfMemory, "out of memory while starting generation", kSmallerRun);
  }
}

}  // namespace csm
