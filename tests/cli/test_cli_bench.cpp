// csm-bench driven as a user drives it: --info, --tokenizer, --model, --benchmark.
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/fixtures.h"
#include "support/process.h"

namespace {

using csm::test::run_process;
using csm::test::shell_quote;
using csm::test::tool;

TEST(CliBench, ReportsTokenizerFigures) {
  CSM_REQUIRE_FIXTURE(tokenizer, "llama3/tokenizer.json");
  const auto r = run_process(tool("csm-bench") + " --json --tokenizer " + shell_quote(tokenizer));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto report = nlohmann::json::parse(r.out);
  EXPECT_GT(report.at("load_ms").get<double>(), 0.0);
  EXPECT_GT(report.at("encode_tokens_per_s").get<double>(), 0.0);
  EXPECT_EQ(report.at("vocab_size").get<int>(), 128256);
}

TEST(CliBench, InfoReportsTheMachine) {
  const auto r = run_process(tool("csm-bench") + " --info --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto report = nlohmann::json::parse(r.out);
  EXPECT_GT(report.at("cpu_cores").get<int>(), 0);
  EXPECT_FALSE(report.at("libtorch").get<std::string>().empty());
}

}  // namespace

namespace {

TEST(CliBench, TimesFramesOnAModelFolder) {
  CSM_REQUIRE_FIXTURE(dir, "tiny-a/hf");
  const auto r = csm::test::run_process(csm::test::tool("csm-bench") + " --json --frames 2 --model " +
                                        csm::test::shell_quote(dir));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto report = nlohmann::json::parse(r.out);
  EXPECT_EQ(report.at("frames_timed").get<int>(), 2);
  EXPECT_GT(report.at("ms_per_frame").get<double>(), 0.0);
  EXPECT_GT(report.at("memory_read_gb_per_s").get<double>(), 0.1);
  EXPECT_GT(report.at("bandwidth_floor_ms_per_frame").get<double>(), 0.0);
  EXPECT_NEAR(report.at("rtf").get<double>(), report.at("ms_per_frame").get<double>() / 80.0, 1e-9);
  const auto bad = csm::test::run_process(csm::test::tool("csm-bench") + " --model random:tiny");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("random:csm-1b"), std::string::npos) << bad.err;
}

}  // namespace

namespace {

TEST(CliBench, BenchmarkSweepsAndRecommends) {
  const std::string dir = csm::test::temp_dir("sweep");
  const auto r = csm::test::run_process(csm::test::tool("csm-bench") +
                                        " --benchmark --bench-frames 4 --chunk-sizes 80,160 --frame-batches 1,2"
                                        " --stream-batches 1,2 --rtf-target 100 --json-out " + dir + "/b.json --csv-out " +
                                        dir + "/b.csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Recommended"), std::string::npos) << r.out;
  const auto report = csm::test::read_json(dir + "/b.json");
  ASSERT_EQ(report.at("runs").size(), 8u);  // 2 chunk sizes x 2 frame batches x 2 stream batches
  const auto& rec = report.at("recommended");
  EXPECT_TRUE(rec.at("meets_target").get<bool>());
  // The recommendation is the lowest first-audio latency among single-stream runs meeting the target.
  double lowest = 1e18;
  for (const auto& run : report["runs"])
    if (run["stream_batch"] == 1 && run["rtf"].get<double>() <= 100) lowest = std::min(lowest, run["first_audio_ms"].get<double>());
  EXPECT_DOUBLE_EQ(rec["settings"]["first_audio_ms"].get<double>(), lowest);
  for (const auto& run : report["runs"]) {
    EXPECT_GT(run["rtf"].get<double>(), 0);
    EXPECT_GT(run["realtime_streams"].get<double>(), 0);
    EXPECT_LE(run["chunk_latency_p50_ms"].get<double>(), run["chunk_latency_p99_ms"].get<double>());
  }
  std::ifstream csv(dir + "/b.csv");
  int lines = 0;
  for (std::string line; std::getline(csv, line);) ++lines;
  EXPECT_EQ(lines, 9);
  const auto bad = csm::test::run_process(csm::test::tool("csm-bench") + " --benchmark --chunk-sizes 80,abc");
  EXPECT_EQ(bad.exit_code, 2);
}

TEST(CliBench, ABatchThatRunsOutOfMemoryIsReportedAndTheSweepGoesOn) {
#ifdef CSM_SANITIZER_BUILD
  GTEST_SKIP() << "the sanitizers' own reservations make a memory cap meaningless";
#endif
  const std::string dir = csm::test::temp_dir("sweep");
  const std::string bench = csm::test::tool("csm-bench") + " --benchmark --bench-frames 4 --chunk-sizes 160 --frame-batches 2";
  const int fits = csm::test::least_memory_cap(bench + " --stream-batches 1");
  ASSERT_GT(fits, 0) << "csm-bench never ran, even with 1.5 GiB";

  // One stream already pays for the model thread: what does not fit is many streams at once.
  const auto r = csm::test::run_with_memory_cap(fits + 40, bench + " --stream-batches 1,256,384 --json-out " + dir + "/b.json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("out of memory"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("256 stream(s) ran out of memory; larger batches are skipped"), std::string::npos) << r.err;
  const auto report = csm::test::read_json(dir + "/b.json");
  ASSERT_EQ(report.at("runs").size(), 1u);  // the single stream measured, 384 never tried
  EXPECT_EQ(report["runs"][0]["stream_batch"], 1);
  ASSERT_EQ(report.at("out_of_memory").size(), 1u);
  EXPECT_EQ(report["out_of_memory"][0]["stream_batch"], 256);
  EXPECT_NE(report["out_of_memory"][0]["error"].get<std::string>().find("out of memory while"), std::string::npos);
  EXPECT_FALSE(report["recommended"]["settings"].is_null());
}

}  // namespace
