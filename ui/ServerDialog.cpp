// SPDX-License-Identifier: Apache-2.0
#include "ServerDialog.h"
#include "ReadOnlyGuard.h"
#include "util/Access.h"

#include "ConsoleContext.h"
#include "ServerPassword.h"
#include "ndes/HealthProbe.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QTabWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace ndes::ui {

ServerDialog::ServerDialog(const inventory::ServerProfile& profile, QWidget* parent, ConsoleContext* context)
    : QDialog(parent)
    , m_id(profile.id)
    , m_context(context) {
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
    m_password->setPlaceholderText(Access::readOnly()     ? tr("kept for this session only (auditor mode)")
                                   : profile.id.isEmpty() ? tr("stored in the system keychain")
                                                          : tr("unchanged"));
    m_pin = new QLineEdit(profile.caSha256Pin, this);
    m_pin->setPlaceholderText(tr("optional SHA-256 of the CA certificate"));
    m_allowHttp = new QCheckBox(tr("Allow plain HTTP (passwords travel in clear)"), this);
    m_allowHttp->setChecked(profile.allowHttp);
    m_site = new QLineEdit(profile.site, this);
    m_notes = new QPlainTextEdit(profile.notes, this);
    m_notes->setMaximumHeight(70);
    form->addRow(tr("&Name:"), m_name);
    form->addRow(tr("&SCEP URL:"), m_scepUrl);
    m_urlWarning = new QLabel(this);
    m_urlWarning->setObjectName(QStringLiteral("warningBanner"));
    m_urlWarning->setWordWrap(true);
    m_urlWarning->hide();
    form->addRow(QString(), m_urlWarning);
    form->addRow(tr("&Admin page URL:"), m_adminUrl);
    form->addRow(tr("Au&thentication:"), m_auth);
    form->addRow(tr("&User:"), m_user);
    form->addRow(tr("&Password:"), m_password);
    form->addRow(tr("&CA pin:"), m_pin);
    form->addRow(QString(), m_allowHttp);
    form->addRow(tr("S&ite / group:"), m_site);
    form->addRow(tr("N&otes:"), m_notes);
    auto* tabs = new QTabWidget(this);
    auto* serverTab = new QWidget(tabs);
    serverTab->setLayout(form);
    tabs->addTab(serverTab, tr("NDES se&rver"));

    // The AD behind the server: optional, for the dashboard's rows of what else expires.
    auto* adTab = new QWidget(tabs);
    auto* adLayout = new QVBoxLayout(adTab);
    auto* adIntro = new QLabel(tr("Optional. With it, the Overview also shows the CA certificates published in Active "
                                  "Directory and when NDES's service account or its password expires. Read-only: "
                                  "nothing is changed in AD."),
                               adTab);
    adIntro->setWordWrap(true);
    adLayout->addWidget(adIntro);
    auto* adForm = new QFormLayout;
    m_directoryUrl = new QLineEdit(profile.directoryUrl.toString(), adTab);
    m_directoryUrl->setPlaceholderText(QStringLiteral("ldaps://dc1.example.com"));
    m_directoryBind = new QComboBox(adTab);
    m_directoryBind->addItem(tr("Account and password"), QStringLiteral("simple"));
    m_directoryBind->addItem(tr("Kerberos (your current ticket)"), QStringLiteral("kerberos"));
    m_directoryBind->setCurrentIndex(profile.directoryKerberos ? 1 : 0);
    m_directoryBindDn = new QLineEdit(profile.directoryBindDn, adTab);
    m_directoryBindDn->setPlaceholderText(QStringLiteral("reader@example.com"));
    m_directoryPassword = new QLineEdit(adTab);
    m_directoryPassword->setEchoMode(QLineEdit::Password);
    m_directoryPassword->setPlaceholderText(profile.directoryUrl.isEmpty()
                                                ? tr("the bind account's password, kept in the system keychain")
                                                : tr("unchanged"));
    m_directoryCaFile = new QLineEdit(profile.directoryCaFile, adTab);
    m_directoryCaFile->setPlaceholderText(tr("optional: the CA of the domain controller's certificate (PEM)"));
    m_serviceAccount = new QLineEdit(profile.serviceAccount, adTab);
    m_serviceAccount->setPlaceholderText(QStringLiteral("EXAMPLE\\svc-ndes"));
    adForm->addRow(tr("Directory &URL:"), m_directoryUrl);
    adForm->addRow(tr("&Bind with:"), m_directoryBind);
    adForm->addRow(tr("Bind &account:"), m_directoryBindDn);
    adForm->addRow(tr("Pass&word:"), m_directoryPassword);
    adForm->addRow(tr("&TLS CA file:"), m_directoryCaFile);
    adForm->addRow(tr("&Service account:"), m_serviceAccount);
    adLayout->addLayout(adForm);
    adLayout->addStretch(1);
    tabs->addTab(adTab, tr("Active &Directory"));
    layout->addWidget(tabs);
    connect(m_directoryBind, &QComboBox::currentIndexChanged, this, &ServerDialog::updateState);

    m_problems = new QLabel(this);
    m_problems->setObjectName(QStringLiteral("errorBanner"));
    m_problems->setWordWrap(true);
    m_problems->hide();
    layout->addWidget(m_problems);
    m_testResult = new QLabel(this);
    m_testResult->setObjectName(QStringLiteral("resultCard"));
    m_testResult->setWordWrap(true);
    m_testResult->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_testResult->setContentsMargins(8, 6, 8, 6);
    m_testResult->hide();
    layout->addWidget(m_testResult);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    if (m_context) {
        // What is typed can be tried before it is saved.
        m_testButton = buttons->addButton(tr("Test conn&ection"), QDialogButtonBox::ActionRole);
        m_testButton->setToolTip(tr("TLS, GetCACaps, GetCACert, CRLs, whether the admin page answers and, when "
                                    "named, Active Directory, with the values typed here. It does not sign in."));
        m_signInButton = buttons->addButton(tr("Check si&gn-in"), QDialogButtonBox::ActionRole);
        m_signInButton->setToolTip(tr("Signs in to the admin page with the account and password typed here; uses "
                                      "one challenge password (not shown, recorded in the audit trail)."));
        m_testButton->setAutoDefault(false);
        m_signInButton->setAutoDefault(false);
        guardWriteControl(m_signInButton);
        connect(m_testButton, &QPushButton::clicked, this, &ServerDialog::testConnection);
        connect(m_signInButton, &QPushButton::clicked, this, &ServerDialog::checkSignIn);
    }
    connect(buttons, &QDialogButtonBox::accepted, this, &ServerDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &ServerDialog::reject);
    layout->addWidget(buttons);
    connect(m_auth, &QComboBox::currentIndexChanged, this, &ServerDialog::updateState);
    connect(m_scepUrl, &QLineEdit::textChanged, this, &ServerDialog::scepUrlEdited);
    if (profile.adminUrl.isEmpty()) {
        scepUrlEdited();
    } else {
        m_urlWarning->setText(scepUrlWarning());
        m_urlWarning->setVisible(!m_urlWarning->text().isEmpty());
    }
    updateState();
    resize(560, sizeHint().height());
}

void ServerDialog::scepUrlEdited() {
    // NDES serves both on one host: the admin page URL follows the SCEP URL as it is typed, until it is edited by
    // hand (then it is the admin's).
    const QUrl scep = QUrl::fromUserInput(m_scepUrl->text().trimmed());
    const bool following = m_adminUrl->text().trimmed().isEmpty() || m_adminUrl->text() == m_derivedAdminUrl;
    if (following && scep.isValid() && !scep.host().isEmpty() && !m_scepUrl->text().trimmed().isEmpty()) {
        QUrl admin;
        admin.setScheme(scep.scheme());
        admin.setHost(scep.host());
        admin.setPort(scep.port());
        admin.setPath(QStringLiteral("/certsrv/mscep_admin/"));
        m_derivedAdminUrl = admin.toString();
        m_adminUrl->setText(m_derivedAdminUrl);
    }
    const QString warning = scepUrlWarning();
    m_urlWarning->setText(warning);
    m_urlWarning->setVisible(!warning.isEmpty());
}

QString ServerDialog::scepUrlWarning() const {
    const QString text = m_scepUrl->text().trimmed();
    if (text.isEmpty())
        return {};
    const QUrl url(text);
    if (!url.isValid() || url.host().isEmpty())
        return tr("Give the whole URL, e.g. https://ndes.example.com/certsrv/mscep/mscep.dll");
    const QString path = url.path();
    if (path.compare(QLatin1String("/certsrv/mscep/mscep.dll"), Qt::CaseInsensitive) == 0)
        return {};
    if (path.startsWith(QLatin1String("/certsrv/mscep_admin"), Qt::CaseInsensitive))
        return tr("This is the admin page's path. The SCEP URL ends in /certsrv/mscep/mscep.dll.");
    return tr("NDES answers SCEP at /certsrv/mscep/mscep.dll; \"%1\" is not that path. Devices and this console "
              "will get errors unless a proxy maps it. Saved as typed if you keep it.")
        .arg(path.isEmpty() ? QStringLiteral("/") : path);
}

QString ServerDialog::testResultText() const {
    return m_testResult->isVisible() ? m_testResult->text() : QString();
}

void ServerDialog::showTestResult(const QString& text) {
    m_testResult->setText(text);
    m_testResult->setVisible(!text.isEmpty());
}

void ServerDialog::testConnection() {
    const inventory::ServerProfile p = profile();
    if (const QStringList problems = p.problems(); !problems.isEmpty()) {
        showTestResult(problems.join(QLatin1Char('\n')));
        return;
    }
    m_testButton->setEnabled(false);
    showTestResult(tr("Testing…"));
    auto* probe = new service::HealthProbe(p.healthTarget(), testOptions(p), this);
    const bool signsIn = p.auth != service::AdminAuth::None;
    connect(probe, &service::HealthProbe::finished, this, [this, probe, signsIn](const service::HealthReport& r) {
        probe->deleteLater();
        m_testButton->setEnabled(true);
        showTestResult(connectionTestText(r, r.url.host(), signsIn));
    });
    probe->start();
}

// The directory password for a test: the one typed here; else the saved one, but only for the directory and account
// it was saved for (not sent to an address just typed).
service::HealthOptions ServerDialog::testOptions(const inventory::ServerProfile& p) const {
    service::HealthOptions options;
    const SecretBytes typed = directoryPassword();
    const inventory::ServerProfile* saved = m_id.isEmpty() ? nullptr : m_context->inventory().find(m_id);
    const bool sameDirectory =
        saved && saved->directoryCredentialKey() == p.directoryCredentialKey(); // URL, account and CA file
    ConsoleContext* context = m_context;
    const auto fromContext = context->directoryPasswords();
    options.directoryPassword = [typed, sameDirectory, fromContext](const QString& key,
                                                                    std::function<void(Result<SecretBytes>)> done) {
        if (!typed.isEmpty())
            return done(typed);
        if (!sameDirectory)
            return done(Error{ErrorKind::Usage,
                              tr("type the password: the directory or its account differs from the saved ones"),
                              {},
                              {},
                              0,
                              -1});
        fromContext(key, std::move(done));
    };
    return options;
}

void ServerDialog::checkSignIn() {
    if (Access::readOnly())
        return;
    const inventory::ServerProfile p = profile();
    if (const QStringList problems = p.problems(); !problems.isEmpty()) {
        showTestResult(problems.join(QLatin1Char('\n')));
        return;
    }
    // The saved server's state (its session password, the Overview's sign-in line) follows only a check of the
    // saved server with the saved password; a check of typed values leaves it alone.
    const inventory::ServerProfile* saved = m_id.isEmpty() ? nullptr : m_context->inventory().find(m_id);
    const auto sameServer = [&p](const inventory::ServerProfile& s) {
        const QUrl a = p.adminUrl, b = s.adminUrl;
        return a.scheme() == b.scheme() && a.host().compare(b.host(), Qt::CaseInsensitive) == 0 &&
               a.port() == b.port() && p.user == s.user && p.auth == s.auth;
    };
    const bool typed = !m_password->text().isEmpty();
    inventory::ServerProfile checked = p;
    if (typed || !saved || !sameServer(*saved))
        checked.id.clear();
    QPointer<ServerDialog> self(this);
    auto run = [self, checked](SecretBytes password) {
        if (!self)
            return;
        self->m_signInButton->setEnabled(false);
        self->showTestResult(tr("Signing in…"));
        ui::checkSignIn(self->m_context, checked, std::move(password), self, [self](const Result<QString>& outcome) {
            if (!self)
                return;
            self->m_signInButton->setEnabled(true);
            self->showTestResult(outcome ? QStringLiteral("✔ ") + *outcome
                                         : tr("✖ Sign-in failed: %1").arg(outcome.error().message));
        });
    };
    const bool needsPassword = p.auth == service::AdminAuth::Ntlm || p.auth == service::AdminAuth::Basic;
    if (!needsPassword || typed)
        return run(password()); // what is typed here
    if (!saved) {
        showTestResult(tr("Type the account's password first."));
        return;
    }
    if (!sameServer(*saved)) {
        // The saved password goes only to the server and account it was saved for, not to an address just typed.
        showTestResult(tr("The address, account or sign-in method differs from the saved server: type the password "
                          "to check these values (the saved one is not sent elsewhere)."));
        return;
    }
    // Unchanged: the saved one (this session's, the keychain's, or asked for).
    m_signInButton->setEnabled(false); // one check at a time: each costs a challenge password
    obtainServerPassword(m_context, m_id, this, [self, run](bool ok, SecretBytes savedPassword) {
        if (!self)
            return;
        self->m_signInButton->setEnabled(true);
        if (ok)
            run(std::move(savedPassword));
        else
            self->showTestResult(tr("Sign-in not checked: no password was given."));
    });
}

void ServerDialog::updateState() {
    const QString auth = m_auth->currentData().toString();
    const bool withUser = auth == QLatin1String("ntlm") || auth == QLatin1String("basic");
    m_user->setEnabled(withUser);
    m_password->setEnabled(withUser);
    const bool simple = m_directoryBind->currentData().toString() == QLatin1String("simple");
    m_directoryBindDn->setEnabled(simple);
    m_directoryPassword->setEnabled(simple);
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
    p.directoryUrl = QUrl(m_directoryUrl->text().trimmed());
    p.directoryKerberos = m_directoryBind->currentData().toString() == QLatin1String("kerberos");
    p.directoryBindDn = p.directoryKerberos ? QString() : m_directoryBindDn->text().trimmed();
    p.directoryCaFile = m_directoryCaFile->text().trimmed();
    p.serviceAccount = m_serviceAccount->text().trimmed();
    return p;
}

SecretBytes ServerDialog::password() const {
    return SecretBytes(m_password->text().toUtf8());
}

SecretBytes ServerDialog::directoryPassword() const {
    return m_directoryPassword->isEnabled() ? SecretBytes(m_directoryPassword->text().toUtf8()) : SecretBytes();
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
