#pragma once
// One `csm-bench --benchmark` JSON report, read for comparison across machines:
// its runs, the machine it ran on, and the best run per chunk size / stream batch.
#include <QByteArray>
#include <QString>
#include <QStringList>
#include <QVector>
#include <optional>

// One configuration the sweep measured (one element of the report's "runs").
struct BenchmarkRun {
  int chunkSizeMs = 0;
  int firstChunkMs = 0;
  int frameBatchSize = 0;
  int streamBatch = 0;
  bool cudaGraphs = false;
  double rtf = 0;
  double firstAudioMs = 0;
  double chunkLatencyP50Ms = 0;
  double chunkLatencyP90Ms = 0;
  double chunkLatencyP99Ms = 0;
  double realtimeStreams = 0;
  double peakRssGib = 0;
  double peakDeviceGib = 0;
  double wallMs = 0;
};

// The run plotted at one x value: the lowest-RTF run among those sharing x
// (frame batch sizes, CUDA graphs on/off), and how many runs it was chosen from.
struct BestRun {
  double x = 0;
  BenchmarkRun run;
  int candidates = 0;
};

class BenchmarkReport {
 public:
  // `source` names the report in messages and labels: a file path or a server URL.
  static std::optional<BenchmarkReport> fromFile(const QString& path, QString* error);
  static std::optional<BenchmarkReport> fromJson(const QByteArray& json, const QString& source, QString* error);

  const QString& source() const { return source_; }
  const QString& model() const { return model_; }
  const QString& device() const { return device_; }
  const QString& dtype() const { return dtype_; }
  int framesPerRun() const { return frames_per_run_; }
  // The GPU for a CUDA run, the CPU otherwise; empty when the report has no system section.
  const QString& machineName() const { return machine_name_; }
  // "<machine> (<device>)": what a reader calls the box.
  QString machineLabel() const;
  // The part of the source that tells two reports apart: a file name or a server's host:port.
  QString sourceName() const;
  const QVector<BenchmarkRun>& runs() const { return runs_; }

  // The smallest stream batch measured (1 in any sweep that has it): the chunk-size curves use it,
  // so they describe one stream, not a batch.
  int singleStreamBatch() const;
  // Lowest-RTF run per chunk size at singleStreamBatch(), by ascending chunk size.
  QVector<BestRun> bestPerChunkSize() const;
  // Lowest-RTF run per stream batch (over chunk sizes, frame batches, graphs), by ascending batch.
  QVector<BestRun> bestPerStreamBatch() const;

 private:
  QString source_, model_, device_, dtype_, machine_name_;
  int frames_per_run_ = 0;
  QVector<BenchmarkRun> runs_;
};

// One label per report, in order: machineLabel(), with the source name added where two
// labels would otherwise read the same (and a number if even those collide).
QStringList distinctMachineLabels(const QVector<BenchmarkReport>& reports);
