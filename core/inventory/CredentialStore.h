// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "util/Result.h"
#include "util/SecretBytes.h"

#include <QObject>
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
    // The password of the account a server profile binds to Active Directory with.
    static QString keyForDirectory(const QString& profileId) { return QStringLiteral("directory/") + profileId; }

    void write(const QString& key, const SecretBytes& secret, std::function<void(Status)> done);
    void read(const QString& key, std::function<void(Result<SecretBytes>)> done);
    void remove(const QString& key, std::function<void(Status)> done);

    // For command-line tools: the same, waiting in a local event loop.
    static Result<SecretBytes> readBlocking(const QString& key);
    static Status writeBlocking(const QString& key, const SecretBytes& secret);
};

} // namespace ndes::inventory
