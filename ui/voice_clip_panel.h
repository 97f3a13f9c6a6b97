#pragma once
// Voice-context clips: load by dialog or drag and drop (any format and rate
// libsndfile reads), see the waveform, give transcript and speaker, play, remove.
// The clips become context turns of the next run.
#include <QGroupBox>
#include <QVector>

class QLabel;
class QLineEdit;
class QListWidget;
class QSpinBox;
class WaveformView;

struct VoiceClip {
  QString path;
  QVector<float> samples;  // mono, 24 kHz
  QString transcript;
  int speaker = 0;
};

class VoiceClipPanel : public QGroupBox {
  Q_OBJECT
 public:
  explicit VoiceClipPanel(QWidget* parent = nullptr);
  // Loads a clip; on failure shows the reason in the panel and returns false.
  bool addClip(const QString& path);
  void removeSelected();
  QVector<VoiceClip> clips() const { return clips_; }
  QString lastError() const;

 signals:
  void playRequested(const QVector<float>& samples);

 protected:
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;

 private:
  void showClip(int row);
  QListWidget* list_;
  WaveformView* waveform_;
  QLineEdit* transcript_;
  QSpinBox* speaker_;
  QLabel* error_;
  QVector<VoiceClip> clips_;
};
