#include "plot_legend.h"

#include "qcustomplot.h"

void placeLegendOutside(QCustomPlot* plot, int row) {
  plot->axisRect()->insetLayout()->take(plot->legend);
  plot->plotLayout()->insertRow(row);
  plot->plotLayout()->addElement(row, 0, plot->legend);
  plot->plotLayout()->setRowStretchFactor(row, 0.001);  // as tall as its entries, the axes take the rest
  plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
  plot->legend->setBorderPen(Qt::NoPen);
  plot->legend->setBrush(Qt::NoBrush);
  plot->legend->setMargins(QMargins(4, 0, 4, 0));
  plot->legend->setIconSize(18, 8);
  plot->legend->setRowSpacing(0);
  plot->plotLayout()->setRowSpacing(0);
  plot->legend->setVisible(true);
}
