// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "util/Result.h"

#include <QDateTime>
#include <QString>

namespace ndes::service {

// A PowerShell script, run on the NDES server as an administrator, that renews both RA certificates — "CEP
// Encryption" (CEPEncryption, keyEncipherment, KeySpec 1) and "Exchange Enrollment Agent (Offline request)"
// (EnrollmentAgentOffline, digitalSignature, KeySpec 2) — with CryptoAPI keys in the machine store (NDES does not
// use CNG RA keys), gives the SCEP application pool's identity read access to their private keys, archives the
// old ones (kept for rollback, not deleted) and restarts the SCEP pool. -WhatIf shows what it would do;
// running it again while both RA certificates are fresh changes nothing.
struct RaRenewalParams {
    QString serverName;     // for the header
    QString raSubject;      // "CN=NDES01-MSCEP-RA,O=..." as GetCACert shows it
    QString caConfig;       // "CAHOST\CA Name"; empty: the script asks for -CAConfig
    QString serviceAccount; // "DOMAIN\svc-ndes"; empty: read from the SCEP app pool
    int keyLength = 2048;
    int minDaysLeft = 30; // fresher RA certificates than this are left alone
    QDateTime raNotAfter; // for the header
    QString encryptionTemplate = QStringLiteral("CEPEncryption");
    QString signingTemplate = QStringLiteral("EnrollmentAgentOffline");
};

class RaRenewalScript {
public:
    // Refused in auditor mode (the script requests and installs certificates).
    [[nodiscard]] static Result<QString> generate(const RaRenewalParams& params, const QDateTime& generatedAt);
    // A PowerShell single-quoted literal: every kind of single quote PowerShell accepts (' ‘ ’ ‚ ‛) is doubled,
    // so no value can end the string; newlines become spaces (a header comment must stay one line).
    [[nodiscard]] static QString quote(const QString& value);
    // RFC 2253 with ", " separators, as Windows prints a subject in X500 form ("CN=a, O=b").
    [[nodiscard]] static QString windowsSubject(const QString& opensslSubject);
    [[nodiscard]] static QString commonName(const QString& opensslSubject);
};

} // namespace ndes::service
