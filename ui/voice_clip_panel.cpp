#include "voice_clip_panel.h"

#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMimeData>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include "csm/audio_file.h"
#include "csm/error.h"
#include "waveform_view.h"

VoiceClipPanel::VoiceClipPanel(QWidget* parent) : QGroupBox(tr("Voice context clips"), parent) {
  setAcceptDrops(true);
  list_ = new QListWidget(this);
  list_->setMaximumHeight(90);
  waveform_ = new WaveformView(this);
  waveform_->setMaximumHeight(70);
  transcript_ = new QLineEdit(this);
  transcript_->setPlaceholderText(tr("What is said in the clip"));
  speaker_ = new QSpinBox(this);
  speaker_->setRange(0, 99);
  error_ = new QLabel(this);
  error_->setStyleSheet("color: #b00020;");
  error_->setWordWrap(true);
  error_->hide();
  auto* add = new QPushButton(tr("Add clip…"), this);
  auto* play = new QPushButton(tr("Play"), this);
  auto* remove = new QPushButton(tr("Remove"), this);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(add);
  buttons->addWidget(play);
  buttons->addWidget(remove);
  auto* form = new QFormLayout;
  form->addRow(tr("Transcript"), transcript_);
  form->addRow(tr("Speaker"), speaker_);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(new QLabel(tr("Drop audio files here, or add them:"), this));
  layout->addWidget(list_);
  layout->addWidget(waveform_);
  layout->addLayout(form);
  layout->addLayout(buttons);
  layout->addWidget(error_);

  connect(add, &QPushButton::clicked, this, [this] {
    const auto files = QFileDialog::getOpenFileNames(this, tr("Add voice clips"), {},
                                                     tr("Audio (*.wav *.flac *.ogg *.aiff *.au);;All files (*)"));
    for (const auto& f : files) addClip(f);
  });
  connect(remove, &QPushButton::clicked, this, &VoiceClipPanel::removeSelected);
  connect(play, &QPushButton::clicked, this, [this] {
    const int row = list_->currentRow();
    if (row >= 0 && row < clips_.size()) emit playRequested(clips_[row].samples);
  });
  connect(list_, &QListWidget::currentRowChanged, this, &VoiceClipPanel::showClip);
  connect(transcript_, &QLineEdit::textChanged, this, [this](const QString& text) {
    const int row = list_->currentRow();
    if (row >= 0 && row < clips_.size()) clips_[row].transcript = text;
  });
  connect(speaker_, qOverload<int>(&QSpinBox::valueChanged), this, [this](int speaker) {
    const int row = list_->currentRow();
    if (row >= 0 && row < clips_.size()) clips_[row].speaker = speaker;
  });
}

bool VoiceClipPanel::addClip(const QString& path) {
  VoiceClip clip;
  clip.path = path;
  try {
    csm::AudioReadOptions options;
    options.max_seconds = 120;
    const auto samples = csm::read_audio_mono(path.toStdString(), options);
    clip.samples = QVector<float>(samples.begin(), samples.end());
  } catch (const csm::Error& e) {
    error_->setText(tr("Could not use %1: %2").arg(QFileInfo(path).fileName(), QString::fromStdString(e.what())));
    error_->show();
    return false;
  }
  error_->hide();
  error_->clear();
  clips_.push_back(clip);
  list_->addItem(tr("%1 (%2 s)").arg(QFileInfo(path).fileName()).arg(clip.samples.size() / 24000.0, 0, 'f', 1));
  list_->setCurrentRow(clips_.size() - 1);
  return true;
}

void VoiceClipPanel::removeSelected() {
  const int row = list_->currentRow();
  if (row < 0 || row >= clips_.size()) return;
  clips_.removeAt(row);
  delete list_->takeItem(row);
  showClip(list_->currentRow());
}

QString VoiceClipPanel::lastError() const { return error_->text(); }

void VoiceClipPanel::showClip(int row) {
  if (row < 0 || row >= clips_.size()) {
    waveform_->clear();
    transcript_->clear();
    return;
  }
  waveform_->setSamples(clips_[row].samples);
  transcript_->setText(clips_[row].transcript);
  speaker_->setValue(clips_[row].speaker);
}

void VoiceClipPanel::dragEnterEvent(QDragEnterEvent* event) {
  if (event->mimeData()->hasUrls()) event->acceptProposedAction();
}

void VoiceClipPanel::dropEvent(QDropEvent* event) {
  for (const auto& url : event->mimeData()->urls())
    if (url.isLocalFile()) addClip(url.toLocalFile());
  event->acceptProposedAction();
}
