#include "support/process.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support/fixtures.h"

namespace csm::test {

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Bounded in time too: a BLAS that retries a failed allocation forever (OpenBLAS)
// must fail the run (exit 124), not hang the suite.
ProcessResult run_with_memory_cap(int mib, const std::string& command, int timeout_s) {
  return run_process("bash -c " + shell_quote("ulimit -d " + std::to_string(mib * 1024) + "; exec timeout -k 5 " +
                                              std::to_string(timeout_s) + " " + command));
}

// Bisection in 25 MiB steps. Under very small caps OpenBLAS hangs while the program
// loads (before main), so a probe that does not finish in a minute did not fit.
int least_memory_cap(const std::string& command) {
  const auto fits = [&](int mib) { return run_with_memory_cap(mib, command, 60).exit_code == 0; };
  int lo = 150, hi = 1500;  // in MiB: lo assumed too small, hi must fit
  if (!fits(hi)) return 0;
  while (hi - lo > 25) {
    const int mid = lo + (hi - lo) / 50 * 25;
    (fits(mid) ? hi : lo) = mid;
  }
  return hi;
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

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& argv) {
  int fds[2];
  if (pipe(fds) != 0) return;
  pid_ = fork();
  if (pid_ == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(fds[1]);
  out_ = fds[0];
}

BackgroundProcess::~BackgroundProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }
  if (out_ >= 0) close(out_);
}

std::string BackgroundProcess::first_line() {
  std::string line;
  char c;
  while (out_ >= 0 && read(out_, &c, 1) == 1 && c != '\n') line.push_back(c);
  return line;
}

}  // namespace csm::test
