#pragma once
// The codes view: the run's codebooks x frames grid so far, live, on QCustomPlot's
// colour map (codebook 0 on top, one column per 80 ms frame), with codebook 0's entropy
// per frame as a line above it and a mark where each chunk (and each text) began. The
// frame, codebook and code under the cursor are read out below. Its time axis is the
// run's (timeline.h), so it lines up with the spectrogram and the waveform.
#include <QString>
#include <QWidget>

#include "code_grid.h"

class QCPAxisRect;
class QCPColorMap;
class QCPColorScale;
class QCPGraph;
class QCPItemStraightLine;
class QCPItemText;
class QCustomPlot;
class QLabel;
class QTimer;

class CodesView : public QWidget {
  Q_OBJECT
 public:
  explicit CodesView(const QString& title, QWidget* parent = nullptr);

  // A new run: `codebooks` rows (0: as many as the first chunk has).
  void reset(int codebooks);
  // A chunk of the run: frames x `width` codes, row-major; entropy per frame (or none).
  void append(const QVector<int>& codes, int width, const QVector<float>& entropy, bool text_start);
  void setGrid(const CodeGrid& grid);  // a run from the history
  const CodeGrid& grid() const { return grid_; }
  // Said over the grid while it is empty (why no codes came); empty: none.
  void setNote(const QString& note);
  QString note() const { return note_; }
  // The shared time axis shows [0, seconds] (at least the frames so far).
  void setTimeSpan(double seconds);
  // A moment another view points at (NaN: none): the cursor line and its readout.
  void setCursorTime(double seconds);
  // What the readout says for a point: frame and time, then codebook and code where
  // `codebook` is a row of the grid, then codebook 0's entropy.
  QString readoutAt(double seconds, double codebook = -1) const;
  QString readout() const;

  void refreshNow();  // draws what came so far at once (the view coalesces otherwise)
  int rows() const;       // the colour map's codebooks
  int columns() const { return grid_.frames(); }
  double shownSeconds() const;  // the right end of the time axis
  QRect dataRect() const;       // the grid's area, in this widget's coordinates
  bool exportTo(const QString& path, int width = 1200, int height = 520);
  QCustomPlot* plot() const { return plot_; }
  QCPColorMap* map() const { return map_; }

 signals:
  void hovered(double seconds);  // NaN when the cursor left the data

 private:
  void scheduleRefresh();
  void refresh();
  void resizeMap();
  void drawNewFrames();
  void showCursor(double seconds, double codebook);
  void onMouseMove(const QPoint& pos);

  CodeGrid grid_;
  int drawn_ = 0;         // frames already written into the map
  int capacity_ = 0;      // the map's columns (grown by doubling; the rest NaN: transparent)
  int marks_drawn_ = 0, text_marks_drawn_ = 0;
  double span_ = 0, max_entropy_ = 0;
  QString note_;
  QCustomPlot* plot_;
  QCPAxisRect *entropy_rect_, *codes_rect_;
  QCPColorMap* map_;
  QCPColorScale* scale_;
  QCPGraph *entropy_, *chunk_marks_, *text_marks_;
  QCPItemStraightLine *cursor_codes_, *cursor_entropy_;
  QCPItemText* note_item_;
  QLabel* readout_;
  QTimer* refresh_timer_;
};
