#pragma once
// The studio window: text and model in, live audio, live plots, live knobs.
// Holds no model logic: the GenerationWorker on its own thread does the work.
#include <QMainWindow>
#include <QThread>
#include <memory>
#include <optional>

#include "run_history.h"
#include "run_types.h"

class AudioOutput;
class CodesView;
class GenerationWorker;
class QComboBox;
class QLabel;
class QListWidget;
class QPlainTextEdit;
class QAction;
class TypedText;
class QPushButton;
class QSpinBox;
class RunSettingsPanel;
class SpectrogramView;
class TimeSeriesPlot;
class VoiceClipPanel;
class WaveformView;

enum class EngineState { Loading, Ready, Generating, Stopping, Failed };

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  // `history_path` empty: the user's data folder. `play_audio` false: no sound device (tests).
  explicit MainWindow(const QString& model = {}, const QString& history_path = {}, bool play_audio = true,
                      QWidget* parent = nullptr);
  ~MainWindow() override;

  EngineState state() const { return state_; }
  RunSettingsPanel* settingsPanel() const { return settings_; }
  VoiceClipPanel* clipPanel() const { return clips_; }
  QPlainTextEdit* textEdit() const { return text_; }
  QAction* typeToSpeakAction() const { return type_action_; }
  TimeSeriesPlot* rtfPlot() const { return rtf_plot_; }
  TimeSeriesPlot* latencyPlot() const { return latency_plot_; }
  TimeSeriesPlot* memoryPlot() const { return memory_plot_; }
  CodesView* codesView() const { return codes_; }
  SpectrogramView* spectrogramView() const { return spectrogram_; }
  WaveformView* waveform() const { return waveform_; }
  RunHistory& history() { return history_; }
  AudioOutput* audio() const { return audio_.get(); }
  const RunRequest& lastRequest() const { return last_request_; }
  const QVector<float>& lastAudio() const { return run_audio_; }
  const QVector<ChunkStats>& runChunks() const { return run_chunks_; }
  int underruns() const;

 public slots:
  void generate();
  void stop();
  // "Type to speak": on starts a run whose text is what is typed next, sent at each
  // sentence end; off (Done) sends the rest and ends the text, and the run finishes.
  void setTypeToSpeak(bool on);
  bool exportAudio(const QString& path);
  bool exportMetrics(const QString& path);  // .csv or .json
  bool exportPlots(const QString& path_stem, const QString& extension);  // one file per plot and view
  void replay(qint64 run_id);  // a run of the history: its audio plays, its views show
  void loadModel(const QString& model);  // a local model, or "remote:URL" (its remembered key)
  void connectRemote(const QString& url, const QString& key);

 signals:
  void runCompleted(const RunResult& result);
  void startRun(const RunRequest& request);
  void requestEngine(const QString& model);
  void requestRemote(const QString& url, const QString& key);

 protected:
  void closeEvent(QCloseEvent* event) override;

 private:
  void buildUi();
  QWidget* buildTimeline();
  void buildMenus();
  void setState(EngineState state, const QString& detail = {});
  std::optional<RunRequest> baseRequest();
  void launch(const RunRequest& request);
  void startTyping();
  void finishTyping();
  void sendTyped();
  void leaveTyping();
  void onChunk(const ChunkStats& stats, const QVector<float>& samples, const ChunkCodes& codes);
  void showCodes(const ChunkStats& stats, const ChunkCodes& codes);
  void setTimeSpan(double seconds);
  void onFinished(const RunResult& result);
  void onFailed(const QString& message, const QString& hint);
  void recordRun(const RunResult& result, const QString& failure);
  RunResult partialResult() const;
  void refreshHistory();
  QString historyToolTip(const RunRecord& record) const;
  void replaySelected();
  void compareSelected();
  void populateModels(const QString& preferred);
  void chooseRemote();
  void applyLiveSampling();
  void updateLiveFigures();

  QString model_;
  EngineState state_ = EngineState::Loading;
  QThread worker_thread_;
  GenerationWorker* worker_ = nullptr;
  std::unique_ptr<AudioOutput> audio_;
  RunHistory history_;
  QString data_dir_;

  QPlainTextEdit* text_ = nullptr;
  QSpinBox* speaker_ = nullptr;
  QComboBox* model_picker_ = nullptr;
  QPushButton *generate_button_ = nullptr, *stop_button_ = nullptr;
  QAction* type_action_ = nullptr;
  std::shared_ptr<TypedText> typed_;  // while the user types to speak; null after Done
  qsizetype typed_from_ = 0;           // the text box up to here has been sent
  RunSettingsPanel* settings_ = nullptr;
  VoiceClipPanel* clips_ = nullptr;
  TimeSeriesPlot *rtf_plot_ = nullptr, *latency_plot_ = nullptr, *memory_plot_ = nullptr;
  WaveformView* waveform_ = nullptr;
  CodesView* codes_ = nullptr;
  SpectrogramView* spectrogram_ = nullptr;
  QLabel *first_audio_label_ = nullptr, *rtf_label_ = nullptr, *continuity_label_ = nullptr;
  QLabel *status_model_ = nullptr, *status_device_ = nullptr, *status_state_ = nullptr;
  QListWidget* history_list_ = nullptr;
  int rtf_series_ = 0, rtf_cumulative_ = 0, latency_series_ = 0, first_audio_series_ = 0, memory_series_ = 0;

  RunRequest last_request_;
  QVector<ChunkStats> run_chunks_;
  QVector<float> run_audio_;
  int chunk_index_ = 0;
};
