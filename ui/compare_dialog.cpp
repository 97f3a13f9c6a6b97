#include "compare_dialog.h"

#include <QHBoxLayout>
#include <QJsonArray>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

#include "audio_output.h"
#include "csm/audio_file.h"
#include "csm/error.h"
#include "time_series_plot.h"

namespace {

void curves(const RunRecord& r, QVector<double>& x, QVector<double>& rtf, QVector<double>& latency) {
  for (const auto& v : r.chunks) {
    const auto c = v.toObject();
    if (c.value("frames").toInt() == 0) continue;
    x.push_back((c.value("first_frame").toDouble() + c.value("frames").toDouble()) * 0.08);
    rtf.push_back(c.value("rtf").toDouble());
    latency.push_back(c.value("generate_ms").toDouble() + c.value("decode_ms").toDouble());
  }
}

}  // namespace

CompareDialog::CompareDialog(const RunRecord& a, const RunRecord& b, AudioOutput* audio, QWidget* parent)
    : QDialog(parent) {
  setWindowTitle(tr("Compare runs"));
  auto* rtf = new TimeSeriesPlot(tr("Cumulative RTF"), tr("audio (s)"), tr("RTF"), this);
  auto* latency = new TimeSeriesPlot(tr("Chunk latency"), tr("audio (s)"), tr("ms"), this);
  const QColor colors[] = {QColor(40, 110, 200), QColor(220, 120, 20)};
  auto* layout = new QVBoxLayout(this);
  auto* players = new QHBoxLayout;
  int i = 0;
  for (const RunRecord* r : {&a, &b}) {
    QVector<double> x, y_rtf, y_latency;
    curves(*r, x, y_rtf, y_latency);
    const QString name = tr("run %1").arg(r->id);
    rtf->setSeriesData(rtf->addSeries(name, colors[i]), x, y_rtf);
    latency->setSeriesData(latency->addSeries(name, colors[i], true), x, y_latency);
    auto* play = new QPushButton(tr("Play run %1 (RTF %2)").arg(r->id).arg(r->summary.value("rtf").toDouble(), 0, 'f', 2),
                                 this);
    connect(play, &QPushButton::clicked, this, [audio, path = r->audioPath] {
      if (!audio) return;
      try {
        csm::AudioReadOptions any;
        any.allow_silence = true;
        const auto s = csm::read_audio_mono(path.toStdString(), any);
        audio->ring().reset();
        audio->start();
        audio->ring().push(s.data(), static_cast<int>(s.size()));
        audio->ring().markFinished();
      } catch (const csm::Error&) {
      }
    });
    players->addWidget(play);
    ++i;
  }
  layout->addWidget(rtf);
  layout->addWidget(latency);
  layout->addLayout(players);
  resize(900, 650);
}
