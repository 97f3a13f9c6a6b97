#pragma once
// Legends that never cover data: out of the axes, into a row of their own between the
// title and the axes, entries side by side without a frame.
class QCustomPlot;

// Moves `plot`'s legend (from inside its main axis rect) to a new row `row` of its layout.
void placeLegendOutside(QCustomPlot* plot, int row);
