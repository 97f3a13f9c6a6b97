#pragma once
// The scheduler's audio side: frames in, chunks of audio out, for every slot at once.
// The model thread hands it each frame's events (a stream begins in a slot, a slot's
// new frame, a stream ends); it keeps each slot's frames not yet decoded, decodes the
// frames of every slot that needs it in one batched Mimi call per frame count (all
// slots' Mimi states live in one batched state, on the model's device), cuts them into
// the stream's chunks with their metrics and ends the stream after its last chunk.
//
// On CUDA it works on its own thread (and CUDA stream), so the model thread generates
// frame t+1 while frame t is decoded. On the CPU it runs inline on the model thread:
// a second thread would start a second OpenMP team on the same cores, and libgomp
// sleeps between parallel regions once teams outnumber the cores.
//
// A slot's frames are decoded once it holds frame_batch_size of them, when its chunk
// is complete, or when its stream ends. A decode that fails (out of memory) ends the
// streams it was for: what was decoded before goes out, the frames still undecoded
// are decoded alone into the last chunk (or it stays empty), then the error; the
// model thread sees the stream ended and frees its slot.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "codec/mimi_codec.h"
#include "csm/stream.h"
#include "generate/engine_parts.h"
#include "generate/stream_channel.h"

namespace csm {

struct AudioEvent {
  enum class Kind { Begin, Frame, PieceEnd, End };
  Kind kind = Kind::Frame;
  int64_t slot = 0;
  std::shared_ptr<StreamChannel> channel;  // Begin: the stream now in the slot
  std::vector<int32_t> codes;              // Frame
  float entropy = 0;                       // Frame: codebook 0's entropy
  double frame_ms = 0;                     // Frame: its generation time (shared by the batch)
  SamplingParams sampling;                 // Frame: what it was drawn with
  int piece = 0;                           // Frame: the piece of the text it speaks
  double frames_per_s = 0;                 // Frame: every stream together, lately
  StopReason stop = StopReason::Running;   // End
  std::exception_ptr error;                // End: with stop Failed
};
using AudioWork = std::vector<AudioEvent>;

class AudioDecoder {
 public:
  // `hint`: what a failure's message tells the user to lower.
  AudioDecoder(std::shared_ptr<const EngineParts> parts, int64_t slots, bool own_thread, std::string hint);
  ~AudioDecoder();  // finishes what was handed over, then stops

  // Hands over one frame's events, in order. Inline: done when this returns.
  void submit(AudioWork work);
  // Waits until everything handed over is done (own thread; inline: at once).
  void wait_idle();

 private:
  struct Slot {
    std::shared_ptr<StreamChannel> channel;  // null: free
    std::vector<std::vector<int32_t>> undecoded;
    std::vector<float> undecoded_entropy;
    int64_t depth = 0;          // codebooks the stream generates (Mimi decodes as many)
    AudioChunk chunk;           // decoded, not yet handed out
    int64_t frames_made = 0;    // frames of the stream given to this slot so far
    int64_t chunks = 0;
    double generate_ms = 0, decode_ms = 0, first_audio_ms = -1, frames_per_s = 0;
    SamplingParams sampling;
    std::chrono::steady_clock::time_point started;
    StreamSummary summary;
    bool ending = false;
    bool piece_ending = false;  // its piece is over: what is left of it goes out now
    int piece = 0;              // the piece the frames in `chunk` and `undecoded` speak
    StopReason stop = StopReason::Running;
    std::exception_ptr error;
  };

  void run();
  void process(AudioWork& work);
  void apply(AudioEvent& event);
  void decode_due();
  void decode_group(const std::vector<int64_t>& slots, int64_t frames);  // fails the slots on failure
  void decode(const std::vector<int64_t>& slots, int64_t frames);        // throws
  void fail_slot(int64_t slot, std::exception_ptr error);
  void hand_out(int64_t slot, bool last, bool piece_end = false);
  void end(int64_t slot);
  bool due(const Slot& s) const;
  int64_t chunk_target(const Slot& s) const;

  const std::shared_ptr<const EngineParts> parts_;
  const MimiCodec& mimi_;
  const std::string hint_;
  std::vector<Slot> slots_;
  MimiDecoderState state_;  // one row per slot
  // Own thread only:
  const bool own_thread_;
  std::mutex mutex_;
  std::condition_variable cv_, idle_cv_;
  std::deque<AudioWork> queue_;
  bool busy_ = false, stopping_ = false;
  std::thread thread_;
};

}  // namespace csm
