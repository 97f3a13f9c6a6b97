#pragma once
// Watches the LibTorch operators this thread runs (a RecordFunction observer), to
// prove a frame capturable: how many operators it launches, whether any of them
// makes the host wait for the device, and whether two frames run the same sequence
// of operators on the same shapes.
#include <cstdint>
#include <string>
#include <vector>

namespace csm {

class OpCensus {
 public:
  struct Record {
    std::vector<std::string> ops;         // "name(shape,shape,...)" in launch order
    std::vector<std::string> host_syncs;  // operators that read device values on the host
  };
  OpCensus();   // starts watching this thread
  ~OpCensus();  // stops
  OpCensus(const OpCensus&) = delete;
  OpCensus& operator=(const OpCensus&) = delete;
  void begin();       // starts a new record
  Record end();       // the operators since begin()

  static OpCensus* active();  // the census watching this thread, if any
  void observe(const std::string& op, bool host_sync);

 private:
  uint64_t handle_ = 0;
  bool recording_ = false;
  Record current_;
};

}  // namespace csm
