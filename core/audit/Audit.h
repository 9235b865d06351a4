// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "audit/Catalogue.h"
#include "audit/Finding.h"
#include "audit/Snapshot.h"
#include "directory/Directory.h"
#include "ndes/HealthProbe.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QStringList>

namespace ndes::audit {

struct AuditOptions {
    QDateTime now;                // for expiry; empty: the current time
    int expiringDays = 30;        // ra-expiring
    int recentDays = 14;          // ndes-errors-recent: days before the snapshot was collected
    int maxPasswordValidity = 30; // password-validity-long: minutes
    QString expectedAccount;      // DOMAIN\name the SCEP pool should run as; empty: any specific account
    // The read-only live probe of the server (ndesctl check's), when one was asked for: its reasons become live-*
    // findings, and its RA certificates stand in for a snapshot that has none.
    std::optional<service::HealthReport> live;
    // What Active Directory says (a live read or an LDIF export), for the template and service-account checks; when
    // absent, directoryProblem says why (a failed read) or is empty (none asked for).
    const directory::DirectoryData* directory = nullptr;
    QString directoryProblem;
};

// What an audit found: findings (worst first), checks that could not run and why, and the ids that passed.
struct AuditResult {
    QString catalogueVersion;
    QString host;
    QDateTime collectedAt;
    QString collectorVersion;
    QString collectedBy;
    QList<SnapshotFile> files;
    QStringList problems; // files that could not be read, and why
    QList<Finding> findings;
    QList<NotChecked> notChecked;
    QStringList passed;
    QString liveUrl;         // the server probed live, empty when none
    QString directorySource; // the directory read (ldaps://… or an LDIF file), empty when none

    [[nodiscard]] int count(Severity s) const;
    [[nodiscard]] std::optional<Severity> worst() const;
    // The JSON of `ndesctl audit --json` (README: "ndesctl audit").
    [[nodiscard]] QJsonObject toJson() const;
};

// Runs every check of the catalogue on the snapshot. A check without evaluation code in this version, or whose
// evidence is absent, is reported as not checked with the reason, never as passed.
[[nodiscard]] AuditResult runAudit(const Catalogue& catalogue, const Snapshot& snapshot,
                                   const AuditOptions& options = {});

// The account the snapshot's SCEP pool runs as (DOMAIN\name), empty when it runs as a built-in identity or the
// snapshot does not say.
[[nodiscard]] QString scepPoolAccount(const Snapshot& snapshot);

// The ids this version can evaluate (a test keeps them and the catalogue in step).
[[nodiscard]] QStringList evaluatorIds();

} // namespace ndes::audit
