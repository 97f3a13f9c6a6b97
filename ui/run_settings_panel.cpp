#include "run_settings_panel.h"

#include <QFile>
#include <QFormLayout>
#include <QJsonDocument>
#include <QLabel>
#include <QSpinBox>
#include <QVBoxLayout>

#include "labeled_slider.h"

RunSettingsPanel::RunSettingsPanel(QWidget* parent) : QGroupBox(tr("Settings (temperature and top-k also reach a running stream)"), parent) {
  auto* layout = new QVBoxLayout(this);
  chunk_ = new LabeledSlider(tr("Chunk size"), 80, 2000, 80, 0, this);
  chunk_->setSuffix(tr(" ms"));
  first_chunk_ = new LabeledSlider(tr("First chunk"), 80, 2000, 80, 0, this);
  first_chunk_->setSuffix(tr(" ms"));
  frame_batch_ = new LabeledSlider(tr("Frames per decode"), 1, 32, 1, 0, this);
  stream_batch_ = new LabeledSlider(tr("Streams at once"), 1, 64, 1, 0, this);
  temperature_ = new LabeledSlider(tr("Temperature"), 0, 2, 0.05, 2, this);
  top_k_ = new LabeledSlider(tr("Top-k"), 0, 200, 1, 0, this);
  max_audio_ = new LabeledSlider(tr("Max length"), 1, 300, 1, 0, this);
  max_audio_->setSuffix(tr(" s"));
  rtf_target_ = new LabeledSlider(tr("RTF target"), 0.05, 2, 0.05, 2, this);
  seed_ = new QSpinBox(this);
  seed_->setRange(0, 1 << 30);
  auto* seed_row = new QFormLayout;
  seed_row->addRow(tr("Seed"), seed_);
  for (auto* s : {chunk_, first_chunk_, frame_batch_, stream_batch_, temperature_, top_k_, max_audio_, rtf_target_}) {
    layout->addWidget(s);
    connect(s, &LabeledSlider::valueChanged, this, &RunSettingsPanel::changed);
  }
  layout->addLayout(seed_row);
  connect(seed_, qOverload<int>(&QSpinBox::valueChanged), this, &RunSettingsPanel::changed);
  frame_batch_->setToolTip(tr("Frames Mimi decodes per call"));
  stream_batch_->setToolTip(tr("Lines of text generated together; the others join as one ends (a remote csm-serve has its own --max-streams)"));
  top_k_->setToolTip(tr("0 = no cut-off"));
  temperature_->setToolTip(tr("0 = greedy"));
  setSettings(RunSettings{});
}

RunSettings RunSettingsPanel::settings() const {
  RunSettings s;
  s.chunk_ms = static_cast<int>(chunk_->value());
  s.first_chunk_ms = static_cast<int>(first_chunk_->value());
  s.frame_batch = static_cast<int>(frame_batch_->value());
  s.stream_batch = static_cast<int>(stream_batch_->value());
  s.temperature = temperature_->value();
  s.top_k = static_cast<int>(top_k_->value());
  s.seed = seed_->value();
  s.max_audio_ms = static_cast<int>(max_audio_->value() * 1000);
  s.rtf_target = rtf_target_->value();
  return s;
}

void RunSettingsPanel::setSettings(const RunSettings& s) {
  chunk_->setValue(s.chunk_ms);
  first_chunk_->setValue(s.first_chunk_ms);
  frame_batch_->setValue(s.frame_batch);
  stream_batch_->setValue(s.stream_batch);
  temperature_->setValue(s.temperature);
  top_k_->setValue(s.top_k);
  seed_->setValue(s.seed);
  max_audio_->setValue(s.max_audio_ms / 1000.0);
  rtf_target_->setValue(s.rtf_target);
}

bool RunSettingsPanel::savePreset(const QString& path, QString* error) const {
  QFile file(path);
  if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
    if (error) *error = tr("Cannot write %1: %2").arg(path, file.errorString());
    return false;
  }
  file.write(QJsonDocument(settings().toJson()).toJson());
  return true;
}

bool RunSettingsPanel::loadPreset(const QString& path, QString* error) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) {
    if (error) *error = tr("Cannot read %1: %2").arg(path, file.errorString());
    return false;
  }
  QJsonParseError parse{};
  const auto doc = QJsonDocument::fromJson(file.readAll(), &parse);
  if (parse.error != QJsonParseError::NoError || !doc.isObject()) {
    if (error) *error = tr("%1 is not a preset file: %2").arg(path, parse.errorString());
    return false;
  }
  setSettings(RunSettings::fromJson(doc.object()));
  return true;
}
