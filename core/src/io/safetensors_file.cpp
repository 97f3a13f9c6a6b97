#include "io/safetensors_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>

#include <nlohmann/json.hpp>

#include "csm/error.h"

namespace csm {

at::ScalarType safetensors_scalar_type(const std::string& dtype, const std::string& where) {
  static const std::map<std::string, at::ScalarType> types = {
      {"F64", at::kDouble}, {"F32", at::kFloat}, {"F16", at::kHalf},  {"BF16", at::kBFloat16},
      {"I64", at::kLong},   {"I32", at::kInt},   {"I16", at::kShort}, {"I8", at::kChar},
      {"U8", at::kByte},    {"BOOL", at::kBool}};
  const auto it = types.find(dtype);
  if (it == types.end())
    throw Error(ErrorCode::BadModelFile, where + ": unsupported dtype \"" + dtype + "\"",
                "supported: F64 F32 F16 BF16 I64 I32 I16 I8 U8 BOOL");
  return it->second;
}

SafetensorsFile::SafetensorsFile(const std::string& path) : path_(path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(ErrorCode::Io, "cannot open " + path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw Error(ErrorCode::Io, path + " is not a regular file");
  }
  const uint64_t file_size = static_cast<uint64_t>(st.st_size);
  if (file_size < 8) {
    ::close(fd);
    throw Error(ErrorCode::BadModelFile, path + " is too short to be a safetensors file (" +
                                             std::to_string(file_size) + " bytes)", "the download may be truncated");
  }
  // Private, writable mapping: views stay copy-on-write, so nothing can ever write back to the file.
  void* base = ::mmap(nullptr, file_size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (base == MAP_FAILED) throw Error(ErrorCode::Io, "cannot map " + path + ": " + std::strerror(errno));
  mapping_ = std::shared_ptr<void>(base, [file_size](void* p) { ::munmap(p, file_size); });

  uint64_t header_size = 0;
  std::memcpy(&header_size, base, 8);  // little-endian on every platform we build for
  if (header_size > kMaxHeaderBytes || header_size > file_size - 8)
    throw Error(ErrorCode::BadModelFile, path + ": header length " + std::to_string(header_size) +
                                             " exceeds the file (" + std::to_string(file_size) + " bytes) or the " +
                                             std::to_string(kMaxHeaderBytes >> 20) + " MiB limit",
                "the file is truncated or not a safetensors file");
  data_ = static_cast<const uint8_t*>(base) + 8 + header_size;
  data_size_ = file_size - 8 - header_size;
  parse_header(std::string(static_cast<const char*>(base) + 8, header_size));
}

SafetensorsFile::~SafetensorsFile() = default;

void SafetensorsFile::parse_header(const std::string& text) {
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorCode::BadModelFile, path_ + ": header is not valid JSON: " + e.what());
  }
  if (!header.is_object()) throw Error(ErrorCode::BadModelFile, path_ + ": header is not a JSON object");
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  std::vector<const std::string*> range_names;
  for (const auto& [name, value] : header.items()) {
    if (name == "__metadata__") {
      if (value.is_object())
        for (const auto& [k, v] : value.items())
          if (v.is_string()) metadata_[k] = v.get<std::string>();
      continue;
    }
    const std::string where = path_ + ": tensor \"" + name + "\"";
    if (!value.is_object() || !value.contains("dtype") || !value.contains("shape") || !value.contains("data_offsets") ||
        !value["dtype"].is_string() || !value["shape"].is_array() || !value["data_offsets"].is_array() ||
        value["data_offsets"].size() != 2)
      throw Error(ErrorCode::BadModelFile, where + " needs dtype, shape and two data_offsets");
    SafetensorsEntry entry;
    entry.dtype = value["dtype"].get<std::string>();
    const size_t element_size = at::elementSize(safetensors_scalar_type(entry.dtype, where));
    uint64_t count = 1;
    for (const auto& d : value["shape"]) {
      if (!d.is_number_unsigned()) throw Error(ErrorCode::BadModelFile, where + ": shape has a non-integer or negative dimension");
      const uint64_t dim = d.get<uint64_t>();
      if (dim > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) ||
          (dim != 0 && count > std::numeric_limits<uint64_t>::max() / element_size / dim))
        throw Error(ErrorCode::BadModelFile, where + ": shape is too large");
      count *= dim;
      entry.shape.push_back(static_cast<int64_t>(dim));
    }
    for (const auto& o : value["data_offsets"])
      if (!o.is_number_unsigned()) throw Error(ErrorCode::BadModelFile, where + ": data_offsets must be non-negative integers");
    entry.begin = value["data_offsets"][0].get<uint64_t>();
    entry.end = value["data_offsets"][1].get<uint64_t>();
    if (entry.begin > entry.end || entry.end > data_size_)
      throw Error(ErrorCode::BadModelFile, where + ": data_offsets [" + std::to_string(entry.begin) + ", " +
                                               std::to_string(entry.end) + ") lie outside the " +
                                               std::to_string(data_size_) + "-byte data section",
                  "the file is truncated or corrupt; download it again");
    if (entry.end - entry.begin != count * element_size)
      throw Error(ErrorCode::BadModelFile, where + ": " + entry.dtype + " shape needs " +
                                               std::to_string(count * element_size) + " bytes but data_offsets span " +
                                               std::to_string(entry.end - entry.begin));
    ranges.emplace_back(entry.begin, entry.end);
    auto inserted = entries_.emplace(name, std::move(entry));
    range_names.push_back(&inserted.first->first);
  }
  std::vector<size_t> order(ranges.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return ranges[a] < ranges[b]; });
  for (size_t i = 1; i < order.size(); ++i) {
    const auto& prev = ranges[order[i - 1]];
    const auto& cur = ranges[order[i]];
    if (cur.first < prev.second && cur.first != cur.second && prev.first != prev.second)
      throw Error(ErrorCode::BadModelFile, path_ + ": tensors \"" + *range_names[order[i - 1]] + "\" and \"" +
                                               *range_names[order[i]] + "\" overlap in the data section");
  }
}

at::Tensor SafetensorsFile::tensor(const std::string& name) const {
  const auto it = entries_.find(name);
  if (it == entries_.end()) throw Error(ErrorCode::BadModelFile, path_ + " has no tensor \"" + name + "\"");
  const SafetensorsEntry& e = it->second;
  const auto type = safetensors_scalar_type(e.dtype, path_);
  const auto options = at::TensorOptions().dtype(type);
  const uint8_t* ptr = data_ + e.begin;
  if (e.begin == e.end) return at::empty(e.shape, options);
  if (reinterpret_cast<uintptr_t>(ptr) % at::elementSize(type) != 0) {  // misaligned: copy out
    at::Tensor out = at::empty(e.shape, options);
    std::memcpy(out.data_ptr(), ptr, e.end - e.begin);
    return out;
  }
  auto keep_alive = mapping_;
  return at::from_blob(const_cast<uint8_t*>(ptr), e.shape, [keep_alive](void*) mutable { keep_alive.reset(); },
                       options);
}

}  // namespace csm
