#include "benchmark_report.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QUrl>
#include <cmath>

namespace {

// Messages of a class that is no QObject, still translated (context "BenchmarkReport").
class Msg {
  Q_DECLARE_TR_FUNCTIONS(BenchmarkReport)
 public:
  static QString notObject(const QString& source) {
    return tr("%1: not a csm-bench --benchmark report (the JSON is not an object)").arg(source);
  }
  static QString noRuns(const QString& source) {
    return tr("%1: not a csm-bench --benchmark report (no 'runs' array; make one with "
              "csm-bench --benchmark --json-out FILE)")
        .arg(source);
  }
  static QString emptyRuns(const QString& source) { return tr("%1: the report has no runs").arg(source); }
  static QString runNotObject(const QString& source, int index) {
    return tr("%1: run %2 is not a JSON object").arg(source).arg(index + 1);
  }
  static QString missingNumber(const QString& source, int index, const QString& key) {
    return tr("%1: run %2 has no number '%3'").arg(source).arg(index + 1).arg(key);
  }
  static QString notPositiveInteger(const QString& source, int index, const QString& key) {
    return tr("%1: run %2: '%3' must be a positive whole number").arg(source).arg(index + 1).arg(key);
  }
  static QString notJson(const QString& source, const QString& what, int offset) {
    return tr("%1: not JSON (%2 at byte %3)").arg(source, what).arg(offset);
  }
  static QString cannotOpen(const QString& source, const QString& why) {
    return tr("%1: cannot open (%2)").arg(source, why);
  }
  static QString unknownMachine() { return tr("unknown machine"); }
};

bool fail(QString* error, const QString& message) {
  if (error) *error = message;
  return false;
}

// A required number of one run; a missing or non-numeric value names the run and the key.
bool readNumber(const QJsonObject& run, const char* key, double* out, const QString& source, int index,
                QString* error) {
  const QJsonValue value = run.value(QLatin1String(key));
  if (!value.isDouble() || !std::isfinite(value.toDouble()))
    return fail(error, Msg::missingNumber(source, index, QLatin1String(key)));
  *out = value.toDouble();
  return true;
}

bool readPositiveInt(const QJsonObject& run, const char* key, int* out, const QString& source, int index,
                     QString* error) {
  double value = 0;
  if (!readNumber(run, key, &value, source, index, error)) return false;
  if (value < 1 || value != std::floor(value) || value > 1e9)
    return fail(error, Msg::notPositiveInteger(source, index, QLatin1String(key)));
  *out = static_cast<int>(value);
  return true;
}

// Columns every plot needs are required; the rest (older or newer reports) default to 0.
bool readRun(const QJsonValue& value, const QString& source, int index, BenchmarkRun* run, QString* error) {
  if (!value.isObject()) return fail(error, Msg::runNotObject(source, index));
  const QJsonObject o = value.toObject();
  if (!readPositiveInt(o, "chunk_size_ms", &run->chunkSizeMs, source, index, error) ||
      !readPositiveInt(o, "stream_batch", &run->streamBatch, source, index, error) ||
      !readNumber(o, "rtf", &run->rtf, source, index, error) ||
      !readNumber(o, "first_audio_ms", &run->firstAudioMs, source, index, error) ||
      !readNumber(o, "realtime_streams", &run->realtimeStreams, source, index, error))
    return false;
  run->firstChunkMs = o.value("first_chunk_ms").toInt();
  run->frameBatchSize = o.value("frame_batch_size").toInt();
  run->cudaGraphs = o.value("cuda_graphs").toBool();
  run->chunkLatencyP50Ms = o.value("chunk_latency_p50_ms").toDouble();
  run->chunkLatencyP90Ms = o.value("chunk_latency_p90_ms").toDouble();
  run->chunkLatencyP99Ms = o.value("chunk_latency_p99_ms").toDouble();
  run->peakRssGib = o.value("peak_rss_gib").toDouble();
  run->peakDeviceGib = o.value("peak_device_gib").toDouble();
  run->wallMs = o.value("wall_ms").toDouble();
  return true;
}

// The GPU for a CUDA run, else the CPU; the "system" section is csm-bench --info's report.
// A report merged flat with --info output (jq -s add) is read as well.
QString machineNameOf(const QJsonObject& report, const QString& device) {
  const QJsonObject system = report.value("system").isObject() ? report.value("system").toObject() : report;
  const QString gpu = system.value("gpu").toString().trimmed();
  if (device.startsWith("cuda") && !gpu.isEmpty() && !gpu.startsWith("none")) return gpu;
  return system.value("cpu").toString().trimmed();
}

// The lowest-RTF run per key among the runs `keep` accepts, by ascending key.
template <typename KeyOf, typename Keep>
QVector<BestRun> bestPer(const QVector<BenchmarkRun>& runs, KeyOf keyOf, Keep keep) {
  QMap<int, BestRun> best;
  for (const auto& run : runs) {
    if (!keep(run)) continue;
    const int key = keyOf(run);
    auto it = best.find(key);
    if (it == best.end()) {
      best.insert(key, {double(key), run, 1});
      continue;
    }
    ++it->candidates;
    if (run.rtf < it->run.rtf) it->run = run;
  }
  return QVector<BestRun>(best.begin(), best.end());
}

}  // namespace

std::optional<BenchmarkReport> BenchmarkReport::fromFile(const QString& path, QString* error) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) {
    fail(error, Msg::cannotOpen(path, file.errorString()));
    return std::nullopt;
  }
  return fromJson(file.readAll(), path, error);
}

std::optional<BenchmarkReport> BenchmarkReport::fromJson(const QByteArray& json, const QString& source,
                                                         QString* error) {
  QJsonParseError parse{};
  const QJsonDocument doc = QJsonDocument::fromJson(json, &parse);
  if (parse.error != QJsonParseError::NoError) {
    fail(error, Msg::notJson(source, parse.errorString(), parse.offset));
    return std::nullopt;
  }
  if (!doc.isObject()) {
    fail(error, Msg::notObject(source));
    return std::nullopt;
  }
  const QJsonObject o = doc.object();
  if (!o.value("runs").isArray()) {
    fail(error, Msg::noRuns(source));
    return std::nullopt;
  }
  const QJsonArray runs = o.value("runs").toArray();
  if (runs.isEmpty()) {
    fail(error, Msg::emptyRuns(source));
    return std::nullopt;
  }
  BenchmarkReport report;
  report.source_ = source;
  for (int i = 0; i < runs.size(); ++i) {
    BenchmarkRun run;
    if (!readRun(runs.at(i), source, i, &run, error)) return std::nullopt;
    report.runs_.push_back(run);
  }
  report.model_ = o.value("label").toString(o.value("model").toString());
  report.device_ = o.value("device").toString();
  report.dtype_ = o.value("dtype").toString();
  report.frames_per_run_ = o.value("frames_per_run").toInt();
  report.machine_name_ = machineNameOf(o, report.device_);
  return report;
}

QString BenchmarkReport::machineLabel() const {
  const QString name = machine_name_.isEmpty() ? Msg::unknownMachine() : machine_name_;
  return device_.isEmpty() ? name : QString("%1 (%2)").arg(name, device_);
}

QString BenchmarkReport::sourceName() const {
  const QUrl url(source_);
  if (source_.contains("://") && !url.host().isEmpty())
    return url.port() > 0 ? QString("%1:%2").arg(url.host()).arg(url.port()) : url.host();
  return QFileInfo(source_).fileName();
}

int BenchmarkReport::singleStreamBatch() const {
  int smallest = 0;
  for (const auto& run : runs_)
    if (smallest == 0 || run.streamBatch < smallest) smallest = run.streamBatch;
  return smallest;
}

QVector<BestRun> BenchmarkReport::bestPerChunkSize() const {
  const int streams = singleStreamBatch();
  return bestPer(
      runs_, [](const BenchmarkRun& r) { return r.chunkSizeMs; },
      [streams](const BenchmarkRun& r) { return r.streamBatch == streams; });
}

QVector<BestRun> BenchmarkReport::bestPerStreamBatch() const {
  return bestPer(
      runs_, [](const BenchmarkRun& r) { return r.streamBatch; }, [](const BenchmarkRun&) { return true; });
}

QStringList distinctMachineLabels(const QVector<BenchmarkReport>& reports) {
  QHash<QString, int> uses;
  for (const auto& r : reports) ++uses[r.machineLabel()];
  QStringList labels;
  for (const auto& r : reports) {
    const QString plain = r.machineLabel();
    labels << (uses.value(plain) > 1 ? QString("%1 — %2").arg(plain, r.sourceName()) : plain);
  }
  // Two reports of one machine with one file name (from two folders): numbered, in order.
  QHash<QString, int> seen, total;
  for (const auto& label : labels) ++total[label];
  for (auto& label : labels)
    if (total.value(label) > 1) label = QString("%1 #%2").arg(label).arg(++seen[label]);
  return labels;
}
