#include "timeline.h"

#include "qcustomplot.h"

namespace timeline {

void alignRect(QCPAxisRect* rect, bool scale_column) {
  rect->parentPlot()->plotLayout()->setColumnSpacing(0);
  rect->setAutoMargins(QCP::msTop | QCP::msBottom);
  rect->setMargins(QMargins(kLeft, 0, scale_column ? 0 : kRight, 0));
}

void reserveScaleColumn(QCustomPlot* plot, int row) {
  auto* room = new QCPLayoutElement(plot);
  room->setMinimumSize(kRight, 0);
  room->setMaximumSize(kRight, QWIDGETSIZE_MAX);
  plot->plotLayout()->addElement(row, 1, room);
}

}  // namespace timeline
