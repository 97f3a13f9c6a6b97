#include "audio_output.h"

#include <QAudioDevice>
#include <QAudioFormat>
#include <QAudioSink>
#include <QMediaDevices>
#include <QMetaObject>

qint64 RingDevice::bytesAvailable() const {
  // Always "has data": silence fills a short ring, and the ring counts it as an underrun.
  return 4096 + QIODevice::bytesAvailable();
}

qint64 RingDevice::readData(char* data, qint64 max_size) {
  const int count = static_cast<int>(max_size / sizeof(float));
  ring_->pull(reinterpret_cast<float*>(data), count);
  return count * static_cast<qint64>(sizeof(float));
}

AudioOutput::AudioOutput(int sample_rate) : sample_rate_(sample_rate), worker_(new QObject) {
  thread_.setObjectName("audio");
  worker_->moveToThread(&thread_);
  connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
  thread_.start();
  device_name_ = QMediaDevices::defaultAudioOutput().description();
}

AudioOutput::~AudioOutput() {
  QMetaObject::invokeMethod(worker_, [this] { stopOnThread(); }, Qt::BlockingQueuedConnection);
  thread_.quit();
  thread_.wait();
}

void AudioOutput::start() {
  QMetaObject::invokeMethod(worker_, [this] { startOnThread(); }, Qt::BlockingQueuedConnection);
}

void AudioOutput::stop() {
  QMetaObject::invokeMethod(worker_, [this] { stopOnThread(); }, Qt::BlockingQueuedConnection);
}

void AudioOutput::startOnThread() {
  stopOnThread();
  const QAudioDevice device = QMediaDevices::defaultAudioOutput();
  if (device.isNull()) {
    emit error(tr("No audio output device is available; audio is still generated and can be exported."));
    return;
  }
  QAudioFormat format;
  format.setSampleRate(sample_rate_);
  format.setChannelCount(1);
  format.setSampleFormat(QAudioFormat::Float);
  sink_ = new QAudioSink(device, format, worker_);
  sink_->setBufferSize(sample_rate_ / 5 * sizeof(float));  // 200 ms: low latency, room for jitter
  device_ = new RingDevice(&ring_, worker_);
  device_->open(QIODevice::ReadOnly);
  sink_->start(device_);
  if (sink_->error() != QAudio::NoError) emit error(tr("The audio output could not be started."));
}

void AudioOutput::stopOnThread() {
  if (sink_) {
    sink_->stop();
    delete sink_;
    sink_ = nullptr;
  }
  if (device_) {
    delete device_;
    device_ = nullptr;
  }
}
