// SPDX-License-Identifier: Apache-2.0
#include "ServersPage.h"
#include "ReadOnlyGuard.h"
#include "util/Access.h"

#include "ConsoleContext.h"
#include "ServerDialog.h"
#include "ServerPassword.h"
#include "ndes/HealthProbe.h"
#include "util/Clock.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace ndes::ui {

ServersPage::ServersPage(ConsoleContext* context, QWidget* parent)
    : QWidget(parent)
    , m_context(context) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(24, 20, 24, 20);
    layout->setSpacing(12);
    auto* title = new QLabel(tr("Servers"), this);
    title->setObjectName(QStringLiteral("pageTitle"));
    auto* intro = new QLabel(tr("The NDES servers this console works with. Account passwords are kept in the "
                                "system keychain, never in the server list."),
                             this);
    intro->setObjectName(QStringLiteral("pageIntro"));
    intro->setWordWrap(true);
    layout->addWidget(title);
    layout->addWidget(intro);

    auto* buttons = new QHBoxLayout;
    auto* add = new QPushButton(tr("&Add…"), this);
    m_edit = new QPushButton(tr("&Edit…"), this);
    m_remove = new QPushButton(tr("&Remove"), this);
    m_test = new QPushButton(tr("Test co&nnection"), this); // Alt+T is the Tools menu
    m_test->setToolTip(tr("TLS, GetCACaps, GetCACert, CRLs and whether the admin page answers. It does not sign in."));
    m_signIn = new QPushButton(tr("Check &sign-in (uses one challenge password)"), this);
    m_signIn->setToolTip(tr("Signs in to the admin page with the saved account, the only way to know the password "
                            "works. NDES issues one challenge password for it; it is not shown and is recorded in "
                            "the audit trail."));
    for (QPushButton* b : {add, m_edit, m_remove, m_test, m_signIn})
        buttons->addWidget(b);
    guardWriteControl(m_signIn);
    buttons->addStretch();
    layout->addLayout(buttons);

    m_table = new QTableWidget(0, 6, this);
    m_table->setHorizontalHeaderLabels(
        {tr("Name"), tr("Site"), tr("SCEP URL"), tr("Admin page"), tr("Sign-in"), tr("User")});
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(2, QHeaderView::Stretch);
    m_table->horizontalHeader()->setSectionResizeMode(3, QHeaderView::Stretch);
    m_table->verticalHeader()->hide();
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAccessibleName(tr("NDES servers"));
    layout->addWidget(m_table, 1);

    m_result = new QLabel(this);
    m_result->setObjectName(QStringLiteral("resultCard"));
    m_result->setWordWrap(true);
    m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_result->hide();
    layout->addWidget(m_result);

    connect(add, &QPushButton::clicked, this, &ServersPage::addServer);
    connect(m_edit, &QPushButton::clicked, this, &ServersPage::editServer);
    connect(m_remove, &QPushButton::clicked, this, &ServersPage::removeServer);
    connect(m_test, &QPushButton::clicked, this, &ServersPage::testConnection);
    connect(m_signIn, &QPushButton::clicked, this, &ServersPage::checkSignIn);
    connect(m_table, &QTableWidget::itemDoubleClicked, this, &ServersPage::editServer);
    connect(m_table, &QTableWidget::itemSelectionChanged, this, [this] {
        const bool any = !selectedId().isEmpty();
        m_edit->setEnabled(any);
        m_remove->setEnabled(any);
        m_test->setEnabled(any);
        m_signIn->setEnabled(any && !m_signingIn);
        showResultFor(selectedId()); // another server: its own result, or none — not the previous one's
    });
    connect(m_context, &ConsoleContext::inventoryChanged, this, &ServersPage::refresh);
    refresh();
}

void ServersPage::refresh() {
    const QString keep = selectedId();
    m_table->setRowCount(0);
    for (const auto& p : m_context->inventory().servers()) {
        const int row = m_table->rowCount();
        m_table->insertRow(row);
        const QStringList cells{
            p.name, p.site, p.scepUrl.toString(), p.adminUrl.toString(), service::adminAuthName(p.auth).toUpper(),
            p.user};
        for (int c = 0; c < cells.size(); ++c) {
            auto* item = new QTableWidgetItem(cells[c]);
            item->setData(Qt::UserRole, p.id);
            m_table->setItem(row, c, item);
        }
        if (p.id == keep || (keep.isEmpty() && row == 0))
            m_table->selectRow(row);
    }
    const bool any = !selectedId().isEmpty();
    m_edit->setEnabled(any);
    m_remove->setEnabled(any);
    m_test->setEnabled(any);
    m_signIn->setEnabled(any && !m_signingIn);
    showResultFor(selectedId());
}

void ServersPage::showResultFor(const QString& id) {
    const QString text = m_results.value(id);
    m_result->setText(text);
    m_result->setVisible(!text.isEmpty());
}

void ServersPage::setResult(const QString& id, const QString& text) {
    m_results[id] = text;
    if (selectedId() == id)
        showResultFor(id);
}

QString ServersPage::selectedId() const {
    const auto items = m_table->selectedItems();
    return items.isEmpty() ? QString() : items.first()->data(Qt::UserRole).toString();
}

void ServersPage::addServer() {
    editProfile(inventory::ServerProfile());
}

void ServersPage::editServer() {
    if (const auto* p = m_context->inventory().find(selectedId()))
        editProfile(*p);
}

void ServersPage::editProfile(const inventory::ServerProfile& profile) {
    ServerDialog dialog(profile, this, m_context);
    if (dialog.exec() != QDialog::Accepted)
        return;
    auto id = m_context->saveProfile(dialog.profile());
    if (!id) {
        QMessageBox::warning(this, tr("Server not saved"), id.error().message);
        return;
    }
    const inventory::ServerProfile* saved = m_context->inventory().find(*id);
    const QString directoryKey = saved ? saved->directoryCredentialKey() : QString();
    // A directory moved elsewhere (URL, bind account, CA file): its old password is not sent there; it is dropped.
    const QString oldDirectoryKey = profile.id.isEmpty() ? QString() : profile.directoryCredentialKey();
    if (!oldDirectoryKey.isEmpty() && oldDirectoryKey != directoryKey) {
        m_context->forgetSessionPassword(oldDirectoryKey);
        if (!Access::readOnly())
            m_context->credentials().remove(oldDirectoryKey, [](const Status&) {});
    }
    if (Access::readOnly()) {
        // Auditor mode: the server list and its passwords live in this session only, nothing in the keychain.
        if (const SecretBytes directoryPw = dialog.directoryPassword(); !directoryPw.isEmpty())
            m_context->setSessionPassword(directoryKey, directoryPw);
        if (const SecretBytes pw = dialog.password(); !pw.isEmpty())
            m_context->setSessionPassword(*id, pw);
        emit statusMessage(tr("Added for this session only (auditor mode saves nothing)."));
        return;
    }
    const SecretBytes directoryPw = dialog.directoryPassword();
    if (!directoryPw.isEmpty()) {
        const QString key = directoryKey;
        m_context->forgetSessionPassword(key);
        m_context->credentials().write(key, directoryPw, [this, key, directoryPw](const Status& s) {
            if (s)
                return;
            m_context->setSessionPassword(key, directoryPw);
            emit statusMessage(tr("The keychain is not available (%1): the directory password is kept for this "
                                  "session only.")
                                   .arg(s.error().message));
        });
    }
    const SecretBytes pw = dialog.password();
    if (pw.isEmpty())
        return;
    m_context->forgetSessionPassword(*id); // the old copy must not win over the password just typed
    m_context->credentials().write(
        inventory::CredentialStore::keyForServer(*id), pw, [this, idv = *id, pw](const Status& s) {
            if (s) {
                emit statusMessage(tr("Saved the server; its password is in the keychain."));
                return;
            }
            m_context->setSessionPassword(idv, pw);
            emit statusMessage(
                tr("Saved the server; the keychain is not available (%1), so the password is kept for this "
                   "session only.")
                    .arg(s.error().message));
        });
}

void ServersPage::removeServer() {
    const auto* p = m_context->inventory().find(selectedId());
    if (!p)
        return;
    if (QMessageBox::question(this, tr("Remove server"),
                              tr("Remove %1 and its password from this console?").arg(p->name)) != QMessageBox::Yes)
        return;
    const QString id = p->id;
    const QString directoryKey = p->directoryCredentialKey();
    if (Status s = m_context->removeProfile(id); !s) {
        QMessageBox::warning(this, tr("Server not removed"), s.error().message);
        return;
    }
    if (!Access::readOnly()) {
        m_context->credentials().remove(inventory::CredentialStore::keyForServer(id), [](const Status&) {});
        m_context->credentials().remove(directoryKey, [](const Status&) {});
        // Where earlier versions kept it (the key without the directory's hash).
        m_context->credentials().remove(QStringLiteral("directory/") + id, [](const Status&) {});
    }
    m_context->forgetSessionPassword(directoryKey);
}

void ServersPage::testConnection() {
    const auto* p = m_context->inventory().find(selectedId());
    if (!p)
        return;
    m_test->setEnabled(false);
    const QString id = p->id;
    const bool signsIn = p->auth != service::AdminAuth::None;
    setResult(id, tr("Testing %1…").arg(p->name));
    // The same probe as the Overview: TLS, GetCACaps, GetCACert, CRLs, admin page; nothing secret is sent.
    service::HealthOptions options;
    options.directoryPassword = m_context->directoryPasswords();
    auto* probe = new service::HealthProbe(p->healthTarget(), options, this);
    connect(probe, &service::HealthProbe::finished, this, [this, probe, id, signsIn](const service::HealthReport& r) {
        probe->deleteLater();
        setResult(id, connectionTestText(r, r.server, signsIn));
        m_test->setEnabled(true);
        emit statusMessage(
            tr("Connection test of %1 finished: %2.").arg(r.server, service::healthStatusLabel(r.status)));
    });
    probe->start();
}

void ServersPage::checkSignIn() {
    const auto* p = m_context->inventory().find(selectedId());
    if (!p || Access::readOnly())
        return;
    const QString id = p->id;
    m_signingIn = true; // one check at a time: each costs a challenge password
    m_signIn->setEnabled(false);
    setResult(id, tr("Signing in to %1…").arg(p->name));
    obtainServerPassword(m_context, id, this, [this, id](bool ok, SecretBytes password) {
        const auto* profile = m_context->inventory().find(id);
        if (!ok || !profile) {
            m_signingIn = false;
            m_signIn->setEnabled(!selectedId().isEmpty());
            setResult(id, tr("Sign-in not checked: no password was given."));
            return;
        }
        ui::checkSignIn(m_context, *profile, std::move(password), this, [this, id](const Result<QString>& outcome) {
            m_signingIn = false;
            m_signIn->setEnabled(!selectedId().isEmpty());
            setResult(id, outcome ? QStringLiteral("✔ ") + *outcome
                                  : tr("✖ Sign-in failed: %1").arg(outcome.error().message));
            emit statusMessage(outcome ? tr("Sign-in check passed.") : tr("Sign-in check failed."));
        });
    });
}

} // namespace ndes::ui
