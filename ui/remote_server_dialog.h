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

  // API keys by server URL, in the user's settings file: an ssh tunnel's loopback
  // key is no secret beyond this account.
  static QString rememberedKey(const QString& url);
  static void rememberKey(const QString& url, const QString& key);

 private:
  QLineEdit *url_, *key_;
};
