// SPDX-License-Identifier: Apache-2.0
// Overview figures against `ndes-lab --servers N` (issue 5): a full probe of every server through the real
// Overview page with bounded concurrency (wall time), the longest stall of the GUI event loop during a refresh
// (a 2 ms timer measures the gaps), and resident memory growth over R refreshes.
// Usage: overview_bench URLS_FILE [REFRESHES=100] [CONCURRENCY=32]   (QT_QPA_PLATFORM=offscreen)
#include "ConsoleContext.h"
#include "OverviewPage.h"
#include "util/ProcessMemory.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace ndes;

namespace {

long rssKb() {
    return long(ndes::residentKb());
}

} // namespace

int main(int argc, char* argv[]) {
    QApplication app(argc, argv);
    if (argc < 2) {
        std::fprintf(stderr, "usage: overview_bench URLS_FILE [REFRESHES] [CONCURRENCY]\n");
        return 2;
    }
    const int refreshes = argc > 2 ? std::atoi(argv[2]) : 100;
    const int concurrency = argc > 3 ? std::atoi(argv[3]) : 32;
    QFile urls(QString::fromLocal8Bit(argv[1]));
    if (!urls.open(QIODevice::ReadOnly))
        return 2;
    inventory::Inventory inv;
    int n = 0;
    for (const QByteArray& line : urls.readAll().split('\n')) {
        if (line.trimmed().isEmpty())
            continue;
        inventory::ServerProfile p;
        p.name = QStringLiteral("NDES %1").arg(++n, 3, 10, QLatin1Char('0'));
        p.scepUrl = QUrl(QString::fromLatin1(line.trimmed()) + QStringLiteral("/certsrv/mscep/mscep.dll"));
        p.adminUrl = QUrl(QString::fromLatin1(line.trimmed()) + QStringLiteral("/certsrv/mscep_admin/"));
        p.allowHttp = true;
        p.auth = service::AdminAuth::None;
        if (!inv.upsert(p))
            return 2;
    }
    QTemporaryDir dir;
    const QString invPath = dir.filePath(QStringLiteral("inventory.json"));
    if (!inv.save(invPath))
        return 2;
    ui::ConsoleContext context(invPath, dir.filePath(QStringLiteral("audit.jsonl")));
    ui::OverviewPage page(&context);
    page.setRefreshMinutes(0);
    page.monitor()->setConcurrency(concurrency);
    page.resize(1400, 900);
    page.show();

    // Event-loop stalls: the longest gap between two ticks of a 2 ms timer while a refresh runs.
    QElapsedTimer tick;
    qint64 maxGap = 0;
    bool measuring = false;
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    QObject::connect(&probe, &QTimer::timeout, [&] {
        if (measuring)
            maxGap = std::max(maxGap, tick.elapsed());
        tick.restart();
    });
    probe.start(2);

    std::vector<qint64> roundMs;
    std::vector<qint64> gaps;
    long rssAfterFirst = 0;
    long rssStart = rssKb();
    int round = 0;
    QElapsedTimer wall;
    auto next = [&] {
        maxGap = 0;
        tick.restart();
        measuring = true;
        wall.restart();
        page.refresh();
    };
    QObject::connect(&page, &ui::OverviewPage::refreshFinished, [&] {
        measuring = false;
        roundMs.push_back(wall.elapsed());
        gaps.push_back(maxGap);
        int bad = 0;
        for (const auto& r : page.reports())
            bad += r.status == service::HealthStatus::Ok ? 0 : 1;
        if (round == 0) {
            rssAfterFirst = rssKb();
            std::printf("first refresh: %d servers in %lld ms (concurrency %d), %d not OK, longest event-loop stall "
                        "%lld ms, RSS %ld -> %ld kB\n",
                        n, static_cast<long long>(roundMs.back()), concurrency, bad, static_cast<long long>(maxGap),
                        rssStart, rssAfterFirst);
            std::fflush(stdout);
        }
        if (++round < refreshes) {
            QTimer::singleShot(0, next);
            return;
        }
        std::vector<qint64> sortedMs = roundMs;
        std::sort(sortedMs.begin(), sortedMs.end());
        std::vector<qint64> sortedGaps = gaps;
        std::sort(sortedGaps.begin(), sortedGaps.end());
        const long rssEnd = rssKb();
        std::printf("%d refreshes: round median %lld ms, max %lld ms; event-loop stall median %lld ms, max %lld ms; "
                    "RSS after first %ld kB, after last %ld kB, growth %.1f MB\n",
                    refreshes, static_cast<long long>(sortedMs[sortedMs.size() / 2]),
                    static_cast<long long>(sortedMs.back()), static_cast<long long>(sortedGaps[sortedGaps.size() / 2]),
                    static_cast<long long>(sortedGaps.back()), rssAfterFirst, rssEnd,
                    double(rssEnd - rssAfterFirst) / 1024.0);
        QApplication::exit(0);
    });
    QTimer::singleShot(100, next);
    return QApplication::exec();
}
