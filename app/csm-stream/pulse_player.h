#pragma once
// Plays mono float audio on the default PulseAudio/PipeWire sink from its own
// thread, so a slow or blocking sound server never stalls generation.
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace csm::cli {

class PulsePlayer {
 public:
  // Throws csm::Error (DeviceUnavailable) when no audio server answers.
  explicit PulsePlayer(int sample_rate);
  ~PulsePlayer();
  void play(std::vector<float> samples);  // queues; returns at once
  void finish();                          // waits until everything queued was heard
  void stop();                            // drops what is queued

 private:
  void run();
  void* stream_ = nullptr;  // pa_simple*
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::vector<float>> queue_;
  bool closing_ = false, dropping_ = false;
  std::thread thread_;
};

}  // namespace csm::cli
