#include "run_history.h"

#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

#include "stop_label.h"

namespace {

QString to_text(const QJsonObject& o) { return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact)); }
QString to_text(const QJsonArray& a) { return QString::fromUtf8(QJsonDocument(a).toJson(QJsonDocument::Compact)); }
QJsonObject object_of(const QString& s) { return QJsonDocument::fromJson(s.toUtf8()).object(); }
QJsonArray array_of(const QString& s) { return QJsonDocument::fromJson(s.toUtf8()).array(); }

// Records of older studios carry their own stop words ("end of speech"): read as today's.
QJsonObject with_current_stop_labels(QJsonObject summary) {
  if (!summary.contains("stops")) return summary;
  QStringList stops;
  for (const auto& v : summary.value("stops").toArray()) stops << v.toString();
  summary.insert("stops", QJsonArray::fromStringList(stopLabels(stops)));
  return summary;
}

RunRecord record_of(const QSqlQuery& q) {
  RunRecord r;
  r.id = q.value(0).toLongLong();
  r.started = QDateTime::fromString(q.value(1).toString(), Qt::ISODateWithMs);
  r.text = q.value(2).toString();
  r.model = q.value(3).toString();
  r.settings = object_of(q.value(4).toString());
  r.summary = with_current_stop_labels(object_of(q.value(5).toString()));
  r.chunks = array_of(q.value(6).toString());
  r.audioPath = q.value(7).toString();
  r.codesPath = q.value(8).toString();
  return r;
}

const char* kColumns = "id, started, text, model, settings, summary, chunks, audio_path, codes_path";

// The table, and in histories written before the codes view its codes_path column.
// What went wrong, or nothing.
QString make_table(QSqlDatabase& db) {
  QSqlQuery q(db);
  if (!q.exec("CREATE TABLE IF NOT EXISTS runs (id INTEGER PRIMARY KEY AUTOINCREMENT, started TEXT NOT NULL, "
              "text TEXT NOT NULL, model TEXT, settings TEXT, summary TEXT, chunks TEXT, audio_path TEXT, "
              "codes_path TEXT)") ||
      !q.exec("PRAGMA table_info(runs)"))
    return q.lastError().text();
  while (q.next())
    if (q.value(1).toString() == "codes_path") return {};
  return q.exec("ALTER TABLE runs ADD COLUMN codes_path TEXT") ? QString() : q.lastError().text();
}

}  // namespace

RunHistory::~RunHistory() {
  if (connection_.isEmpty()) return;
  { QSqlDatabase::database(connection_).close(); }
  QSqlDatabase::removeDatabase(connection_);
}

bool RunHistory::open(const QString& path, QString* error) {
  const QString name = "history-" + QUuid::createUuid().toString(QUuid::WithoutBraces);
  {
    QSqlDatabase db = QSqlDatabase::addDatabase("QSQLITE", name);
    db.setDatabaseName(path);
    if (!db.open()) {
      if (error) *error = QObject::tr("Cannot open the run history %1: %2").arg(path, db.lastError().text());
      db = QSqlDatabase();
      QSqlDatabase::removeDatabase(name);
      return false;
    }
    const QString problem = make_table(db);
    if (!problem.isEmpty()) {
      if (error) *error = QObject::tr("%1 is not a usable run history: %2").arg(path, problem);
      db.close();
      db = QSqlDatabase();
      QSqlDatabase::removeDatabase(name);
      return false;
    }
  }
  connection_ = name;
  return true;
}

qint64 RunHistory::add(const RunRecord& r, QString* error) {
  QSqlQuery q(QSqlDatabase::database(connection_));
  q.prepare("INSERT INTO runs (started, text, model, settings, summary, chunks, audio_path, codes_path) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  q.addBindValue(r.started.toString(Qt::ISODateWithMs));
  q.addBindValue(r.text);
  q.addBindValue(r.model);
  q.addBindValue(to_text(r.settings));
  q.addBindValue(to_text(r.summary));
  q.addBindValue(to_text(r.chunks));
  q.addBindValue(r.audioPath);
  q.addBindValue(r.codesPath);
  if (!q.exec()) {
    if (error) *error = q.lastError().text();
    return -1;
  }
  return q.lastInsertId().toLongLong();
}

QVector<RunRecord> RunHistory::list(int limit) const {
  QVector<RunRecord> out;
  QSqlQuery q(QSqlDatabase::database(connection_));
  q.prepare(QString("SELECT %1 FROM runs ORDER BY id DESC LIMIT ?").arg(kColumns));
  q.addBindValue(limit);
  if (!q.exec()) return out;
  while (q.next()) out.push_back(record_of(q));
  return out;
}

std::optional<RunRecord> RunHistory::get(qint64 id) const {
  QSqlQuery q(QSqlDatabase::database(connection_));
  q.prepare(QString("SELECT %1 FROM runs WHERE id = ?").arg(kColumns));
  q.addBindValue(id);
  if (!q.exec() || !q.next()) return std::nullopt;
  return record_of(q);
}

bool RunHistory::remove(qint64 id) {
  QSqlQuery q(QSqlDatabase::database(connection_));
  q.prepare("DELETE FROM runs WHERE id = ?");
  q.addBindValue(id);
  return q.exec() && q.numRowsAffected() == 1;
}

int RunHistory::importFrom(const QString& path, QString* error) {
  RunHistory other;
  if (!other.open(path, error)) return -1;
  int count = 0;
  for (const auto& r : other.list(100000)) {
    if (!r.started.isValid() || r.text.isEmpty()) continue;  // damaged rows are skipped, not trusted
    if (add(r, error) < 0) return -1;
    ++count;
  }
  return count;
}
