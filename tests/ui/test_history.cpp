// The run history database round-trips; imports skip damage; bad files are errors;
// stop labels of older records read as the current ones.
#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QtTest>

#include "run_history.h"
#include "stop_label.h"

class HistoryTest : public QObject {
  Q_OBJECT
 private slots:
  void roundTrip() {
    QTemporaryDir dir;
    RunHistory history;
    QString error;
    QVERIFY2(history.open(dir.filePath("h.sqlite"), &error), qPrintable(error));
    RunRecord r;
    r.started = QDateTime(QDate(2026, 11, 26), QTime(12, 30, 1, 250));
    r.text = "Grüße, «quotes» and 'apostrophes'";
    r.model = "demo";
    r.settings = {{"chunk_ms", 320}, {"temperature", 0.75}};
    r.summary = {{"rtf", 0.42}, {"cancelled", false}};
    r.chunks = QJsonArray{QJsonObject{{"frames", 4}, {"rtf", 0.5}}};
    r.audioPath = dir.filePath("a.wav");
    const qint64 id = history.add(r, &error);
    QVERIFY2(id > 0, qPrintable(error));
    RunRecord second = r;
    second.text = "second";
    QVERIFY(history.add(second, &error) > id);
    const auto got = history.get(id);
    QVERIFY(got.has_value());
    QCOMPARE(got->text, r.text);
    QCOMPARE(got->started, r.started);
    QCOMPARE(got->settings, r.settings);
    QCOMPARE(got->summary, r.summary);
    QCOMPARE(got->chunks, r.chunks);
    QCOMPARE(got->audioPath, r.audioPath);
    const auto all = history.list();
    QCOMPARE(all.size(), 2);
    QCOMPARE(all.front().text, QString("second"));  // newest first
    QVERIFY(history.remove(id));
    QVERIFY(!history.get(id).has_value());
    QVERIFY(!history.remove(id));

    RunHistory other;
    QVERIFY(other.open(dir.filePath("other.sqlite"), &error));
    QCOMPARE(other.importFrom(dir.filePath("h.sqlite"), &error), 1);
    QCOMPARE(other.list().front().text, QString("second"));
  }

  // Records of older studios ("end of speech", "max length") read as today's
  // labels, the ones both engines write; a user reads them through one function.
  void olderStopLabelsReadAsTheCurrentOnes() {
    QTemporaryDir dir;
    RunHistory history;
    QString error;
    QVERIFY2(history.open(dir.filePath("h.sqlite"), &error), qPrintable(error));
    RunRecord old;
    old.started = QDateTime::currentDateTime();
    old.text = "written by an older studio";
    old.summary = {{"stops", QJsonArray{"end of speech", "max length", "cancelled"}}};
    const qint64 id = history.add(old, &error);
    QVERIFY2(id > 0, qPrintable(error));
    QCOMPARE(history.get(id)->summary.value("stops").toArray(),
             (QJsonArray{"end_of_speech", "max_length", "cancelled"}));
    QCOMPARE(stopLabel("end_of_speech"), QString("end_of_speech"));
    QCOMPARE(stopLabel("something else"), QString("something else"));
    QCOMPARE(readableStop("end_of_speech"), QString("end of speech"));
    QCOMPARE(readableStop("max length"), QString("max length"));
    QCOMPARE(readableStop("cancelled"), QString("stopped"));
    QCOMPARE(readableStops({"max_length", "max_length", "failed"}), QString("max length, failed"));
  }

  void badFilesAreErrors() {
    QTemporaryDir dir;
    QFile garbage(dir.filePath("garbage.sqlite"));
    QVERIFY(garbage.open(QIODevice::WriteOnly));
    garbage.write(QByteArray(4096, 'x'));
    garbage.close();
    RunHistory history;
    QString error;
    QVERIFY(!history.open(dir.filePath("garbage.sqlite"), &error));
    QVERIFY(!error.isEmpty());
    QVERIFY(!history.open(dir.filePath("no/such/folder/h.sqlite"), &error));
    RunHistory ok;
    QVERIFY(ok.open(dir.filePath("ok.sqlite"), &error));
    QCOMPARE(ok.importFrom(dir.filePath("garbage.sqlite"), &error), -1);
  }
};

QTEST_GUILESS_MAIN(HistoryTest)
#include "test_history.moc"
