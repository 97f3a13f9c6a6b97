#include "tokenizer/pre_tokenizer.h"

#include <nlohmann/json.hpp>

#include "csm/error.h"

namespace csm {
namespace {

// GPT-2's split, used by a ByteLevel pre-tokenizer with use_regex = true.
const char* const kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

std::string quote_literal(const std::string& s) { return "\\Q" + s + "\\E"; }

}  // namespace

PreTokenizer::PreTokenizer(const nlohmann::json& config, const std::string& origin) {
  if (!config.is_null()) add_step(config, origin);
}

PreTokenizer::~PreTokenizer() = default;

void PreTokenizer::add_step(const nlohmann::json& config, const std::string& origin) {
  const std::string type = config.value("type", "");
  if (type == "Sequence") {
    for (const auto& sub : config.at("pretokenizers")) add_step(sub, origin);
  } else if (type == "Split") {
    const auto& pattern = config.at("pattern");
    std::string regex;
    if (pattern.contains("Regex")) regex = pattern.at("Regex").get<std::string>();
    else if (pattern.contains("String")) regex = quote_literal(pattern.at("String").get<std::string>());
    else throw Error(ErrorCode::BadModelFile, origin + ": Split pre-tokenizer has neither Regex nor String pattern");
    if (config.value("invert", false))
      throw Error(ErrorCode::BadModelFile, origin + ": Split pre-tokenizer with invert=true is not supported");
    const std::string behavior = config.value("behavior", "Isolated");
    Step step;
    step.regex = std::make_shared<RegexSplitter>(regex, origin);
    if (behavior == "Isolated") step.behavior = Behavior::Isolated;
    else if (behavior == "Removed") step.behavior = Behavior::Removed;
    else if (behavior == "MergedWithPrevious") step.behavior = Behavior::MergedWithPrevious;
    else if (behavior == "MergedWithNext") step.behavior = Behavior::MergedWithNext;
    else throw Error(ErrorCode::BadModelFile, origin + ": Split behavior \"" + behavior + "\" is not supported");
    steps_.push_back(std::move(step));
  } else if (type == "ByteLevel") {
    byte_level_ = true;
    Step step;
    step.add_prefix_space = config.value("add_prefix_space", false);
    if (config.value("use_regex", true)) step.regex = std::make_shared<RegexSplitter>(kGpt2Pattern, origin);
    steps_.push_back(std::move(step));
  } else {
    throw Error(ErrorCode::BadModelFile, origin + ": pre-tokenizer type \"" + type + "\" is not supported",
                "supported: Sequence, Split, ByteLevel");
  }
}

std::vector<std::string> PreTokenizer::apply(const Step& step, const std::string& input, bool first) {
  std::string piece = input;
  if (step.add_prefix_space && first && !piece.empty() && piece[0] != ' ') piece.insert(piece.begin(), ' ');
  if (!step.regex) return {piece};
  std::vector<std::string> out;
  std::string pending;  // a match waiting to be merged into the next gap
  for (const TextSpan& span : step.regex->split(piece)) {
    std::string text = piece.substr(span.begin, span.end - span.begin);
    if (!span.matched) {
      out.push_back(pending + text);
      pending.clear();
      continue;
    }
    switch (step.behavior) {
      case Behavior::Isolated: out.push_back(std::move(text)); break;
      case Behavior::Removed: break;
      case Behavior::MergedWithPrevious:
        if (out.empty()) out.push_back(std::move(text));
        else out.back() += text;
        break;
      case Behavior::MergedWithNext: pending += text; break;
    }
  }
  if (!pending.empty()) out.push_back(std::move(pending));
  return out;
}

std::vector<std::string> PreTokenizer::split(std::string_view text) const {
  std::vector<std::string> pieces{std::string(text)};
  for (const Step& step : steps_) {
    std::vector<std::string> next;
    for (size_t i = 0; i < pieces.size(); ++i) {
      for (auto& p : apply(step, pieces[i], i == 0)) {
        if (!p.empty()) next.push_back(std::move(p));
      }
    }
    pieces = std::move(next);
  }
  return pieces;
}

}  // namespace csm
