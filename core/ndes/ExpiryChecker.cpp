// SPDX-License-Identifier: Apache-2.0
#include "ndes/ExpiryChecker.h"

#include "util/Clock.h"

namespace ndes::service {

QString expiryRoleName(ExpiryRole role) {
    switch (role) {
    case ExpiryRole::Ca:
        return QStringLiteral("ca");
    case ExpiryRole::RaSigning:
        return QStringLiteral("ra-signing");
    case ExpiryRole::RaEncryption:
        return QStringLiteral("ra-encryption");
    case ExpiryRole::Tls:
        return QStringLiteral("tls");
    case ExpiryRole::Crl:
        return QStringLiteral("crl");
    case ExpiryRole::DirectoryCa:
        return QStringLiteral("directory-ca");
    case ExpiryRole::ServiceAccount:
        return QStringLiteral("service-account");
    }
    return {};
}

QString expiryStatusName(ExpiryStatus status) {
    switch (status) {
    case ExpiryStatus::Ok:
        return QStringLiteral("ok");
    case ExpiryStatus::Warning:
        return QStringLiteral("warning");
    case ExpiryStatus::Critical:
        return QStringLiteral("critical");
    case ExpiryStatus::Expired:
        return QStringLiteral("expired");
    }
    return {};
}

ExpiryStatus ExpiryChecker::statusFor(qint64 daysLeft, bool expired) const {
    if (expired)
        return ExpiryStatus::Expired;
    if (daysLeft <= m_thresholds.criticalDays)
        return ExpiryStatus::Critical;
    if (daysLeft <= m_thresholds.warningDays)
        return ExpiryStatus::Warning;
    return ExpiryStatus::Ok;
}

ExpiryItem ExpiryChecker::check(const QString& server, ExpiryRole role, const QString& subject,
                                const QDateTime& notAfter) const {
    const QDateTime now = Clock::instance().now();
    ExpiryItem item;
    item.server = server;
    item.role = role;
    item.subject = subject;
    item.notAfter = notAfter;
    // A certificate is valid through its notAfter second; one second later it is expired.
    const bool expired = !notAfter.isValid() || notAfter < now;
    item.daysLeft = notAfter.isValid() ? daysBetween(now, notAfter) : -1;
    item.status = statusFor(item.daysLeft, expired);
    return item;
}

ExpiryItem ExpiryChecker::check(const QString& server, ExpiryRole role, const pki::Certificate& cert) const {
    return check(server, role, cert.subject(), cert.notAfter());
}

int ExpiryChecker::crossedNotification(qint64 previousDaysLeft, qint64 currentDaysLeft) const {
    if (currentDaysLeft >= previousDaysLeft)
        return -1;
    if (currentDaysLeft < 0 && previousDaysLeft >= 0)
        return 0;
    int crossed = -1;
    for (int d : m_thresholds.notifyDays)
        if (previousDaysLeft > d && currentDaysLeft <= d)
            crossed = crossed < 0 ? d : qMin(crossed, d);
    return crossed;
}

} // namespace ndes::service
