// csm-studio: the Qt 6 window for live listening, live plots and live knobs.
#include <QApplication>
#include <QCommandLineParser>
#include <QLibraryInfo>
#include <QLocale>
#include <QTranslator>

#include "main_window.h"
#include "remote_server_dialog.h"

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setApplicationName("csm-studio");
  QApplication::setOrganizationName("csm-studio");
  QApplication::setApplicationVersion(CSM_STUDIO_VERSION);

  QTranslator qt_translator, translator;
  if (qt_translator.load(QLocale(), "qtbase", "_", QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
    QApplication::installTranslator(&qt_translator);
  if (translator.load(QLocale(), "csm_studio", "_", ":/i18n")) QApplication::installTranslator(&translator);

  QCommandLineParser parser;
  parser.setApplicationDescription(QApplication::translate(
      "main", "Streaming CSM text to speech with live audio, plots and knobs. Without --model: the Hugging Face "
              "cache's sesame/csm-1b if present, else the demo model (random weights: noise, not speech)."));
  parser.addHelpOption();
  parser.addVersionOption();
  QCommandLineOption model({"m", "model"}, QApplication::translate("main", "Model folder, HF cache folder, or demo."),
                           "path");
  QCommandLineOption history("history", QApplication::translate("main", "Run history database file."), "file");
  QCommandLineOption mute("no-audio", QApplication::translate("main", "Do not open an audio output."));
  QCommandLineOption server("server",
                            QApplication::translate("main", "Use a remote csm-serve as the engine, e.g. "
                                                            "http://localhost:8000 through an ssh tunnel."),
                            "url");
  QCommandLineOption key("api-key",
                         QApplication::translate("main", "The remote server's API key (also $CSM_SERVE_API_KEY)."),
                         "key");
  parser.addOptions({model, history, mute, server, key});
  parser.process(app);

  QString engine = parser.value(model);
  if (parser.isSet(server)) {
    // Remembered like a key typed into the window, so the next start finds it.
    const QString url = parser.value(server), api_key = parser.isSet(key) ? parser.value(key)
                                                                          : qEnvironmentVariable("CSM_SERVE_API_KEY");
    RemoteServerDialog::rememberKey(url, api_key);
    engine = "remote:" + url;
  }
  MainWindow window(engine, parser.value(history), !parser.isSet(mute));
  window.show();
  return QApplication::exec();
}
