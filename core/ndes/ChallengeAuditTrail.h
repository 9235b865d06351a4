// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "util/Result.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace ndes::service {

// Who asked for a challenge password, when, for which server and device: never the password itself.
struct ChallengeAuditEntry {
    QDateTime time;      // UTC
    QString requestedBy; // the local user, and the NDES account used
    QString server;
    QString device;
    QString ticket;
    QString outcome; // "issued", or the error code ("cache-full", ...)
};

// An append-only JSON-lines file; every line carries the SHA-256 of the line before it ("prev"), so editing,
// inserting or deleting a line breaks the chain, which verify() reports with the first broken line.
class ChallengeAuditTrail {
public:
    explicit ChallengeAuditTrail(QString path)
        : m_path(std::move(path)) {}

    Status append(const ChallengeAuditEntry& entry);

    struct Verification {
        bool intact = true;
        int lines = 0;
        int firstBadLine = 0; // 1-based, 0 when intact
        QString problem;
    };
    [[nodiscard]] Verification verify() const;
    [[nodiscard]] Result<QList<ChallengeAuditEntry>> entries() const;
    // CSV for auditors (time, requested by, server, device, ticket, outcome).
    [[nodiscard]] Result<QByteArray> exportCsv() const;

    static QString defaultPath();

private:
    QString m_path;
    qint64 m_knownSize = -1; // size of the file after our last read or write; -1: not read yet
    QByteArray m_lastHash;
    int m_lines = 0;
};

} // namespace ndes::service
