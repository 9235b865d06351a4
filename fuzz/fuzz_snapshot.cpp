// SPDX-License-Identifier: Apache-2.0
// Fuzzes a one-file snapshot end to end: recognition by content, every evidence parser it picks (.reg,
// applicationHost.config, certificates, JSON of the collector, user rights, netsh, IIS logs), and every check.
#include "audit/Audit.h"

#include <QFile>
#include <QTemporaryDir>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static QTemporaryDir dir;
    static const auto catalogue = ndes::audit::Catalogue::builtIn();
    {
        QFile f(dir.filePath(QStringLiteral("evidence")));
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return 0;
        f.write(reinterpret_cast<const char*>(data), static_cast<qint64>(size));
    }
    auto snap = ndes::audit::Snapshot::load(dir.path());
    if (snap.ok() && catalogue.ok()) {
        ndes::audit::AuditOptions o;
        o.now = QDateTime(QDate(2026, 12, 1), QTime(0, 0), Qt::UTC);
        (void)ndes::audit::runAudit(*catalogue, *snap, o).findings.size();
    }
    return 0;
}
