#pragma once
// The BPE "model" of a tokenizer.json: vocabulary, ranked merges, and the merge
// loop that turns one pre-tokenized piece into ids.
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace csm {

class BpeModel {
 public:
  // `config` is the "model" value of tokenizer.json. Throws csm::Error naming `origin`.
  BpeModel(const nlohmann::json& config, const std::string& origin);

  // Ids of one piece already spelled in the vocabulary's alphabet.
  void encode_piece(const std::string& piece, std::vector<int32_t>& out) const;

  const std::string* spelling(int32_t id) const;
  int32_t lookup(std::string_view spelling) const;  // -1 if absent
  int32_t max_id() const { return max_id_; }

 private:
  struct Merge {
    int32_t rank;
    int32_t merged_id;
  };
  static uint64_t pair_key(int32_t a, int32_t b) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b);
  }
  void load_merges(const nlohmann::json& merges, const std::string& origin);
  std::vector<int32_t> merge(const std::string& piece) const;

  std::unordered_map<std::string, int32_t> vocab_;
  // A map, not a vector: ids in a hostile file may be sparse and huge.
  std::unordered_map<int32_t, const std::string*> spelling_by_id_;
  std::unordered_map<uint64_t, Merge> merges_;
  bool ignore_merges_ = false;
  int32_t unk_id_ = -1;
  int32_t max_id_ = -1;

  // Pieces repeat a lot in real text; remembering them makes encoding several times faster.
  mutable std::mutex cache_mutex_;
  mutable std::unordered_map<std::string, std::vector<int32_t>> cache_;
};

}  // namespace csm
