#include "run_settings_panel.h"

#include <QComboBox>
#include <QFile>
#include <QFormLayout>
#include <QJsonDocument>
#include <QLabel>
#include <QSpinBox>
#include <QTabWidget>
#include <QVBoxLayout>

#include "following_slider.h"
#include "labeled_slider.h"

namespace {

// The slider's top end means "all" codebooks, the engine's 0.
constexpr int kAllCodebooks = 32;

QWidget* column_of(QWidget* parent, const QList<QWidget*>& rows) {
  auto* page = new QWidget(parent);
  auto* layout = new QVBoxLayout(page);
  for (auto* row : rows) layout->addWidget(row);
  layout->addStretch(1);
  return page;
}

}  // namespace

RunSettingsPanel::RunSettingsPanel(QWidget* parent)
    : QGroupBox(tr("Settings (the sampling knobs also reach a running stream)"), parent), tabs_(new QTabWidget(this)) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  tabs_->addTab(runTab(), tr("Run"));
  tabs_->addTab(samplingTab(), tr("Sampling"));
  tabs_->addTab(codebooksTab(), tr("Codebooks"));
  layout->addWidget(tabs_);
  for (auto* s : {chunk_, first_chunk_, frame_batch_, stream_batch_, temperature_, top_k_, top_p_, max_audio_,
                  rtf_target_, codebooks_, length_guard_})
    connect(s, &LabeledSlider::valueChanged, this, &RunSettingsPanel::changed);
  for (auto* s : {depth_temperature_, depth_top_k_, depth_top_p_})
    connect(s, &FollowingSlider::valueChanged, this, &RunSettingsPanel::changed);
  for (auto* s : {temperature_, top_k_, top_p_})
    connect(s, &LabeledSlider::valueChanged, this, &RunSettingsPanel::showFollowedValues);
  connect(seed_, qOverload<int>(&QSpinBox::valueChanged), this, &RunSettingsPanel::changed);
  connect(codebook_fill_, qOverload<int>(&QComboBox::currentIndexChanged), this, &RunSettingsPanel::changed);
  setSettings(RunSettings{});
}

QWidget* RunSettingsPanel::runTab() {
  chunk_ = new LabeledSlider(tr("Chunk size"), 80, 2000, 80, 0, this);
  chunk_->setSuffix(tr(" ms"));
  first_chunk_ = new LabeledSlider(tr("First chunk"), 80, 2000, 80, 0, this);
  first_chunk_->setSuffix(tr(" ms"));
  frame_batch_ = new LabeledSlider(tr("Frames per decode"), 1, 32, 1, 0, this);
  stream_batch_ = new LabeledSlider(tr("Streams at once"), 1, 64, 1, 0, this);
  max_audio_ = new LabeledSlider(tr("Max length"), 1, 300, 1, 0, this);
  max_audio_->setSuffix(tr(" s"));
  length_guard_ = new LabeledSlider(tr("Length guard"), 0, 20, 0.5, 1, this);
  length_guard_->setSuffix(tr(" ×"));
  rtf_target_ = new LabeledSlider(tr("RTF target"), 0.05, 2, 0.05, 2, this);
  seed_ = new QSpinBox(this);
  seed_->setRange(0, 1 << 30);
  auto* seed_row = new QWidget(this);
  auto* seed_form = new QFormLayout(seed_row);
  seed_form->setContentsMargins(0, 0, 0, 0);
  seed_form->addRow(tr("Seed"), seed_);
  frame_batch_->setToolTip(tr("Frames Mimi decodes per call"));
  stream_batch_->setToolTip(tr("Lines of text generated together; the others join as one ends (a remote csm-serve has its own --max-streams)"));
  length_guard_->setToolTip(tr("A piece of text may run this many times the length it should take (at least 2 s), "
                               "then it is cut (\"length guard\": speech that never ends) and the next piece goes on. "
                               "0 = off"));
  return column_of(this, {chunk_, first_chunk_, frame_batch_, stream_batch_, max_audio_, length_guard_, rtf_target_,
                          seed_row});
}

QWidget* RunSettingsPanel::samplingTab() {
  temperature_ = new LabeledSlider(tr("Temperature"), 0, 2, 0.05, 2, this);
  top_k_ = new LabeledSlider(tr("Top-k"), 0, 200, 1, 0, this);
  top_p_ = new LabeledSlider(tr("Top-p"), 0.01, 1, 0.01, 2, this);
  const QString same = tr("same as codebook 0");
  depth_temperature_ = new FollowingSlider(tr("Depth temperature"), same, 0, 2, 0.05, 2, this);
  depth_top_k_ = new FollowingSlider(tr("Depth top-k"), same, 0, 200, 1, 0, this);
  depth_top_p_ = new FollowingSlider(tr("Depth top-p"), same, 0.01, 1, 0.01, 2, this);
  temperature_->setToolTip(tr("Codebook 0 (the backbone's head). 0 = greedy"));
  top_k_->setToolTip(tr("0 = no cut-off"));
  top_p_->setToolTip(tr("Nucleus: keep the fewest best codes whose probability reaches top-p, after top-k. 1 = off"));
  const QString depth = tr("The depth decoder's codebooks 1 to N-1; ticked: the value of codebook 0");
  for (auto* s : {depth_temperature_, depth_top_k_, depth_top_p_}) s->setToolTip(depth);
  return column_of(this, {temperature_, top_k_, top_p_, depth_temperature_, depth_top_k_, depth_top_p_});
}

QWidget* RunSettingsPanel::codebooksTab() {
  codebooks_ = new LabeledSlider(tr("Codebooks"), 1, kAllCodebooks, 1, 0, this);
  codebooks_->setToolTip(tr("Codebooks generated per frame (32 = all): fewer make the depth decoder faster and "
                            "Mimi decodes only those"));
  codebook_fill_ = new QComboBox(this);
  codebook_fill_->addItem(tr("left out (mask)"), "mask");
  codebook_fill_->addItem(tr("pad id (pad)"), "pad");
  codebook_fill_->setToolTip(tr("What the next frame's input holds for the codebooks not generated"));
  auto* fill_row = new QWidget(this);
  auto* fill_form = new QFormLayout(fill_row);
  fill_form->setContentsMargins(0, 0, 0, 0);
  fill_form->addRow(tr("The others"), codebook_fill_);
  return column_of(this, {codebooks_, fill_row});
}

// A depth knob that follows codebook 0 shows codebook 0's value.
void RunSettingsPanel::showFollowedValues() {
  depth_temperature_->setFollowed(temperature_->value());
  depth_top_k_->setFollowed(top_k_->value());
  depth_top_p_->setFollowed(top_p_->value());
}

RunSettings RunSettingsPanel::settings() const {
  RunSettings s;
  s.chunk_ms = static_cast<int>(chunk_->value());
  s.first_chunk_ms = static_cast<int>(first_chunk_->value());
  s.frame_batch = static_cast<int>(frame_batch_->value());
  s.stream_batch = static_cast<int>(stream_batch_->value());
  s.temperature = temperature_->value();
  s.top_k = static_cast<int>(top_k_->value());
  s.top_p = top_p_->value();
  s.depth_temperature = depth_temperature_->value();
  s.depth_top_k = static_cast<int>(depth_top_k_->value());
  s.depth_top_p = depth_top_p_->value();
  s.seed = seed_->value();
  s.max_audio_ms = static_cast<int>(max_audio_->value() * 1000);
  const int codebooks = static_cast<int>(codebooks_->value());
  s.codebooks = codebooks >= kAllCodebooks ? 0 : codebooks;
  s.codebook_fill = codebook_fill_->currentData().toString();
  s.length_guard = length_guard_->value();
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
  top_p_->setValue(s.top_p);
  showFollowedValues();
  depth_temperature_->setValue(s.depth_temperature);
  depth_top_k_->setValue(s.depth_top_k);
  depth_top_p_->setValue(s.depth_top_p);
  seed_->setValue(s.seed);
  max_audio_->setValue(s.max_audio_ms / 1000.0);
  codebooks_->setValue(s.codebooks <= 0 ? kAllCodebooks : s.codebooks);
  codebook_fill_->setCurrentIndex(std::max(0, codebook_fill_->findData(s.codebook_fill)));
  length_guard_->setValue(s.length_guard);
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
