// SPDX-License-Identifier: Apache-2.0
#include "inventory/CredentialStore.h"
#include "util/Access.h"

#include <qt6keychain/keychain.h>

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QEventLoop>
#include <QTimer>

namespace ndes::inventory {

namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("CredentialStore", text);
}

Error keychainError(const QKeychain::Job* job, const QString& key) {
    switch (job->error()) {
    case QKeychain::EntryNotFound:
        return makeError(ErrorKind::Usage, tr("No password is stored in the keychain for %1; enter it in the server's "
                                              "settings.")
                                               .arg(key));
    case QKeychain::NoBackendAvailable:
        return makeError(ErrorKind::Io,
                         tr("No keychain is available (on Linux: the Secret Service of GNOME Keyring or "
                            "KWallet must run and be unlocked)."),
                         job->errorString());
    case QKeychain::AccessDenied:
    case QKeychain::AccessDeniedByUser:
        return makeError(ErrorKind::Io, tr("The keychain refused access; unlock it and try again."),
                         job->errorString());
    default:
        return makeError(ErrorKind::Io, tr("The keychain failed: %1").arg(job->errorString()));
    }
}

} // namespace

QString CredentialStore::keyForDirectory(const QString& profileId, const QUrl& url, const QString& bindDn,
                                         const QString& caFile) {
    const QByteArray binding = url.toString(QUrl::FullyEncoded).toLower().toUtf8() + '\n' +
                               bindDn.trimmed().toLower().toUtf8() + '\n' + caFile.toUtf8();
    return QStringLiteral("directory/%1/%2")
        .arg(profileId,
             QString::fromLatin1(QCryptographicHash::hash(binding, QCryptographicHash::Sha256).toHex().left(16)));
}

void CredentialStore::write(const QString& key, const SecretBytes& secret, std::function<void(Status)> done) {
    if (auto capability = Access::request(WriteOperation::KeychainWrite); !capability) {
        QTimer::singleShot(0, this, [done = std::move(done), error = capability.error()] { done(error); });
        return;
    }
    auto* job = new QKeychain::WritePasswordJob(serviceName(), this);
    job->setAutoDelete(true);
    job->setKey(key);
    job->setBinaryData(secret.bytes());
    connect(job, &QKeychain::Job::finished, this, [key, done = std::move(done)](QKeychain::Job* j) {
        done(j->error() == QKeychain::NoError ? Status() : Status(keychainError(j, key)));
    });
    job->start();
}

void CredentialStore::read(const QString& key, std::function<void(Result<SecretBytes>)> done) {
    auto* job = new QKeychain::ReadPasswordJob(serviceName(), this);
    job->setAutoDelete(true);
    job->setKey(key);
    connect(job, &QKeychain::Job::finished, this, [key, done = std::move(done)](QKeychain::Job* j) {
        if (j->error() != QKeychain::NoError)
            return done(keychainError(j, key));
        auto* r = static_cast<QKeychain::ReadPasswordJob*>(j);
        QByteArray data = r->binaryData();
        SecretBytes secret(data);
        SecretBytes::cleanse(data);
        done(std::move(secret));
    });
    job->start();
}

void CredentialStore::remove(const QString& key, std::function<void(Status)> done) {
    if (auto capability = Access::request(WriteOperation::KeychainWrite); !capability) {
        QTimer::singleShot(0, this, [done = std::move(done), error = capability.error()] { done(error); });
        return;
    }
    auto* job = new QKeychain::DeletePasswordJob(serviceName(), this);
    job->setAutoDelete(true);
    job->setKey(key);
    connect(job, &QKeychain::Job::finished, this, [key, done = std::move(done)](QKeychain::Job* j) {
        done(j->error() == QKeychain::NoError || j->error() == QKeychain::EntryNotFound
                 ? Status()
                 : Status(keychainError(j, key)));
    });
    job->start();
}

Result<SecretBytes> CredentialStore::readBlocking(const QString& key) {
    CredentialStore store;
    QEventLoop loop;
    std::optional<Result<SecretBytes>> out;
    store.read(key, [&](Result<SecretBytes> r) {
        out.emplace(std::move(r));
        loop.quit();
    });
    if (!out)
        loop.exec();
    return std::move(*out);
}

Status CredentialStore::writeBlocking(const QString& key, const SecretBytes& secret) {
    CredentialStore store;
    QEventLoop loop;
    std::optional<Status> out;
    store.write(key, secret, [&](Status s) {
        out.emplace(std::move(s));
        loop.quit();
    });
    if (!out)
        loop.exec();
    return *out;
}

} // namespace ndes::inventory
