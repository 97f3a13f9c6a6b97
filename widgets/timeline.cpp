#include "timeline.h"

#include <QLabel>
#include <QVBoxLayout>

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

void layOutView(QWidget* owner, QCustomPlot* plot, QLabel* readout, const QString& title, const QString& hint,
                int min_height) {
  auto* layout = new QVBoxLayout(owner);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(0);
  layout->addWidget(plot, 1);
  layout->addWidget(readout);
  readout->setIndent(kLeft);
  readout->setText(hint);
  plot->setMinimumHeight(min_height);
  plot->setMouseTracking(true);
  plot->plotLayout()->insertRow(0);
  plot->plotLayout()->addElement(0, 0, new QCPTextElement(plot, title, QFont(owner->font().family(), 10, QFont::Bold)));
  plot->plotLayout()->setRowStretchFactor(0, 0.001);
}

}  // namespace timeline
