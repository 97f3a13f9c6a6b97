#include "main_window.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QShortcut>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTextCursor>
#include <QTextStream>
#include <QToolButton>
#include <QVBoxLayout>
#include <cmath>

#include "audio_output.h"
#include "benchmark_compare_dialog.h"
#include "codes_view.h"
#include "compare_dialog.h"
#include "csm/audio_file.h"
#include "csm/engine.h"
#include "csm/error.h"
#include "generation_worker.h"
#include "knobs_summary.h"
#include "remote_server_dialog.h"
#include "run_settings_panel.h"
#include "sentence_ends.h"
#include "spectrogram_view.h"
#include "stop_label.h"
#include "time_series_plot.h"
#include "timeline.h"
#include "typed_text.h"
#include "voice_clip_panel.h"
#include "waveform_view.h"

namespace {

QJsonObject chunk_json(const ChunkStats& c) {
  return {{"stream", c.stream},         {"first_frame", c.firstFrame},     {"frames", c.frames},
          {"generate_ms", c.generateMs}, {"decode_ms", c.decodeMs},        {"elapsed_ms", c.elapsedMs},
          {"rtf", c.rtf},               {"chunk_rtf", c.chunkRtf()},       {"first_audio_ms", c.firstAudioMs},
          {"frames_per_s", c.framesPerS}, {"rss_bytes", c.rssBytes},       {"device_bytes", c.deviceBytes},
          {"temperature", c.temperature}, {"top_k", c.topK},               {"top_p", c.topP},
          {"depth_temperature", c.depthTemperature}, {"depth_top_k", c.depthTopK}, {"depth_top_p", c.depthTopP}};
}

QJsonObject result_json(const RunResult& r, int underruns) {
  return {{"wall_ms", r.wallMs},     {"first_audio_ms", r.firstAudioMs}, {"rtf", r.rtf},
          {"audio_ms", r.audioMs},   {"realtime_streams", r.realtimeStreams}, {"peak_rss_bytes", r.peakRssBytes},
          {"frames", r.frames},      {"cancelled", r.cancelled},         {"stops", QJsonArray::fromStringList(r.stops)},
          {"underruns", underruns}};
}

}  // namespace

MainWindow::MainWindow(const QString& model, const QString& history_path, bool play_audio, QWidget* parent)
    : QMainWindow(parent), model_(model) {
  qRegisterMetaType<ChunkStats>();
  qRegisterMetaType<ChunkCodes>();
  qRegisterMetaType<RunRequest>();
  qRegisterMetaType<RunResult>();
  setWindowTitle(tr("csm-studio"));
  setWindowIcon(QIcon(":/icons/csm-studio.png"));
  data_dir_ = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
  if (!history_path.isEmpty()) data_dir_ = QFileInfo(history_path).absolutePath();
  QDir().mkpath(data_dir_ + "/runs");
  if (play_audio) {
    audio_ = std::make_unique<AudioOutput>(24000);
    connect(audio_.get(), &AudioOutput::error, this, [this](const QString& m) { statusBar()->showMessage(m, 8000); });
  }
  buildUi();
  buildMenus();

  worker_ = new GenerationWorker(audio_ ? &audio_->ring() : nullptr);
  worker_->moveToThread(&worker_thread_);
  connect(&worker_thread_, &QThread::finished, worker_, &QObject::deleteLater);
  connect(this, &MainWindow::startRun, worker_, &GenerationWorker::run, Qt::QueuedConnection);
  connect(this, &MainWindow::requestEngine, worker_, &GenerationWorker::loadEngine, Qt::QueuedConnection);
  connect(this, &MainWindow::requestRemote, worker_, &GenerationWorker::connectRemote, Qt::QueuedConnection);
  connect(worker_, &GenerationWorker::chunkReady, this, &MainWindow::onChunk, Qt::QueuedConnection);
  connect(worker_, &GenerationWorker::runFinished, this, &MainWindow::onFinished, Qt::QueuedConnection);
  connect(worker_, &GenerationWorker::runFailed, this, &MainWindow::onFailed, Qt::QueuedConnection);
  connect(worker_, &GenerationWorker::engineLoaded, this,
          [this](const QString& label, const QString& device, bool demo) {
            status_model_->setText(label);
            status_model_->setStyleSheet(demo ? "color: #a15c00;" : "");
            status_device_->setText(device);
            setState(EngineState::Ready);
          });
  connect(worker_, &GenerationWorker::engineFailed, this, [this](const QString& message, const QString& hint) {
    setState(EngineState::Failed, message);
    status_model_->setText(tr("no model"));
    statusBar()->showMessage(hint.isEmpty() ? message : message + " — " + hint, 15000);
  });
  worker_thread_.setObjectName("generation");
  worker_thread_.start();

  QString error;
  if (!history_.open(history_path.isEmpty() ? data_dir_ + "/history.sqlite" : history_path, &error))
    statusBar()->showMessage(error, 15000);
  refreshHistory();

  QSettings settings;
  restoreGeometry(settings.value("window/geometry").toByteArray());
  settings_->setSettings(RunSettings::fromJson(
      QJsonDocument::fromJson(settings.value("run/settings").toByteArray()).object()));
  if (text_->toPlainText().isEmpty())
    text_->setPlainText(settings.value("run/text", tr("Hello! This is CSM speaking while it generates.")).toString());
  populateModels(model.isEmpty() ? settings.value("model/last", "demo").toString() : model);
}

MainWindow::~MainWindow() {
  last_request_.cancel.cancel();
  worker_thread_.quit();
  worker_thread_.wait();
}

void MainWindow::buildUi() {
  auto* central = new QWidget(this);
  auto* root = new QHBoxLayout(central);
  auto* left = new QVBoxLayout;
  text_ = new QPlainTextEdit(this);
  text_->setPlaceholderText(tr("Text to speak. Each line is a text of its own; several lines run as a batch."));
  text_->setMinimumWidth(360);
  speaker_ = new QSpinBox(this);
  speaker_->setRange(0, 99);
  model_picker_ = new QComboBox(this);
  auto* form = new QFormLayout;
  form->addRow(tr("Model"), model_picker_);
  form->addRow(tr("Speaker"), speaker_);
  generate_button_ = new QPushButton(QIcon(":/icons/generate.png"), tr("Generate"), this);
  stop_button_ = new QPushButton(QIcon(":/icons/stop.png"), tr("Stop"), this);
  generate_button_->setToolTip(tr("Generate (Ctrl+Return)"));
  stop_button_->setToolTip(tr("Stop within one frame (Esc)"));
  stop_button_->setEnabled(false);
  type_action_ = new QAction(tr("Type to speak"), this);
  type_action_->setCheckable(true);
  type_action_->setToolTip(tr("Speak what you type, sentence by sentence, while you type it; "
                              "click again (Done) when you are finished"));
  auto* type_button = new QToolButton(this);
  type_button->setDefaultAction(type_action_);
  type_button->setToolButtonStyle(Qt::ToolButtonTextOnly);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(generate_button_);
  buttons->addWidget(stop_button_);
  buttons->addWidget(type_button);
  settings_ = new RunSettingsPanel(this);
  clips_ = new VoiceClipPanel(this);
  left->addWidget(text_, 2);
  left->addLayout(form);
  left->addLayout(buttons);
  left->addWidget(settings_);
  left->addWidget(clips_, 1);

  auto* right = new QVBoxLayout;
  auto* figures = new QHBoxLayout;
  first_audio_label_ = new QLabel(this);
  rtf_label_ = new QLabel(this);
  continuity_label_ = new QLabel(this);
  for (auto* l : {first_audio_label_, rtf_label_, continuity_label_}) {
    l->setStyleSheet("font-size: 13px; font-weight: bold; padding: 2px 8px;");
    figures->addWidget(l);
  }
  figures->addStretch(1);
  rtf_plot_ = new TimeSeriesPlot(tr("Real-time factor"), tr("audio (s)"), tr("RTF"), this);
  rtf_series_ = rtf_plot_->addSeries(tr("per chunk"), QColor(40, 110, 200), true);
  rtf_cumulative_ = rtf_plot_->addSeries(tr("cumulative"), QColor(20, 150, 90));
  latency_plot_ = new TimeSeriesPlot(tr("Latency"), tr("chunk"), tr("ms"), this);
  latency_series_ = latency_plot_->addSeries(tr("chunk latency"), QColor(130, 70, 180), true);
  first_audio_series_ = latency_plot_->addSeries(tr("time to first audio"), QColor(220, 120, 20), true);
  memory_plot_ = new TimeSeriesPlot(tr("Memory"), tr("time (s)"), tr("MiB"), this);
  memory_series_ = memory_plot_->addSeries(tr("RSS / VRAM"), QColor(200, 60, 60));
  auto* grid = new QGridLayout;
  grid->addWidget(rtf_plot_, 0, 0);
  grid->addWidget(latency_plot_, 0, 1);
  grid->addWidget(memory_plot_, 1, 0);
  auto* history_box = new QWidget(this);
  auto* history_layout = new QVBoxLayout(history_box);
  history_layout->setContentsMargins(0, 0, 0, 0);
  history_list_ = new QListWidget(this);
  history_list_->setSelectionMode(QAbstractItemView::ExtendedSelection);
  auto* replay = new QPushButton(tr("Replay"), this);
  auto* compare = new QPushButton(tr("Compare two"), this);
  auto* history_buttons = new QHBoxLayout;
  history_buttons->addWidget(replay);
  history_buttons->addWidget(compare);
  history_layout->addWidget(new QLabel(tr("Run history"), this));
  history_layout->addWidget(history_list_);
  history_layout->addLayout(history_buttons);
  grid->addWidget(history_box, 1, 1);
  grid->setColumnStretch(0, 1);
  grid->setColumnStretch(1, 1);
  grid->setRowStretch(0, 1);
  grid->setRowStretch(1, 1);
  right->addLayout(figures);
  right->addLayout(grid, 1);
  // The metrics above, the run over time below (codes, spectrogram, waveform on one time
  // axis); the split moves.
  auto* metrics = new QWidget(this);
  metrics->setLayout(right);
  right->setContentsMargins(0, 0, 0, 0);
  auto* split = new QSplitter(Qt::Vertical, this);
  split->addWidget(metrics);
  split->addWidget(buildTimeline());
  split->setStretchFactor(0, 1);
  split->setStretchFactor(1, 1);
  split->setChildrenCollapsible(false);
  root->addLayout(left, 0);
  root->addWidget(split, 1);
  setCentralWidget(central);

  status_model_ = new QLabel(this);
  status_device_ = new QLabel(this);
  status_state_ = new QLabel(this);
  statusBar()->addPermanentWidget(status_model_);
  statusBar()->addPermanentWidget(status_device_);
  statusBar()->addPermanentWidget(status_state_);

  connect(generate_button_, &QPushButton::clicked, this, &MainWindow::generate);
  connect(stop_button_, &QPushButton::clicked, this, &MainWindow::stop);
  connect(type_action_, &QAction::toggled, this, &MainWindow::setTypeToSpeak);
  connect(text_, &QPlainTextEdit::textChanged, this, &MainWindow::sendTyped);
  connect(new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return), this), &QShortcut::activated, this, &MainWindow::generate);
  connect(new QShortcut(QKeySequence(Qt::Key_Escape), this), &QShortcut::activated, this, &MainWindow::stop);
  connect(settings_, &RunSettingsPanel::changed, this, &MainWindow::applyLiveSampling);
  connect(replay, &QPushButton::clicked, this, &MainWindow::replaySelected);
  connect(compare, &QPushButton::clicked, this, &MainWindow::compareSelected);
  connect(clips_, &VoiceClipPanel::playRequested, this, [this](const QVector<float>& samples) {
    if (!audio_) return;
    audio_->ring().reset();
    audio_->start();
    audio_->ring().push(samples.constData(), samples.size());
    audio_->ring().markFinished();
  });
  connect(model_picker_, qOverload<int>(&QComboBox::activated), this, [this](int index) {
    QString model = model_picker_->itemData(index).toString();
    if (model == "remote") {
      chooseRemote();
      return;
    }
    if (model == "browse") {
      model = QFileDialog::getExistingDirectory(this, tr("Choose a CSM model folder"));
      if (model.isEmpty()) return;
      populateModels(model);
      return;
    }
    loadModel(model);
  });
  resize(1400, 940);
}

// The views of the run over time, stacked so a moment is at the same x in each; pointing
// at one marks the moment in the other.
QWidget* MainWindow::buildTimeline() {
  auto* box = new QWidget(this);
  auto* layout = new QVBoxLayout(box);
  layout->setContentsMargins(0, 0, 0, 0);
  codes_ = new CodesView(tr("Codes"), box);
  spectrogram_ = new SpectrogramView(tr("Spectrogram"), box);
  waveform_ = new WaveformView(box);
  waveform_->setMargins(timeline::kLeft, timeline::kRight);
  auto* audio_label = new QLabel(tr("Audio so far"), box);
  audio_label->setIndent(timeline::kLeft);
  layout->addWidget(codes_, 3);
  layout->addWidget(spectrogram_, 2);
  layout->addWidget(audio_label);
  layout->addWidget(waveform_);
  connect(codes_, &CodesView::hovered, spectrogram_, &SpectrogramView::setCursorTime);
  connect(spectrogram_, &SpectrogramView::hovered, codes_, &CodesView::setCursorTime);
  return box;
}

void MainWindow::buildMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  file->addAction(tr("Export &audio…"), this, [this] {
    const QString path = QFileDialog::getSaveFileName(this, tr("Export audio"), "speech.wav", tr("WAV (*.wav)"));
    if (!path.isEmpty() && !exportAudio(path)) QMessageBox::warning(this, tr("Export"), tr("Could not write %1").arg(path));
  });
  file->addAction(tr("Export &metrics…"), this, [this] {
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Export metrics"), "metrics.csv", tr("CSV (*.csv);;JSON (*.json)"));
    if (!path.isEmpty() && !exportMetrics(path)) QMessageBox::warning(this, tr("Export"), tr("Could not write %1").arg(path));
  });
  file->addAction(tr("Export &plots…"), this, [this] {
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Export plots"), "plots.png", tr("PNG (*.png);;PDF (*.pdf)"));
    if (path.isEmpty()) return;
    const QFileInfo info(path);
    if (!exportPlots(info.absolutePath() + "/" + info.completeBaseName(), info.suffix().isEmpty() ? "png" : info.suffix()))
      QMessageBox::warning(this, tr("Export"), tr("Could not write the plots"));
  });
  file->addSeparator();
  file->addAction(tr("&Save preset…"), this, [this] {
    const QString path = QFileDialog::getSaveFileName(this, tr("Save preset"), "preset.json", tr("Preset (*.json)"));
    QString error;
    if (!path.isEmpty() && !settings_->savePreset(path, &error)) QMessageBox::warning(this, tr("Preset"), error);
  });
  file->addAction(tr("&Load preset…"), this, [this] {
    const QString path = QFileDialog::getOpenFileName(this, tr("Load preset"), {}, tr("Preset (*.json)"));
    QString error;
    if (!path.isEmpty() && !settings_->loadPreset(path, &error)) QMessageBox::warning(this, tr("Preset"), error);
  });
  file->addAction(tr("&Import history…"), this, [this] {
    const QString path = QFileDialog::getOpenFileName(this, tr("Import run history"), {}, tr("History (*.sqlite)"));
    QString error;
    if (path.isEmpty()) return;
    const int n = history_.importFrom(path, &error);
    if (n < 0) QMessageBox::warning(this, tr("Import"), error);
    else statusBar()->showMessage(tr("Imported %n run(s)", nullptr, n), 6000);
    refreshHistory();
  });
  file->addSeparator();
  file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
  QMenu* tools = menuBar()->addMenu(tr("&Tools"));
  tools->addAction(tr("&Compare benchmark reports…"), this, [this] {
    auto* dialog = new BenchmarkCompareDialog(this);  // deletes itself when closed
    if (model_.startsWith("remote:"))
      dialog->suggestServer(model_.mid(7), RemoteServerDialog::rememberedKey(model_.mid(7)));
    dialog->show();
  });
  tools->addAction(tr("&Remote csm-serve…"), this, &MainWindow::chooseRemote);
  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("&About"), this, [this] {
    QMessageBox::about(this, tr("About csm-studio"),
                       tr("csm-studio: streaming CSM-1B text to speech, with live plots and knobs."));
  });
}

void MainWindow::populateModels(const QString& preferred) {
  model_picker_->clear();
  model_picker_->addItem(tr("Demo model (random weights: noise, not speech)"), "demo");
  const QString cached = QString::fromStdString(csm::find_in_hf_cache("sesame/csm-1b"));
  if (!cached.isEmpty()) model_picker_->addItem(tr("sesame/csm-1b (Hugging Face cache)"), cached);
  else model_picker_->addItem(tr("sesame/csm-1b (download from the hub; needs HF_TOKEN)"), "sesame/csm-1b");
  QSettings settings;
  QStringList recent = settings.value("model/recent").toStringList();
  if (preferred != "demo" && preferred != cached && !preferred.isEmpty() && !recent.contains(preferred))
    recent.prepend(preferred);
  for (const auto& path : recent) {
    if (path.startsWith("remote:")) model_picker_->addItem(tr("Remote csm-serve at %1").arg(path.mid(7)), path);
    else model_picker_->addItem(path, path);
  }
  model_picker_->addItem(tr("Browse for a model folder…"), "browse");
  model_picker_->addItem(tr("Remote csm-serve…"), "remote");
  settings.setValue("model/recent", recent.mid(0, 8));
  const int index = std::max(0, model_picker_->findData(preferred));
  model_picker_->setCurrentIndex(index);
  loadModel(model_picker_->itemData(index).toString());
}

void MainWindow::loadModel(const QString& model) {
  if (model.startsWith("remote:")) {
    const QString url = model.mid(7);
    connectRemote(url, RemoteServerDialog::rememberedKey(url));
    return;
  }
  model_ = model;
  QSettings().setValue("model/last", model);
  setState(EngineState::Loading, model);
  emit requestEngine(model);
}

// The URL and key are remembered for the next start.
void MainWindow::connectRemote(const QString& url, const QString& key) {
  model_ = "remote:" + url;
  QSettings().setValue("model/last", model_);
  RemoteServerDialog::rememberKey(url, key);
  setState(EngineState::Loading, url);
  emit requestRemote(url, key);
}

void MainWindow::chooseRemote() {
  if (state_ == EngineState::Generating || state_ == EngineState::Stopping) {
    statusBar()->showMessage(tr("Stop the run first, then switch engines."), 6000);
    return;
  }
  const QString last = QSettings().value("remote/last_url").toString();
  RemoteServerDialog dialog(last, RemoteServerDialog::rememberedKey(last), this);
  if (dialog.exec() != QDialog::Accepted || dialog.url().isEmpty()) {
    model_picker_->setCurrentIndex(std::max(0, model_picker_->findData(model_)));
    return;
  }
  QSettings().setValue("remote/last_url", dialog.url());
  RemoteServerDialog::rememberKey(dialog.url(), dialog.key());  // populateModels connects with it
  populateModels("remote:" + dialog.url());
}

void MainWindow::setState(EngineState state, const QString& detail) {
  state_ = state;
  static const char* names[] = {QT_TR_NOOP("loading model"), QT_TR_NOOP("ready"), QT_TR_NOOP("generating"),
                                QT_TR_NOOP("stopping"), QT_TR_NOOP("failed")};
  const QString name = tr(names[static_cast<int>(state)]);
  status_state_->setText(detail.isEmpty() ? name : name + ": " + detail.left(80));
  generate_button_->setEnabled(state == EngineState::Ready);
  // Off during a typed run only to say Done; after Done the run finishes on its own.
  type_action_->setEnabled(state == EngineState::Ready || (state == EngineState::Generating && typed_));
  stop_button_->setEnabled(state == EngineState::Generating);
  model_picker_->setEnabled(state == EngineState::Ready || state == EngineState::Failed);
}

// What every run takes from the window: the knobs (checked), the speaker, the voice clips.
std::optional<RunRequest> MainWindow::baseRequest() {
  if (state_ != EngineState::Ready) return std::nullopt;
  const RunSettings settings = settings_->settings();
  const auto problems = settings.toConfig().problems();
  if (!problems.empty()) {
    statusBar()->showMessage(QString::fromStdString(problems.front()), 10000);
    return std::nullopt;
  }
  RunRequest request;
  request.speaker = speaker_->value();
  request.clips = clips_->clips();
  for (const auto& clip : request.clips)
    if (clip.transcript.trimmed().isEmpty()) {
      statusBar()->showMessage(tr("Give every voice clip its transcript."), 8000);
      return std::nullopt;
    }
  request.settings = settings;
  request.live = std::make_shared<LiveSampling>(settings.sampling());
  return request;
}

void MainWindow::generate() {
  std::optional<RunRequest> request = baseRequest();
  if (!request) return;
  QStringList texts;
  for (const auto& line : text_->toPlainText().split('\n'))
    if (!line.trimmed().isEmpty()) texts << line.trimmed();
  if (texts.isEmpty()) {
    statusBar()->showMessage(tr("Type something to say first."), 6000);
    return;
  }
  if (texts.size() > 1 && request->settings.stream_batch == 1) texts = QStringList{texts.join(' ')};
  request->texts = texts;
  launch(*request);
}

// Clean views and plots, the audio device started, then the worker gets the run.
void MainWindow::launch(const RunRequest& request) {
  const RunSettings& settings = request.settings;
  last_request_ = request;
  run_chunks_.clear();
  run_audio_.clear();
  chunk_index_ = 0;
  for (auto* plot : {rtf_plot_, latency_plot_, memory_plot_}) plot->clear();
  rtf_plot_->setTarget(settings.rtf_target, tr("target"));
  waveform_->clear();
  codes_->reset(settings.codebooks);  // 0 (all): as many rows as the model's frames have
  spectrogram_->clear();
  if (audio_) {
    audio_->ring().reset();
    audio_->start();
  }
  QSettings().setValue("run/settings", QJsonDocument(settings.toJson()).toJson());
  QSettings().setValue("run/text", text_->toPlainText());
  setState(EngineState::Generating);
  updateLiveFigures();
  emit startRun(request);
}

void MainWindow::setTypeToSpeak(bool on) {
  if (type_action_->isChecked() != on) {
    type_action_->setChecked(on);  // comes back here through toggled
    return;
  }
  if (on) startTyping();
  else finishTyping();
}

// The run starts with no text: its one stream waits, generating nothing, for the first sentence.
void MainWindow::startTyping() {
  std::optional<RunRequest> request = baseRequest();
  if (!request) {
    leaveTyping();
    return;
  }
  // The box starts empty so that what is spoken is what it shows; Ctrl+Z brings the old text back.
  QTextCursor all(text_->document());
  all.select(QTextCursor::Document);
  all.removeSelectedText();
  typed_ = std::make_shared<TypedText>();
  typed_from_ = 0;
  request->texts = QStringList{QString()};
  request->typed = typed_;
  launch(*request);
  type_action_->setText(tr("Done"));
  text_->setFocus();
  statusBar()->showMessage(tr("Type to speak: each sentence is spoken when it ends (. ! or ? and a space, or "
                              "Enter). Click Done when you are finished."), 15000);
}

// What was typed since the last sentence end goes too; then the text ends.
void MainWindow::finishTyping() {
  if (!typed_) return leaveTyping();
  typed_->append(text_->toPlainText().mid(typed_from_).simplified());
  typed_->end();
  leaveTyping();
  setState(state_);  // Done is spent: the toggle waits for the run to finish
}

// The box's text up to its last finished sentence goes to the run, flushed: a whole
// sentence need not wait for the engine's own look for a boundary.
void MainWindow::sendTyped() {
  if (!typed_) return;
  const QString text = text_->toPlainText();
  typed_from_ = std::min(typed_from_, text.size());  // sent text deleted: what is typed again goes again
  const qsizetype end = lastSentenceEnd(text, typed_from_);
  if (end == typed_from_) return;
  QString sentences = text.mid(typed_from_, end - typed_from_);
  sentences.replace('\n', ' ');  // Enter ends a sentence; the engine reads a space
  typed_->append(sentences);
  typed_->flush();
  typed_from_ = end;
}

// Typing mode off, without sending anything: after Done, Stop, or a run that ended.
void MainWindow::leaveTyping() {
  typed_.reset();
  const QSignalBlocker quiet(type_action_);
  type_action_->setChecked(false);
  type_action_->setText(tr("Type to speak"));
}

// The sampling knobs reach the run in progress; the other knobs wait for the next run.
void MainWindow::applyLiveSampling() {
  if (state_ != EngineState::Generating || !last_request_.live) return;
  last_request_.live->set(settings_->settings().sampling());
}

void MainWindow::stop() {
  if (state_ != EngineState::Generating) return;
  last_request_.cancel.cancel();  // atomic: the worker stops within one frame
  if (audio_) audio_->ring().reset();
  leaveTyping();
  setState(EngineState::Stopping);
}

int MainWindow::underruns() const { return audio_ ? audio_->ring().underruns() : 0; }

void MainWindow::onChunk(const ChunkStats& c, const QVector<float>& samples, const ChunkCodes& codes) {
  run_chunks_.push_back(c);
  run_audio_ += samples;
  waveform_->append(samples.constData(), samples.size());
  spectrogram_->append(samples.constData(), samples.size());
  showCodes(c, codes);
  setTimeSpan(double(run_audio_.size()) / timeline::kSampleRate);
  const double audio_s = (c.firstFrame + c.frames) * 0.08;
  if (c.frames > 0) {
    rtf_plot_->addPoint(rtf_series_, audio_s, c.chunkRtf());
    rtf_plot_->addPoint(rtf_cumulative_, audio_s, c.rtf);
    latency_plot_->addPoint(latency_series_, chunk_index_, c.generateMs + c.decodeMs);
  }
  if (chunk_index_ == 0) latency_plot_->addPoint(first_audio_series_, 0, c.firstAudioMs);
  memory_plot_->addPoint(memory_series_, c.elapsedMs / 1000.0,
                         (c.deviceBytes > 0 ? c.deviceBytes : c.rssBytes) / (1024.0 * 1024.0));
  ++chunk_index_;
  updateLiveFigures();
}

// The chunk's codes join the grid in the order its audio arrived, as in the waveform.
void MainWindow::showCodes(const ChunkStats& c, const ChunkCodes& codes) {
  if (c.frames > 0 && codes.isEmpty()) {
    codes_->setNote(tr("No codes came with this run: the server does not send them (a csm-serve without "
                       "include_codes). The spectrogram and the waveform still show its audio."));
    return;
  }
  codes_->append(codes.codes, codes.width, codes.entropy, c.firstFrame == 0);
}

void MainWindow::setTimeSpan(double seconds) {
  codes_->setTimeSpan(seconds);
  spectrogram_->setTimeSpan(seconds);
}

void MainWindow::updateLiveFigures() {
  const ChunkStats last = run_chunks_.isEmpty() ? ChunkStats{} : run_chunks_.back();
  first_audio_label_->setText(tr("First audio: %1 ms").arg(last.firstAudioMs, 0, 'f', 0));
  rtf_label_->setText(tr("RTF: %1").arg(last.rtf, 0, 'f', 2));
  double continuity = 100.0;
  if (audio_ && audio_->ring().playedSamples() > 0)
    continuity = 100.0 * (1.0 - double(audio_->ring().gapSamples()) /
                                    double(audio_->ring().playedSamples() + audio_->ring().gapSamples()));
  QString text = tr("Underruns: %1 (continuity %2%)").arg(underruns()).arg(continuity, 0, 'f', 1);
  if (last.maxStreams > 0) text += tr(" · server streams %1/%2").arg(last.activeStreams).arg(last.maxStreams);
  continuity_label_->setText(text);
}

void MainWindow::onFinished(const RunResult& result) {
  leaveTyping();
  updateLiveFigures();
  spectrogram_->finish();
  setState(EngineState::Ready, readableStops(result.stops));
  emit runCompleted(result);
  recordRun(result, {});
}

// A finished run goes to the history; so does a failed one that made audio, with
// what went wrong: nothing a run made is lost.
void MainWindow::recordRun(const RunResult& result, const QString& failure) {
  if (!history_.isOpen() || run_audio_.isEmpty()) return;
  RunRecord record;
  record.started = QDateTime::currentDateTime();
  record.text = last_request_.typed ? last_request_.typed->sent() : last_request_.texts.join('\n');
  record.model = model_;
  record.settings = last_request_.settings.toJson();
  record.summary = result_json(result, underruns());
  if (!failure.isEmpty()) record.summary.insert("failure", failure);
  QJsonArray chunks;
  for (const auto& c : run_chunks_) chunks.append(chunk_json(c));
  record.chunks = chunks;
  const QString stem = data_dir_ + "/runs/" + record.started.toString("yyyyMMdd-HHmmss-zzz");
  record.audioPath = stem + ".wav";
  if (!exportAudio(record.audioPath)) record.audioPath.clear();
  if (!codes_->grid().isEmpty() && codes_->grid().save(stem + ".codes.json")) record.codesPath = stem + ".codes.json";
  QString error;
  if (history_.add(record, &error) < 0) statusBar()->showMessage(tr("History not saved: %1").arg(error), 8000);
  refreshHistory();
}

// What the chunks of a run that failed part way say about it.
RunResult MainWindow::partialResult() const {
  RunResult r;
  for (const auto& c : run_chunks_) {
    r.frames += c.frames;
    r.wallMs = std::max(r.wallMs, c.elapsedMs);
    r.peakRssBytes = std::max<qint64>(r.peakRssBytes, c.rssBytes);
  }
  if (!run_chunks_.isEmpty()) r.firstAudioMs = run_chunks_.front().firstAudioMs;
  r.audioMs = r.frames * double(csm::StreamingConfig::kFrameMs);
  r.deriveRates();
  r.stops << QString::fromUtf8(csm::to_string(csm::StopReason::Failed));
  return r;
}

void MainWindow::onFailed(const QString& message, const QString& hint) {
  leaveTyping();
  spectrogram_->finish();
  setState(EngineState::Ready, tr("last run failed"));
  recordRun(partialResult(), message);
  statusBar()->showMessage(hint.isEmpty() ? message : message + " — " + hint, 15000);
  if (isVisible() && !qEnvironmentVariableIsSet("CSM_STUDIO_NO_DIALOGS"))
    QMessageBox::warning(this, tr("Generation failed"), hint.isEmpty() ? message : message + "\n\n" + hint);
}

// How the run's streams ended, and what went wrong when it failed.
QString MainWindow::historyToolTip(const RunRecord& record) const {
  QStringList stops;
  for (const auto& v : record.summary.value("stops").toArray()) stops << v.toString();
  QStringList lines;
  if (!stops.isEmpty()) lines << tr("Ended: %1").arg(readableStops(stops));
  if (record.summary.contains("failure")) lines << record.summary.value("failure").toString();
  lines << knobsSummary(record.settings);
  return lines.join('\n');
}

void MainWindow::refreshHistory() {
  history_list_->clear();
  for (const auto& r : history_.list()) {
    const QString when = r.started.toString("MM-dd HH:mm:ss"), what = r.text.simplified().left(40);  // one line per run
    auto* item = new QListWidgetItem(
        r.summary.contains("failure")
            ? tr("%1 — %2 (failed, %3 s kept)").arg(when, what).arg(r.summary.value("audio_ms").toDouble() / 1000, 0, 'f', 2)
            : tr("%1 — %2 (RTF %3)").arg(when, what).arg(r.summary.value("rtf").toDouble(), 0, 'f', 2));
    item->setToolTip(historyToolTip(r));
    item->setData(Qt::UserRole, r.id);
    history_list_->addItem(item);
  }
}

void MainWindow::replaySelected() {
  const auto items = history_list_->selectedItems();
  if (!items.isEmpty()) replay(items.front()->data(Qt::UserRole).toLongLong());
}

void MainWindow::replay(qint64 run_id) {
  const auto record = history_.get(run_id);
  if (!record) return;
  codes_->setGrid(CodeGrid::load(record->codesPath));
  if (codes_->grid().isEmpty()) codes_->setNote(tr("This run was recorded without its codes."));
  try {
    csm::AudioReadOptions any;
    any.allow_silence = true;
    const auto samples = csm::read_audio_mono(record->audioPath.toStdString(), any);
    const QVector<float> audio(samples.begin(), samples.end());
    waveform_->setSamples(audio);
    spectrogram_->setSamples(audio);
    setTimeSpan(double(audio.size()) / timeline::kSampleRate);
    if (audio_) {
      audio_->ring().reset();
      audio_->start();
      audio_->ring().push(samples.data(), static_cast<int>(samples.size()));
      audio_->ring().markFinished();
    }
  } catch (const csm::Error& e) {
    statusBar()->showMessage(QString::fromStdString(e.what()), 10000);
  }
}

void MainWindow::compareSelected() {
  const auto items = history_list_->selectedItems();
  if (items.size() != 2) {
    statusBar()->showMessage(tr("Select exactly two runs to compare."), 6000);
    return;
  }
  const auto a = history_.get(items[0]->data(Qt::UserRole).toLongLong());
  const auto b = history_.get(items[1]->data(Qt::UserRole).toLongLong());
  if (!a || !b) return;
  auto* dialog = new CompareDialog(*a, *b, audio_.get(), this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  dialog->show();
}

bool MainWindow::exportAudio(const QString& path) {
  try {
    csm::write_wav(path.toStdString(), std::vector<float>(run_audio_.begin(), run_audio_.end()), 24000);
    return true;
  } catch (const csm::Error& e) {
    statusBar()->showMessage(QString::fromStdString(e.what()), 10000);
    return false;
  }
}

bool MainWindow::exportMetrics(const QString& path) {
  QFile file(path);
  if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text)) return false;
  if (path.endsWith(".json", Qt::CaseInsensitive)) {
    QJsonArray chunks;
    for (const auto& c : run_chunks_) chunks.append(chunk_json(c));
    file.write(QJsonDocument(QJsonObject{{"settings", last_request_.settings.toJson()}, {"chunks", chunks}}).toJson());
    return true;
  }
  QTextStream out(&file);
  out << "stream,first_frame,frames,generate_ms,decode_ms,elapsed_ms,rtf,chunk_rtf,first_audio_ms,frames_per_s,"
         "rss_bytes,device_bytes,temperature,top_k,top_p,depth_temperature,depth_top_k,depth_top_p\n";
  for (const auto& c : run_chunks_)
    out << c.stream << ',' << c.firstFrame << ',' << c.frames << ',' << c.generateMs << ',' << c.decodeMs << ','
        << c.elapsedMs << ',' << c.rtf << ',' << c.chunkRtf() << ',' << c.firstAudioMs << ',' << c.framesPerS << ','
        << c.rssBytes << ',' << c.deviceBytes << ',' << c.temperature << ',' << c.topK << ',' << c.topP << ','
        << c.depthTemperature << ',' << c.depthTopK << ',' << c.depthTopP << '\n';
  return true;
}

bool MainWindow::exportPlots(const QString& stem, const QString& extension) {
  return rtf_plot_->exportTo(stem + "-rtf." + extension) && latency_plot_->exportTo(stem + "-latency." + extension) &&
         memory_plot_->exportTo(stem + "-memory." + extension) && codes_->exportTo(stem + "-codes." + extension) &&
         spectrogram_->exportTo(stem + "-spectrogram." + extension);
}

void MainWindow::closeEvent(QCloseEvent* event) {
  QSettings settings;
  settings.setValue("window/geometry", saveGeometry());
  settings.setValue("run/settings", QJsonDocument(settings_->settings().toJson()).toJson());
  settings.setValue("run/text", text_->toPlainText());
  last_request_.cancel.cancel();  // a run in progress stops within one frame; the thread is joined in the destructor
  event->accept();
}
