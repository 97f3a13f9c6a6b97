#include "labeled_slider.h"

#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSlider>
#include <cmath>

LabeledSlider::LabeledSlider(const QString& label, double minimum, double maximum, double step, int decimals,
                             QWidget* parent)
    : QWidget(parent), step_(step), minimum_(minimum) {
  label_ = new QLabel(label, this);
  label_->setMinimumWidth(110);
  slider_ = new QSlider(Qt::Horizontal, this);
  slider_->setRange(0, static_cast<int>(std::lround((maximum - minimum) / step)));
  field_ = new QDoubleSpinBox(this);
  field_->setRange(minimum, maximum);
  field_->setSingleStep(step);
  field_->setDecimals(decimals);
  field_->setMinimumWidth(90);
  label_->setBuddy(field_);
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(label_);
  layout->addWidget(slider_, 1);
  layout->addWidget(field_);
  connect(slider_, &QSlider::valueChanged, this, [this](int position) {
    const QSignalBlocker block(field_);
    field_->setValue(minimum_ + position * step_);
    emit valueChanged(value());
  });
  connect(field_, qOverload<double>(&QDoubleSpinBox::valueChanged), this, [this](double v) {
    const QSignalBlocker block(slider_);
    slider_->setValue(static_cast<int>(std::lround((v - minimum_) / step_)));
    emit valueChanged(value());
  });
}

double LabeledSlider::value() const { return field_->value(); }

void LabeledSlider::setValue(double value) { field_->setValue(value); }

void LabeledSlider::setSuffix(const QString& suffix) { field_->setSuffix(suffix); }
