// Drives the studio's real playback path once (demo model, live QAudioSink) and
// reports what its underrun counter saw, for the PulseAudio null-sink test:
//   studio_play_check REF.wav  ->  {"underruns": n, "gap_ms": x, "seconds": s}
#include <QApplication>
#include <QElapsedTimer>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <cstdio>

#include "audio_output.h"
#include "main_window.h"
#include "run_settings_panel.h"

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  if (argc < 2) {
    std::fprintf(stderr, "usage: studio_play_check REF.wav\n");
    return 2;
  }
  QStandardPaths::setTestModeEnabled(true);
  qputenv("CSM_STUDIO_NO_DIALOGS", "1");
  QTemporaryDir dir;
  MainWindow window("demo", dir.filePath("history.sqlite"), true);
  QElapsedTimer timer;
  timer.start();
  while (window.state() != EngineState::Ready && timer.elapsed() < 60000) QTest::qWait(20);
  RunSettings settings;
  settings.max_audio_ms = 4000;
  settings.seed = 5;
  window.settingsPanel()->setSettings(settings);
  window.textEdit()->setPlainText("The studio plays into a null sink.");
  QSignalSpy done(&window, &MainWindow::runCompleted);
  window.generate();
  if (!done.wait(60000)) return 1;
  // Let the ring drain through the sink before reading the counters.
  while (window.audio()->ring().available() > 0 && timer.elapsed() < 120000) QTest::qWait(20);
  QTest::qWait(600);
  if (!window.exportAudio(QString::fromLocal8Bit(argv[1]))) return 1;
  const auto& ring = window.audio()->ring();
  std::printf("{\"underruns\": %d, \"gap_ms\": %.1f, \"seconds\": %.2f}\n", ring.underruns(),
              ring.gapSamples() / 24.0, window.lastAudio().size() / 24000.0);
  return 0;
}
