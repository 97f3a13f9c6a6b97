#pragma once
// Live playback: a QAudioSink in pull mode reading the AudioRing through a
// QIODevice, living on its own thread so GUI work never starves the sound.
#include <QIODevice>
#include <QObject>
#include <QThread>
#include <memory>

#include "audio_ring.h"

class QAudioSink;

class RingDevice : public QIODevice {
  Q_OBJECT
 public:
  explicit RingDevice(AudioRing* ring, QObject* parent = nullptr) : QIODevice(parent), ring_(ring) {}
  bool isSequential() const override { return true; }
  qint64 bytesAvailable() const override;

 protected:
  qint64 readData(char* data, qint64 max_size) override;
  qint64 writeData(const char*, qint64) override { return -1; }

 private:
  AudioRing* ring_;
};

class AudioOutput : public QObject {
  Q_OBJECT
 public:
  explicit AudioOutput(int sample_rate = 24000);
  ~AudioOutput() override;
  AudioRing& ring() { return ring_; }
  QString deviceName() const { return device_name_; }

 public slots:
  void start();  // (re)opens the sink on the audio thread
  void stop();

 signals:
  void error(const QString& message);

 private:
  void startOnThread();
  void stopOnThread();
  AudioRing ring_;
  int sample_rate_;
  QThread thread_;
  QObject* worker_;  // lives on thread_: parent of the sink and the device
  QAudioSink* sink_ = nullptr;
  RingDevice* device_ = nullptr;
  QString device_name_;
};
