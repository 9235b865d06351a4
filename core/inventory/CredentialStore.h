// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "util/Result.h"
#include "util/SecretBytes.h"

#include <QObject>
#include <QUrl>
#include <functional>

namespace ndes::inventory {

// Server passwords in the OS keychain (Secret Service, Windows Credential Manager, macOS Keychain) through
// QtKeychain, and nowhere else. Asynchronous; each call ends in exactly one callback.
class CredentialStore : public QObject {
    Q_OBJECT
public:
    explicit CredentialStore(QObject* parent = nullptr)
        : QObject(parent) {}

    static QString serviceName() { return QStringLiteral("NDES Console"); }
    static QString keyForServer(const QString& profileId) { return QStringLiteral("server/") + profileId; }
    // The password of the account a server profile binds to Active Directory with, tied to where it goes: the key
    // names the profile and a hash of the directory's URL, the bind account and the pinned CA file, so a profile whose
    // directory was changed (or a doctored server list reusing an id) never gets the password sent elsewhere.
    static QString keyForDirectory(const QString& profileId, const QUrl& url, const QString& bindDn,
                                   const QString& caFile);

    void write(const QString& key, const SecretBytes& secret, std::function<void(Status)> done);
    void read(const QString& key, std::function<void(Result<SecretBytes>)> done);
    void remove(const QString& key, std::function<void(Status)> done);

    // For command-line tools: the same, waiting in a local event loop.
    static Result<SecretBytes> readBlocking(const QString& key);
    static Status writeBlocking(const QString& key, const SecretBytes& secret);
};

} // namespace ndes::inventory
