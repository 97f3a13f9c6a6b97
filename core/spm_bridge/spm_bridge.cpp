#include "spm_bridge.h"

#include <cstring>
#include <memory>
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

// Nothing may unwind through this C interface: every failure becomes a message.
csm_spm* csm_spm_load(const char* path, char* error, size_t error_size) {
  std::string message;
  try {
    auto spm = std::make_unique<csm_spm>();
    const auto status = spm->processor.Load(path);
    if (status.ok()) return spm.release();
    message = status.ToString();
  } catch (const std::exception& e) {
    message = e.what();
  } catch (...) {
    message = "unknown failure inside SentencePiece";
  }
  if (error && error_size) {
    std::strncpy(error, message.c_str(), error_size - 1);
    error[error_size - 1] = '\0';
  }
  return nullptr;
}

void csm_spm_free(csm_spm* spm) { delete spm; }

int64_t csm_spm_encode(const csm_spm* spm, const char* text, size_t size, int32_t* ids, int64_t capacity) try {
  std::vector<int> out;
  if (!spm->processor.Encode(std::string_view(text, size), &out).ok()) return -1;
  for (int64_t i = 0; i < capacity && i < static_cast<int64_t>(out.size()); ++i) ids[i] = out[i];
  return static_cast<int64_t>(out.size());
} catch (...) {
  return -1;
}

int64_t csm_spm_decode(const csm_spm* spm, const int32_t* ids, int64_t count, char* text, int64_t capacity) try {
  std::string out;
  if (!spm->processor.Decode(std::vector<int>(ids, ids + count), &out).ok()) return -1;
  return copy_out(out, text, capacity);
} catch (...) {
  return -1;
}

int64_t csm_spm_piece(const csm_spm* spm, int32_t id, char* text, int64_t capacity) {
  return copy_out(spm->processor.IdToPiece(id), text, capacity);
}

int32_t csm_spm_bos(const csm_spm* spm) { return spm->processor.bos_id(); }
int32_t csm_spm_eos(const csm_spm* spm) { return spm->processor.eos_id(); }
int32_t csm_spm_size(const csm_spm* spm) { return spm->processor.GetPieceSize(); }
}
