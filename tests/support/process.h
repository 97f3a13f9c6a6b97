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
