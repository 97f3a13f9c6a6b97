#pragma once
// Asks where the remote csm-serve is (URL) and its API key, if it has one.
// The usual URL is http://localhost:8000 through `ssh -N -L 8000:localhost:8000 gpu-box`.
#include <QDialog>

class QLineEdit;

class RemoteServerDialog : public QDialog {
  Q_OBJECT
 public:
  RemoteServerDialog(const QString& url, const QString& key, QWidget* parent = nullptr);
  QString url() const;
  QString key() const;

 private:
  QLineEdit *url_, *key_;
};
