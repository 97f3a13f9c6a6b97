#include "run_settings.h"

csm::SamplingParams RunSettings::sampling() const {
  csm::SamplingParams s;
  s.temperature = static_cast<float>(temperature);
  s.top_k = top_k;
  s.top_p = static_cast<float>(top_p);
  s.depth_temperature = static_cast<float>(depth_temperature);
  s.depth_top_k = depth_top_k;
  s.depth_top_p = static_cast<float>(depth_top_p);
  s.seed = static_cast<uint64_t>(seed);
  return s;
}

csm::StreamingConfig RunSettings::toConfig() const {
  csm::StreamingConfig c;
  c.chunk_size_ms = chunk_ms;
  c.first_chunk_ms = std::min(first_chunk_ms, chunk_ms);
  c.frame_batch_size = frame_batch;
  c.sampling = sampling();
  c.max_audio_ms = max_audio_ms;
  c.codebooks = codebooks;
  c.codebook_fill = codebook_fill == "pad" ? csm::CodebookFill::Pad : csm::CodebookFill::Mask;
  c.length_guard = length_guard;
  c.rtf_target = rtf_target;
  return c;
}

QJsonObject RunSettings::toJson() const {
  return {{"chunk_ms", chunk_ms},
          {"first_chunk_ms", first_chunk_ms},
          {"frame_batch", frame_batch},
          {"stream_batch", stream_batch},
          {"temperature", temperature},
          {"top_k", top_k},
          {"top_p", top_p},
          {"depth_temperature", depth_temperature},
          {"depth_top_k", depth_top_k},
          {"depth_top_p", depth_top_p},
          {"seed", seed},
          {"max_audio_ms", max_audio_ms},
          {"codebooks", codebooks},
          {"codebook_fill", codebook_fill},
          {"length_guard", length_guard},
          {"rtf_target", rtf_target}};
}

RunSettings RunSettings::fromJson(const QJsonObject& j) {
  RunSettings s;
  s.chunk_ms = j.value("chunk_ms").toInt(s.chunk_ms);
  s.first_chunk_ms = j.value("first_chunk_ms").toInt(s.first_chunk_ms);
  s.frame_batch = j.value("frame_batch").toInt(s.frame_batch);
  s.stream_batch = j.value("stream_batch").toInt(s.stream_batch);
  s.temperature = j.value("temperature").toDouble(s.temperature);
  s.top_k = j.value("top_k").toInt(j.value("topk").toInt(s.top_k));
  s.top_p = j.value("top_p").toDouble(s.top_p);
  s.depth_temperature = j.value("depth_temperature").toDouble(s.depth_temperature);
  s.depth_top_k = j.value("depth_top_k").toInt(s.depth_top_k);
  s.depth_top_p = j.value("depth_top_p").toDouble(s.depth_top_p);
  s.seed = j.value("seed").toInt(s.seed);
  s.max_audio_ms = j.value("max_audio_ms").toInt(s.max_audio_ms);
  s.codebooks = j.value("codebooks").toInt(s.codebooks);
  s.codebook_fill = j.value("codebook_fill").toString(s.codebook_fill) == "pad" ? "pad" : "mask";
  s.length_guard = j.value("length_guard").toDouble(s.length_guard);
  s.rtf_target = j.value("rtf_target").toDouble(s.rtf_target);
  return s;
}
