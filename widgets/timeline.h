#pragma once
// The run's one time axis, shared by the views that show it over time (the codes, the
// spectrogram, the waveform): seconds of audio, 80 ms per frame, 24 kHz. Each leaves
// the same room left and right of its data, so a moment sits at the same x in each
// when they are stacked in one column.
class QCPAxisRect;
class QCustomPlot;
class QLabel;
class QString;
class QWidget;

namespace timeline {

constexpr double kFrameSeconds = 0.08;
constexpr int kSampleRate = 24000;
constexpr int kSamplesPerFrame = 1920;
constexpr int kLeft = 60;    // pixels for the value axis' ticks and label
constexpr int kRight = 88;  // pixels for a colour scale (which needs about 75 for its labels)

// Fixed left and right margins on `rect`: no right margin where the plot's layout has a
// second column for a colour scale (see reserveScaleColumn).
void alignRect(QCPAxisRect* rect, bool scale_column);
// Makes the layout's second column exactly kRight wide: a colour scale sizes itself to its
// labels, so an empty element of that width in row `row` of the column holds the room.
void reserveScaleColumn(QCustomPlot* plot, int row);
// A view's frame: `plot` (at least `min_height` tall, tracking the pointer, `title` on
// top) over its `readout` line, which shows `hint` until the pointer says more.
void layOutView(QWidget* owner, QCustomPlot* plot, QLabel* readout, const QString& title, const QString& hint,
                int min_height);

}  // namespace timeline
