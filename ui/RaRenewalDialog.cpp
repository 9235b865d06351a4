// SPDX-License-Identifier: Apache-2.0
#include "RaRenewalDialog.h"

#include "ndes/RaRenewalScript.h"
#include "util/Clock.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFontDatabase>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSaveFile>
#include <QVBoxLayout>

namespace ndes::ui {

using service::ExpiryItem;
using service::ExpiryRole;

RaRenewalDialog::RaRenewalDialog(const service::HealthReport& report, QWidget* parent)
    : QDialog(parent)
    , m_report(report) {
    setWindowTitle(tr("Renew the RA certificates of %1").arg(report.server));
    qint64 daysLeft = std::numeric_limits<qint64>::max();
    for (const ExpiryItem& e : report.expiries)
        if ((e.role == ExpiryRole::RaSigning || e.role == ExpiryRole::RaEncryption) && e.daysLeft < daysLeft) {
            daysLeft = e.daysLeft;
            m_raSubject = e.subject;
            m_raNotAfter = e.notAfter;
        }
    auto* layout = new QVBoxLayout(this);
    auto* what = new QLabel(this);
    what->setWordWrap(true);
    what->setTextFormat(Qt::RichText);
    const QString when = m_raNotAfter.toString(QStringLiteral("yyyy-MM-dd HH:mm 'UTC'"));
    what->setText(
        (daysLeft < 0
             ? tr("<p><b>The RA certificates of %1 expired on %2.</b> Enrollment through this server has "
                  "stopped.</p>")
                   .arg(report.server.toHtmlEscaped(), when)
             : tr("<p><b>The RA certificates of %1 expire on %2</b> (in %n day(s)).</p>", nullptr, int(daysLeft))
                   .arg(report.server.toHtmlEscaped(), when)) +
        tr("<p>When either RA certificate expires, NDES stops all enrollment: devices get HTTP 500 and NDES logs "
           "events 2 and 10 — quietly, until devices start falling off the network as their certificates run out. "
           "Renew <b>both</b>: <i>CEP Encryption</i> and <i>Exchange Enrollment Agent (Offline request)</i>.</p>"
           "<p>Run the script below on the NDES server in an elevated Windows PowerShell. Try it with "
           "<code>-WhatIf</code> first; it keeps the old certificates (archived) for rollback and does nothing "
           "while both RA certificates are fresh.</p>"));
    layout->addWidget(what);
    auto* form = new QFormLayout;
    m_caConfig = new QLineEdit(this);
    m_caConfig->setPlaceholderText(tr("CAHOST\\CA Name (the script asks when empty)"));
    m_caConfig->setToolTip(tr("The issuing CA as certutil shows it; the RA requests go there"));
    form->addRow(tr("&CA configuration:"), m_caConfig);
    m_account = new QLineEdit(this);
    m_account->setPlaceholderText(tr("DOMAIN\\svc-ndes (empty: read from the SCEP app pool)"));
    m_account->setToolTip(tr("The SCEP app pool identity, which must read the RA private keys"));
    form->addRow(tr("&Service account:"), m_account);
    m_keyLength = new QComboBox(this);
    m_keyLength->addItems({QStringLiteral("2048"), QStringLiteral("3072"), QStringLiteral("4096")});
    form->addRow(tr("&Key length:"), m_keyLength);
    layout->addLayout(form);
    m_script = new QPlainTextEdit(this);
    m_script->setReadOnly(true);
    m_script->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_script->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_script->setAccessibleName(tr("Renewal script"));
    layout->addWidget(m_script, 1);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    QPushButton* copy = buttons->addButton(tr("C&opy script"), QDialogButtonBox::ActionRole);
    QPushButton* save = buttons->addButton(tr("Sa&ve script…"), QDialogButtonBox::ActionRole);
    connect(copy, &QPushButton::clicked, this, [this] { QApplication::clipboard()->setText(script()); });
    connect(save, &QPushButton::clicked, this, [this] {
        QString name = QStringLiteral("Renew-NdesRa-%1.ps1").arg(m_report.server);
        name.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9._-]")), QStringLiteral("_"));
        const QString path =
            QFileDialog::getSaveFileName(this, tr("Save renewal script"), name, tr("PowerShell scripts (*.ps1)"));
        if (path.isEmpty())
            return;
        QString error;
        if (!saveTo(path, &error))
            QMessageBox::warning(this, tr("Save failed"), error);
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    connect(m_caConfig, &QLineEdit::textChanged, this, &RaRenewalDialog::regenerate);
    connect(m_account, &QLineEdit::textChanged, this, &RaRenewalDialog::regenerate);
    connect(m_keyLength, &QComboBox::currentIndexChanged, this, &RaRenewalDialog::regenerate);
    regenerate();
    resize(900, 680);
}

void RaRenewalDialog::regenerate() {
    service::RaRenewalParams p;
    p.serverName = m_report.server;
    p.raSubject = m_raSubject;
    p.raNotAfter = m_raNotAfter;
    p.caConfig = m_caConfig->text().trimmed();
    p.serviceAccount = m_account->text().trimmed();
    p.keyLength = m_keyLength->currentText().toInt();
    const Result<QString> script = service::RaRenewalScript::generate(p, Clock::instance().now());
    m_script->setPlainText(script ? *script : script.error().message);
}

QString RaRenewalDialog::script() const {
    return m_script->toPlainText();
}

void RaRenewalDialog::setCaConfig(const QString& config) {
    m_caConfig->setText(config);
}

void RaRenewalDialog::setServiceAccount(const QString& account) {
    m_account->setText(account);
}

bool RaRenewalDialog::saveTo(const QString& path, QString* error) const {
    // UTF-8 with BOM and CRLF: Windows PowerShell 5.1 reads a BOM-less file as the ANSI code page.
    QString text = script();
    text.replace(QStringLiteral("\n"), QStringLiteral("\r\n"));
    const QByteArray bytes = QByteArray("\xEF\xBB\xBF") + text.toUtf8();
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size() || !f.commit()) {
        if (error)
            *error = tr("Cannot write %1: %2").arg(path, f.errorString());
        return false;
    }
    return true;
}

} // namespace ndes::ui
