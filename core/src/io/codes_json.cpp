#include "csm/codes_json.h"

#include <cstdio>
#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>

#include "csm/error.h"

namespace csm {

void write_codes_json(const std::string& path, const CodesFile& codes) {
  nlohmann::json j;
  j["frames"] = codes.frames;
  if (!codes.first_logits.empty()) {
    nlohmann::json logits = nlohmann::json::array();
    for (float v : codes.first_logits) logits.push_back(std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr));
    j["first_logits"] = std::move(logits);
  }
  const std::string tmp = path + ".partial";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(ErrorCode::Io, "cannot write " + tmp, "check that the folder exists and is writable");
    out << j.dump() << "\n";
    out.flush();
    if (!out) {
      std::remove(tmp.c_str());
      throw Error(ErrorCode::Io, "writing " + path + " failed (disk full?)");
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw Error(ErrorCode::Io, "cannot move " + tmp + " to " + path);
  }
}

CodesFile read_codes_json(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::Io, "cannot open codes file " + path);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorCode::InvalidArgument, path + " is not valid JSON: " + e.what());
  }
  if (!j.is_object() || !j.contains("frames") || !j["frames"].is_array())
    throw Error(ErrorCode::InvalidArgument, path + " has no \"frames\" array", "expected {\"frames\": [[c0..cK], ...]}");
  CodesFile codes;
  const auto& frames = j["frames"];
  for (size_t t = 0; t < frames.size(); ++t) {
    const auto& row = frames[t];
    if (!row.is_array() || row.empty())
      throw Error(ErrorCode::InvalidArgument, path + ": frame " + std::to_string(t) + " is not a non-empty array");
    std::vector<int32_t> frame;
    for (const auto& c : row) {
      if (!c.is_number_integer() || c.get<int64_t>() < 0 || c.get<int64_t>() > INT32_MAX)
        throw Error(ErrorCode::InvalidArgument, path + ": frame " + std::to_string(t) + " holds " + c.dump() +
                                                    ", not a non-negative integer code");
      frame.push_back(c.get<int32_t>());
    }
    if (!codes.frames.empty() && frame.size() != codes.frames.front().size())
      throw Error(ErrorCode::InvalidArgument, path + ": frame " + std::to_string(t) + " has " +
                                                  std::to_string(frame.size()) + " codes, frame 0 has " +
                                                  std::to_string(codes.frames.front().size()));
    codes.frames.push_back(std::move(frame));
  }
  if (j.contains("first_logits") && j["first_logits"].is_array())
    for (const auto& v : j["first_logits"]) codes.first_logits.push_back(v.is_number() ? v.get<float>() : NAN);
  return codes;
}

}  // namespace csm
