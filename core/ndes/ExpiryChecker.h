// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "pki/Certificate.h"

#include <QDateTime>
#include <QList>
#include <QString>

namespace ndes::service {

// DirectoryCa: a CA certificate published in AD (an enrollment service's cACertificate); ServiceAccount: the NDES
// service account's password or the account itself (read from AD).
enum class ExpiryRole { Ca, RaSigning, RaEncryption, Tls, Crl, DirectoryCa, ServiceAccount };
enum class ExpiryStatus { Ok, Warning, Critical, Expired };

// "ca", "ra-signing", "ra-encryption", "tls", "crl", "directory-ca", "service-account"
[[nodiscard]] QString expiryRoleName(ExpiryRole role);
[[nodiscard]] QString expiryStatusName(ExpiryStatus status); // "ok", "warning", "critical", "expired"

struct ExpiryThresholds {
    int warningDays = 30;
    int criticalDays = 7;
    QList<int> notifyDays{28, 7, 3, 2, 1}; // as certmonger notifies
};

// One dated thing that stops NDES when it runs out: a CA, RA or TLS certificate, a CRL (its nextUpdate), a CA
// certificate published in AD, the service account's password or the account itself.
struct ExpiryItem {
    QString server;
    ExpiryRole role = ExpiryRole::Ca;
    QString subject;
    QDateTime notAfter;
    qint64 daysLeft = 0; // whole days; < 0 once expired
    ExpiryStatus status = ExpiryStatus::Ok;
};

// Expiry decisions shaped like Kleopatra's ExpiryChecker: a structured result per item, thresholds that can be
// set, and time from the injectable clock so every boundary is testable at a fixed instant (UTC).
class ExpiryChecker {
public:
    explicit ExpiryChecker(ExpiryThresholds thresholds = {})
        : m_thresholds(std::move(thresholds)) {}

    [[nodiscard]] const ExpiryThresholds& thresholds() const { return m_thresholds; }
    [[nodiscard]] ExpiryItem check(const QString& server, ExpiryRole role, const QString& subject,
                                   const QDateTime& notAfter) const;
    [[nodiscard]] ExpiryItem check(const QString& server, ExpiryRole role, const pki::Certificate& cert) const;
    [[nodiscard]] ExpiryStatus statusFor(qint64 daysLeft, bool expired) const;

    // The notification day crossed between two looks at the same item (e.g. 8 days left, then 7: returns 7), or -1.
    // An item already expired at the second look returns 0 once, the moment it expires.
    [[nodiscard]] int crossedNotification(qint64 previousDaysLeft, qint64 currentDaysLeft) const;

private:
    ExpiryThresholds m_thresholds;
};

} // namespace ndes::service
