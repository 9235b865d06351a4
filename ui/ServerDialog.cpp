// SPDX-License-Identifier: Apache-2.0
#include "ServerDialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace ndes::ui {

ServerDialog::ServerDialog(const inventory::ServerProfile& profile, QWidget* parent)
    : QDialog(parent)
    , m_id(profile.id) {
    setWindowTitle(profile.id.isEmpty() ? tr("New NDES server") : tr("Edit %1").arg(profile.name));
    auto* layout = new QVBoxLayout(this);
    auto* form = new QFormLayout;
    m_name = new QLineEdit(profile.name, this);
    m_name->setPlaceholderText(tr("e.g. NDES Paris"));
    m_scepUrl = new QLineEdit(profile.scepUrl.toString(), this);
    m_scepUrl->setPlaceholderText(QStringLiteral("https://ndes.example.com/certsrv/mscep/mscep.dll"));
    m_adminUrl = new QLineEdit(profile.adminUrl.toString(), this);
    m_adminUrl->setPlaceholderText(QStringLiteral("https://ndes.example.com/certsrv/mscep_admin/"));
    m_auth = new QComboBox(this);
    m_auth->addItem(tr("NTLM (user name and password)"), QStringLiteral("ntlm"));
    m_auth->addItem(tr("Kerberos / Negotiate (your current login)"), QStringLiteral("negotiate"));
    m_auth->addItem(tr("Basic (only over HTTPS)"), QStringLiteral("basic"));
    m_auth->addItem(tr("None"), QStringLiteral("none"));
    m_auth->setCurrentIndex(m_auth->findData(service::adminAuthName(profile.auth)));
    m_user = new QLineEdit(profile.user, this);
    m_user->setPlaceholderText(QStringLiteral("DOMAIN\\user"));
    m_password = new QLineEdit(this);
    m_password->setEchoMode(QLineEdit::Password);
    m_password->setPlaceholderText(profile.id.isEmpty() ? tr("stored in the system keychain") : tr("unchanged"));
    m_pin = new QLineEdit(profile.caSha256Pin, this);
    m_pin->setPlaceholderText(tr("optional SHA-256 of the CA certificate"));
    m_allowHttp = new QCheckBox(tr("Allow plain HTTP (passwords travel in clear)"), this);
    m_allowHttp->setChecked(profile.allowHttp);
    m_site = new QLineEdit(profile.site, this);
    m_notes = new QPlainTextEdit(profile.notes, this);
    m_notes->setMaximumHeight(70);
    form->addRow(tr("&Name:"), m_name);
    form->addRow(tr("&SCEP URL:"), m_scepUrl);
    form->addRow(tr("&Admin page URL:"), m_adminUrl);
    form->addRow(tr("Au&thentication:"), m_auth);
    form->addRow(tr("&User:"), m_user);
    form->addRow(tr("&Password:"), m_password);
    form->addRow(tr("CA &pin:"), m_pin);
    form->addRow(QString(), m_allowHttp);
    form->addRow(tr("S&ite / group:"), m_site);
    form->addRow(tr("N&otes:"), m_notes);
    layout->addLayout(form);
    m_problems = new QLabel(this);
    m_problems->setObjectName(QStringLiteral("errorBanner"));
    m_problems->setWordWrap(true);
    m_problems->hide();
    layout->addWidget(m_problems);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &ServerDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &ServerDialog::reject);
    layout->addWidget(buttons);
    connect(m_auth, &QComboBox::currentIndexChanged, this, &ServerDialog::updateState);
    connect(m_scepUrl, &QLineEdit::editingFinished, this, [this] {
        // Fill the admin page URL from the SCEP URL, as NDES puts both on one host.
        if (m_adminUrl->text().isEmpty() &&
            m_scepUrl->text().contains(QLatin1String("/certsrv/mscep/"), Qt::CaseInsensitive)) {
            QUrl u(m_scepUrl->text());
            u.setPath(QStringLiteral("/certsrv/mscep_admin/"));
            u.setQuery(QString());
            m_adminUrl->setText(u.toString());
        }
    });
    updateState();
    resize(560, sizeHint().height());
}

void ServerDialog::updateState() {
    const QString auth = m_auth->currentData().toString();
    const bool withUser = auth == QLatin1String("ntlm") || auth == QLatin1String("basic");
    m_user->setEnabled(withUser);
    m_password->setEnabled(withUser);
}

inventory::ServerProfile ServerDialog::profile() const {
    inventory::ServerProfile p;
    p.id = m_id;
    p.name = m_name->text().trimmed();
    p.scepUrl = QUrl(m_scepUrl->text().trimmed());
    p.adminUrl = QUrl(m_adminUrl->text().trimmed());
    p.auth = service::adminAuthFromName(m_auth->currentData().toString()).value_or(service::AdminAuth::Ntlm);
    p.user = m_user->isEnabled() ? m_user->text().trimmed() : QString();
    p.caSha256Pin = m_pin->text().trimmed();
    p.allowHttp = m_allowHttp->isChecked();
    p.site = m_site->text().trimmed();
    p.notes = m_notes->toPlainText();
    return p;
}

SecretBytes ServerDialog::password() const {
    return SecretBytes(m_password->text().toUtf8());
}

void ServerDialog::accept() {
    const QStringList problems = profile().problems();
    if (!problems.isEmpty()) {
        m_problems->setText(problems.join(QLatin1Char('\n')));
        m_problems->show();
        return; // nothing typed is lost
    }
    QDialog::accept();
}

} // namespace ndes::ui
