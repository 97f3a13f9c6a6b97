#pragma once
// Past runs in SQLite (Qt SQL): text, settings, metrics summary, per-chunk
// metrics, the audio file and the codes file, so any run can be replayed or compared.
#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <QVector>
#include <optional>

struct RunRecord {
  qint64 id = 0;
  QDateTime started;
  QString text;
  QString model;
  QJsonObject settings;
  QJsonObject summary;
  QJsonArray chunks;  // one object per chunk: stats as the plots show them
  QString audioPath;
  QString codesPath;  // the codes view's grid (CodeGrid JSON); empty when the run had none
};

class RunHistory {
 public:
  RunHistory() = default;
  ~RunHistory();
  RunHistory(const RunHistory&) = delete;
  RunHistory& operator=(const RunHistory&) = delete;

  bool open(const QString& path, QString* error);  // creates the file and table if needed
  bool isOpen() const { return !connection_.isEmpty(); }
  qint64 add(const RunRecord& record, QString* error);  // the new id, or -1
  QVector<RunRecord> list(int limit = 200) const;       // newest first
  std::optional<RunRecord> get(qint64 id) const;
  bool remove(qint64 id);
  // Copies every run of another history file in (importing); returns how many, or -1.
  int importFrom(const QString& path, QString* error);

 private:
  QString connection_;
};
