// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "audit/Audit.h"
#include "util/Result.h"

#include <QByteArray>
#include <QString>

namespace ndes::audit {

// The audit as files an auditor hands over. Every report states the catalogue version and the snapshot's files
// with their SHA-256, so it is clear what was looked at.
class AuditReport {
public:
    [[nodiscard]] static QByteArray json(const AuditResult& r);
    // One row per finding and per evidence item; cells that a spreadsheet would run as a formula are quoted.
    [[nodiscard]] static QByteArray csv(const AuditResult& r);
    // One self-contained page (no script, no external resource) that prints well.
    [[nodiscard]] static QString html(const AuditResult& r, const QDateTime& generatedAt);

    // Writes the report whose kind the extension says (.json, .csv, .html/.htm), atomically.
    static Status write(const AuditResult& r, const QString& path, const QDateTime& generatedAt);
};

} // namespace ndes::audit
