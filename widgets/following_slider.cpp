#include "following_slider.h"

#include <QCheckBox>
#include <QSignalBlocker>
#include <QVBoxLayout>

FollowingSlider::FollowingSlider(const QString& label, const QString& follow_text, double minimum, double maximum,
                                 double step, int decimals, QWidget* parent)
    : QWidget(parent),
      slider_(new LabeledSlider(label, minimum, maximum, step, decimals, this)),
      follow_(new QCheckBox(follow_text, this)) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(0);
  layout->addWidget(slider_);
  layout->addWidget(follow_, 0, Qt::AlignRight);
  connect(slider_, &LabeledSlider::valueChanged, this, [this] {
    if (!following()) emit valueChanged(value());
  });
  connect(follow_, &QCheckBox::toggled, this, [this](bool on) {
    slider_->setEnabled(!on);
    if (on) showFollowing();
    emit valueChanged(value());
  });
}

double FollowingSlider::value() const { return following() ? -1 : slider_->value(); }

bool FollowingSlider::following() const { return follow_->isChecked(); }

void FollowingSlider::setValue(double value) {
  if (value < 0) {
    follow_->setChecked(true);
    showFollowing();
    return;
  }
  follow_->setChecked(false);
  slider_->setValue(value);
}

void FollowingSlider::setFollowed(double value) {
  followed_ = value;
  if (following()) showFollowing();
}

void FollowingSlider::showFollowing() {
  const QSignalBlocker block(slider_);
  slider_->setValue(followed_);
}
