#include "tokenizer/bpe_model.h"

#include <limits>

#include <nlohmann/json.hpp>

#include "csm/error.h"
#include "tokenizer/utf8.h"

namespace csm {
namespace {

constexpr size_t kMaxCachedPieces = 1 << 16;
constexpr size_t kMaxCachedPieceBytes = 256;

}  // namespace

BpeModel::BpeModel(const nlohmann::json& config, const std::string& origin) {
  const std::string type = config.value("type", "BPE");
  if (type != "BPE")
    throw Error(ErrorCode::BadModelFile, origin + ": model type \"" + type + "\" is not byte-level BPE");
  const auto& vocab = config.at("vocab");
  if (!vocab.is_object() || vocab.empty())
    throw Error(ErrorCode::BadModelFile, origin + ": \"model.vocab\" is missing or empty");
  vocab_.reserve(vocab.size());
  for (const auto& [spelling, id_json] : vocab.items()) {
    const int64_t id = id_json.get<int64_t>();
    if (id < 0 || id > std::numeric_limits<int32_t>::max() / 2)
      throw Error(ErrorCode::BadModelFile, origin + ": vocab id " + std::to_string(id) + " of \"" + spelling +
                                               "\" is out of range");
    vocab_.emplace(spelling, static_cast<int32_t>(id));
    max_id_ = std::max<int32_t>(max_id_, static_cast<int32_t>(id));
  }
  spelling_by_id_.reserve(vocab_.size());
  for (const auto& [spelling, id] : vocab_) spelling_by_id_[id] = &spelling;
  ignore_merges_ = config.value("ignore_merges", false);
  if (config.contains("unk_token") && config.at("unk_token").is_string())
    unk_id_ = lookup(config.at("unk_token").get<std::string>());
  if (config.contains("merges")) load_merges(config.at("merges"), origin);
}

void BpeModel::load_merges(const nlohmann::json& merges, const std::string& origin) {
  merges_.reserve(merges.size());
  int32_t rank = 0;
  for (const auto& entry : merges) {
    std::string left, right;
    if (entry.is_string()) {  // "a b"
      const auto& s = entry.get_ref<const std::string&>();
      const size_t space = s.find(' ', 1);
      if (space == std::string::npos)
        throw Error(ErrorCode::BadModelFile, origin + ": merge #" + std::to_string(rank) + " \"" + s +
                                                 "\" is not two space-separated tokens");
      left = s.substr(0, space);
      right = s.substr(space + 1);
    } else if (entry.is_array() && entry.size() == 2) {  // ["a", "b"]
      left = entry[0].get<std::string>();
      right = entry[1].get<std::string>();
    } else {
      throw Error(ErrorCode::BadModelFile, origin + ": merge #" + std::to_string(rank) +
                                               " is neither \"a b\" nor [\"a\", \"b\"]");
    }
    const int32_t a = lookup(left), b = lookup(right), merged = lookup(left + right);
    if (a < 0 || b < 0 || merged < 0)
      throw Error(ErrorCode::BadModelFile, origin + ": merge #" + std::to_string(rank) + " (\"" + left + "\", \"" +
                                               right + "\") uses a token missing from the vocabulary");
    merges_.emplace(pair_key(a, b), Merge{rank, merged});  // the first (lowest) rank wins on duplicates
    ++rank;
  }
}

const std::string* BpeModel::spelling(int32_t id) const {
  const auto it = spelling_by_id_.find(id);
  return it == spelling_by_id_.end() ? nullptr : it->second;
}

int32_t BpeModel::lookup(std::string_view s) const {
  const auto it = vocab_.find(std::string(s));
  return it == vocab_.end() ? -1 : it->second;
}

std::vector<int32_t> BpeModel::merge(const std::string& piece) const {
  // Start from single characters, then repeatedly apply the lowest-ranked
  // adjacent merge (leftmost on ties) until none applies.
  std::vector<int32_t> symbols;
  for (size_t i = 0; i < piece.size();) {
    const size_t n = std::max<size_t>(1, utf8::sequence_length(piece, i));
    const int32_t id = lookup(std::string_view(piece).substr(i, n));
    if (id >= 0) symbols.push_back(id);
    else if (unk_id_ >= 0) symbols.push_back(unk_id_);
    else
      throw Error(ErrorCode::BadModelFile, "character \"" + piece.substr(i, n) +
                                               "\" is not in the tokenizer vocabulary and there is no unk_token");
    i += n;
  }
  while (symbols.size() > 1) {
    int32_t best_rank = std::numeric_limits<int32_t>::max(), best_id = -1;
    size_t best_pos = 0;
    for (size_t i = 0; i + 1 < symbols.size(); ++i) {
      const auto it = merges_.find(pair_key(symbols[i], symbols[i + 1]));
      if (it != merges_.end() && it->second.rank < best_rank) {
        best_rank = it->second.rank;
        best_id = it->second.merged_id;
        best_pos = i;
      }
    }
    if (best_id < 0) break;
    symbols[best_pos] = best_id;
    symbols.erase(symbols.begin() + static_cast<std::ptrdiff_t>(best_pos) + 1);
  }
  return symbols;
}

void BpeModel::encode_piece(const std::string& piece, std::vector<int32_t>& out) const {
  if (ignore_merges_) {
    const int32_t whole = lookup(piece);
    if (whole >= 0) {
      out.push_back(whole);
      return;
    }
  }
  const bool cacheable = piece.size() <= kMaxCachedPieceBytes;
  if (cacheable) {
    std::lock_guard<std::mutex> lock(cache_mutex_);
    const auto it = cache_.find(piece);
    if (it != cache_.end()) {
      out.insert(out.end(), it->second.begin(), it->second.end());
      return;
    }
  }
  std::vector<int32_t> ids = merge(piece);
  out.insert(out.end(), ids.begin(), ids.end());
  if (cacheable) {
    std::lock_guard<std::mutex> lock(cache_mutex_);
    if (cache_.size() >= kMaxCachedPieces) cache_.clear();
    cache_.emplace(piece, std::move(ids));
  }
}

}  // namespace csm
