// The safetensors header is untrusted input: every violation is a clear error
// naming the file and tensor, never a crash or an out-of-bounds read.
#include <cstring>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "csm/error.h"
#include "io/safetensors_file.h"
#include "io/tensor_store.h"
#include "support/fixtures.h"

namespace {

using nlohmann::json;

std::string write_file(const std::string& header, const std::string& data, const std::string& name = "t.safetensors") {
  const std::string path = csm::test::temp_dir("st") + "/" + name;
  std::ofstream out(path, std::ios::binary);
  const uint64_t n = header.size();
  out.write(reinterpret_cast<const char*>(&n), 8);
  out << header << data;
  return path;
}

std::string error_of(const std::string& path) {
  try {
    csm::SafetensorsFile file(path);
    for (const auto& [name, e] : file.entries()) (void)file.tensor(name);
  } catch (const csm::Error& e) {
    return e.what();
  }
  return "";
}

TEST(Safetensors, ReadsEveryDtypeAndKeepsTheMappingAlive) {
  const float f[3] = {1.5f, -2.0f, 3.25f};
  const uint16_t bf16[2] = {0x3F80, 0xC000};  // 1.0, -2.0
  std::string data(reinterpret_cast<const char*>(f), 12);
  data.append(reinterpret_cast<const char*>(bf16), 4);
  const json header = {{"a", {{"dtype", "F32"}, {"shape", {3}}, {"data_offsets", {0, 12}}}},
                       {"b", {{"dtype", "BF16"}, {"shape", {1, 2}}, {"data_offsets", {12, 16}}}},
                       {"__metadata__", {{"format", "pt"}}}};
  at::Tensor a, b;
  {
    csm::SafetensorsFile file(write_file(header.dump(), data));
    EXPECT_EQ(file.metadata().at("format"), "pt");
    a = file.tensor("a");
    b = file.tensor("b");
  }  // the file object is gone; the views must still be valid
  EXPECT_EQ(a.scalar_type(), at::kFloat);
  EXPECT_FLOAT_EQ(a[2].item<float>(), 3.25f);
  EXPECT_EQ(b.scalar_type(), at::kBFloat16);
  EXPECT_FLOAT_EQ(b.to(at::kFloat)[0][1].item<float>(), -2.0f);
}

TEST(Safetensors, HostileHeadersAreRefusedWithTheTensorNamed) {
  const std::string data(16, '\0');
  const auto entry = [](const char* dtype, json shape, json offsets) {
    return json{{"w", {{"dtype", dtype}, {"shape", shape}, {"data_offsets", offsets}}}};
  };
  EXPECT_NE(error_of(write_file(entry("F32", {8}, {0, 32}).dump(), data)).find("outside"), std::string::npos);
  EXPECT_NE(error_of(write_file(entry("F32", {3}, {0, 16}).dump(), data)).find("needs 12 bytes"), std::string::npos);
  EXPECT_NE(error_of(write_file(entry("F32", {2}, {8, 0}).dump(), data)).find("tensor \"w\""), std::string::npos);
  EXPECT_NE(error_of(write_file(entry("Q4", {2}, {0, 1}).dump(), data)).find("unsupported dtype"), std::string::npos);
  EXPECT_NE(error_of(write_file(entry("F32", {-1}, {0, 4}).dump(), data)).find("negative"), std::string::npos);
  EXPECT_NE(error_of(write_file(entry("F32", {4294967296, 4294967296}, {0, 16}).dump(), data)).find("too large"),
            std::string::npos);
  const json overlap = {{"x", {{"dtype", "F32"}, {"shape", {2}}, {"data_offsets", {0, 8}}}},
                        {"y", {{"dtype", "F32"}, {"shape", {2}}, {"data_offsets", {4, 12}}}}};
  EXPECT_NE(error_of(write_file(overlap.dump(), data)).find("overlap"), std::string::npos);
  EXPECT_NE(error_of(write_file("{not json", data)).find("not valid JSON"), std::string::npos);
  EXPECT_NE(error_of(write_file("[1,2]", data)).find("not a JSON object"), std::string::npos);

  // Header length beyond the file, and a file too short to hold one.
  const std::string path = csm::test::temp_dir("st") + "/huge.safetensors";
  {
    std::ofstream out(path, std::ios::binary);
    const uint64_t n = 1ull << 40;
    out.write(reinterpret_cast<const char*>(&n), 8);
    out << "{}";
  }
  EXPECT_NE(error_of(path).find("header length"), std::string::npos);
  const std::string tiny = csm::test::temp_dir("st") + "/tiny.safetensors";
  std::ofstream(tiny) << "abc";
  EXPECT_NE(error_of(tiny).find("too short"), std::string::npos);
  EXPECT_NE(error_of("/nonexistent.safetensors").find("cannot open"), std::string::npos);
}

TEST(Safetensors, TruncatedRealCheckpointNamesTheFirstTensorCut) {
  CSM_REQUIRE_FIXTURE(source, "tiny-a/orig/model.safetensors");
  std::ifstream in(source, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  bytes.resize(bytes.size() / 2);
  const std::string path = csm::test::temp_dir("st") + "/model.safetensors";
  std::ofstream(path, std::ios::binary) << bytes;
  const std::string message = error_of(path);
  EXPECT_NE(message.find("outside"), std::string::npos) << message;
  EXPECT_NE(message.find("model.safetensors"), std::string::npos) << message;
}

TEST(Safetensors, ShardedCheckpointsThroughTheIndex) {
  const float one[2] = {1, 2}, two[1] = {3};
  const std::string dir = csm::test::temp_dir("shards");
  const auto shard = [&](const std::string& name, const std::string& tensor, const float* v, int n) {
    const json h = {{tensor, {{"dtype", "F32"}, {"shape", {n}}, {"data_offsets", {0, 4 * n}}}}};
    const std::string p = write_file(h.dump(), std::string(reinterpret_cast<const char*>(v), 4 * n), name);
    std::filesystem::rename(p, dir + "/" + name);
  };
  shard("model-00001-of-00002.safetensors", "a", one, 2);
  shard("model-00002-of-00002.safetensors", "b", two, 1);
  std::ofstream(dir + "/model.safetensors.index.json")
      << json{{"weight_map", {{"a", "model-00001-of-00002.safetensors"}, {"b", "model-00002-of-00002.safetensors"}}}}.dump();
  const auto store = csm::TensorStore::open(dir);
  EXPECT_FLOAT_EQ(store.get("a")[1].item<float>(), 2.0f);
  EXPECT_FLOAT_EQ(store.get("b")[0].item<float>(), 3.0f);
  EXPECT_THROW(store.get("c"), csm::Error);
  std::ofstream(dir + "/model.safetensors.index.json") << json{{"weight_map", {{"a", "../escape.safetensors"}}}}.dump();
  EXPECT_THROW(csm::TensorStore::open(dir), csm::Error);
  std::ofstream(dir + "/model.safetensors.index.json") << json{{"weight_map", {{"a", "missing.safetensors"}}}}.dump();
  try {
    csm::TensorStore::open(dir);
    FAIL();
  } catch (const csm::Error& e) {
    EXPECT_NE(std::string(e.what()).find("missing.safetensors"), std::string::npos);
  }
}

}  // namespace
