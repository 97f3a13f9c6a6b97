// Fuzzes importing a run-history database (SQLite via Qt SQL) into a fresh one.
#include <QCoreApplication>
#include <QTemporaryDir>

#include "fuzz_support.h"
#include "run_history.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static int argc = 1;
  static char name[] = "fuzz_history_import";
  static char* argv[] = {name, nullptr};
  static QCoreApplication app(argc, argv);
  static QTemporaryDir dir;
  const std::string path = csm::fuzz::write_input(data, size, ".sqlite");
  QFile::remove(dir.filePath("target.sqlite"));
  RunHistory history;
  QString error;
  if (!history.open(dir.filePath("target.sqlite"), &error)) std::abort();
  (void)history.importFrom(QString::fromStdString(path), &error);
  for (const auto& r : history.list()) (void)history.get(r.id);
  return 0;
}
