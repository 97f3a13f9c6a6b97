#include "csm-serve/speech_response.h"

#include <cmath>

#include "csm-serve/sse.h"
#include "csm/error.h"

namespace csm::serve {
namespace {

using nlohmann::json;

double ms_since(SpeechResponse::Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(SpeechResponse::Clock::now() - t).count();
}

// A float knob as the client sent it: 0.3f reported as 0.3, not 0.30000001192092896.
double tidy(float v) { return std::round(static_cast<double>(v) * 1e6) / 1e6; }

// The real-time factor of a finished stream: its wall time over the audio it made.
double rtf_of(const StreamSummary& summary, double wall_ms) {
  return summary.audio_ms > 0 ? wall_ms / summary.audio_ms : 0;
}

}  // namespace

SpeechResponse::SpeechResponse(Setup setup, Scheduler& scheduler, Metrics& metrics)
    : s_(std::move(setup)), scheduler_(scheduler), metrics_(metrics) {}

SpeechResponse::~SpeechResponse() {
  if (phase_ != Phase::Finished) s_.stream->cancel();
}

// The stream's next chunk if one is ready; a failure of the stream (after its last
// chunk) is counted and handed back as the API error it is.
Stream::Poll SpeechResponse::poll(AudioChunk& chunk, std::optional<ApiError>& failed) {
  try {
    return s_.stream->next(chunk, std::chrono::milliseconds(0));
  } catch (const Error& e) {
    failed = from_core_error(e);
    metrics_.error(failed->kind());
    return Stream::Poll::Ended;
  }
}

StreamedBody::Step SpeechResponse::head(Reply& head, bool now) {
  const std::string& stream_id = s_.live->id();
  for (;;) {
    AudioChunk chunk;
    std::optional<ApiError> failed;
    const Stream::Poll p = poll(chunk, failed);
    if (failed) {
      // Before any audio: the client gets the error's own status.
      const ApiError api = *failed;
      record_end("failed");
      phase_ = Phase::Finished;
      head = error_reply(api);
      head.headers.emplace_back("X-Request-Id", s_.request_id);
      return Step::Done;
    }
    if (p == Stream::Poll::Timeout) {
      if (now) break;
      return Step::Wait;
    }
    if (p == Stream::Poll::Ended) {
      ended_ = true;
      break;
    }
    const bool has_audio = !chunk.samples.empty();
    saw_last_ = saw_last_ || chunk.last;
    held_.push_back(std::move(chunk));
    if (has_audio) break;
    // Ended without audio: an error may still come (it gets its status), else Ended.
  }
  head.status = 200;
  head.content_type = s_.sse ? "text/event-stream" : content_type(s_.format);
  head.headers = {{"Cache-Control", "no-cache"},
                  {"X-Request-Id", s_.request_id},
                  {"X-CSM-Stream-Id", stream_id},
                  {"X-Accel-Buffering", "no"}};  // nginx: pass every chunk on at once
  phase_ = Phase::Streaming;
  return Step::Data;
}

StreamedBody::Step SpeechResponse::next(std::string& out) {
  if (phase_ == Phase::Finished) return Step::Done;
  for (const auto& chunk : held_) out += encode(chunk);
  held_.clear();
  while (!ended_ && out.size() < 256 * 1024) {
    AudioChunk chunk;
    std::optional<ApiError> failed;
    const Stream::Poll p = poll(chunk, failed);
    if (failed) {
      failure_ = failed->json();
      ended_ = true;
      break;
    }
    if (p == Stream::Poll::Ended) ended_ = true;
    if (p != Stream::Poll::Chunk) break;
    out += encode(chunk);
  }
  if (!out.empty()) return Step::Data;
  if (!ended_) return Step::Wait;
  return finish(out);
}

StreamedBody::Step SpeechResponse::finish(std::string& out) {
  phase_ = Phase::Finished;
  const StreamSummary summary = s_.stream->summary();
  if (!failure_.empty()) {
    record_end("failed");
    // Audio already started, the status is sent: SSE says so in an event, raw audio is cut.
    if (!s_.sse) return Step::Cut;
    out = sse_error(failure_, {{"stream_id", s_.live->id()}});
    return Step::Data;  // then Done
  }
  record_end(to_string(summary.stop));
  const std::string tail = s_.encoder->finish();
  if (!s_.sse) {
    out = tail;
    return out.empty() ? Step::Done : Step::Data;
  }
  if (!tail.empty()) out += sse_audio_delta(tail, {{"chunk", chunk_index_}, {"frames", 0}, {"stream_id", s_.live->id()}});
  const auto input_tokens = static_cast<int64_t>(s_.input_chars);
  const json usage = {{"input_tokens", input_tokens}, {"output_tokens", frames_}, {"total_tokens", input_tokens + frames_}};
  json done = {{"frames", frames_},
               {"audio_ms", summary.audio_ms},
               {"rtf", rtf_of(summary, ms_since(s_.received))},
               {"first_audio_ms", first_audio_ms_},
               {"queued_ms", s_.stream->queued_ms()},
               {"stop", to_string(summary.stop)},
               {"stream_id", s_.live->id()}};
  add_sampling(done);
  out += sse_audio_done(usage, done);
  return Step::Data;
}

void SpeechResponse::record_end(const std::string& stop) {
  if (recorded_) return;
  recorded_ = true;
  const StreamSummary summary = s_.stream->summary();
  metrics_.stream_done(rtf_of(summary, ms_since(s_.received)), first_audio_ms_ / 1000.0, summary.audio_ms / 1000.0, stop);
}

void SpeechResponse::client_lost() {
  s_.stream->cancel();
  metrics_.disconnect();
  phase_ = Phase::Finished;
}

std::string SpeechResponse::encode(const AudioChunk& c) {
  const std::string bytes = c.samples.empty() ? std::string() : s_.encoder->encode(c.samples.data(), c.samples.size());
  frames_ += static_cast<int64_t>(c.codes.size());
  if (c.samples.empty() && bytes.empty()) return {};
  if (first_audio_ms_ < 0 && !c.samples.empty()) first_audio_ms_ = ms_since(s_.received);
  std::string out = s_.sse ? sse_audio_delta(bytes, chunk_info(c)) : bytes;
  ++chunk_index_;
  return out;
}

json SpeechResponse::chunk_info(const AudioChunk& c) {
  json info = chunk_json(c, scheduler_.stats(), s_.stream->queued_ms(), s_.include_codes);
  info["chunk"] = chunk_index_;
  info["stream_id"] = s_.live->id();
  return info;
}

json chunk_json(const AudioChunk& c, const SchedulerStats& stats, double queued_ms, bool include_codes) {
  const auto& m = c.metrics;
  json info = {{"first_frame", c.first_frame},      {"frames", c.codes.size()},
               {"generate_ms", m.generate_ms},      {"decode_ms", m.decode_ms},
               {"elapsed_ms", m.elapsed_ms},        {"rtf", m.rtf},
               {"first_audio_ms", m.first_audio_ms}, {"frames_per_s", m.frames_per_s},
               {"device_bytes", m.device_bytes},    {"rss_bytes", m.rss_bytes},
               {"active_streams", stats.active},    {"max_streams", stats.max_streams},
               {"queued_ms", queued_ms},
               // The knobs this chunk's frames were made with (core's own account).
               {"temperature", tidy(m.temperature)},
               {"top_k", m.top_k},
               {"top_p", tidy(m.top_p)},
               {"depth_temperature", tidy(m.depth_temperature)},
               {"depth_top_k", m.depth_top_k},
               {"depth_top_p", tidy(m.depth_top_p)}};
  if (include_codes) {
    info["codes"] = c.codes;
    json entropy = json::array();
    for (float h : c.entropy) entropy.push_back(tidy(h));
    info["entropy"] = entropy;
  }
  return info;
}

// The knobs in effect now (a live change shows from the chunk after it).
void SpeechResponse::add_sampling(json& info) const { info.update(sampling_json(s_.stream->sampling())); }

json sampling_json(const SamplingParams& s) {
  return {{"temperature", tidy(s.temperature)},
          {"top_k", s.top_k},
          {"top_p", tidy(s.top_p)},
          {"depth_temperature", tidy(s.decoder_temperature())},
          {"depth_top_k", s.decoder_top_k()},
          {"depth_top_p", tidy(s.decoder_top_p())}};
}

}  // namespace csm::serve
