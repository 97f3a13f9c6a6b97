#pragma once
// Watches the LibTorch operators this thread runs (a RecordFunction observer), to
// prove a frame capturable: how many operators it launches, whether any of them
// makes the host wait for the device, and whether two frames run the same sequence
// of operators on the same shapes; and which of them launch device work (kernels),
// by part of the frame.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace csm {

class OpCensus {
 public:
  struct Record {
    std::vector<std::string> ops;         // "name(shape,shape,...)" in launch order
    std::vector<std::string> host_syncs;  // operators that read device values on the host
    // Leaf operators (no operator inside them) that write memory: what a GPU launches
    // a kernel for. Views, reshapes without a copy, allocations and other metadata
    // operators are not counted. By the part of the frame they ran in (see Part).
    std::map<std::string, int64_t> kernels_by_part;
    std::map<std::string, int64_t> kernels_by_op;  // the same kernels by operator name
    int64_t kernels() const;
  };
  // While one lives, the operators this thread runs count toward `name` (innermost wins).
  class Part {
   public:
    explicit Part(const char* name);
    ~Part();
    Part(const Part&) = delete;
    Part& operator=(const Part&) = delete;

   private:
    const char* previous_;
  };
  OpCensus();   // starts watching this thread
  ~OpCensus();  // stops
  OpCensus(const OpCensus&) = delete;
  OpCensus& operator=(const OpCensus&) = delete;
  void begin();       // starts a new record
  Record end();       // the operators since begin()

  static OpCensus* active();  // the census watching this thread, if any
  void observe(const std::string& name, const std::string& op, bool host_sync);  // an operator starts
  void leave(bool launches);                                                      // the innermost one ends

 private:
  uint64_t handle_ = 0;
  bool recording_ = false;
  Record current_;
  struct Open {
    std::string name;
    bool has_inner = false;  // whether an operator started inside it
  };
  std::vector<Open> open_;  // the operators still running, outermost first
};
}  // namespace csm
