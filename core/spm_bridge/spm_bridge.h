#pragma once
// C interface of the SentencePiece bridge library. Debian's libsentencepiece
// carries its own copy of protobuf-lite, which clashes with the libprotobuf
// that LibTorch loads; the bridge is therefore loaded privately with dlopen
// (RTLD_LOCAL | RTLD_DEEPBIND) and used only through these functions.
#include <cstddef>
#include <cstdint>

extern "C" {
typedef struct csm_spm csm_spm;
// Returns null on failure and writes a message into `error` (at most error_size bytes).
csm_spm* csm_spm_load(const char* path, char* error, size_t error_size);
void csm_spm_free(csm_spm* spm);
// Writes up to `capacity` ids; returns the total count, or -1 on failure.
int64_t csm_spm_encode(const csm_spm* spm, const char* text, size_t size, int32_t* ids, int64_t capacity);
// Writes up to `capacity` bytes of text; returns the total length, or -1 on failure.
int64_t csm_spm_decode(const csm_spm* spm, const int32_t* ids, int64_t count, char* text, int64_t capacity);
int64_t csm_spm_piece(const csm_spm* spm, int32_t id, char* text, int64_t capacity);
int32_t csm_spm_bos(const csm_spm* spm);
int32_t csm_spm_eos(const csm_spm* spm);
int32_t csm_spm_size(const csm_spm* spm);
}
