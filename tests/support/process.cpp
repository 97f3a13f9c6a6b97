#include "support/process.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#include <sys/wait.h>

#include "support/fixtures.h"

namespace csm::test {

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string tool(const std::string& name) { return std::string(CSM_BIN_DIR) + "/" + name; }

ProcessResult run_process(const std::string& command, const std::string& input) {
  const std::string dir = temp_dir("proc");
  const std::string in_path = dir + "/stdin", out_path = dir + "/stdout", err_path = dir + "/stderr";
  std::ofstream(in_path, std::ios::binary) << input;
  const std::string line = command + " <" + shell_quote(in_path) + " >" + shell_quote(out_path) + " 2>" +
                           shell_quote(err_path);
  const int status = std::system(line.c_str());
  ProcessResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  auto slurp = [](const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  };
  result.out = slurp(out_path);
  result.err = slurp(err_path);
  return result;
}

}  // namespace csm::test
