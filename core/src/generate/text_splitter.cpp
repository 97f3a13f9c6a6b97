#include "generate/text_splitter.h"

#include <cctype>

namespace csm {
namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

// Cuts after any of `marks` that is followed by whitespace (or the end), keeping the mark.
std::vector<std::string> cut_after(const std::string& text, const std::string& marks) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool newline = text[i] == '\n';
    const bool mark = marks.find(text[i]) != std::string::npos &&
                      (i + 1 == text.size() || std::isspace(static_cast<unsigned char>(text[i + 1])));
    if (newline || mark) {
      const auto part = trim(text.substr(start, i + 1 - start));
      if (!part.empty()) parts.push_back(part);
      start = i + 1;
    }
  }
  const auto rest = trim(text.substr(start));
  if (!rest.empty()) parts.push_back(rest);
  return parts;
}

std::vector<std::string> words(const std::string& text) {
  std::vector<std::string> out;
  std::string current;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!current.empty()) out.push_back(current);
      current.clear();
    } else {
      current.push_back(c);
    }
  }
  if (!current.empty()) out.push_back(current);
  return out;
}

}  // namespace

std::vector<std::string> split_text(const std::string& text, size_t max_tokens,
                                    const std::function<size_t(const std::string&)>& count) {
  // Units small enough to fit: sentences, else clauses, else words.
  std::vector<std::string> units;
  for (const auto& sentence : cut_after(text, ".!?")) {
    if (count(sentence) <= max_tokens) {
      units.push_back(sentence);
      continue;
    }
    for (const auto& clause : cut_after(sentence, ",;:")) {
      if (count(clause) <= max_tokens) {
        units.push_back(clause);
        continue;
      }
      for (const auto& word : words(clause)) units.push_back(word);
    }
  }
  // Greedily join units back while the piece still fits.
  std::vector<std::string> pieces;
  for (const auto& unit : units) {
    if (!pieces.empty() && count(pieces.back() + " " + unit) <= max_tokens) pieces.back() += " " + unit;
    else pieces.push_back(unit);
  }
  return pieces;
}

}  // namespace csm
