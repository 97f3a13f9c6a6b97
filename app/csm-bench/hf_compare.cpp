#include "csm-bench/hf_compare.h"

#include <ATen/Parallel.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <vector>

#include "csm-bench/model_bench.h"
#include "csm/error.h"

namespace csm::bench {
namespace fs = std::filesystem;
namespace {

constexpr uintmax_t kMinFreeBytesFull = 8ull * 1000 * 1000 * 1000;  // fp32 CSM-1B is about 6.2 GB

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// Checkouts to look in: the one above build/bin/csm-bench, then the working directory.
std::vector<fs::path> repo_candidates() {
  std::vector<fs::path> roots;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) roots.push_back(exe.parent_path().parent_path().parent_path());
  roots.push_back(fs::current_path(ec));
  return roots;
}

std::string find_tool(const std::string& given) {
  if (!given.empty()) return given;
  for (const auto& root : repo_candidates())
    if (fs::is_regular_file(root / "tools/hf_cpu_bench.py")) return (root / "tools/hf_cpu_bench.py").string();
  throw Error(ErrorCode::Io, "csm-bench --compare-hf: cannot find tools/hf_cpu_bench.py",
              "run from the checkout, or pass --hf-tool PATH");
}

std::string find_python(const std::string& given, const std::string& tool) {
  if (!given.empty()) return given;
  if (const char* env = std::getenv("CSM_TORCH_PYTHON"); env && *env) return env;
  const fs::path venv = fs::path(tool).parent_path().parent_path() / ".venv-torch/bin/python";
  if (fs::exists(venv)) return venv.string();
  return "python3";
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  if (!(in >> a >> b >> c)) return "unknown";
  return a + " " + b + " " + c;
}

struct TempDir {
  fs::path path;
  TempDir() {
    std::string templ = (fs::temp_directory_path() / "csm-compare-hf-XXXXXX").string();
    if (!mkdtemp(templ.data())) throw Error(ErrorCode::Io, "cannot make a temporary folder under " + templ);
    path = templ;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

// Runs the command; stdout is returned, stderr goes through. Throws on a failed exit.
std::string run_capture(const std::string& cmd, int* status_out) {
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) throw Error(ErrorCode::Io, "cannot run " + cmd);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  const int status = pclose(pipe);
  *status_out = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  return out;
}

}  // namespace

nlohmann::json hf_compare_report(const HfCompareOptions& o) {
  if (o.frames < 2) throw Error(ErrorCode::InvalidArgument, "csm-bench --compare-hf: --frames must be >= 2");
  const std::string tool = find_tool(o.tool);
  const std::string python = find_python(o.python, tool);
  // Both sides on every core this process may use: torch.set_num_threads(n) there, at::set_num_threads(n) here.
  cpu_set_t set;
  const int cores = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 0;
  at::set_num_threads(std::max(1, cores > 0 ? cores : static_cast<int>(std::thread::hardware_concurrency())));
  const int threads = at::get_num_threads();
  TempDir dir;
  const auto space = fs::space(dir.path);
  if (!o.tiny && space.available < kMinFreeBytesFull)
    throw Error(ErrorCode::Io,
                "csm-bench --compare-hf: " + std::to_string(space.available / 1000000) + " MB free under " +
                    dir.path.string() + "; fp32 CSM-1B needs about 6.2 GB (8 GB asked for)",
                "set TMPDIR to a folder with more room");

  // 1. HF transformers: builds, saves to dir, times eager generate().
  const std::string cmd = shell_quote(python) + " " + shell_quote(tool) + " --save " + shell_quote(dir.path.string()) +
                          " --frames " + std::to_string(o.frames) + " --threads " + std::to_string(threads) +
                          (o.tiny ? " --tiny" : "");
  std::fprintf(stderr, "csm-bench: %s\n", cmd.c_str());
  int status = 0;
  const std::string out = run_capture(cmd, &status);
  if (status == 3)
    throw Error(ErrorCode::InvalidArgument, "csm-bench --compare-hf: transformers is not installed for " + python,
                python + " -m pip install transformers==5.17.0");
  if (status != 0)
    throw Error(ErrorCode::Internal, "csm-bench --compare-hf: " + tool + " exited with status " + std::to_string(status));
  nlohmann::json hf;
  {
    const auto start = out.rfind("\n{");
    const std::string last = out.substr(start == std::string::npos ? 0 : start + 1);
    hf = nlohmann::json::parse(last, nullptr, false);
    if (hf.is_discarded() || !hf.contains("ms_per_frame"))
      throw Error(ErrorCode::Internal, "csm-bench --compare-hf: no JSON result from " + tool + ":\n" + out);
  }

  // 2. Ours on the same folder, in this process, with the same thread count.
  ModelBenchOptions mo;
  mo.model = dir.path.string();
  mo.device = "cpu";
  mo.dtype = "float32";
  mo.frames = o.frames;
  mo.warmup_frames = 1;  // the first frame pays the prefill, as HF's difference leaves it out
  mo.census_batches.clear();
  nlohmann::json ours = model_report(mo);

  const double ours_ms = ours["ms_per_frame"].get<double>();
  const double hf_ms = hf["ms_per_frame"].get<double>();
  const double speedup = ours_ms > 0 ? hf_ms / ours_ms : 0.0;
  return {{"config", o.tiny ? "tiny (2 layers, dim 64), random weights" : "csm-1b, random weights"},
          {"dtype", "float32"},
          {"device", "cpu"},
          {"threads", threads},
          {"frames", o.frames},
          {"load_average", load_average()},
          {"ours_ms_per_frame", ours_ms},
          {"hf_ms_per_frame", hf_ms},
          {"speedup", speedup},
          {"goal_speedup", o.goal},
          {"goal_met", speedup >= o.goal},
          {"method",
           "ours: mean of --frames frames after one warm-up frame (prefill) in csm::Model; HF: eager generate() "
           "(dynamic cache, no compile), (generate(N) - generate(1)) / (N - 1) frames, prefill excluded; same "
           "weights, 30-id prompt, top-k 50 / temperature 0.9 sampling"},
          {"ours", ours},
          {"hf", hf}};
}

std::string hf_compare_table(const nlohmann::json& r) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(1);
  s << "CSM on the CPU (" << r["config"].get<std::string>() << ", fp32, " << r["threads"].get<int>()
    << " threads, load average " << r["load_average"].get<std::string>() << ")\n";
  s << std::left << std::setw(34) << "" << std::right << std::setw(12) << "ms/frame" << std::setw(10) << "RTF" << "\n";
  const auto row = [&](const std::string& name, double ms) {
    s << std::left << std::setw(34) << name << std::right << std::setw(12) << ms << std::setw(10)
      << std::setprecision(2) << ms / 80.0 << std::setprecision(1) << "\n";
  };
  row("csm-studio (csm::Model)", r["ours_ms_per_frame"].get<double>());
  row("HF transformers " + r["hf"].value("transformers", std::string("?")) + " eager", r["hf_ms_per_frame"].get<double>());
  s << std::setprecision(2) << "speedup (HF / ours): " << r["speedup"].get<double>() << "x   goal >= "
    << r["goal_speedup"].get<double>() << "x: " << (r["goal_met"].get<bool>() ? "met" : "NOT met") << "\n";
  return s.str();
}

}  // namespace csm::bench
