// SentencePiece backend (.model files) behind the Tokenizer interface, through
// the privately loaded bridge library (see spm_bridge/spm_bridge.h for why).
#include <dlfcn.h>
#include <unistd.h>

#include <filesystem>
#include <mutex>

#include "../../spm_bridge/spm_bridge.h"
#include "csm/error.h"
#include "csm/tokenizer.h"

namespace csm {
namespace {

struct BridgeApi {
  decltype(&csm_spm_load) load = nullptr;
  decltype(&csm_spm_free) free = nullptr;
  decltype(&csm_spm_encode) encode = nullptr;
  decltype(&csm_spm_decode) decode = nullptr;
  decltype(&csm_spm_piece) piece = nullptr;
  decltype(&csm_spm_bos) bos = nullptr;
  decltype(&csm_spm_eos) eos = nullptr;
  decltype(&csm_spm_size) size = nullptr;
};

std::vector<std::string> bridge_candidates() {
  std::vector<std::string> paths;
  if (const char* env = std::getenv("CSM_SPM_BRIDGE")) paths.emplace_back(env);
  std::error_code ec;
  const auto exe_dir = std::filesystem::read_symlink("/proc/self/exe", ec).parent_path();
  if (!ec) {
    paths.push_back((exe_dir / "libcsm_spm_bridge.so").string());
    paths.push_back((exe_dir / "../lib/csm-studio/libcsm_spm_bridge.so").string());
  }
  paths.emplace_back(CSM_SPM_BRIDGE_BUILD_PATH);
  paths.emplace_back(CSM_SPM_BRIDGE_INSTALL_PATH);
  return paths;
}

// DEEPBIND makes the bridge's libsentencepiece use its own protobuf-lite before
// LibTorch's libprotobuf. AddressSanitizer cannot run DEEPBIND libraries, so a
// sanitizer build loads it plainly (it is still kept out of the global scope).
#if defined(__SANITIZE_ADDRESS__)
constexpr int kDlopenFlags = RTLD_NOW | RTLD_LOCAL;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr int kDlopenFlags = RTLD_NOW | RTLD_LOCAL;
#else
constexpr int kDlopenFlags = RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND;
#endif
#else
constexpr int kDlopenFlags = RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND;
#endif

const BridgeApi& bridge() {
  static std::once_flag once;
  static BridgeApi api;
  static std::string failure;
  std::call_once(once, [] {
    void* handle = nullptr;
    std::string tried;
    for (const auto& path : bridge_candidates()) {
      if (!std::filesystem::exists(path)) {
        tried += " " + path;
        continue;
      }
      handle = dlopen(path.c_str(), kDlopenFlags);
      if (handle) break;
      tried += " " + path + " (" + dlerror() + ")";
    }
    if (!handle) {
      failure = "the SentencePiece bridge library was not found; tried:" + tried;
      return;
    }
    const auto sym = [&](auto& fn, const char* name) {
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(dlsym(handle, name));
      if (!fn) failure = std::string("SentencePiece bridge lacks ") + name;
    };
    sym(api.load, "csm_spm_load");
    sym(api.free, "csm_spm_free");
    sym(api.encode, "csm_spm_encode");
    sym(api.decode, "csm_spm_decode");
    sym(api.piece, "csm_spm_piece");
    sym(api.bos, "csm_spm_bos");
    sym(api.eos, "csm_spm_eos");
    sym(api.size, "csm_spm_size");
  });
  if (!failure.empty()) throw Error(ErrorCode::Internal, failure, "set CSM_SPM_BRIDGE to libcsm_spm_bridge.so");
  return api;
}

class SentencePieceTokenizer final : public Tokenizer {
 public:
  explicit SentencePieceTokenizer(const std::string& path) : api_(bridge()) {
    char error[512] = {0};
    spm_ = api_.load(path.c_str(), error, sizeof error);
    if (!spm_) throw Error(ErrorCode::BadModelFile, path + " is not a SentencePiece model: " + error);
  }
  ~SentencePieceTokenizer() override { api_.free(spm_); }

  std::vector<int32_t> encode(std::string_view text) const override {
    check_utf8(text);
    std::vector<int32_t> ids(text.size() + 8);
    int64_t n = api_.encode(spm_, text.data(), text.size(), ids.data(), static_cast<int64_t>(ids.size()));
    if (n > static_cast<int64_t>(ids.size())) {
      ids.resize(static_cast<size_t>(n));
      n = api_.encode(spm_, text.data(), text.size(), ids.data(), n);
    }
    if (n < 0) throw Error(ErrorCode::InvalidArgument, "SentencePiece could not encode the text");
    ids.resize(static_cast<size_t>(n));
    return ids;
  }

  std::string decode(const std::vector<int32_t>& ids) const override {
    for (int32_t id : ids)
      if (id < 0 || id >= vocab_size())
        throw Error(ErrorCode::InvalidArgument, "token id " + std::to_string(id) + " is outside the vocabulary (0.." +
                                                    std::to_string(vocab_size() - 1) + ")");
    const auto count = static_cast<int64_t>(ids.size());
    const int64_t n = api_.decode(spm_, ids.data(), count, nullptr, 0);
    if (n < 0) throw Error(ErrorCode::InvalidArgument, "SentencePiece could not decode the ids");
    std::string text(static_cast<size_t>(n), '\0');
    api_.decode(spm_, ids.data(), count, text.data(), n);
    return text;
  }

  int32_t bos_id() const override { return api_.bos(spm_); }
  int32_t eos_id() const override { return api_.eos(spm_); }
  int32_t vocab_size() const override { return api_.size(spm_); }
  std::string kind() const override { return "sentencepiece"; }
  std::string token_text(int32_t id) const override {
    if (id < 0 || id >= vocab_size()) return {};
    std::string text(static_cast<size_t>(api_.piece(spm_, id, nullptr, 0)), '\0');
    api_.piece(spm_, id, text.data(), static_cast<int64_t>(text.size()));
    return text;
  }

 private:
  const BridgeApi& api_;
  csm_spm* spm_ = nullptr;
};

}  // namespace

std::unique_ptr<Tokenizer> load_sentencepiece_tokenizer(const std::string& path) {
  return std::make_unique<SentencePieceTokenizer>(path);
}

}  // namespace csm
