#pragma once
// A labelled slider with a numeric field beside it, kept in step; works for
// integers and for decimals (through a fixed scale on the slider).
#include <QWidget>

class QLabel;
class QSlider;
class QDoubleSpinBox;

class LabeledSlider : public QWidget {
  Q_OBJECT
 public:
  LabeledSlider(const QString& label, double minimum, double maximum, double step, int decimals,
                QWidget* parent = nullptr);
  double value() const;
  void setValue(double value);
  void setSuffix(const QString& suffix);
  QSlider* slider() const { return slider_; }
  QDoubleSpinBox* field() const { return field_; }

 signals:
  void valueChanged(double value);

 private:
  QLabel* label_;
  QSlider* slider_;
  QDoubleSpinBox* field_;
  double step_;
  double minimum_;
};
