// csm-studio: the Qt 6 window for live listening, live plots and live knobs.
#include <QApplication>
#include <QCommandLineParser>
#include <QLibraryInfo>
#include <QLocale>
#include <QTranslator>

#include "main_window.h"

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
  parser.addOptions({model, history, mute});
  parser.process(app);

  MainWindow window(parser.value(model), parser.value(history), !parser.isSet(mute));
  window.show();
  return QApplication::exec();
}
