#pragma once
// --text-stdin-stream: standard input is read as it arrives (an LLM's reply piped in)
// and handed to a stream whose text is streamed; end of input ends the text.
#include <atomic>
#include <thread>

#include "csm/stream.h"

namespace csm::cli {

class StdinTextPump {
 public:
  explicit StdinTextPump(Stream& stream);
  ~StdinTextPump();  // stops reading (within 100 ms) and joins
  StdinTextPump(const StdinTextPump&) = delete;
  StdinTextPump& operator=(const StdinTextPump&) = delete;

 private:
  void pump();
  Stream& stream_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace csm::cli
