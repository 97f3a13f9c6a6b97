#pragma once
// The codes of a run so far, as the codes view draws them and the history keeps them:
// frames in the order their audio arrived (the waveform's order), `depth` codes each
// (the codebooks the run generated), codebook 0's entropy per frame (NaN where none
// came), and the frames where chunks and texts began.
#include <QJsonObject>
#include <QVector>

class CodeGrid {
 public:
  // The codebooks kept per frame; set before the first chunk (0: as wide as it comes).
  void setDepth(int codebooks) { depth_ = codebooks; }
  int depth() const { return depth_; }
  // A chunk: `codes` is frames x `width`, row-major; `entropy` per frame or empty.
  void append(const QVector<int>& codes, int width, const QVector<float>& entropy, bool text_start);
  void clear();

  int frames() const { return depth_ > 0 ? static_cast<int>(codes_.size() / depth_) : 0; }
  int code(int frame, int codebook) const { return codes_[qsizetype(frame) * depth_ + codebook]; }
  float entropy(int frame) const { return entropy_[frame]; }
  const QVector<int>& chunkStarts() const { return chunk_starts_; }
  const QVector<int>& textStarts() const { return text_starts_; }
  bool isEmpty() const { return codes_.isEmpty(); }

  QJsonObject toJson() const;
  static CodeGrid fromJson(const QJsonObject& json);  // an empty grid for anything malformed
  // As a JSON file beside a run's audio in the history.
  bool save(const QString& path) const;
  static CodeGrid load(const QString& path);  // an empty grid when it cannot be read

 private:
  int depth_ = 0;
  QVector<int> codes_;  // frames x depth
  QVector<float> entropy_;
  QVector<int> chunk_starts_, text_starts_;
};
