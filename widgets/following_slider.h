#pragma once
// A labelled slider that may instead follow another knob: a box ("same as codebook 0")
// beside it, ticked, greys the slider out and makes value() negative, the engine's
// word for "as the other one". While it follows, the slider shows the followed value,
// so what is in effect is always on screen.
#include <QWidget>

#include "labeled_slider.h"

class QCheckBox;

class FollowingSlider : public QWidget {
  Q_OBJECT
 public:
  FollowingSlider(const QString& label, const QString& follow_text, double minimum, double maximum, double step,
                  int decimals, QWidget* parent = nullptr);
  double value() const;         // negative while following
  void setValue(double value);  // negative: follow
  bool following() const;
  void setFollowed(double value);  // what the slider shows while following
  LabeledSlider* slider() const { return slider_; }
  QCheckBox* followBox() const { return follow_; }

 signals:
  void valueChanged(double value);

 private:
  void showFollowing();
  LabeledSlider* slider_;
  QCheckBox* follow_;
  double followed_ = 0;
};
