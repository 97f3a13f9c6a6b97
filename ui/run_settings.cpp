#include "run_settings.h"

csm::StreamingConfig RunSettings::toConfig() const {
  csm::StreamingConfig c;
  c.chunk_size_ms = chunk_ms;
  c.first_chunk_ms = std::min(first_chunk_ms, chunk_ms);
  c.frame_batch_size = frame_batch;
  c.sampling.temperature = static_cast<float>(temperature);
  c.sampling.top_k = top_k;
  c.sampling.seed = static_cast<uint64_t>(seed);
  c.max_audio_ms = max_audio_ms;
  c.rtf_target = rtf_target;
  return c;
}

QJsonObject RunSettings::toJson() const {
  return {{"chunk_ms", chunk_ms},         {"first_chunk_ms", first_chunk_ms}, {"frame_batch", frame_batch},
          {"stream_batch", stream_batch}, {"temperature", temperature},       {"top_k", top_k},
          {"seed", seed},                 {"max_audio_ms", max_audio_ms},     {"rtf_target", rtf_target}};
}

RunSettings RunSettings::fromJson(const QJsonObject& j) {
  RunSettings s;
  s.chunk_ms = j.value("chunk_ms").toInt(s.chunk_ms);
  s.first_chunk_ms = j.value("first_chunk_ms").toInt(s.first_chunk_ms);
  s.frame_batch = j.value("frame_batch").toInt(s.frame_batch);
  s.stream_batch = j.value("stream_batch").toInt(s.stream_batch);
  s.temperature = j.value("temperature").toDouble(s.temperature);
  s.top_k = j.value("top_k").toInt(j.value("topk").toInt(s.top_k));
  s.seed = j.value("seed").toInt(s.seed);
  s.max_audio_ms = j.value("max_audio_ms").toInt(s.max_audio_ms);
  s.rtf_target = j.value("rtf_target").toDouble(s.rtf_target);
  return s;
}
