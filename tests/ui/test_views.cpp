// The views of a run over time, on their own: the spectrogram of a pure sine peaks in
// its frequency's bin at the right level and a click shows at its time; the codes
// view's grid follows the frames (rows = codebooks, one column per frame, live growth
// keeps what was drawn); the codes, the spectrogram and the waveform put a moment at
// the same x; and no legend sits over the data of any plot.
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QVBoxLayout>
#include <QtTest>
#include <cmath>

#include "code_grid.h"
#include "codes_view.h"
#include "plot_legend.h"
#include "qcustomplot.h"
#include "spectrogram.h"
#include "spectrogram_view.h"
#include "time_series_plot.h"
#include "timeline.h"
#include "waveform_view.h"

namespace {

QVector<float> sine(double hz, double amplitude, double seconds, int rate = 24000) {
  QVector<float> s(static_cast<int>(seconds * rate));
  for (int i = 0; i < s.size(); ++i) s[i] = static_cast<float>(amplitude * std::sin(2 * M_PI * hz * i / rate));
  return s;
}

// A chunk of `frames` frames, `width` codes each: code = 100 * codebook + frame + 1 up to
// `depth` codebooks, 0 past it (as the engine leaves them).
QVector<int> chunk_codes(int first_frame, int frames, int width, int depth) {
  QVector<int> codes;
  for (int f = 0; f < frames; ++f)
    for (int c = 0; c < width; ++c) codes << (c < depth ? 100 * c + first_frame + f + 1 : 0);
  return codes;
}

// The legend is out of every axis rect and overlaps none of them.
void check_legend_outside(QCustomPlot* plot, const char* what) {
  plot->replot();
  QVERIFY2(plot->legend->visible(), what);
  for (QCPAxisRect* rect : plot->axisRects()) {
    QVERIFY2(plot->legend->layout() != rect->insetLayout(), what);
    QVERIFY2(!plot->legend->outerRect().intersects(rect->rect()),
             qPrintable(QStringLiteral("%1: legend %2,%3 %4x%5, axes %6,%7 %8x%9")
                            .arg(what).arg(plot->legend->outerRect().x()).arg(plot->legend->outerRect().y())
                            .arg(plot->legend->outerRect().width()).arg(plot->legend->outerRect().height())
                            .arg(rect->rect().x()).arg(rect->rect().y()).arg(rect->rect().width()).arg(rect->rect().height())));
  }
}

}  // namespace

class ViewsTest : public QObject {
  Q_OBJECT

 private slots:
  void aSinePeaksInItsBinAtItsLevel() {
    for (const double hz : {1000.0, 3000.0, 440.0}) {
      Spectrogram stft(24000, 1024, 480);
      const QVector<float> s = sine(hz, 0.5, 1.0);
      stft.append(s.constData(), s.size());
      QVERIFY(stft.columns() > 40);
      const int expected = static_cast<int>(std::lround(hz * 1024 / 24000));
      for (int column = 5; column < stft.columns() - 5; column += 7) {
        QCOMPARE(stft.peakBin(column), expected);
        // 0.5 is -6 dB of full scale; a sine between two bins loses up to 1.4 dB to the Hann window.
        const float level = stft.db(column, expected);
        QVERIFY2(level < -5.5f && level > -7.6f, qPrintable(QString::number(level)));
      }
      QVERIFY(std::abs(stft.binHz(expected) - hz) <= stft.binHz(1) / 2);
    }
  }

  void liveColumnsEqualOneShotColumnsAndFinishCoversTheEnd() {
    const QVector<float> s = sine(2000, 0.3, 0.77);
    Spectrogram whole, live;
    whole.append(s.constData(), s.size());
    for (int at = 0; at < s.size(); at += 1920) live.append(s.constData() + at, std::min<int>(1920, s.size() - at));
    QCOMPARE(live.columns(), whole.columns());
    for (int c = 0; c < whole.columns(); ++c)
      for (int k = 0; k < whole.bins(); k += 37) QCOMPARE(live.db(c, k), whole.db(c, k));
    whole.finish();
    QCOMPARE(whole.columns(), static_cast<int>(std::ceil(s.size() / 480.0)));  // one per 20 ms, the last part too
  }

  // A click at 1.00 s: the loudest column is the one centred there (the run's time axis).
  void aClickShowsAtItsTime() {
    QVector<float> s(48000, 0.0f);
    s[24000] = 1.0f;
    Spectrogram stft;
    stft.append(s.constData(), s.size());
    stft.finish();
    int loudest = 0;
    for (int c = 1; c < stft.columns(); ++c)
      if (stft.db(c, 100) > stft.db(loudest, 100)) loudest = c;
    QVERIFY2(std::abs(stft.columnSeconds(loudest) - 1.0) <= 0.011, qPrintable(QString::number(stft.columnSeconds(loudest))));
  }

  void theGridFollowsTheFrames() {
    CodesView view("codes");
    view.resize(900, 400);
    view.reset(8);
    int frames = 0;
    for (int n : {1, 3, 3}) {
      view.append(chunk_codes(frames, n, 32, 8), 32, QVector<float>(n, 2.5f), frames == 0);
      frames += n;
      view.refreshNow();
      QCOMPARE(view.columns(), frames);
      QCOMPARE(view.rows(), 8);  // the run's codebooks, not the 32 of a frame
      QVERIFY(view.map()->data()->keySize() >= frames);
      QVERIFY(std::isfinite(view.map()->data()->cell(frames - 1, 7)));
      QVERIFY(std::isnan(view.map()->data()->cell(frames, 0)));  // no frame there yet: transparent
      QCOMPARE(view.shownSeconds(), frames * 0.08);
    }
    QCOMPARE(view.map()->data()->cell(4, 3), 305.0);  // frame 4, codebook 3
    QCOMPARE(view.grid().chunkStarts(), (QVector<int>{0, 1, 4}));
    QCOMPARE(view.grid().textStarts(), (QVector<int>{0}));
    // A long run: the map grows, what was drawn stays.
    for (int i = 0; i < 40; ++i) {
      view.append(chunk_codes(frames, 4, 32, 8), 32, {}, false);
      frames += 4;
    }
    view.refreshNow();
    QCOMPARE(view.columns(), 167);
    QVERIFY(view.map()->data()->keySize() >= 167);
    QCOMPARE(view.map()->data()->cell(4, 3), 305.0);
    QCOMPARE(view.map()->data()->cell(166, 7), 700.0 + 167);
    QVERIFY(view.readoutAt(0.09, 2).contains("frame 1"));
    QVERIFY2(view.readoutAt(0.09, 2).contains("code 202"), qPrintable(view.readoutAt(0.09, 2)));
    QVERIFY(view.readoutAt(0.09, 2).contains("2.50 nats"));
    QVERIFY(view.readoutAt(100, 2).isEmpty());  // past the run
    view.reset(32);
    view.refreshNow();
    QCOMPARE(view.columns(), 0);
    QCOMPARE(view.rows(), 32);
  }

  void theGridRoundTripsThroughJson() {
    CodeGrid grid;
    grid.setDepth(4);
    grid.append(chunk_codes(0, 2, 32, 4), 32, {1.5f, 2.0f}, true);
    grid.append(chunk_codes(2, 3, 32, 4), 32, {}, false);
    const CodeGrid back = CodeGrid::fromJson(QJsonDocument::fromJson(QJsonDocument(grid.toJson()).toJson()).object());
    QCOMPARE(back.frames(), 5);
    QCOMPARE(back.depth(), 4);
    for (int f = 0; f < 5; ++f)
      for (int c = 0; c < 4; ++c) QCOMPARE(back.code(f, c), grid.code(f, c));
    QCOMPARE(back.entropy(1), 2.0f);
    QVERIFY(std::isnan(back.entropy(3)));
    QCOMPARE(back.chunkStarts(), (QVector<int>{0, 2}));
    QVERIFY(CodeGrid::fromJson(QJsonObject{{"depth", 4}, {"frames", QJsonArray{QJsonArray{1, 2}}}}).isEmpty());
    QTemporaryDir dir;
    QVERIFY(grid.save(dir.filePath("g.json")));
    QCOMPARE(CodeGrid::load(dir.filePath("g.json")).frames(), 5);
    QVERIFY(CodeGrid::load(dir.filePath("missing.json")).isEmpty());
  }

  // Stacked in one column, as in the window: 0 s and the end of the audio are at the same
  // x in the codes, the spectrogram and the waveform.
  void theViewsShareOneTimeAxis() {
    QWidget column;
    auto* layout = new QVBoxLayout(&column);
    auto* codes = new CodesView("codes");
    auto* spectrogram = new SpectrogramView("spectrogram");
    auto* waveform = new WaveformView;
    waveform->setMargins(timeline::kLeft, timeline::kRight);
    for (QWidget* w : {static_cast<QWidget*>(codes), static_cast<QWidget*>(spectrogram), static_cast<QWidget*>(waveform)})
      layout->addWidget(w);
    column.resize(1100, 800);
    column.show();
    QVERIFY(QTest::qWaitForWindowExposed(&column));
    const QVector<float> audio = sine(500, 0.5, 25 * 0.08);
    codes->reset(32);
    codes->append(chunk_codes(0, 25, 32, 32), 32, QVector<float>(25, 3.0f), true);
    spectrogram->setSamples(audio);
    waveform->setSamples(audio);
    codes->setTimeSpan(2.0);
    spectrogram->setTimeSpan(2.0);
    codes->refreshNow();
    spectrogram->refreshNow();
    codes->plot()->replot();
    spectrogram->plot()->replot();
    const QRect c = codes->dataRect(), s = spectrogram->dataRect(), w = waveform->dataRect();
    const auto x_of = [](QWidget* view, const QRect& r) { return view->mapTo(view->window(), r.topLeft()).x(); };
    QCOMPARE(x_of(codes, c), x_of(spectrogram, s));
    QCOMPARE(x_of(codes, c), x_of(waveform, w));
    QCOMPARE(c.width(), s.width());
    QCOMPARE(c.width(), w.width());
    QCOMPARE(codes->shownSeconds(), 2.0);
    QCOMPARE(spectrogram->shownSeconds(), 2.0);
  }

  void legendsSitWhereNoDataIs() {
    TimeSeriesPlot series("t", "x", "y");
    series.resize(500, 300);
    series.show();
    QVERIFY(QTest::qWaitForWindowExposed(&series));
    series.addSeries("a", Qt::blue);
    series.addPoint(0, 1, 1);
    check_legend_outside(series.plot(), "time series");
    CodesView codes("codes");
    codes.resize(800, 400);
    codes.show();
    QVERIFY(QTest::qWaitForWindowExposed(&codes));
    codes.append(chunk_codes(0, 3, 32, 32), 32, QVector<float>(3, 1.0f), true);
    codes.refreshNow();
    check_legend_outside(codes.plot(), "codes view");
  }
};

QTEST_MAIN(ViewsTest)
#include "test_views.moc"
