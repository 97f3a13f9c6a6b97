#pragma once
// Long text -> pieces that each fit the model comfortably, cut at sentence
// boundaries (then clause, then word boundaries for run-on sentences).
#include <functional>
#include <string>
#include <vector>

namespace csm {

// `count_tokens` measures a candidate piece; pieces stay at or under `max_tokens`
// unless a single word is longer. Whitespace between pieces is dropped.
std::vector<std::string> split_text(const std::string& text, size_t max_tokens,
                                    const std::function<size_t(const std::string&)>& count_tokens);

}  // namespace csm
