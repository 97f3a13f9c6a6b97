#include "code_grid.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <algorithm>
#include <cmath>
#include <limits>

void CodeGrid::append(const QVector<int>& codes, int width, const QVector<float>& entropy, bool text_start) {
  if (width <= 0 || codes.isEmpty()) return;
  if (depth_ <= 0) depth_ = width;
  const int frames = static_cast<int>(codes.size() / width), kept = std::min(depth_, width);
  if (text_start) text_starts_ << this->frames();
  chunk_starts_ << this->frames();
  for (int f = 0; f < frames; ++f) {
    for (int c = 0; c < depth_; ++c) codes_ << (c < kept ? codes[qsizetype(f) * width + c] : 0);
    entropy_ << (f < entropy.size() ? entropy[f] : std::numeric_limits<float>::quiet_NaN());
  }
}

void CodeGrid::clear() {
  codes_.clear();
  entropy_.clear();
  chunk_starts_.clear();
  text_starts_.clear();
}

namespace {

QJsonArray ints(const QVector<int>& v) {
  QJsonArray a;
  for (int x : v) a << x;
  return a;
}

QVector<int> ints_of(const QJsonArray& a) {
  QVector<int> v;
  for (const auto& x : a) v << x.toInt();
  return v;
}

}  // namespace

QJsonObject CodeGrid::toJson() const {
  QJsonArray frames, entropy;
  for (int f = 0; f < this->frames(); ++f) {
    frames << ints(codes_.mid(qsizetype(f) * depth_, depth_));
    entropy << (std::isfinite(entropy_[f]) ? QJsonValue(entropy_[f]) : QJsonValue());  // null: none came
  }
  return {{"depth", depth_},
          {"frames", frames},
          {"entropy", entropy},
          {"chunk_starts", ints(chunk_starts_)},
          {"text_starts", ints(text_starts_)}};
}

CodeGrid CodeGrid::fromJson(const QJsonObject& json) {
  CodeGrid g;
  g.depth_ = json.value("depth").toInt();
  const QJsonArray frames = json.value("frames").toArray(), entropy = json.value("entropy").toArray();
  if (g.depth_ <= 0 || g.depth_ > 64) return {};
  for (int f = 0; f < frames.size(); ++f) {
    const QJsonArray row = frames[f].toArray();
    if (row.size() != g.depth_) return {};
    g.codes_ += ints_of(row);
    g.entropy_ << (f < entropy.size() && entropy[f].isDouble() ? static_cast<float>(entropy[f].toDouble())
                                                                 : std::numeric_limits<float>::quiet_NaN());
  }
  g.chunk_starts_ = ints_of(json.value("chunk_starts").toArray());
  g.text_starts_ = ints_of(json.value("text_starts").toArray());
  return g;
}

bool CodeGrid::save(const QString& path) const {
  QFile file(path);
  if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) return false;
  return file.write(QJsonDocument(toJson()).toJson(QJsonDocument::Compact)) > 0;
}

CodeGrid CodeGrid::load(const QString& path) {
  QFile file(path);
  if (path.isEmpty() || !file.open(QIODevice::ReadOnly)) return {};
  return fromJson(QJsonDocument::fromJson(file.readAll()).object());
}
