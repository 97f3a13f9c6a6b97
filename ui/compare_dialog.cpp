#include "compare_dialog.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QVBoxLayout>
#include <algorithm>

#include "audio_output.h"
#include "code_grid.h"
#include "codes_view.h"
#include "csm/audio_file.h"
#include "csm/error.h"
#include "knobs_summary.h"
#include "spectrogram_view.h"
#include "time_series_plot.h"
#include "timeline.h"

namespace {

const QColor kColors[] = {QColor(40, 110, 200), QColor(220, 120, 20)};

void curves(const RunRecord& r, QVector<double>& x, QVector<double>& rtf, QVector<double>& latency) {
  for (const auto& v : r.chunks) {
    const auto c = v.toObject();
    if (c.value("frames").toInt() == 0) continue;
    x.push_back((c.value("first_frame").toDouble() + c.value("frames").toDouble()) * 0.08);
    rtf.push_back(c.value("rtf").toDouble());
    latency.push_back(c.value("generate_ms").toDouble() + c.value("decode_ms").toDouble());
  }
}

// A run's audio, or nothing when its file is gone (the views then show what they can).
QVector<float> audio_of(const RunRecord& r) {
  try {
    csm::AudioReadOptions any;
    any.allow_silence = true;
    const auto s = csm::read_audio_mono(r.audioPath.toStdString(), any);
    return QVector<float>(s.begin(), s.end());
  } catch (const csm::Error&) {
    return {};
  }
}

}  // namespace

CompareDialog::CompareDialog(const RunRecord& a, const RunRecord& b, AudioOutput* audio, QWidget* parent)
    : QDialog(parent) {
  setWindowTitle(tr("Compare runs"));
  rtf_ = new TimeSeriesPlot(tr("Cumulative RTF"), tr("audio (s)"), tr("RTF"), this);
  latency_ = new TimeSeriesPlot(tr("Chunk latency"), tr("audio (s)"), tr("ms"), this);
  auto* layout = new QVBoxLayout(this);
  auto* curves_row = new QHBoxLayout;
  curves_row->addWidget(rtf_);
  curves_row->addWidget(latency_);
  auto* runs_row = new QHBoxLayout;
  int i = 0;
  for (const RunRecord* r : {&a, &b}) {
    QVector<double> x, y_rtf, y_latency;
    curves(*r, x, y_rtf, y_latency);
    const QString name = tr("run %1").arg(r->id);
    rtf_->setSeriesData(rtf_->addSeries(name, kColors[i]), x, y_rtf);
    latency_->setSeriesData(latency_->addSeries(name, kColors[i], true), x, y_latency);
    runs_row->addWidget(runColumn(*r, i, audio), 1);
    ++i;
  }
  // One time axis for both columns: the longer run's, so equal times sit side by side.
  const double span = std::max(codes_[0]->shownSeconds(), codes_[1]->shownSeconds());
  for (int k = 0; k < 2; ++k) {
    codes_[k]->setTimeSpan(span);
    spectrograms_[k]->setTimeSpan(span);
  }
  auto* export_button = new QPushButton(tr("Export plots…"), this);
  connect(export_button, &QPushButton::clicked, this, &CompareDialog::chooseExport);
  layout->addLayout(curves_row, 2);
  layout->addLayout(runs_row, 5);
  layout->addWidget(export_button, 0, Qt::AlignRight);
  resize(1400, 980);
}

// One run's column: its codes and spectrogram on the run's time axis, and its play button.
QWidget* CompareDialog::runColumn(const RunRecord& r, int index, AudioOutput* audio) {
  auto* column = new QWidget(this);
  auto* layout = new QVBoxLayout(column);
  layout->setContentsMargins(0, 0, 0, 0);
  const QString name = tr("run %1").arg(r.id);
  codes_[index] = new CodesView(tr("Codes of %1").arg(name), column);
  spectrograms_[index] = new SpectrogramView(tr("Spectrogram of %1").arg(name), column);
  const CodeGrid grid = CodeGrid::load(r.codesPath);
  codes_[index]->setGrid(grid);
  if (grid.isEmpty()) codes_[index]->setNote(tr("This run was recorded without its codes."));
  const QVector<float> samples = audio_of(r);
  spectrograms_[index]->setSamples(samples);
  const double seconds = std::max(double(samples.size()) / timeline::kSampleRate, grid.frames() * timeline::kFrameSeconds);
  codes_[index]->setTimeSpan(seconds);
  codes_[index]->refreshNow();
  auto* play = new QPushButton(tr("Play run %1 (RTF %2)").arg(r.id).arg(r.summary.value("rtf").toDouble(), 0, 'f', 2),
                               column);
  play->setStyleSheet(QStringLiteral("color: %1;").arg(kColors[index].name()));
  connect(play, &QPushButton::clicked, this, [audio, samples] {
    if (!audio || samples.isEmpty()) return;
    audio->ring().reset();
    audio->start();
    audio->ring().push(samples.constData(), samples.size());
    audio->ring().markFinished();
  });
  connect(codes_[index], &CodesView::hovered, spectrograms_[index], &SpectrogramView::setCursorTime);
  connect(spectrograms_[index], &SpectrogramView::hovered, codes_[index], &CodesView::setCursorTime);
  layout->addWidget(codes_[index], 3);
  layout->addWidget(spectrograms_[index], 2);
  // What the run was made with, so a difference in its views can be put down to a knob.
  knobs_[index] = new QLabel(knobsSummary(r.settings), column);
  knobs_[index]->setWordWrap(true);
  layout->addWidget(knobs_[index]);
  layout->addWidget(play);
  return column;
}

QString CompareDialog::knobsText(int run) const { return knobs_[run]->text(); }

bool CompareDialog::exportPlots(const QString& stem, const QString& extension) {
  const QString run[] = {"a", "b"};
  bool ok = rtf_->exportTo(stem + "-rtf." + extension) && latency_->exportTo(stem + "-latency." + extension);
  for (int k = 0; k < 2 && ok; ++k)
    ok = codes_[k]->exportTo(stem + "-codes-" + run[k] + "." + extension) &&
         spectrograms_[k]->exportTo(stem + "-spectrogram-" + run[k] + "." + extension);
  return ok;
}

void CompareDialog::chooseExport() {
  const QString path =
      QFileDialog::getSaveFileName(this, tr("Export plots"), "compare.png", tr("PNG (*.png);;PDF (*.pdf)"));
  if (path.isEmpty()) return;
  const QFileInfo info(path);
  if (!exportPlots(info.absolutePath() + "/" + info.completeBaseName(), info.suffix().isEmpty() ? "png" : info.suffix()))
    QMessageBox::warning(this, tr("Export"), tr("Could not write the plots"));
}
