// SPDX-License-Identifier: Apache-2.0
#include "util/Access.h"

#include <QMutex>

#include <atomic>

namespace ndes {

namespace {
std::atomic<bool> g_readOnly{false};
std::atomic<bool> g_byPolicy{false};
std::atomic<int> g_granted{0};
std::atomic<int> g_refused{0};
QMutex g_mutex; // guards the strings
QString g_reason;
QString g_lastRefused;
} // namespace

QString writeOperationName(WriteOperation op) {
    switch (op) {
    case WriteOperation::ChallengePassword:
        return QStringLiteral("challenge-password");
    case WriteOperation::Enrollment:
        return QStringLiteral("enrollment");
    case WriteOperation::LoadTest:
        return QStringLiteral("load-test");
    case WriteOperation::KeychainWrite:
        return QStringLiteral("keychain-write");
    case WriteOperation::ServerListSave:
        return QStringLiteral("server-list-save");
    case WriteOperation::SetupFilesSave:
        return QStringLiteral("setup-files-save");
    case WriteOperation::DirectoryApply:
        return QStringLiteral("directory-apply");
    case WriteOperation::RaRenewalScript:
        return QStringLiteral("ra-renewal-script");
    case WriteOperation::AuditTrailWrite:
        return QStringLiteral("audit-trail-write");
    }
    return QStringLiteral("unknown");
}

QString writeOperationDescription(WriteOperation op) {
    switch (op) {
    case WriteOperation::ChallengePassword:
        return QStringLiteral("fetching a challenge password");
    case WriteOperation::Enrollment:
        return QStringLiteral("requesting a certificate");
    case WriteOperation::LoadTest:
        return QStringLiteral("running a load test");
    case WriteOperation::KeychainWrite:
        return QStringLiteral("changing the system keychain");
    case WriteOperation::ServerListSave:
        return QStringLiteral("saving the server list");
    case WriteOperation::SetupFilesSave:
        return QStringLiteral("saving setup files");
    case WriteOperation::DirectoryApply:
        return QStringLiteral("changing Active Directory");
    case WriteOperation::RaRenewalScript:
        return QStringLiteral("writing an RA renewal script");
    case WriteOperation::AuditTrailWrite:
        return QStringLiteral("writing to the challenge password audit trail");
    }
    return QStringLiteral("writing");
}

void Access::enterReadOnly(const QString& why, bool byPolicy) {
    if (byPolicy)
        g_byPolicy.store(true);
    {
        QMutexLocker lock(&g_mutex);
        if (!g_readOnly.load() || g_reason.isEmpty())
            g_reason = why;
    }
    g_readOnly.store(true);
}

bool Access::readOnly() {
    return g_readOnly.load();
}

bool Access::byPolicy() {
    return g_byPolicy.load();
}

QString Access::readOnlyReason() {
    QMutexLocker lock(&g_mutex);
    return g_reason;
}

Result<WriteCapability> Access::request(WriteOperation op) {
    if (!g_readOnly.load()) {
        ++g_granted;
        return WriteCapability(op);
    }
    ++g_refused;
    QString reason;
    {
        QMutexLocker lock(&g_mutex);
        g_lastRefused = writeOperationName(op);
        reason = g_reason;
    }
    Error e = makeError(ErrorKind::Usage,
                        QStringLiteral("The console is in auditor (read-only) mode: %1 is not allowed.")
                            .arg(writeOperationDescription(op)),
                        reason);
    e.code = QStringLiteral("read-only");
    return e;
}

int Access::granted() {
    return g_granted.load();
}

int Access::refused() {
    return g_refused.load();
}

QString Access::lastRefused() {
    QMutexLocker lock(&g_mutex);
    return g_lastRefused;
}

} // namespace ndes
