#include "spm_bridge.h"

#include <cstring>
#include <string>
#include <vector>

#include <sentencepiece_processor.h>

struct csm_spm {
  sentencepiece::SentencePieceProcessor processor;
};

namespace {
int64_t copy_out(const std::string& s, char* out, int64_t capacity) {
  if (out && capacity > 0) std::memcpy(out, s.data(), std::min<int64_t>(capacity, static_cast<int64_t>(s.size())));
  return static_cast<int64_t>(s.size());
}
}  // namespace

extern "C" {

csm_spm* csm_spm_load(const char* path, char* error, size_t error_size) {
  auto* spm = new csm_spm;
  const auto status = spm->processor.Load(path);
  if (status.ok()) return spm;
  if (error && error_size) {
    std::strncpy(error, status.ToString().c_str(), error_size - 1);
    error[error_size - 1] = '\0';
  }
  delete spm;
  return nullptr;
}

void csm_spm_free(csm_spm* spm) { delete spm; }

int64_t csm_spm_encode(const csm_spm* spm, const char* text, size_t size, int32_t* ids, int64_t capacity) {
  std::vector<int> out;
  if (!spm->processor.Encode(std::string_view(text, size), &out).ok()) return -1;
  for (int64_t i = 0; i < capacity && i < static_cast<int64_t>(out.size()); ++i) ids[i] = out[i];
  return static_cast<int64_t>(out.size());
}

int64_t csm_spm_decode(const csm_spm* spm, const int32_t* ids, int64_t count, char* text, int64_t capacity) {
  std::string out;
  if (!spm->processor.Decode(std::vector<int>(ids, ids + count), &out).ok()) return -1;
  return copy_out(out, text, capacity);
}

int64_t csm_spm_piece(const csm_spm* spm, int32_t id, char* text, int64_t capacity) {
  return copy_out(spm->processor.IdToPiece(id), text, capacity);
}

int32_t csm_spm_bos(const csm_spm* spm) { return spm->processor.bos_id(); }
int32_t csm_spm_eos(const csm_spm* spm) { return spm->processor.eos_id(); }
int32_t csm_spm_size(const csm_spm* spm) { return spm->processor.GetPieceSize(); }
}
