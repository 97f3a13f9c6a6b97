// The studio window, driven as a user would: knobs reach the next run, a bad
// clip shows an error, runs land in the history, exports write files, and a
// screenshot taken during a demo run shows the plots being drawn.
#include <QAction>
#include <QDir>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QImage>
#include <QJsonObject>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QSlider>
#include <QTemporaryDir>
#include <QtTest>

#include <QStatusBar>

#include "code_grid.h"
#include "codes_view.h"
#include "compare_dialog.h"
#include "following_slider.h"
#include "labeled_slider.h"
#include "main_window.h"
#include "run_settings_panel.h"
#include "sentence_ends.h"
#include "spectrogram_view.h"
#include "stop_label.h"
#include "support/limited_cpu_allocator.h"
#include "time_series_plot.h"
#include "voice_clip_panel.h"

namespace {

// The first chunk of `piece` the run made so far, or null.
const ChunkStats* chunk_of_piece(const MainWindow& w, int piece) {
  for (const auto& c : w.runChunks())
    if (c.piece == piece) return &c;
  return nullptr;
}

bool wait_for_piece(const MainWindow& w, int piece, int ms = 120000) {
  QElapsedTimer t;
  t.start();
  while (!chunk_of_piece(w, piece) && t.elapsed() < ms) QTest::qWait(20);
  return chunk_of_piece(w, piece) != nullptr;
}

// The demo model's noise never ends a piece: each runs to its frame limit (25 frames and
// 6 a token; a length guard would end the stream). One codebook a frame keeps that short.
RunSettings quick_pieces() {
  RunSettings s;
  s.codebooks = 1;
  s.length_guard = 0;
  s.max_audio_ms = 15000;  // the whole stream's
  s.chunk_ms = 160;
  return s;
}

bool wait_ready(MainWindow& w, int ms = 60000) {
  QElapsedTimer t;
  t.start();
  while (w.state() != EngineState::Ready && t.elapsed() < ms) QTest::qWait(20);
  return w.state() == EngineState::Ready;
}

// Pixels of `color` (within a tolerance) inside `image`.
int count_color(const QImage& image, const QColor& color) {
  int n = 0;
  for (int y = 0; y < image.height(); ++y)
    for (int x = 0; x < image.width(); ++x) {
      const QColor c = image.pixelColor(x, y);
      if (std::abs(c.red() - color.red()) < 30 && std::abs(c.green() - color.green()) < 30 &&
          std::abs(c.blue() - color.blue()) < 30)
        ++n;
    }
  return n;
}

}  // namespace

class MainWindowTest : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;

 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    qputenv("CSM_STUDIO_NO_DIALOGS", "1");
    QCoreApplication::setOrganizationName("csm-studio-test");
  }

  void slidersReachTheNextRunsConfig() {
    MainWindow w("demo", dir_.filePath("h1.sqlite"), false);
    QVERIFY(wait_ready(w));
    auto* panel = w.settingsPanel();
    RunSettings shorter;
    shorter.max_audio_ms = 2000;  // the knobs are the point, not a long run (slow under a loaded CI machine)
    panel->setSettings(shorter);
    panel->chunkSlider()->slider()->setValue(1);  // 80 + 1 * 80 ms
    panel->temperatureSlider()->field()->setValue(0.5);
    panel->topKSlider()->slider()->setValue(20);
    panel->frameBatchSlider()->field()->setValue(2);
    w.textEdit()->setPlainText("Settings reach the run.");
    QSignalSpy done(&w, &MainWindow::runCompleted);
    w.generate();
    QVERIFY(done.wait(60000));
    const RunSettings s = w.lastRequest().settings;
    QCOMPARE(s.chunk_ms, 160);
    QCOMPARE(s.temperature, 0.5);
    QCOMPARE(s.top_k, 20);
    QCOMPARE(s.frame_batch, 2);
    QCOMPARE(s.max_audio_ms, 2000);
    const csm::StreamingConfig c = s.toConfig();
    QCOMPARE(c.chunk_size_ms, 160);
    QCOMPARE(c.sampling.top_k, 20);
    QCOMPARE(c.frame_batch_size, 2);
    QVERIFY(std::abs(c.sampling.temperature - 0.5f) < 1e-6);
    QVERIFY(!w.lastAudio().isEmpty());
    QCOMPARE(w.history().list().size(), 1);  // the run was recorded
    QVERIFY(QFile::exists(w.history().list().front().audioPath));
  }

  void presetsRoundTrip() {
    RunSettingsPanel panel;
    RunSettings s;
    s.chunk_ms = 480;
    s.temperature = 1.25;
    s.seed = 77;
    panel.setSettings(s);
    QString error;
    QVERIFY(panel.savePreset(dir_.filePath("p.json"), &error));
    panel.setSettings(RunSettings{});
    QVERIFY(panel.loadPreset(dir_.filePath("p.json"), &error));
    QCOMPARE(panel.settings().chunk_ms, 480);
    QCOMPARE(panel.settings().seed, 77);
    QFile bad(dir_.filePath("bad.json"));
    QVERIFY(bad.open(QIODevice::WriteOnly));
    bad.write("{not json");
    bad.close();
    QVERIFY(!panel.loadPreset(dir_.filePath("bad.json"), &error));
    QVERIFY(error.contains("bad.json"));
  }

  // One name per knob: presets write "top_k"; ones saved before it ("topk") still load.
  void presetsWriteTopKAndReadTheOldKey() {
    RunSettings s;
    s.top_k = 33;
    QCOMPARE(s.toJson().value("top_k").toInt(), 33);
    QVERIFY(!s.toJson().contains("topk"));
    QCOMPARE(RunSettings::fromJson(QJsonObject{{"topk", 17}}).top_k, 17);
    QCOMPARE(RunSettings::fromJson(QJsonObject{{"top_k", 21}, {"topk", 17}}).top_k, 21);
    QFile old(dir_.filePath("old-preset.json"));
    QVERIFY(old.open(QIODevice::WriteOnly));
    old.write(R"({"chunk_ms": 400, "topk": 12})");
    old.close();
    RunSettingsPanel panel;
    QString error;
    QVERIFY2(panel.loadPreset(old.fileName(), &error), qPrintable(error));
    QCOMPARE(panel.settings().top_k, 12);
    QCOMPARE(panel.settings().chunk_ms, 400);
  }

  // Presets carry the research knobs; a depth knob ticked "same as codebook 0" is saved as
  // following (negative) and shows codebook 0's value; a preset from before them loads
  // with their defaults.
  void presetsCarryTheResearchKnobs() {
    RunSettingsPanel panel;
    panel.setSettings(RunSettings{});
    QVERIFY(panel.depthTopKSlider()->following());
    panel.topPSlider()->field()->setValue(0.85);
    panel.depthTemperatureSlider()->setValue(0.4);
    panel.codebooksSlider()->field()->setValue(12);
    panel.codebookFillBox()->setCurrentIndex(panel.codebookFillBox()->findData("pad"));
    panel.lengthGuardSlider()->field()->setValue(0);
    panel.topKSlider()->field()->setValue(30);
    QCOMPARE(panel.depthTopKSlider()->slider()->value(), 30.0);  // follows codebook 0, on screen too
    QString error;
    QVERIFY(panel.savePreset(dir_.filePath("knobs.json"), &error));
    panel.setSettings(RunSettings{});
    QVERIFY(panel.loadPreset(dir_.filePath("knobs.json"), &error));
    const RunSettings s = panel.settings();
    QVERIFY(std::abs(s.top_p - 0.85) < 1e-9);
    QVERIFY(std::abs(s.depth_temperature - 0.4) < 1e-9);
    QVERIFY(s.depth_top_k < 0 && s.depth_top_p < 0);
    QCOMPARE(s.codebooks, 12);
    QCOMPARE(s.codebook_fill, QString("pad"));
    QCOMPARE(s.length_guard, 0.0);
    const csm::StreamingConfig c = s.toConfig();
    QCOMPARE(c.codebooks, 12);
    QVERIFY(c.codebook_fill == csm::CodebookFill::Pad);
    QCOMPARE(c.sampling.decoder_top_k(), 30);
    panel.codebooksSlider()->field()->setValue(32);
    QCOMPARE(panel.settings().codebooks, 0);  // the top of the slider is "all"
    const RunSettings old = RunSettings::fromJson(QJsonObject{{"chunk_ms", 400}, {"topk", 12}});
    QCOMPARE(old.codebooks, 0);
    QCOMPARE(old.length_guard, RunSettings{}.length_guard);
    QVERIFY(old.depth_temperature < 0);
    QCOMPARE(readableStop("length_guard"), QString("length guard"));
  }

  // Two runs with different codebooks: each keeps its codes in the history, a replay shows
  // them, and compare-two puts both grids, spectrograms and knobs side by side and exports
  // them (with CSM_COMPARE_SCREENSHOT_OUT set, the dialog is saved there for docs/).
  void compareTwoShowsEachRunsCodesAndKnobs() {
    MainWindow w("demo", dir_.filePath("h6.sqlite"), false);
    QVERIFY(wait_ready(w));
    w.textEdit()->setPlainText("Two runs to compare, side by side.");
    for (int codebooks : {8, 0}) {
      RunSettings s;
      s.max_audio_ms = 2000;  // the slider holds whole seconds
      s.length_guard = 0;
      s.codebooks = codebooks;
      w.settingsPanel()->setSettings(s);
      QSignalSpy done(&w, &MainWindow::runCompleted);
      w.generate();
      QVERIFY(done.wait(60000));
    }
    const auto runs = w.history().list();
    QCOMPARE(runs.size(), 2);
    for (const auto& r : runs) QVERIFY2(QFile::exists(r.codesPath), qPrintable(r.codesPath));
    const RunRecord& eight = runs[0].settings.value("codebooks").toInt() == 8 ? runs[0] : runs[1];
    const RunRecord& all = &eight == &runs[0] ? runs[1] : runs[0];
    w.replay(eight.id);
    w.codesView()->refreshNow();
    QCOMPARE(w.codesView()->rows(), 8);
    QCOMPARE(w.codesView()->columns(), 25);
    QVERIFY(w.spectrogramView()->spectrogram().columns() >= 100);
    CompareDialog dialog(eight, all, nullptr);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QCOMPARE(dialog.codesView(0)->rows(), 8);
    QCOMPARE(dialog.codesView(1)->rows(), 32);
    QVERIFY2(dialog.knobsText(0).contains("codebooks 8"), qPrintable(dialog.knobsText(0)));
    QVERIFY(dialog.knobsText(1).contains("codebooks all"));
    QVERIFY(dialog.exportPlots(dir_.filePath("cmp"), "png"));
    for (const char* part : {"rtf", "latency", "codes-a", "codes-b", "spectrogram-a", "spectrogram-b"})
      QVERIFY2(QFile::exists(dir_.filePath(QString("cmp-%1.png").arg(part))), part);
    const QByteArray out = qgetenv("CSM_COMPARE_SCREENSHOT_OUT");
    if (!out.isEmpty()) {
      dialog.resize(1400, 980);
      QTest::qWait(300);
      QVERIFY(dialog.grab().toImage().save(QString::fromLocal8Bit(out)));
    }
  }

  // A sentence ends at . ! or ? and white space, or at a line break; nothing before `from` counts.
  void sentenceEndsNeedTheSpaceAfterTheMark() {
    QCOMPARE(lastSentenceEnd("Hello there", 0), 0);
    QCOMPARE(lastSentenceEnd("Pi is 3.", 0), 0);  // may yet be 3.14
    QCOMPARE(lastSentenceEnd("Pi is 3.14. Yes", 0), 12);
    QCOMPARE(lastSentenceEnd("Hi! How? Fine", 0), 9);
    QCOMPARE(lastSentenceEnd("one line\nand", 0), 9);
    QCOMPARE(lastSentenceEnd("Hi! How", 4), 4);
  }

  // Type to speak with the demo model: each sentence is spoken as soon as it is typed,
  // before Done; the unfinished rest goes with Done, which ends the text and the run.
  void typeToSpeakSpeaksEachSentenceBeforeDone() {
    MainWindow w("demo", dir_.filePath("h-typed.sqlite"), false);
    const QByteArray shot = qgetenv("CSM_TYPE_SCREENSHOT_OUT");  // docs/studio-type-to-speak.png, under Xvfb
    if (!shot.isEmpty()) {
      w.resize(1400, 860);
      w.show();
    }
    QVERIFY(wait_ready(w));
    w.settingsPanel()->setSettings(quick_pieces());
    QSignalSpy done(&w, &MainWindow::runCompleted);
    w.typeToSpeakAction()->trigger();
    QCOMPARE(w.state(), EngineState::Generating);
    QVERIFY(w.textEdit()->toPlainText().isEmpty());
    QTest::keyClicks(w.textEdit(), "Hi there. Then");
    QVERIFY(wait_for_piece(w, 0));
    QTest::keyClicks(w.textEdit(), " more! And so");
    QVERIFY(wait_for_piece(w, 1));
    QCOMPARE(w.state(), EngineState::Generating);  // still typing: nothing ended the text
    QVERIFY(w.typeToSpeakAction()->isChecked());
    QVERIFY(done.isEmpty());
    if (!shot.isEmpty()) QVERIFY(w.grab().toImage().save(QString::fromLocal8Bit(shot)));
    w.typeToSpeakAction()->trigger();  // Done
    QVERIFY(!w.typeToSpeakAction()->isChecked());
    QVERIFY(done.wait(120000));
    QCOMPARE(w.state(), EngineState::Ready);
    QVERIFY(chunk_of_piece(w, 2));  // "And so": sent with Done
    QVERIFY(!w.lastAudio().isEmpty());
    const auto result = done.takeFirst().at(0).value<RunResult>();
    QVERIFY(!result.cancelled);
    QCOMPARE(w.history().list().front().text, QString("Hi there. Then more! And so"));
  }

  // Stop during type to speak cancels the run, the mode goes off, and typing speaks nothing more.
  void typeToSpeakStops() {
    MainWindow w("demo", dir_.filePath("h-typed-stop.sqlite"), false);
    QVERIFY(wait_ready(w));
    w.settingsPanel()->setSettings(quick_pieces());
    QSignalSpy done(&w, &MainWindow::runCompleted);
    w.typeToSpeakAction()->trigger();
    QTest::keyClicks(w.textEdit(), "Stop me soon. ");
    QVERIFY(wait_for_piece(w, 0));
    w.stop();
    QVERIFY(!w.typeToSpeakAction()->isChecked());
    QVERIFY(done.wait(60000));
    QVERIFY(done.takeFirst().at(0).value<RunResult>().cancelled);
    QCOMPARE(w.state(), EngineState::Ready);
    QTest::keyClicks(w.textEdit(), "Not spoken. ");
    QTest::qWait(200);
    QCOMPARE(w.state(), EngineState::Ready);
  }

  void aBadClipShowsAnErrorNotACrash() {
    VoiceClipPanel panel;
    QFile text(dir_.filePath("notes.wav"));
    QVERIFY(text.open(QIODevice::WriteOnly));
    text.write("this is not audio");
    text.close();
    QVERIFY(!panel.addClip(dir_.filePath("notes.wav")));
    QVERIFY(panel.lastError().contains("notes.wav"));
    QVERIFY(!panel.addClip(dir_.filePath("missing.flac")));
    QVERIFY(panel.clips().isEmpty());
  }

  void stopInterruptsAndExportsWrite() {
    MainWindow w("demo", dir_.filePath("h2.sqlite"), false);
    QVERIFY(wait_ready(w));
    RunSettings s;
    s.max_audio_ms = 120000;
    s.chunk_ms = 80;
    w.settingsPanel()->setSettings(s);
    w.textEdit()->setPlainText("This run is stopped by the user.");
    QSignalSpy done(&w, &MainWindow::runCompleted);
    w.generate();
    QTRY_VERIFY_WITH_TIMEOUT(w.rtfPlot()->pointCount(0) >= 3, 30000);
    w.stop();
    QVERIFY(done.wait(10000));
    QVERIFY(done.front().at(0).value<RunResult>().cancelled);
    QCOMPARE(w.state(), EngineState::Ready);
    QVERIFY(w.exportAudio(dir_.filePath("out.wav")));
    QVERIFY(w.exportMetrics(dir_.filePath("m.csv")));
    QVERIFY(w.exportMetrics(dir_.filePath("m.json")));
    QVERIFY(w.exportPlots(dir_.filePath("plots"), "png"));
    QVERIFY(w.exportPlots(dir_.filePath("plots"), "pdf"));
    for (const char* f : {"out.wav", "m.csv", "m.json", "plots-rtf.png", "plots-latency.pdf", "plots-memory.png"})
      QVERIFY2(QFileInfo(dir_.filePath(f)).size() > 0, f);
  }

  void aRunThatRunsOutOfMemoryKeepsItsAudio() {
    MainWindow w("demo", dir_.filePath("h5.sqlite"), false);
    QVERIFY(wait_ready(w));
    RunSettings s;
    s.max_audio_ms = 120000;
    s.chunk_ms = 400;  // frames wait between chunks: the failure lands among them
    w.settingsPanel()->setSettings(s);
    w.textEdit()->setPlainText("This run runs out of memory part way.");
    csm::test::LimitedCpuAllocator allocator;
    w.generate();
    QTRY_VERIFY_WITH_TIMEOUT(w.rtfPlot()->pointCount(0) >= 2, 30000);
    allocator.fail_nth(1);  // the worker's next LibTorch allocation fails, as on a full device
    QTRY_COMPARE_WITH_TIMEOUT(w.state(), EngineState::Ready, 30000);
    QCOMPARE(allocator.refused(), 1);
    QVERIFY2(w.statusBar()->currentMessage().contains("out of memory while generating"),
             qPrintable(w.statusBar()->currentMessage()));

    const auto runs = w.history().list();
    QCOMPARE(runs.size(), 1);
    const auto& run = runs.front();
    QVERIFY(run.summary.value("failure").toString().contains("out of memory"));
    const qint64 frames = run.summary.value("frames").toInteger();
    QVERIFY(frames >= 6);  // the chunks before, and the frames made after the last one
    QCOMPARE(qint64(w.lastAudio().size()), frames * 1920);
    QCOMPARE(QFileInfo(run.audioPath).size(), 44 + 2 * frames * 1920);  // 16-bit WAV of every frame

    // The same engine runs again.
    s.max_audio_ms = 800;
    w.settingsPanel()->setSettings(s);
    QSignalSpy done(&w, &MainWindow::runCompleted);
    w.generate();
    QVERIFY(done.wait(60000));
    QCOMPARE(w.history().list().size(), 2);
  }

  void closingMidRunStopsTheWorker() {
    auto* w = new MainWindow("demo", dir_.filePath("h3.sqlite"), false);
    QVERIFY(wait_ready(*w));
    RunSettings s;
    s.max_audio_ms = 300000;
    w->settingsPanel()->setSettings(s);
    w->generate();
    QTest::qWait(300);
    QElapsedTimer t;
    t.start();
    w->close();
    delete w;  // joins the worker thread: must return within about a frame
    QVERIFY(t.elapsed() < 5000);
  }

  void screenshotShowsThePlotsBeingDrawn() {
    const QByteArray out = qgetenv("CSM_SCREENSHOT_OUT");
    if (out.isEmpty()) QSKIP("set CSM_SCREENSHOT_OUT (the Xvfb screenshot test does)");
    MainWindow w("demo", dir_.filePath("h4.sqlite"), false);
    w.resize(1500, 1000);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(wait_ready(w));
    RunSettings s;
    s.max_audio_ms = 6000;
    w.settingsPanel()->setSettings(s);
    w.textEdit()->setPlainText("Live plots while CSM generates: RTF, latency, memory and the waveform.");
    w.generate();
    QTRY_VERIFY_WITH_TIMEOUT(w.rtfPlot()->pointCount(1) >= 8, 60000);  // mid-run
    QTest::qWait(200);
    const QImage shot = w.grab().toImage();
    QVERIFY(shot.save(QString::fromLocal8Bit(out)));
    // The plots' own pixels: blue points and green cumulative line (RTF), purple latency points.
    const QImage rtf = w.rtfPlot()->grab().toImage();
    const QImage latency = w.latencyPlot()->grab().toImage();
    QVERIFY2(count_color(rtf, QColor(40, 110, 200)) > 40, "no RTF points drawn");
    QVERIFY2(count_color(rtf, QColor(20, 150, 90)) > 40, "no cumulative RTF line drawn");
    QVERIFY2(count_color(latency, QColor(130, 70, 180)) > 40, "no latency points drawn");
    QVERIFY2(count_color(shot, QColor(40, 110, 200)) > 200, "no waveform or points in the window");
    // The views of the run over time follow it live: codes so far, and their spectrogram.
    QVERIFY(w.codesView()->columns() >= 8);
    QVERIFY(w.spectrogramView()->spectrogram().columns() >= 8 * 4);
    w.stop();
    QTest::qWait(500);
  }
};

QTEST_MAIN(MainWindowTest)
#include "test_main_window.moc"
