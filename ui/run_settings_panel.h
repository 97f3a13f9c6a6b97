#pragma once
// Sliders with numeric fields for every run setting, on three tabs (the run, sampling,
// codebooks); changes apply to the next run, the sampling knobs also to the run in
// progress (the window passes them on). Presets are JSON files.
#include <QGroupBox>

#include "run_settings.h"

class FollowingSlider;
class LabeledSlider;
class QComboBox;
class QSpinBox;
class QTabWidget;

class RunSettingsPanel : public QGroupBox {
  Q_OBJECT
 public:
  explicit RunSettingsPanel(QWidget* parent = nullptr);
  RunSettings settings() const;
  void setSettings(const RunSettings& settings);
  bool savePreset(const QString& path, QString* error) const;
  bool loadPreset(const QString& path, QString* error);

  LabeledSlider* chunkSlider() const { return chunk_; }
  LabeledSlider* temperatureSlider() const { return temperature_; }
  LabeledSlider* topKSlider() const { return top_k_; }
  LabeledSlider* topPSlider() const { return top_p_; }
  LabeledSlider* frameBatchSlider() const { return frame_batch_; }
  FollowingSlider* depthTemperatureSlider() const { return depth_temperature_; }
  FollowingSlider* depthTopKSlider() const { return depth_top_k_; }
  FollowingSlider* depthTopPSlider() const { return depth_top_p_; }
  LabeledSlider* codebooksSlider() const { return codebooks_; }
  QComboBox* codebookFillBox() const { return codebook_fill_; }
  LabeledSlider* lengthGuardSlider() const { return length_guard_; }
  QTabWidget* tabs() const { return tabs_; }

 signals:
  void changed();

 private:
  QWidget* runTab();
  QWidget* samplingTab();
  QWidget* codebooksTab();
  void showFollowedValues();

  QTabWidget* tabs_;
  LabeledSlider *chunk_, *first_chunk_, *frame_batch_, *stream_batch_, *temperature_, *top_k_, *top_p_, *max_audio_,
      *rtf_target_, *codebooks_, *length_guard_;
  FollowingSlider *depth_temperature_, *depth_top_k_, *depth_top_p_;
  QComboBox* codebook_fill_;
  QSpinBox* seed_;
};
