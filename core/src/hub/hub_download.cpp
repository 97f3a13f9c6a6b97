// Hugging Face hub downloads into the shared HF cache layout, resumable and checked.
#include <openssl/evp.h>
#include <sys/statvfs.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>

#include <nlohmann/json.hpp>

#include "csm/engine.h"
#include "csm/error.h"
#include "csm/hub.h"
#include "hub/http_client.h"

namespace csm {
namespace fs = std::filesystem;
namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

std::string read_token_file() {
  std::string path = env("HF_TOKEN_PATH");
  if (path.empty()) {
    const std::string home = env("HF_HOME");
    path = home.empty() ? (fs::path(env("HOME")) / ".cache" / "huggingface" / "token").string()
                        : (fs::path(home) / "token").string();
  }
  std::ifstream in(path);
  std::string token;
  std::getline(in, token);
  while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
  return token;
}

std::string sha256_of(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  std::vector<char> buffer(1 << 20);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    EVP_DigestUpdate(ctx, buffer.data(), static_cast<size_t>(in.gcount()));
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(ctx, digest, &length);
  EVP_MD_CTX_free(ctx);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(hex[digest[i] >> 4]);
    out.push_back(hex[digest[i] & 15]);
  }
  return out;
}

std::string strip_etag(std::string etag) {
  if (etag.rfind("W/", 0) == 0) etag.erase(0, 2);
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
  return etag;
}

bool is_sha256(const std::string& s) { return std::regex_match(s, std::regex("[0-9a-f]{64}")); }

bool wanted(const std::string& file) {
  const auto ends = [&](const std::string& suffix) {
    return file.size() >= suffix.size() && file.compare(file.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return ends(".json") || ends(".safetensors") || ends("tokenizer.model");
}

// Turns an HTTP failure into what the user can do about it.
[[noreturn]] void fail(const HttpResponse& r, const std::string& repo, const std::string& what) {
  if (!r.transport_error.empty() && r.status == 0)
    throw Error(ErrorCode::Io, "cannot reach the Hugging Face hub for " + repo + " (" + r.transport_error + ")",
                "check the network (or HF_ENDPOINT); with the files already cached, set HF_HUB_OFFLINE=1");
  if (r.status == 401 || r.status == 403)
    throw Error(ErrorCode::Io, repo + " refused access (HTTP " + std::to_string(r.status) + ") to " + what,
                "the model is gated: accept its license at https://huggingface.co/" + repo +
                    " and give a token (HF_TOKEN, or `huggingface-cli login`)");
  if (r.status == 404)
    throw Error(ErrorCode::Io, repo + ": " + what + " not found on the hub (HTTP 404)",
                "check the repository id and revision");
  throw Error(ErrorCode::Io, repo + ": " + what + " failed (HTTP " + std::to_string(r.status) + ")" +
                                 (r.transport_error.empty() ? "" : ": " + r.transport_error),
              "try again later");
}

void ensure_space(const fs::path& dir, int64_t bytes, const std::string& file) {
  struct statvfs st {};
  if (bytes <= 0 || statvfs(dir.c_str(), &st) != 0) return;
  const auto free_bytes = static_cast<int64_t>(st.f_bavail) * static_cast<int64_t>(st.f_frsize);
  if (free_bytes < bytes)
    throw Error(ErrorCode::Io, "not enough disk space for " + file + ": " + std::to_string(bytes >> 20) +
                                   " MiB needed, " + std::to_string(free_bytes >> 20) + " MiB free in " + dir.string(),
                "free some space or point HF_HUB_CACHE elsewhere");
}

class RepoDownload {
 public:
  RepoDownload(std::string repo, const HubOptions& options)
      : repo_(std::move(repo)), options_(options), http_(options.endpoint, options.token) {
    std::string folder = "models--" + repo_;
    for (auto pos = folder.find('/'); pos != std::string::npos; pos = folder.find('/', pos)) folder.replace(pos, 1, "--");
    dir_ = fs::path(options.cache_dir) / folder;
  }

  std::string cached_snapshot() const {
    std::ifstream ref(dir_ / "refs" / options_.revision);
    std::string commit;
    if (ref >> commit && fs::exists(dir_ / "snapshots" / commit / "config.json")) return (dir_ / "snapshots" / commit).string();
    if (fs::exists(dir_ / "snapshots" / options_.revision / "config.json"))
      return (dir_ / "snapshots" / options_.revision).string();
    return {};
  }

  std::string run() {
    if (options_.offline) {
      const std::string snapshot = cached_snapshot();
      if (snapshot.empty())
        throw Error(ErrorCode::Io, repo_ + " is not in the cache (" + dir_.string() + ") and HF_HUB_OFFLINE is set",
                    "download it once with network access, or unset HF_HUB_OFFLINE");
      return snapshot;
    }
    const std::string api = options_.endpoint + "/api/models/" + repo_ + "/revision/" + options_.revision;
    const HttpResponse info = http_.get(api);
    if (info.status != 200) {
      // No network but a complete cached copy: use it, as the HF tools do.
      if (info.status == 0) {
        const std::string snapshot = cached_snapshot();
        if (!snapshot.empty()) return snapshot;
      }
      fail(info, repo_, "the file list");
    }
    const auto j = nlohmann::json::parse(info.body, nullptr, false);
    if (j.is_discarded() || !j.contains("sha") || !j.contains("siblings"))
      throw Error(ErrorCode::Io, "the hub's answer for " + repo_ + " is not a model description");
    const std::string commit = j["sha"].get<std::string>();
    if (!std::regex_match(commit, std::regex("[0-9a-zA-Z]{6,64}")))
      throw Error(ErrorCode::Io, "the hub gave an invalid revision for " + repo_);
    std::vector<std::string> files;
    for (const auto& s : j["siblings"]) {
      const std::string name = s.value("rfilename", "");
      if (name.empty() || name.find("..") != std::string::npos || name.front() == '/') continue;
      if (wanted(name)) files.push_back(name);
    }
    if (files.empty()) throw Error(ErrorCode::Io, repo_ + " holds no model files (*.json, *.safetensors)");
    for (size_t i = 0; i < files.size(); ++i) fetch(commit, files[i], static_cast<int>(i), static_cast<int>(files.size()));
    fs::create_directories(dir_ / "refs");
    std::ofstream(dir_ / "refs" / options_.revision) << commit;
    return (dir_ / "snapshots" / commit).string();
  }

 private:
  void fetch(const std::string& commit, const std::string& file, int index, int count) {
    const fs::path link = dir_ / "snapshots" / commit / file;
    if (fs::exists(link)) return;  // already complete (the symlink is made last)
    const std::string url = options_.endpoint + "/" + repo_ + "/resolve/" + commit + "/" + file;
    const HttpResponse head = http_.head(url);
    if (head.status >= 400 || head.status == 0) fail(head, repo_, file);
    const auto header = [&](const char* name) {
      const auto it = head.headers.find(name);
      return it == head.headers.end() ? std::string() : it->second;
    };
    std::string etag = strip_etag(header("x-linked-etag"));
    if (etag.empty()) etag = strip_etag(header("etag"));
    if (etag.empty() || etag.find('/') != std::string::npos || etag.find("..") != std::string::npos)
      throw Error(ErrorCode::Io, "the hub gave no usable ETag for " + repo_ + "/" + file);
    int64_t size = 0;
    const std::string linked_size = header("x-linked-size").empty() ? header("content-length") : header("x-linked-size");
    try {
      size = linked_size.empty() ? 0 : std::stoll(linked_size);
    } catch (const std::exception&) {
    }
    const fs::path blob = dir_ / "blobs" / etag;
    fs::create_directories(blob.parent_path());
    if (!fs::exists(blob)) download_blob(url, blob, etag, size, file, index, count);
    fs::create_directories(link.parent_path());
    const fs::path target = fs::relative(blob, link.parent_path());
    std::error_code ec;
    fs::create_symlink(target, link, ec);
    if (ec) fs::copy_file(blob, link, fs::copy_options::overwrite_existing);  // filesystems without symlinks
  }

  void download_blob(const std::string& url, const fs::path& blob, const std::string& etag, int64_t size,
                     const std::string& file, int index, int count) {
    const fs::path partial = blob.string() + ".incomplete";
    int64_t offset = fs::exists(partial) ? static_cast<int64_t>(fs::file_size(partial)) : 0;
    if (size > 0 && offset > size) offset = 0;
    ensure_space(blob.parent_path(), size - offset, file);
    DownloadProgress progress{file, offset, size, index, count};
    const auto report = [&](int64_t done, int64_t total) {
      progress.done = done;
      if (total > 0) progress.total = total;
      if (options_.progress) options_.progress(progress);
    };
    for (int attempt = 0; attempt < 5; ++attempt) {
      const HttpResponse r = http_.download(url, partial.string(), offset, report);
      if (r.write_failed)
        throw Error(ErrorCode::Io, "writing " + partial.string() + " failed (disk full?)",
                    "free some space; the download resumes where it stopped");
      if (r.status == 200 && offset > 0) {  // the server ignored the range: start over
        fs::resize_file(partial, 0);
        offset = 0;
        continue;
      }
      if (r.status >= 400) fail(r, repo_, file);
      offset = fs::exists(partial) ? static_cast<int64_t>(fs::file_size(partial)) : 0;
      if (r.transport_error.empty() && (size == 0 || offset == size)) break;
      if (r.status == 0 && attempt == 4) fail(r, repo_, file);  // still no connection
    }
    if (size > 0 && offset != size)
      throw Error(ErrorCode::Io, repo_ + "/" + file + ": got " + std::to_string(offset) + " of " +
                                     std::to_string(size) + " bytes", "run again: the download resumes");
    if (is_sha256(etag) && sha256_of(partial) != etag) {
      fs::remove(partial);
      throw Error(ErrorCode::Io, repo_ + "/" + file + " failed its SHA-256 check (expected " + etag + ")",
                  "run again to download it afresh");
    }
    fs::rename(partial, blob);
    if (options_.progress) {
      progress.done = progress.total = static_cast<int64_t>(fs::file_size(blob));
      options_.progress(progress);
    }
  }

  std::string repo_;
  HubOptions options_;
  HttpClient http_;
  fs::path dir_;
};

}  // namespace

HubOptions hub_options_from_environment() {
  HubOptions o;
  o.endpoint = env("HF_ENDPOINT").empty() ? "https://huggingface.co" : env("HF_ENDPOINT");
  while (!o.endpoint.empty() && o.endpoint.back() == '/') o.endpoint.pop_back();
  o.token = env("HF_TOKEN").empty() ? read_token_file() : env("HF_TOKEN");
  o.cache_dir = hf_hub_cache_dir();
  const std::string offline = env("HF_HUB_OFFLINE");
  o.offline = offline == "1" || offline == "true" || offline == "TRUE" || offline == "yes";
  return o;
}

bool looks_like_repo_id(const std::string& text) {
  if (text.empty() || fs::exists(text)) return false;
  return std::regex_match(text, std::regex(R"([A-Za-z0-9][A-Za-z0-9_.\-]*/[A-Za-z0-9][A-Za-z0-9_.\-]*)")) &&
         text.find("..") == std::string::npos;
}

std::string download_repo(const std::string& repo_id, const HubOptions& options) {
  if (!std::regex_match(repo_id, std::regex(R"([A-Za-z0-9][A-Za-z0-9_.\-]*/[A-Za-z0-9][A-Za-z0-9_.\-]*)")) ||
      repo_id.find("..") != std::string::npos)
    throw Error(ErrorCode::InvalidArgument, "\"" + repo_id + "\" is not a Hugging Face repository id (org/name)");
  HubOptions o = options;
  if (o.endpoint.empty() || o.cache_dir.empty()) {
    const HubOptions defaults = hub_options_from_environment();
    if (o.endpoint.empty()) o.endpoint = defaults.endpoint;
    if (o.cache_dir.empty()) o.cache_dir = defaults.cache_dir;
  }
  return RepoDownload(repo_id, o).run();
}

}  // namespace csm
