#pragma once
// Two past runs side by side: their RTF and latency curves overlaid, and under them each
// run's codes view and spectrogram, one column per run on one time axis (the longer
// run's); with the knobs each was made with; both playable, everything exportable as PNG/PDF.
#include <QDialog>
#include <QVector>

#include "run_history.h"

class AudioOutput;
class CodesView;
class QLabel;
class SpectrogramView;
class TimeSeriesPlot;

class CompareDialog : public QDialog {
  Q_OBJECT
 public:
  CompareDialog(const RunRecord& a, const RunRecord& b, AudioOutput* audio, QWidget* parent = nullptr);

  CodesView* codesView(int run) const { return codes_[run]; }
  SpectrogramView* spectrogramView(int run) const { return spectrograms_[run]; }
  QString knobsText(int run) const;  // the knobs the run was made with, as its column says
  // One file per plot and view: STEM-rtf.EXT, STEM-latency.EXT, STEM-codes-a.EXT, ...
  bool exportPlots(const QString& stem, const QString& extension);

 private:
  QWidget* runColumn(const RunRecord& run, int index, AudioOutput* audio);
  void chooseExport();

  TimeSeriesPlot *rtf_ = nullptr, *latency_ = nullptr;
  CodesView* codes_[2] = {nullptr, nullptr};
  SpectrogramView* spectrograms_[2] = {nullptr, nullptr};
  QLabel* knobs_[2] = {nullptr, nullptr};
};
