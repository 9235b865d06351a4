// SPDX-License-Identifier: Apache-2.0
// Event viewer figures (issue 7):
//   events_bench evtx REPEAT FILE...   EVTX read rate through EventFileReader (events/s), all files REPEAT times
//                                      (EVTX_THREADS=n: parse on n threads; default one per core)
//   events_bench xml FILE              every record's Event XML, as evtxexport -f xml prints it (for diff)
//   events_bench store N               N synthetic events into an EventStore: bytes per event, RSS, and the latency
//                                      of each filter (median of 7) and of the Events page's model reset
#include "events/EventFileReader.h"
#include "events/EventStore.h"
#include "util/ProcessMemory.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QRandomGenerator>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace ndes::events;

namespace {

qint64 rssKb() {
    return ndes::residentKb();
}

// Every record's Event XML as evtxexport -f xml prints it (an empty line, the XML), to compare the two by diff.
int xml(const QString& file) {
    EvtxReader reader;
    auto s = reader.read(file, [&](EventRecord&& e) {
        std::printf("\n%s\n", e.rawXml.toUtf8().constData());
        return true;
    });
    if (!s) {
        std::fprintf(stderr, "%s\n", qPrintable(s.error().toString()));
        return 1;
    }
    std::fprintf(stderr, "%lld records, %lld recovered, %lld unreadable, %lld duplicates\n",
                 static_cast<long long>(s->records), static_cast<long long>(s->recovered),
                 static_cast<long long>(s->unreadable), static_cast<long long>(s->duplicates));
    for (const QString& p : s->problems)
        std::fprintf(stderr, "  %s\n", qPrintable(p));
    return 0;
}

int evtx(int repeat, const QStringList& files) {
    qint64 events = 0;
    QElapsedTimer t;
    t.start();
    for (int r = 0; r < repeat; ++r)
        for (const QString& f : files) {
            EvtxReader reader;
            reader.setKeepRawXml(false);                                     // as the Events page loads
            reader.setThreads(qEnvironmentVariableIntValue("EVTX_THREADS")); // unset: one per core
            auto s = reader.read(f, [&](EventRecord&&) {
                ++events;
                return true;
            });
            if (!s) {
                std::fprintf(stderr, "%s: %s\n", qPrintable(f), qPrintable(s.error().toString()));
                return 1;
            }
        }
    const double secs = double(t.nsecsElapsed()) / 1e9;
    std::printf("ndes-console EVTX: %lld events in %.3f s = %.0f events/s\n", static_cast<long long>(events), secs,
                double(events) / secs);
    return 0;
}

// A log shaped like a busy NDES server's Application + System logs: mostly other sources, some NDES.
EventRecord synthetic(QRandomGenerator& rng, qint64 i) {
    static const QStringList providers = {QStringLiteral("Microsoft-Windows-NetworkDeviceEnrollmentService"),
                                          QStringLiteral("Service Control Manager"),
                                          QStringLiteral("Microsoft-Windows-Security-SPP"),
                                          QStringLiteral("Microsoft-Windows-CertificationAuthority"),
                                          QStringLiteral("MSSQLSERVER"),
                                          QStringLiteral("Microsoft-Windows-WAS"),
                                          QStringLiteral("ESENT"),
                                          QStringLiteral("Microsoft-Windows-Kernel-General"),
                                          QStringLiteral("Microsoft-Windows-DNS-Client"),
                                          QStringLiteral("Microsoft-Windows-Winlogon")};
    static const int ndesIds[] = {1, 2, 10, 18, 28, 29, 31, 49};
    EventRecord e;
    const int p = int(rng.bounded(100)) < 8 ? 0 : 1 + int(rng.bounded(quint32(providers.size() - 1)));
    e.provider = providers.at(p);
    e.eventId = p == 0 ? ndesIds[rng.bounded(8)] : int(rng.bounded(8000));
    e.level = p == 0 ? 2 : 4 - int(rng.bounded(3));
    e.time = QDateTime::fromSecsSinceEpoch(1764000000 + i * 2, Qt::UTC);
    e.computer = QStringLiteral("NDES%1.corp.example").arg(rng.bounded(4));
    e.channel = p % 2 ? QStringLiteral("System") : QStringLiteral("Application");
    e.recordId = i;
    e.data = {{QStringLiteral("ErrorCode"), QStringLiteral("0x%1").arg(rng.generate(), 8, 16, QLatin1Char('0'))},
              {QStringLiteral("Data2"), QStringLiteral("The request from device router-%1 (serial %2) was processed")
                                            .arg(rng.bounded(50000))
                                            .arg(rng.generate64())}};
    return e;
}

template <typename F> double medianMs(F&& f, size_t* n = nullptr) {
    std::vector<double> ms;
    for (int i = 0; i < 7; ++i) {
        QElapsedTimer t;
        t.start();
        const size_t got = f();
        ms.push_back(double(t.nsecsElapsed()) / 1e6);
        if (n)
            *n = got;
    }
    std::sort(ms.begin(), ms.end());
    return ms[ms.size() / 2];
}

int store(qint64 n) {
    QRandomGenerator rng(20261125);
    std::vector<EventRecord> batch;
    const qint64 rss0 = rssKb();
    EventStore s;
    QElapsedTimer t;
    t.start();
    for (qint64 i = 0; i < n; ++i)
        s.append(synthetic(rng, i));
    const double fill = double(t.nsecsElapsed()) / 1e9;
    const qint64 rss1 = rssKb();
    std::printf("store: %lld events appended in %.2f s (%.0f/s); %.1f bytes/event counted, RSS +%.1f MB (%.1f "
                "bytes/event)\n",
                static_cast<long long>(n), fill, double(n) / fill, double(s.memoryBytes()) / double(n),
                double(rss1 - rss0) / 1024.0, double(rss1 - rss0) * 1024.0 / double(n));
    struct Case {
        const char* name;
        EventFilter f;
    };
    std::vector<Case> cases;
    cases.push_back({"everything (no filter)", {}});
    EventFilter lvl;
    lvl.levels = {1, 2};
    cases.push_back({"level: errors", lvl});
    EventFilter prov;
    prov.providers = {QStringLiteral("Microsoft-Windows-NetworkDeviceEnrollmentService"),
                      QStringLiteral("NetworkDeviceEnrollmentService"), QStringLiteral("Microsoft-Windows-Certif*")};
    cases.push_back({"provider: NDES and related", prov});
    EventFilter ids;
    ids.ids = {2, 10, 18, 31, 49};
    cases.push_back({"IDs 2,10,18,31,49", ids});
    EventFilter time;
    time.from = QDateTime::fromSecsSinceEpoch(1764000000 + n / 2, Qt::UTC);
    time.to = QDateTime::fromSecsSinceEpoch(1764000000 + n, Qt::UTC);
    cases.push_back({"time range (a quarter)", time});
    EventFilter common;
    common.text = QStringLiteral("ROUTER-4");
    cases.push_back({"text, common (\"ROUTER-4\")", common});
    EventFilter rare;
    rare.text = QStringLiteral("router-49999 ");
    cases.push_back({"text, rare", rare});
    EventFilter none;
    none.text = QStringLiteral("no such words here");
    cases.push_back({"text, absent", none});
    EventFilter all = prov;
    all.ids = ids.ids;
    all.levels = lvl.levels;
    all.text = QStringLiteral("0x");
    cases.push_back({"NDES + IDs + errors + text", all});
    for (const Case& c : cases) {
        size_t matched = 0;
        const double ms = medianMs([&] { return s.filter(c.f).size(); }, &matched);
        std::printf("filter %-30s %8.1f ms  (%zu matches)\n", c.name, ms, matched);
    }
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    const QStringList a = app.arguments();
    if (a.size() >= 4 && a.at(1) == QLatin1String("evtx"))
        return evtx(a.at(2).toInt(), a.mid(3));
    if (a.size() == 3 && a.at(1) == QLatin1String("xml"))
        return xml(a.at(2));
    if (a.size() == 3 && a.at(1) == QLatin1String("store"))
        return store(a.at(2).toLongLong());
    std::fprintf(stderr, "usage: events_bench evtx REPEAT FILE... | events_bench xml FILE | events_bench store N\n");
    return 2;
}
