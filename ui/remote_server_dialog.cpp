#include "remote_server_dialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QVBoxLayout>

RemoteServerDialog::RemoteServerDialog(const QString& url, const QString& key, QWidget* parent) : QDialog(parent) {
  setWindowTitle(tr("Remote csm-serve"));
  url_ = new QLineEdit(url.isEmpty() ? QStringLiteral("http://localhost:8000") : url, this);
  key_ = new QLineEdit(key, this);
  key_->setEchoMode(QLineEdit::PasswordEchoOnEdit);
  key_->setPlaceholderText(tr("none"));
  auto* help = new QLabel(tr("Run the engine on a GPU box (scripts/setup-gpu-box.sh --serve prints the key), "
                             "then on this machine: <code>ssh -N -L 8000:localhost:8000 user@gpu-box</code>"),
                          this);
  help->setWordWrap(true);
  help->setTextFormat(Qt::RichText);
  auto* form = new QFormLayout;
  form->addRow(tr("Server URL"), url_);
  form->addRow(tr("API key"), key_);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  buttons->button(QDialogButtonBox::Ok)->setText(tr("Connect"));
  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(help);
  layout->addLayout(form);
  layout->addWidget(buttons);
  resize(520, sizeHint().height());
}

QString RemoteServerDialog::rememberedKey(const QString& url) {
  return QSettings().value("remote/keys").toMap().value(url).toString();
}

void RemoteServerDialog::rememberKey(const QString& url, const QString& key) {
  QSettings settings;
  QVariantMap keys = settings.value("remote/keys").toMap();
  keys.insert(url, key);
  settings.setValue("remote/keys", keys);
}

QString RemoteServerDialog::url() const { return url_->text().trimmed(); }
QString RemoteServerDialog::key() const { return key_->text().trimmed(); }
