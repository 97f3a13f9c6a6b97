// Hub downloads against a loopback server that behaves like the hub: redirects,
// etags, range requests, gated repos, errors. Never the internet.
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "csm/engine.h"
#include "csm/error.h"
#include "csm/hub.h"
#include "csm/model.h"
#include "io/safetensors_file.h"
#include "support/fixtures.h"
#include "support/process.h"

namespace fs = std::filesystem;

namespace {

class Hub : public ::testing::Test {
 protected:
  void SetUp() override {
    hf_ = csm::test::fixture_path("tiny-a/hf");
    orig_ = csm::test::fixture_path("tiny-a/orig");
    if (hf_.empty() || orig_.empty()) {
      if (csm::test::fixtures_required()) FAIL() << "tiny-a fixture missing";
      GTEST_SKIP();
    }
    root_ = csm::test::temp_dir("hubroot");
    cache_ = csm::test::temp_dir("hubcache");
    add_repo("sesame--csm-1b", hf_, {"config.json", "generation_config.json", "model.safetensors", "tokenizer.json"});
    server_ = std::make_unique<csm::test::BackgroundProcess>(
        std::vector<std::string>{"python3", CSM_FAKE_HUB, "--root", root_});
    port_ = server_->first_line();
    ASSERT_FALSE(port_.empty()) << "fake hub did not start";
    options_.endpoint = "http://127.0.0.1:" + port_;
    options_.cache_dir = cache_;
  }

  void add_repo(const std::string& folder, const std::string& from, const std::vector<std::string>& files) {
    fs::create_directories(root_ + "/" + folder);
    for (const auto& f : files) fs::copy_file(from + "/" + f, root_ + "/" + folder + "/" + f);
  }
  void flag(const std::string& folder, const std::string& name) { std::ofstream(root_ + "/" + folder + "/" + name); }
  std::string log() const {
    std::ifstream in(root_ + "/requests.log");
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
  std::string error_of(const std::string& repo, csm::HubOptions options) {
    try {
      csm::download_repo(repo, options);
    } catch (const csm::Error& e) {
      return std::string(e.what()) + " | " + e.hint();
    }
    return "";
  }

  std::string hf_, orig_, root_, cache_, port_;
  std::unique_ptr<csm::test::BackgroundProcess> server_;
  csm::HubOptions options_;
};

TEST_F(Hub, DownloadsIntoTheSharedCacheLayout) {
  std::vector<int64_t> progress;
  options_.progress = [&](const csm::DownloadProgress& p) {
    if (p.file == "model.safetensors") progress.push_back(p.done);
  };
  const std::string snapshot = csm::download_repo("sesame/csm-1b", options_);
  const fs::path repo = fs::path(cache_) / "models--sesame--csm-1b";
  EXPECT_EQ(fs::path(snapshot), repo / "snapshots" / "0123456789abcdef0123456789abcdef01234567");
  std::ifstream ref(repo / "refs" / "main");
  std::string commit;
  ref >> commit;
  EXPECT_EQ(commit, "0123456789abcdef0123456789abcdef01234567");
  const fs::path link = fs::path(snapshot) / "model.safetensors";
  ASSERT_TRUE(fs::is_symlink(link));
  const auto target = fs::read_symlink(link);
  EXPECT_EQ(target.parent_path(), fs::path("../../blobs"));
  EXPECT_EQ(target.filename().string().size(), 64u) << "LFS blobs are named by their SHA-256";
  EXPECT_EQ(fs::file_size(link), fs::file_size(hf_ + "/model.safetensors"));
  EXPECT_TRUE(fs::exists(fs::path(snapshot) / "tokenizer.json"));
  ASSERT_FALSE(progress.empty());
  EXPECT_EQ(progress.back(), static_cast<int64_t>(fs::file_size(hf_ + "/model.safetensors")));

  // A second call uses the cache: no new downloads.
  const auto before = log().size();
  EXPECT_EQ(csm::download_repo("sesame/csm-1b", options_), snapshot);
  EXPECT_EQ(log().substr(before).find("/cdn/"), std::string::npos);
}

TEST_F(Hub, ModelsLoadByRepoIdAndFetchMimiWhenTheCheckpointHasNone) {
  add_repo("sesame--csm-orig", orig_, {"config.json", "model.safetensors"});
  fs::copy_file(hf_ + "/tokenizer.json", root_ + "/sesame--csm-orig/tokenizer.json");
  add_repo("kyutai--mimi", orig_, {"mimi.safetensors", "mimi_config.json"});
  setenv("HF_ENDPOINT", options_.endpoint.c_str(), 1);
  setenv("HF_HUB_CACHE", cache_.c_str(), 1);
  csm::EngineOptions engine_options;
  engine_options.model = "sesame/csm-orig";
  const auto engine = csm::Engine::load(engine_options);
  EXPECT_EQ(engine->info().model, "sesame/csm-orig");
  EXPECT_TRUE(fs::exists(fs::path(cache_) / "models--kyutai--mimi"));
  auto config = csm::StreamingConfig{};
  config.sampling.temperature = 0;
  config.max_audio_ms = 480;
  auto session = engine->start({{"Hello from the tiny model.", 0, {}}}, config);
  std::vector<std::vector<int32_t>> frames;
  while (auto chunk = session->next()) frames.insert(frames.end(), chunk->codes.begin(), chunk->codes.end());
  const auto expected = csm::SafetensorsFile(csm::test::fixture_path("tiny-a/expected/expected.safetensors"))
                            .tensor("greedy_frames");
  ASSERT_EQ(frames.size(), 6u);
  for (int64_t k = 0; k < expected.size(1); ++k) EXPECT_EQ(frames[0][k], expected[0][k].item<int64_t>());
  unsetenv("HF_ENDPOINT");
  unsetenv("HF_HUB_CACHE");
}

TEST_F(Hub, ResumesADroppedDownloadWithARangeRequest) {
  flag("sesame--csm-1b", ".drop_once");
  const std::string snapshot = csm::download_repo("sesame/csm-1b", options_);
  EXPECT_EQ(fs::file_size(fs::path(snapshot) / "model.safetensors"), fs::file_size(hf_ + "/model.safetensors"));
  EXPECT_NE(log().find("range=bytes="), std::string::npos) << "no resume request was made:\n" << log();
}

TEST_F(Hub, ACorruptBlobFailsItsChecksumAndIsNotKept) {
  flag("sesame--csm-1b", ".corrupt");
  const std::string message = error_of("sesame/csm-1b", options_);
  EXPECT_NE(message.find("SHA-256"), std::string::npos) << message;
  EXPECT_FALSE(fs::exists(fs::path(cache_) / "models--sesame--csm-1b" / "refs" / "main"));
}

TEST_F(Hub, GatedReposNeedATokenAndSayHowToGetOne) {
  flag("sesame--csm-1b", ".gated");
  const std::string message = error_of("sesame/csm-1b", options_);
  EXPECT_NE(message.find("401"), std::string::npos) << message;
  EXPECT_NE(message.find("accept its license"), std::string::npos) << message;
  options_.token = "secret-token";
  EXPECT_NO_THROW(csm::download_repo("sesame/csm-1b", options_));
  EXPECT_NE(log().find("auth=Bearer secret-token"), std::string::npos);
}

TEST_F(Hub, MissingReposNoNetworkAndOfflineModeAreClear) {
  EXPECT_NE(error_of("nobody/nothing", options_).find("404"), std::string::npos);
  csm::HubOptions unreachable = options_;
  unreachable.endpoint = "http://127.0.0.1:9";  // discard port: nothing listens
  EXPECT_NE(error_of("sesame/csm-1b", unreachable).find("cannot reach"), std::string::npos);
  csm::HubOptions offline = options_;
  offline.offline = true;
  EXPECT_NE(error_of("sesame/csm-1b", offline).find("HF_HUB_OFFLINE"), std::string::npos);
  const std::string snapshot = csm::download_repo("sesame/csm-1b", options_);
  EXPECT_EQ(csm::download_repo("sesame/csm-1b", offline), snapshot);
  EXPECT_EQ(csm::download_repo("sesame/csm-1b", unreachable), snapshot) << "a cached copy serves without network";
  EXPECT_NE(error_of("../etc", options_).find("not a Hugging Face repository id"), std::string::npos);
  EXPECT_TRUE(csm::looks_like_repo_id("sesame/csm-1b"));
  EXPECT_FALSE(csm::looks_like_repo_id("demo"));
  EXPECT_FALSE(csm::looks_like_repo_id("random:csm-1b"));
}

TEST_F(Hub, AFullDiskDuringTheDownloadSaysSo) {
  // RLIMIT_FSIZE makes the blob write fail as a full disk would; csm-stream must say so.
  const std::string cmd = "trap '' XFSZ; ulimit -f 64; HF_ENDPOINT=" + options_.endpoint + " HF_HUB_CACHE=" + cache_ +
                          " exec " + csm::test::tool("csm-stream") + " --model sesame/csm-1b --text hi --out " + cache_ +
                          "/x.wav --quiet";
  const auto r = csm::test::run_process("bash -c " + csm::test::shell_quote(cmd));
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_NE(r.err.find("disk full"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("resumes"), std::string::npos) << r.err;
}

}  // namespace
