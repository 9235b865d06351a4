// SPDX-License-Identifier: Apache-2.0
#include "AdApplyDialog.h"
#include "ReadOnlyGuard.h"

#include "util/AtomicFile.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFontDatabase>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QVBoxLayout>
#include <QtConcurrent>

namespace ndes::ui {

namespace {

struct Outcome {
    QString error;                         // the connection or the read failed
    std::optional<directory::AdPlan> plan; // the preview (or, after an apply, the read-back)
    std::optional<directory::AdApplyResult> applied;
};

constexpr int clipboardClearMs = 45'000;

} // namespace

AdApplyDialog::AdApplyDialog(const setup::SetupPlan& plan, QWidget* parent)
    : QDialog(parent)
    , m_plan(plan) {
    setWindowTitle(tr("Apply to Active Directory"));
    auto* layout = new QVBoxLayout(this);
    auto* intro = new QLabel(
        tr("Creates what the plan needs in AD, as the scripts' steps 01 and 02 would: the service account %1 with its "
           "SPN, the template %2 with Read and Enroll for the account, published on %3. <b>Preview</b> lists every "
           "LDAP change and writes nothing; <b>Apply</b> makes them. An existing template is compared and reported, "
           "never changed.")
            .arg((m_plan.domainNetbios + QLatin1Char('\\') + m_plan.accountName).toHtmlEscaped(),
                 m_plan.templateName.toHtmlEscaped(), m_plan.caName().toHtmlEscaped()),
        this);
    intro->setWordWrap(true);
    layout->addWidget(intro);

    auto* form = new QFormLayout;
    m_url = new QLineEdit(m_plan.domainDns.isEmpty() ? QString() : QStringLiteral("ldaps://") + m_plan.domainDns, this);
    m_url->setPlaceholderText(QStringLiteral("ldaps://dc1.example.com"));
    m_bind = new QComboBox(this);
    m_bind->addItem(tr("Account and password"), QStringLiteral("simple"));
    m_bind->addItem(tr("Kerberos (your current ticket)"), QStringLiteral("kerberos"));
    m_bindDn = new QLineEdit(this);
    m_bindDn->setPlaceholderText(
        tr("an account that may create users and templates, e.g. admin@%1")
            .arg(m_plan.domainDns.isEmpty() ? QStringLiteral("example.com") : m_plan.domainDns));
    m_password = new QLineEdit(this);
    m_password->setEchoMode(QLineEdit::Password);
    m_password->setPlaceholderText(tr("used for this connection only, stored nowhere"));
    m_caFile = new QLineEdit(this);
    m_caFile->setPlaceholderText(tr("optional: the CA of the domain controller's certificate (PEM)"));
    form->addRow(tr("Directory &URL:"), m_url);
    form->addRow(tr("&Bind with:"), m_bind);
    form->addRow(tr("Bind &account:"), m_bindDn);
    form->addRow(tr("Pass&word:"), m_password);
    form->addRow(tr("&TLS CA file:"), m_caFile);
    layout->addLayout(form);

    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    layout->addWidget(m_status);

    const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    auto* split = new QSplitter(Qt::Vertical, this);
    m_preview = new QPlainTextEdit(split);
    m_preview->setReadOnly(true);
    m_preview->setFont(mono);
    m_preview->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_preview->setAccessibleName(tr("Preview of the LDAP changes"));
    m_preview->setPlaceholderText(tr("Press Preview: the changes appear here, nothing is written."));
    m_log = new QPlainTextEdit(split);
    m_log->setReadOnly(true);
    m_log->setFont(mono);
    m_log->setAccessibleName(tr("Log of what was done"));
    m_log->setPlaceholderText(tr("What Apply did appears here."));
    split->addWidget(m_preview);
    split->addWidget(m_log);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    layout->addWidget(split, 1);

    // The generated password, once: shown here and nowhere else, never stored.
    auto* secretRow = new QHBoxLayout;
    m_secretNote = new QLabel(this);
    m_secretNote->setWordWrap(true);
    m_secret = new QLineEdit(this);
    m_secret->setReadOnly(true);
    m_secret->setFont(mono);
    m_secret->setAccessibleName(tr("The new account's password"));
    m_copySecret = new QPushButton(tr("C&opy password"), this);
    m_copySecret->setToolTip(tr("Copied as sensitive data; the clipboard is cleared after 45 seconds."));
    secretRow->addWidget(m_secret, 1);
    secretRow->addWidget(m_copySecret);
    layout->addWidget(m_secretNote);
    layout->addLayout(secretRow);
    m_secretNote->hide();
    m_secret->hide();
    m_copySecret->hide();
    connect(m_copySecret, &QPushButton::clicked, this,
            [this] { m_clipboard.copy(m_secret->text(), clipboardClearMs); });

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    m_previewButton = buttons->addButton(tr("&Preview"), QDialogButtonBox::ActionRole);
    m_applyButton = buttons->addButton(tr("&Apply"), QDialogButtonBox::ActionRole);
    m_saveLog = buttons->addButton(tr("&Save log…"), QDialogButtonBox::ActionRole);
    m_previewButton->setDefault(true);
    m_applyButton->setAutoDefault(false);
    guardWriteControl(m_applyButton);
    m_saveLog->setAutoDefault(false);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &AdApplyDialog::reject);
    connect(m_previewButton, &QPushButton::clicked, this, &AdApplyDialog::preview);
    connect(m_applyButton, &QPushButton::clicked, this, &AdApplyDialog::apply);
    connect(m_saveLog, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Save the log"), QStringLiteral("ad-apply.log"),
                                                          tr("Text files (*.log *.txt)"));
        if (path.isEmpty())
            return;
        const QString text =
            m_preview->toPlainText() + QStringLiteral("\n\n") + m_log->toPlainText() + QLatin1Char('\n');
        if (Status s = AtomicFile::write(path, text.toUtf8(), AtomicFile::Access::OwnerOnly); !s)
            QMessageBox::warning(this, tr("Log not saved"), s.error().message);
    });
    // Anything edited makes the last preview stale: Apply waits for a new one.
    const auto stale = [this] {
        if (m_changes) {
            m_changes.reset();
            m_status->setText(tr("Settings changed: preview again before applying."));
        }
        updateButtons();
    };
    connect(m_url, &QLineEdit::textChanged, this, stale);
    connect(m_bindDn, &QLineEdit::textChanged, this, stale);
    connect(m_caFile, &QLineEdit::textChanged, this, stale);
    connect(m_bind, &QComboBox::currentIndexChanged, this, stale);
    updateButtons();
    resize(900, 680);
}

AdApplyDialog::~AdApplyDialog() {
    m_clipboard.clearIfOurs();
    QString secret = m_secret->text();
    m_secret->clear();
    SecretBytes::cleanse(secret);
}

QString AdApplyDialog::previewText() const {
    return m_preview->toPlainText();
}

QString AdApplyDialog::logText() const {
    return m_log->toPlainText();
}

directory::LdapOptions AdApplyDialog::options() const {
    directory::LdapOptions o;
    o.url = QUrl(m_url->text().trimmed());
    o.caFile = m_caFile->text().trimmed();
    o.bind = m_bind->currentData().toString() == QLatin1String("kerberos") ? directory::LdapOptions::Bind::Kerberos
                                                                           : directory::LdapOptions::Bind::Simple;
    o.bindDn = m_bindDn->text().trimmed();
    if (o.bind == directory::LdapOptions::Bind::Simple)
        o.password = SecretBytes(m_password->text().toUtf8());
    o.connectTimeoutMs = 10'000;
    o.operationTimeoutMs = 30'000;
    return o;
}

void AdApplyDialog::updateButtons() {
    const bool simple = m_bind->currentData().toString() == QLatin1String("simple");
    m_bindDn->setEnabled(!m_busy && simple);
    m_password->setEnabled(!m_busy && simple);
    m_url->setEnabled(!m_busy);
    m_bind->setEnabled(!m_busy);
    m_caFile->setEnabled(!m_busy);
    m_previewButton->setEnabled(!m_busy);
    m_applyButton->setEnabled(!m_busy && m_changes && m_changes->blockers.isEmpty() && !m_changes->nothingToDo());
    m_saveLog->setEnabled(!m_busy && !(m_preview->toPlainText().isEmpty() && m_log->toPlainText().isEmpty()));
}

void AdApplyDialog::setBusy(bool busy, const QString& what) {
    m_busy = busy;
    if (busy)
        m_status->setText(what);
    setCursor(busy ? Qt::BusyCursor : Qt::ArrowCursor);
    updateButtons();
}

void AdApplyDialog::showPreview(const directory::AdPlan& plan) {
    m_preview->setPlainText(plan.previewText());
    if (!plan.blockers.isEmpty())
        m_status->setText(tr("<b>Cannot apply</b>: %n problem(s) listed at the end of the preview.", nullptr,
                             int(plan.blockers.size())));
    else if (plan.nothingToDo())
        m_status->setText(tr("Nothing to change: AD holds what the plan needs."));
    else
        m_status->setText(
            tr("%n change(s) to make. Nothing is written until you press Apply.", nullptr, int(plan.changes.size())));
}

void AdApplyDialog::preview() {
    const directory::LdapOptions o = options();
    if (const QString problem = o.urlProblem(); !problem.isEmpty()) {
        m_status->setText(problem.toHtmlEscaped());
        m_url->setFocus();
        return;
    }
    if (o.bind == directory::LdapOptions::Bind::Simple && (o.bindDn.isEmpty() || o.password.isEmpty())) {
        m_status->setText(tr("Give the bind account and its password, or choose Kerberos."));
        (o.bindDn.isEmpty() ? m_bindDn : m_password)->setFocus();
        return;
    }
    setBusy(true, tr("Reading %1… (at most 40 s)").arg(o.url.toString().toHtmlEscaped()));
    const setup::SetupPlan plan = m_plan;
    auto* watcher = new QFutureWatcher<Outcome>(this);
    connect(watcher, &QFutureWatcher<Outcome>::finished, this, [this, watcher] {
        watcher->deleteLater();
        const Outcome r = watcher->result();
        setBusy(false);
        m_changes = r.plan;
        if (!r.plan)
            m_status->setText(tr("<b>Not read</b>: %1").arg(r.error.toHtmlEscaped()));
        else
            showPreview(*r.plan);
        updateButtons();
    });
    watcher->setFuture(QtConcurrent::run([o, plan]() {
        Outcome r;
        const auto ldap = directory::LdapConnection::open(o, &r.error);
        if (ldap)
            r.plan = directory::planDirectoryChanges(*ldap, plan, &r.error);
        return r;
    }));
}

void AdApplyDialog::apply() {
    if (!m_changes || !m_changes->blockers.isEmpty() || m_changes->nothingToDo())
        return;
    SecretBytes accountPassword;
    bool generated = false;
    if (m_changes->createsAccount) {
        if (m_plan.passwordPolicy == setup::SetupPlan::PasswordPolicy::Generate) {
            accountPassword = directory::generateAccountPassword();
            generated = true;
        } else {
            bool ok = false;
            QString first =
                QInputDialog::getText(this, tr("Password for %1").arg(m_plan.accountName),
                                      tr("Password for the new account %1 (stored nowhere):").arg(m_plan.accountName),
                                      QLineEdit::Password, QString(), &ok);
            if (!ok || first.isEmpty()) {
                SecretBytes::cleanse(first);
                return;
            }
            QString again = QInputDialog::getText(this, tr("Password for %1").arg(m_plan.accountName),
                                                  tr("The same password again:"), QLineEdit::Password, QString(), &ok);
            const bool same = ok && again == first;
            accountPassword = SecretBytes(first.toUtf8());
            SecretBytes::cleanse(first);
            SecretBytes::cleanse(again);
            if (!same) {
                m_status->setText(tr("The two passwords differ: nothing was applied."));
                return;
            }
        }
    }
    if (QMessageBox::question(this, tr("Apply to Active Directory"),
                              tr("Make the %n change(s) of the preview in %1?", nullptr, int(m_changes->changes.size()))
                                  .arg(m_url->text().trimmed())) != QMessageBox::Yes)
        return;
    const directory::LdapOptions o = options();
    const directory::AdPlan changes = *m_changes;
    const setup::SetupPlan plan = m_plan;
    setBusy(true, tr("Applying %n change(s)…", nullptr, int(changes.changes.size())));
    auto* watcher = new QFutureWatcher<Outcome>(this);
    connect(watcher, &QFutureWatcher<Outcome>::finished, this, [this, watcher, generated, accountPassword] {
        watcher->deleteLater();
        const Outcome r = watcher->result();
        setBusy(false);
        QStringList lines{tr("%1 — applied to %2 as %3:")
                              .arg(QDateTime::currentDateTime().toString(Qt::ISODate), m_url->text().trimmed(),
                                   m_bind->currentData().toString() == QLatin1String("kerberos")
                                       ? tr("your Kerberos ticket")
                                       : m_bindDn->text().trimmed())};
        if (r.applied) {
            lines << r.applied->log;
            if (!r.applied->ok)
                lines << tr("✖ Stopped: %1").arg(r.applied->error);
        }
        if (!r.error.isEmpty())
            lines << tr("✖ %1").arg(r.error);
        if (r.plan)
            lines << (r.plan->nothingToDo() ? tr("Read back: AD now holds what the plan needs.")
                                            : tr("Read back: %n change(s) still to make (see the preview).", nullptr,
                                                 int(r.plan->changes.size())));
        m_log->appendPlainText(lines.join(QLatin1Char('\n')));
        if (generated && r.applied && r.applied->accountCreated) {
            m_secretNote->setText(
                tr("<b>The new account's password</b>, shown this once and stored nowhere: put it in your password "
                   "vault now (step 03 asks for it)."));
            m_secret->setText(QString::fromUtf8(accountPassword.bytes()));
            m_secretNote->show();
            m_secret->show();
            m_copySecret->show();
        }
        m_changes = r.plan;
        if (r.plan)
            showPreview(*r.plan);
        if (r.applied && !r.applied->ok)
            m_status->setText(tr("<b>Stopped</b>: %1 The changes before it stay made (see the log).")
                                  .arg(r.applied->error.toHtmlEscaped()));
        updateButtons();
    });
    watcher->setFuture(QtConcurrent::run([o, changes, plan, accountPassword]() {
        Outcome r;
        const auto ldap = directory::LdapConnection::open(o, &r.error);
        if (!ldap)
            return r;
        r.applied = directory::applyDirectoryChanges(*ldap, changes, accountPassword);
        QString readBack;
        r.plan = directory::planDirectoryChanges(*ldap, plan, &readBack);
        if (!r.plan)
            r.error = tr("Read back failed: %1").arg(readBack);
        return r;
    }));
}

void AdApplyDialog::reject() {
    if (m_busy) {
        m_status->setText(tr("Waiting for the directory to answer (each step has its timeout); close afterwards."));
        return;
    }
    QDialog::reject();
}

} // namespace ndes::ui
