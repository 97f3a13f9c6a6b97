#pragma once
// Where a user's model lives: a plain directory, or the HF cache layout
// (models--org--name/{refs,snapshots}/...).
#include <string>

namespace csm {

struct ModelLocation {
  std::string directory;  // holds config.json and the safetensors
  std::string tokenizer;  // "" when none was found
};

// Throws csm::Error saying what was looked for when nothing usable is found.
ModelLocation locate_model(const std::string& path, const std::string& tokenizer_override);

}  // namespace csm
