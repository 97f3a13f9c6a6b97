#pragma once
// Running the built command-line tools from tests.
#include <string>
#include <vector>

namespace csm::test {

struct ProcessResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs `command` (a shell line) with `input` on stdin.
ProcessResult run_process(const std::string& command, const std::string& input = "");
// Absolute path of a built tool, e.g. tool("csm-tokenize").
std::string tool(const std::string& name);
std::string shell_quote(const std::string& s);

// Runs `command` (a shell line) with its data segment capped at `mib` MiB, so
// that memory really runs out (ulimit -d; meaningless under the sanitizers).
ProcessResult run_with_memory_cap(int mib, const std::string& command, int timeout_s = 180);
// The least cap, in 25 MiB steps up to 1.5 GiB, under which `command` succeeds on
// this machine (libraries and thread counts differ); 0 when none does.
int least_memory_cap(const std::string& command);

// A program running beside the test (a fake server); killed when this goes away.
class BackgroundProcess {
 public:
  explicit BackgroundProcess(const std::vector<std::string>& argv);
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;
  std::string first_line();  // of its stdout (waits for it)
  int pid() const { return pid_; }

 private:
  int pid_ = -1;
  int out_ = -1;
};

}  // namespace csm::test
