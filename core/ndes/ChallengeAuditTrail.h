// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "util/Result.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>

class QSettings;

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
// inserting or deleting a line breaks the chain, which verify() reports with the first broken line. Cutting lines
// off the end keeps a valid chain, so the head (line count and hash of the last line) is also kept outside the
// file, in the settings given to setAnchorStore: a trail shorter than its anchor, or whose line at the anchor
// differs, is reported as tampered with. (Whoever can write both the file and the settings can still rewrite
// history; the anchor catches the file edited on its own, the common case.)
class ChallengeAuditTrail {
public:
    explicit ChallengeAuditTrail(QString path)
        : m_path(std::move(path)) {}

    // Where the head is kept (not owned; outlives this object). Without one, only the chain is checked.
    void setAnchorStore(QSettings* settings) { m_anchors = settings; }

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

    static QString defaultPath(); // <data>/ndes-console/challenge-audit.jsonl
    // The settings group holding the anchor of the trail at PATH (a hash of its absolute path).
    static QString anchorKeyFor(const QString& path);

private:
    [[nodiscard]] QString anchorKey() const { return anchorKeyFor(m_path); }
    [[nodiscard]] static QByteArray lineFor(const ChallengeAuditEntry& entry, const QByteArray& prev, int lines);
    Status writeLine(const QByteArray& line);

    QString m_path;
    QSettings* m_anchors = nullptr;
    qint64 m_knownSize = -1; // size of the file after our last read or write; -1: not read yet
    QByteArray m_lastHash;
    int m_lines = 0;
};

} // namespace ndes::service
