// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "directory/Directory.h"
#include "ndes/ExpiryChecker.h"

#include <QList>
#include <QStringList>

namespace ndes::directory {

// What the dashboard shows of Active Directory for one NDES server: the CA certificates the enrollment services
// publish and the service account's password and account expiry, as rows of the expiry table; and what makes the
// service account unusable today (disabled, locked, password expired or to be changed), or that it is missing.
struct DirectoryHealth {
    QList<service::ExpiryItem> expiries;
    QStringList unusable; // one sentence per problem, each stops NDES now
    QStringList missing;  // accounts asked for and not found
    int caCertificates = 0;
    int accountsRead = 0;
};

// Pure: `now` decides what is unusable, the checker (and its clock) the expiry rows. CA certificates whose DER is in
// `alreadyListed` (those the NDES server itself hands out) are counted but not listed twice.
[[nodiscard]] DirectoryHealth directoryHealth(const DirectoryData& data, const QString& server,
                                              const QStringList& accounts, const service::ExpiryChecker& checker,
                                              const QDateTime& now, const QList<QByteArray>& alreadyListed = {});

// The service account as the dashboard names it: "LAB\svc-ndes" (the domain's first DNS label, upper case), else
// the sAMAccountName.
[[nodiscard]] QString accountDisplayName(const DirectoryData& data, const DirectoryAccount& account);

} // namespace ndes::directory
