// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ndes/HealthProbe.h"

#include <QByteArray>
#include <QList>

namespace ndes::service {

// The Overview's exports. CSV (RFC 4180, UTF-8 with BOM so Excel reads it as UTF-8): one row per certificate or
// CRL, with its server's status; a cell that starts like a formula (= + - @) is prefixed with ' so a
// spreadsheet never runs what a server put in a subject. HTML: one self-contained page, every value escaped.
class HealthExport {
public:
    [[nodiscard]] static QByteArray csv(const QList<HealthReport>& reports);
    [[nodiscard]] static QByteArray html(const QList<HealthReport>& reports, const QDateTime& generatedAt);
    [[nodiscard]] static QString csvCell(const QString& value);
};

} // namespace ndes::service
