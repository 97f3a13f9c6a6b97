#pragma once
// Sliders with numeric fields for every run setting; changes apply to the next
// run, temperature and top-k also to the run in progress (the window passes
// them on). Presets are JSON files.
#include <QGroupBox>

#include "run_settings.h"

class LabeledSlider;
class QSpinBox;

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
  LabeledSlider* frameBatchSlider() const { return frame_batch_; }

 signals:
  void changed();

 private:
  LabeledSlider *chunk_, *first_chunk_, *frame_batch_, *stream_batch_, *temperature_, *top_k_, *max_audio_, *rtf_target_;
  QSpinBox* seed_;
};
