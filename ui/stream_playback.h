#pragma once
// Streams generated at once play one after another: the first live as it
// arrives, each next one held until the one before it has ended.
#include <map>
#include <vector>

class AudioRing;

class StreamPlayback {
 public:
  StreamPlayback(AudioRing* ring, int streams) : ring_(ring), streams_(streams) {}
  void add(int stream, const float* samples, int count, bool last);

 private:
  void play(const std::vector<float>& samples);
  AudioRing* ring_;
  int streams_, playing_ = 0;
  std::map<int, std::vector<float>> held_;
  std::map<int, bool> ended_;
};
