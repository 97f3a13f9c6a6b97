#include "csm-serve/speech_socket.h"

#include <cmath>

#include "csm-serve/speech_response.h"
#include "csm/error.h"

namespace csm::serve {

using nlohmann::json;

SpeechSocket::SpeechSocket(Setup setup) : s_(std::move(setup)) {}

SpeechSocket::~SpeechSocket() {
  if (run_ && !finished_) run_->stream->cancel();
}

double SpeechSocket::ms_since(Clock::time_point t) const {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

void SpeechSocket::send(json event) { outbox_.push_back({false, event.dump()}); }

void SpeechSocket::send_error(const ApiError& e) {
  json event = json::parse(e.json());
  event["type"] = "error";
  event["status"] = e.status;
  if (run_) event["stream_id"] = run_->live->id();
  if (s_.metrics) s_.metrics->error(e.kind());
  send(std::move(event));
}

void SpeechSocket::on_message(std::string data, bool binary) {
  last_message_ = Clock::now();
  if (closing_) return;
  if (binary) return send_error(bad_request("binary messages are not taken: send JSON text messages", "", "invalid_message"));
  try {
    const ClientMessage m = parse_client_message(data, s_.limits);
    if (m.type == ClientMessage::Type::Start) return start(m);
    if (!run_) {
      if (m.type == ClientMessage::Type::Cancel) {
        closing_ = true;
        close_reason_ = "cancelled before a session started";
        return;
      }
      throw bad_request(std::string(to_string(m.type)) + " before session.start: start a session first", "type",
                        "no_session");
    }
    switch (m.type) {
      case ClientMessage::Type::TextDelta: {
        if (text_ended_) throw bad_request("text.delta after text.done: the text has ended", "type", "text_ended");
        const size_t chars = text_characters(m.text);
        if (text_chars_ + chars > s_.limits.max_input_chars)
          throw bad_request("the session's text would be " + std::to_string(text_chars_ + chars) +
                                " characters; at most " + std::to_string(s_.limits.max_input_chars) +
                                " are allowed (this delta was dropped)",
                            "text", "input_too_long");
        text_chars_ += chars;
        if (!first_text_ && !m.text.empty()) first_text_ = Clock::now();
        run_->stream->append_text(m.text);
        return;
      }
      case ClientMessage::Type::TextFlush: return run_->stream->flush_text();
      case ClientMessage::Type::TextDone: return end_text();
      case ClientMessage::Type::Cancel: return run_->stream->cancel();
      case ClientMessage::Type::Start: return;
    }
  } catch (const ApiError& e) {
    send_error(e);
  }
}

void SpeechSocket::start(const ClientMessage& m) {
  if (run_) throw bad_request("a session is already running on this socket", "type", "session_active");
  if (m.sample_rate != 0 && m.sample_rate != s_.sample_rate)
    throw bad_request("sample_rate " + std::to_string(m.sample_rate) + " is not served: the audio is " +
                          std::to_string(s_.sample_rate) + " Hz",
                      "sample_rate", "unsupported_value");
  try {
    run_ = s_.start(m);
  } catch (const Error& e) {
    throw from_core_error(e, s_.draining && s_.draining());
  }
  text_chars_ = text_characters(m.text);
  if (!m.text.empty()) first_text_ = Clock::now();
  send({{"type", "session.started"},
        {"stream_id", run_->live->id()},
        {"request_id", s_.request_id},
        {"sample_rate", run_->sample_rate},
        {"response_format", to_string(m.start.format)},
        {"sampling", sampling_json(run_->stream->sampling())}});
}

void SpeechSocket::end_text() {
  if (text_ended_ || !run_) return;
  text_ended_ = true;
  run_->stream->end_text();
}

SocketSession::Step SpeechSocket::poll(std::vector<Message>& out, std::string& reason) {
  if (run_ && !finished_) {
    // A draining server, or a client silent too long, ends the text: what was sent is still spoken.
    if (!text_ended_ && ((s_.draining && s_.draining()) || Clock::now() - last_message_ > s_.idle)) {
      send_error(bad_request(s_.draining && s_.draining() ? "the server is shutting down: the text ends here"
                                                          : "no message for too long: the text ends here",
                             "", s_.draining && s_.draining() ? "server_draining" : "idle_timeout"));
      end_text();
    }
    for (int i = 0; i < 64 && !finished_; ++i) {  // a bounded batch per poll
      AudioChunk chunk;
      std::optional<ApiError> failed;
      Stream::Poll p = Stream::Poll::Timeout;
      try {
        p = run_->stream->next(chunk, std::chrono::milliseconds(0));
      } catch (const Error& e) {
        failed = from_core_error(e);
        p = Stream::Poll::Ended;
      }
      if (p == Stream::Poll::Chunk) take_chunk(chunk);
      else if (p == Stream::Poll::Ended) finish(failed);
      else break;
    }
  }
  for (auto& m : outbox_) out.push_back(std::move(m));
  outbox_.clear();
  reason = close_reason_;
  return closing_ ? Step::Close : Step::Open;
}

void SpeechSocket::take_chunk(AudioChunk& chunk) {
  const auto pieces = chunk.piece >= pieces_started_ ? run_->stream->pieces() : std::vector<std::string>{};
  for (; pieces_started_ <= chunk.piece && pieces_started_ < static_cast<int>(pieces.size()); ++pieces_started_)
    send({{"type", "piece.started"}, {"piece", pieces_started_}, {"text", pieces[static_cast<size_t>(pieces_started_)]}});
  frames_ += static_cast<int64_t>(chunk.codes.size());
  if (!chunk.samples.empty()) {
    if (first_audio_ms_ < 0 && first_text_) first_audio_ms_ = ms_since(*first_text_);
    std::string bytes = run_->encoder->encode(chunk.samples.data(), chunk.samples.size());
    json event = chunk_json(chunk, s_.scheduler->stats(), run_->stream->queued_ms(), false);
    event["type"] = "audio.chunk";
    event["piece"] = chunk.piece;
    event["samples"] = chunk.samples.size();
    event["bytes"] = bytes.size();
    event["stream_id"] = run_->live->id();
    send(std::move(event));
    if (!bytes.empty()) outbox_.push_back({true, std::move(bytes)});
  }
  if (chunk.piece_end || chunk.last)
    send({{"type", "piece.done"}, {"piece", chunk.piece}});
}

void SpeechSocket::finish(const std::optional<ApiError>& failed) {
  finished_ = true;
  closing_ = true;
  const StreamSummary summary = run_->stream->summary();
  const std::string stop = failed ? "failed" : to_string(summary.stop);
  if (failed) send_error(*failed);
  if (std::string tail = run_->encoder->finish(); !tail.empty()) outbox_.push_back({true, std::move(tail)});
  if (s_.metrics)
    s_.metrics->stream_done(summary.audio_ms > 0 && first_text_ ? ms_since(*first_text_) / summary.audio_ms : 0,
                            first_audio_ms_ / 1000.0, summary.audio_ms / 1000.0, stop);
  json done = {{"type", "session.done"},
               {"stop", stop},
               {"frames", frames_},
               {"audio_ms", summary.audio_ms},
               {"pieces", run_->stream->pieces().size()},
               {"first_audio_ms", first_audio_ms_},
               {"queued_ms", run_->stream->queued_ms()},
               {"usage", {{"input_characters", text_chars_}, {"output_frames", frames_}}},
               {"stream_id", run_->live->id()}};
  done.update(sampling_json(run_->stream->sampling()));
  send(std::move(done));
  close_reason_ = "session done";
}

void SpeechSocket::client_lost() {
  if (run_ && !finished_) {
    run_->stream->cancel();
    if (s_.metrics) s_.metrics->disconnect();
  }
  finished_ = true;
  closing_ = true;
}

}  // namespace csm::serve
