#include "stop_label.h"

#include <QCoreApplication>

#include "csm/engine.h"

QString stopLabel(const QString& label) {
  QString underscored = label.trimmed();
  underscored.replace(' ', '_');  // what older studios wrote: "end of speech"
  const auto reason = csm::stop_reason_from_string(underscored.toStdString());
  return reason ? QString::fromUtf8(csm::to_string(*reason)) : label;
}

QStringList stopLabels(const QStringList& labels) {
  QStringList out;
  for (const auto& label : labels) out << stopLabel(label);
  return out;
}

QString readableStop(const QString& label) {
  const auto reason = csm::stop_reason_from_string(stopLabel(label).toStdString());
  if (!reason) return label;
  switch (*reason) {
    case csm::StopReason::Running: return QCoreApplication::translate("StopLabel", "running");
    case csm::StopReason::EndOfSpeech: return QCoreApplication::translate("StopLabel", "end of speech");
    case csm::StopReason::MaxLength: return QCoreApplication::translate("StopLabel", "max length");
    case csm::StopReason::LengthGuard: return QCoreApplication::translate("StopLabel", "length guard");
    case csm::StopReason::Cancelled: return QCoreApplication::translate("StopLabel", "stopped");
    case csm::StopReason::Failed: return QCoreApplication::translate("StopLabel", "failed");
  }
  return label;
}

QString readableStops(const QStringList& labels) {
  QStringList readable;
  for (const auto& label : labels)
    if (!readable.contains(readableStop(label))) readable << readableStop(label);
  return readable.join(", ");
}
