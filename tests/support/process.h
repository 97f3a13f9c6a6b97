#pragma once
// Running the built command-line tools from tests.
#include <string>

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

}  // namespace csm::test
