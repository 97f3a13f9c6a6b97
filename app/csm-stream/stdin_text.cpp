#include "csm-stream/stdin_text.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace csm::cli {

StdinTextPump::StdinTextPump(Stream& stream) : stream_(stream), thread_([this] { pump(); }) {}

StdinTextPump::~StdinTextPump() {
  stop_ = true;
  thread_.join();
}

// Whatever arrives goes on at once, without waiting for a line: the stream cuts it
// into pieces at sentence ends itself. A UTF-8 character split across two reads is
// held back until it is whole, so no fragment ends mid-character.
void StdinTextPump::pump() {
  std::string pending;
  char buffer[4096];
  while (!stop_) {
    pollfd in{STDIN_FILENO, POLLIN, 0};
    const int ready = ::poll(&in, 1, 100);  // wakes up to see stop_
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) continue;
    const ssize_t n = ready > 0 ? ::read(STDIN_FILENO, buffer, sizeof buffer) : -1;
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // end of input (or it cannot be read): the text is complete
    pending.append(buffer, static_cast<size_t>(n));
    size_t whole = pending.size();
    for (size_t back = 1; back <= 3 && back <= pending.size(); ++back) {
      const auto c = static_cast<unsigned char>(pending[pending.size() - back]);
      if ((c & 0xC0) == 0x80) continue;  // a continuation byte: look further back
      const size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
      if (need > back) whole = pending.size() - back;
      break;
    }
    stream_.append_text(pending.substr(0, whole));
    pending.erase(0, whole);
  }
  if (!pending.empty()) stream_.append_text(pending);
  stream_.end_text();
}

}  // namespace csm::cli
