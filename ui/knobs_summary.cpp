#include "knobs_summary.h"

#include <QCoreApplication>
#include <QStringList>

#include "run_settings.h"

namespace {

QString number(double v) { return QString::number(v, 'g', 3); }

// The depth decoder's knob, or "as codebook 0" (negative) in a few characters.
QString depth_knob(double value) {
  return value < 0 ? QCoreApplication::translate("KnobsSummary", "= cb 0") : number(value);
}

}  // namespace

QString knobsSummary(const QJsonObject& json) {
  // Through RunSettings, so a record from before the knobs reads as the defaults it ran with.
  const RunSettings s = RunSettings::fromJson(json);
  QStringList parts;
  parts << (s.codebooks > 0 ? QCoreApplication::translate("KnobsSummary", "codebooks %1 (%2)").arg(s.codebooks).arg(s.codebook_fill)
                            : QCoreApplication::translate("KnobsSummary", "codebooks all"));
  parts << QCoreApplication::translate("KnobsSummary", "temperature %1, top-k %2, top-p %3")
               .arg(number(s.temperature))
               .arg(s.top_k)
               .arg(number(s.top_p));
  parts << QCoreApplication::translate("KnobsSummary", "depth: temperature %1, top-k %2, top-p %3")
               .arg(depth_knob(s.depth_temperature), depth_knob(s.depth_top_k), depth_knob(s.depth_top_p));
  parts << (s.length_guard > 0 ? QCoreApplication::translate("KnobsSummary", "length guard %1×").arg(number(s.length_guard))
                               : QCoreApplication::translate("KnobsSummary", "length guard off"));
  return parts.join(QStringLiteral(" · "));
}
