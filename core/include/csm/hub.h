#pragma once
// Fetching models from the Hugging Face hub into the standard HF cache layout
// (models--org--name/{blobs,snapshots,refs}), shared with Python tools: what
// they downloaded is reused, and what we download they reuse.
#include <cstdint>
#include <functional>
#include <string>

namespace csm {

struct DownloadProgress {
  std::string file;
  int64_t done = 0;   // bytes of this file
  int64_t total = 0;  // 0 if unknown
  int file_index = 0, file_count = 0;
};

struct HubOptions {
  std::string endpoint;   // default: $HF_ENDPOINT, else https://huggingface.co
  std::string token;      // default: $HF_TOKEN, else the token file HF tools write
  std::string cache_dir;  // default: hf_hub_cache_dir()
  std::string revision = "main";
  bool offline = false;   // also set by HF_HUB_OFFLINE=1
  std::function<void(const DownloadProgress&)> progress;
};

// Where Hugging Face tools keep downloads: $HF_HUB_CACHE, $HF_HOME/hub, ~/.cache/huggingface/hub.
std::string hf_hub_cache_dir();
// The cache folder of `repo_id` ("sesame/csm-1b") if it holds a snapshot, else "".
std::string find_in_hf_cache(const std::string& repo_id);

// HubOptions with every default filled in from the environment.
HubOptions hub_options_from_environment();

// "org/name" (and not an existing path)?
bool looks_like_repo_id(const std::string& text);

// Makes sure the repo's model files (*.json, *.safetensors, tokenizer.model) are in
// the cache and returns the snapshot folder. Resumes partial downloads, checks
// SHA-256 against the hub's etag. Throws csm::Error with what the user can do
// (401/403: accept the license; 404; no network; disk full; offline and not cached).
std::string download_repo(const std::string& repo_id, const HubOptions& options);

}  // namespace csm
