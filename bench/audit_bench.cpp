// SPDX-License-Identifier: Apache-2.0
// Configuration audit figures (issue 17): a snapshot of the real NDES evidence (tests/data: MSCEP.reg,
// applicationHost.config of Server 2022) with MB megabytes of IIS logs (the real NDES server's logs, repeated with
// their header blocks), loaded and audited REPEAT times; and the check evaluation alone on the same snapshot without
// logs. Targets: <= 2 s with 100 MB of logs, <= 50 ms for the evaluation.
// Usage: audit_bench DATA_DIR [MB=100] [REPEAT=5]
#include "audit/Audit.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>

using namespace ndes::audit;

namespace {
bool copy(const QString& from, const QString& to) {
    QDir().mkpath(QFileInfo(to).absolutePath());
    return QFile::copy(from, to);
}

double median(QList<double> v) {
    std::sort(v.begin(), v.end());
    return v.isEmpty() ? 0 : v[v.size() / 2];
}
} // namespace

int main(int argc, char* argv[]) {
    QCoreApplication app(argc, argv);
    if (argc < 2) {
        std::fprintf(stderr, "usage: audit_bench DATA_DIR [MB] [REPEAT]\n");
        return 2;
    }
    const QString data = QString::fromLocal8Bit(argv[1]);
    const int mb = argc > 2 ? std::atoi(argv[2]) : 100;
    const int repeat = argc > 3 ? std::atoi(argv[3]) : 5;
    QTemporaryDir small;
    QTemporaryDir big;
    for (QTemporaryDir* d : {&small, &big}) {
        copy(data + QStringLiteral("/ndes-manual-installation/MSCEP.reg"),
             d->filePath(QStringLiteral("registry/mscep.reg")));
        copy(data + QStringLiteral("/ndes-manual-installation/ws2022/applicationHost.config"),
             d->filePath(QStringLiteral("iis/applicationHost.config")));
    }
    QByteArray logs;
    for (const char* name : {"/iis-logs/u_ex240411.log", "/iis-logs/u_ex240412.log"}) {
        QFile f(data + QLatin1String(name));
        if (!f.open(QIODevice::ReadOnly)) {
            std::fprintf(stderr, "cannot read %s\n", qPrintable(f.fileName()));
            return 1;
        }
        logs += f.readAll();
    }
    const qint64 target = qint64(mb) * 1024 * 1024;
    qint64 written = 0;
    for (int file = 0; written < target; ++file) {
        QFile out(big.filePath(QStringLiteral("iis-logs/u_ex%1.log").arg(260000 + file)));
        QDir().mkpath(QFileInfo(out).absolutePath());
        out.open(QIODevice::WriteOnly);
        qint64 inFile = 0;
        while (inFile < 10 * 1024 * 1024 && written < target) {
            out.write(logs);
            inFile += logs.size();
            written += logs.size();
        }
    }
    auto catalogue = Catalogue::builtIn();
    if (!catalogue) {
        std::fprintf(stderr, "%s\n", qPrintable(catalogue.error().message));
        return 1;
    }
    QList<double> load;
    QList<double> total;
    QList<double> evaluation;
    qsizetype findings = 0;
    for (int i = 0; i < repeat; ++i) {
        QElapsedTimer t;
        t.start();
        auto snap = Snapshot::load(big.path());
        const double loaded = double(t.nsecsElapsed()) / 1e6;
        const AuditResult r = runAudit(*catalogue, *snap);
        total << double(t.nsecsElapsed()) / 1e6;
        load << loaded;
        findings = r.findings.size();
        auto s2 = Snapshot::load(small.path());
        QElapsedTimer e;
        e.start();
        const AuditResult r2 = runAudit(*catalogue, *s2);
        evaluation << double(e.nsecsElapsed()) / 1e6;
        (void)r2;
    }
    std::printf("snapshot with %.1f MB of IIS logs: load (hash, recognise, parse) median %.0f ms; load + audit median "
                "%.0f ms (%lld findings); target 2000 ms: ratio %.2f\n",
                double(written) / (1024 * 1024), median(load), median(total), static_cast<long long>(findings),
                median(total) / 2000.0);
    std::printf("check evaluation alone (every check, no logs): median %.2f ms; target 50 ms: ratio %.3f\n",
                median(evaluation), median(evaluation) / 50.0);
    return 0;
}
