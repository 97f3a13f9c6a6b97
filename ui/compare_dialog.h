#pragma once
// Two past runs side by side: their RTF and latency curves overlaid, both playable.
#include <QDialog>

#include "run_history.h"

class AudioOutput;

class CompareDialog : public QDialog {
  Q_OBJECT
 public:
  CompareDialog(const RunRecord& a, const RunRecord& b, AudioOutput* audio, QWidget* parent = nullptr);
};
