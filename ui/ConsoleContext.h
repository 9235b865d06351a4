// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "inventory/CredentialStore.h"

#include "inventory/Inventory.h"
#include "ndes/ChallengeAuditTrail.h"
#include "util/SecretBytes.h"
#include <functional>

#include <QDateTime>
#include <QMap>
#include <QObject>
#include <QSettings>

#include <optional>

namespace ndes::ui {

// What every page shares: the inventory (and where it lives), the keychain, the audit trail and passwords
// the user chose to keep for this session only (in memory, wiped at exit).
class ConsoleContext : public QObject {
    Q_OBJECT
public:
    ConsoleContext(QString inventoryPath, QString auditPath, QObject* parent = nullptr);

    [[nodiscard]] const inventory::Inventory& inventory() const { return m_inventory; }
    [[nodiscard]] QString inventoryPath() const { return m_inventoryPath; }
    [[nodiscard]] QString loadError() const { return m_loadError; }
    Result<QString> saveProfile(const inventory::ServerProfile& profile);
    Status removeProfile(const QString& id);

    inventory::CredentialStore& credentials() { return m_credentials; }
    service::ChallengeAuditTrail& auditTrail() { return m_audit; }

    void setSessionPassword(const QString& profileId, SecretBytes password) {
        m_session[profileId] = std::move(password);
    }
    [[nodiscard]] const SecretBytes* sessionPassword(const QString& profileId) const;
    // Drops (and wipes) this session's copy: after the admin page refused it, or when a new password was stored.
    void forgetSessionPassword(const QString& profileId);
    // Call with every admin page answer: an "unauthorized" or "auth-loop" error drops the session copy, so the
    // same wrong password is not sent again (each try counts towards the AD account's lockout).
    void noteAdminPageResult(const QString& profileId, const QString& errorCode);
    // The last time this session signed in to a server's admin page (a challenge password, an enrollment test, a
    // sign-in check) and how it went: errorCode empty when the account was accepted. Probes never sign in.
    struct SignIn {
        QDateTime at;
        QString errorCode;
    };
    [[nodiscard]] std::optional<SignIn> lastSignIn(const QString& profileId) const;

    // The health probe's source of directory passwords (HealthOptions::directoryPassword): this session's copy
    // (kept when the keychain was not available), else the keychain. Never asks: the dashboard refreshes unattended.
    [[nodiscard]] std::function<void(const QString& key, std::function<void(Result<SecretBytes>)> done)>
    directoryPasswords();

    // The local user, for "requested by".
    [[nodiscard]] static QString localUser();

signals:
    void inventoryChanged();
    void signInNoted(const QString& profileId);

private:
    QString m_inventoryPath;
    QString m_loadError;
    inventory::Inventory m_inventory;
    inventory::CredentialStore m_credentials;
    QSettings m_settings; // holds the audit trail's anchor (its head), outside the trail's file
    service::ChallengeAuditTrail m_audit;
    QMap<QString, SecretBytes> m_session;
    QMap<QString, SignIn> m_signIns;
};

} // namespace ndes::ui
