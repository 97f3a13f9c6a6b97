// The German translation is complete and is what the build ships.
#include <QFile>
#include <QTranslator>
#include <QXmlStreamReader>
#include <QtTest>

class TranslationTest : public QObject {
  Q_OBJECT
 private slots:
  void shippedTranslationLoadsFromResources() {
    QTranslator translator;
    QVERIFY(translator.load(":/i18n/csm_studio_de.qm"));
    QCOMPARE(translator.translate("MainWindow", "Generate"), QString("Erzeugen"));
    QCOMPARE(translator.translate("RunSettingsPanel", "Temperature"), QString("Temperatur"));
    QCOMPARE(translator.translate("MainWindow", "Imported %n run(s)", nullptr, 3), QString("%n Läufe importiert"));
    QCOMPARE(translator.translate("StopLabel", "end of speech"), QString("Ende der Äußerung"));
    QCOMPARE(translator.translate("MainWindow", "Type to speak"), QString("Sprechen beim Tippen"));
  }

  void everyMessageIsTranslated() {
    QFile file(CSM_TS_FILE);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QXmlStreamReader xml(&file);
    int messages = 0, unfinished = 0, empty = 0;
    while (!xml.atEnd()) {
      xml.readNext();
      if (!xml.isStartElement()) continue;
      if (xml.name() == QLatin1String("message")) ++messages;
      if (xml.name() == QLatin1String("translation")) {
        if (xml.attributes().value("type") == QLatin1String("unfinished")) ++unfinished;
        const QString text = xml.readElementText(QXmlStreamReader::IncludeChildElements);
        if (text.trimmed().isEmpty()) ++empty;
      }
    }
    QVERIFY(!xml.hasError());
    QVERIFY(messages > 100);
    QCOMPARE(unfinished, 0);
    QCOMPARE(empty, 0);
  }
};

QTEST_GUILESS_MAIN(TranslationTest)
#include "test_translations.moc"
