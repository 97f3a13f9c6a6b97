// Fuzzes audio file reading (libsndfile formats, mixdown, resampling, checks).
#include "csm/audio_file.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = csm::fuzz::write_input(data, size, ".wav");
  return csm::fuzz::guarded([&] {
    csm::AudioReadOptions options;
    options.max_seconds = 30;  // keep each run quick; the limit itself is what is tested
    (void)csm::read_audio_mono(path, options);
  });
}
