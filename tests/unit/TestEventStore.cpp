// SPDX-License-Identifier: Apache-2.0
#include "events/EventStore.h"
#include "events/EventXmlReader.h"

#include <QTest>

using namespace ndes::events;

namespace {

const QString kNdes = QStringLiteral("Microsoft-Windows-NetworkDeviceEnrollmentService");

EventRecord make(int id, int level, const QString& provider, qint64 seconds, const QString& text = {}) {
    EventRecord e;
    e.eventId = id;
    e.level = level;
    e.provider = provider;
    e.computer = QStringLiteral("NDES01.corp.example");
    e.channel = QStringLiteral("Application");
    e.time = QDateTime::fromSecsSinceEpoch(1764000000 + seconds, Qt::UTC);
    e.recordId = seconds;
    if (!text.isEmpty())
        e.data.append({QStringLiteral("Data1"), text});
    return e;
}

} // namespace

class TestEventStore : public QObject {
    Q_OBJECT
private slots:
    void roundTrip() {
        EventStore s;
        EventRecord e = make(31, 2, kNdes, 5);
        e.data = {{QStringLiteral("TemplateName"), QStringLiteral("NDES-Router")},
                  {QStringLiteral("Data2"), QStringLiteral("0x80094800 ünïcödé")}};
        const quint64 seq = s.append(e);
        QCOMPARE(seq, quint64(0));
        const EventRecord back = s.event(seq);
        QCOMPARE(back.eventId, 31);
        QCOMPARE(back.level, 2);
        QCOMPARE(back.provider, kNdes);
        QCOMPARE(back.computer, e.computer);
        QCOMPARE(back.channel, e.channel);
        QCOMPARE(back.time, e.time);
        QCOMPARE(back.recordId, qint64(5));
        QCOMPARE(back.data, e.data);
        QCOMPARE(s.summary(seq), QStringLiteral("TemplateName: NDES-Router; 0x80094800 ünïcödé"));
    }

    void separatorsInValuesCannotSplitFields() {
        EventStore s;
        EventRecord e = make(1, 4, kNdes, 0);
        e.data = {{QStringLiteral("A"), QStringLiteral("x\x1F"
                                                       "B\x1E"
                                                       "y")},
                  {QStringLiteral("C"), QStringLiteral("z")}};
        const EventRecord back = s.event(s.append(e));
        QCOMPARE(back.data.size(), 2);
        QCOMPARE(back.data.at(1).second, QStringLiteral("z"));
    }

    // filterFrom (the live view's new events) gives what filter gives from that sequence number on, for every
    // filter dimension and from anywhere: the first event, inside a chunk, on a chunk boundary, the last, past the end.
    void filterFromAgreesWithFilter() {
        EventStore s;
        for (int i = 0; i < 20000; ++i)
            s.append(make(i % 50, 1 + i % 5, i % 3 ? kNdes : QStringLiteral("Service Control Manager"), i,
                          QStringLiteral("request %1 from router-%2").arg(i).arg(i % 7)));
        QList<EventFilter> filters(5);
        filters[1].ids = {2, 31};
        filters[2].levels = {2};
        filters[2].providers = {QStringLiteral("Microsoft-Windows-Network*")};
        filters[3].text = QStringLiteral("router-3");
        filters[4].from = QDateTime::fromSecsSinceEpoch(1764000000 + 8000, Qt::UTC);
        filters[4].to = QDateTime::fromSecsSinceEpoch(1764000000 + 16500, Qt::UTC);
        const quint64 first = s.firstSeq();
        for (const EventFilter& f : filters) {
            const std::vector<quint64> all = s.filter(f);
            for (quint64 from : {first, first + 100, first + 8191, first + 8192, first + 8193, first + 19999,
                                 first + 20000, first + 50000}) {
                std::vector<quint64> expected;
                std::copy_if(all.begin(), all.end(), std::back_inserter(expected),
                             [from](quint64 q) { return q >= from; });
                QCOMPARE(s.filterFrom(from, f), expected);
            }
        }
    }

    void filtersEachDimension() {
        EventStore s;
        for (int i = 0; i < 30000; ++i)
            s.append(make(i % 50, 1 + i % 5, i % 3 ? kNdes : QStringLiteral("Service Control Manager"), i,
                          QStringLiteral("request %1 from router-%2").arg(i).arg(i % 7)));
        QCOMPARE(s.size(), 30000);
        QCOMPARE(s.filter({}).size(), size_t(30000));

        EventFilter byId;
        byId.ids = {2, 31};
        const auto ids = s.filter(byId);
        QCOMPARE(ids.size(), size_t(1200));
        for (quint64 q : ids)
            QVERIFY(s.eventId(q) == 2 || s.eventId(q) == 31);

        EventFilter byLevel;
        byLevel.levels = {2, 3};
        QCOMPARE(s.filter(byLevel).size(), size_t(12000));

        EventFilter byProvider;
        byProvider.providers = {kNdes.toUpper()}; // any case
        QCOMPARE(s.filter(byProvider).size(), size_t(20000));
        byProvider.providers = {QStringLiteral("microsoft-windows-network*"), QStringLiteral("nothing")};
        QCOMPARE(s.filter(byProvider).size(), size_t(20000));
        QVERIFY(s.matches(s.firstSeq() + 1, byProvider));
        QVERIFY(!s.matches(s.firstSeq(), byProvider));

        EventFilter byTime;
        byTime.from = QDateTime::fromSecsSinceEpoch(1764000000 + 100, Qt::UTC);
        byTime.to = QDateTime::fromSecsSinceEpoch(1764000000 + 199, Qt::UTC);
        QCOMPARE(s.filter(byTime).size(), size_t(100)); // both ends inclusive

        EventFilter byText;
        byText.text = QStringLiteral("ROUTER-3"); // ASCII letters in any case
        QCOMPARE(s.filter(byText).size(), size_t(30000 / 7 + (30000 % 7 > 3 ? 1 : 0)));
        byText.text = QStringLiteral("control manager"); // in the provider's name
        QCOMPARE(s.filter(byText).size(), size_t(10000));
        byText.text = QStringLiteral("request 29999 ");
        QCOMPARE(s.filter(byText).size(), size_t(1));
        byText.text = QStringLiteral("no such words");
        QCOMPARE(s.filter(byText).size(), size_t(0));

        EventFilter all;
        all.ids = {31};
        all.levels = {2};
        all.providers = {kNdes};
        all.text = QStringLiteral("router-");
        const auto combined = s.filter(all);
        QVERIFY(!combined.empty());
        for (quint64 q : combined) {
            QVERIFY(s.matches(q, all));
            QCOMPARE(s.eventId(q), 31);
        }
        // matches() agrees with filter() everywhere.
        int agreeing = 0;
        for (quint64 q = s.firstSeq(); q < s.endSeq(); q += 7) {
            const bool inFilter = std::binary_search(combined.begin(), combined.end(), q);
            QCOMPARE(s.matches(q, all), inFilter);
            ++agreeing;
        }
        QVERIFY(agreeing > 4000);
    }

    void ringDropsOldestChunksAndCountsThem() {
        EventStore s(3 * EventStore::chunkSize);
        QCOMPARE(s.capacity(), qint64(3 * EventStore::chunkSize));
        const int total = 10 * EventStore::chunkSize + 5;
        for (int i = 0; i < total; ++i)
            QCOMPARE(s.append(make(i % 60000, 4, kNdes, i)), quint64(i));
        QCOMPARE(s.accepted(), quint64(total));
        QVERIFY(s.size() <= s.capacity());
        QCOMPARE(quint64(s.size()) + s.evicted(), quint64(total)); // nothing vanishes uncounted
        QCOMPARE(s.dropped(), s.evicted());
        QCOMPARE(s.endSeq(), quint64(total));
        QVERIFY(!s.contains(s.firstSeq() - 1));
        QCOMPARE(s.recordId(s.firstSeq()), qint64(s.firstSeq())); // sequence numbers never shift
        QCOMPARE(s.recordId(s.endSeq() - 1), qint64(total - 1));
        s.countRejected(3);
        QCOMPARE(s.dropped(), s.evicted() + 3);
        const qint64 before = s.memoryBytes();
        for (int i = 0; i < 5 * EventStore::chunkSize; ++i)
            s.append(make(1, 4, kNdes, i));
        QVERIFY(s.memoryBytes() <= before * 2); // bounded
        EventStore tiny(1);
        QCOMPARE(tiny.capacity(), qint64(2 * EventStore::chunkSize));
    }

    // A live feed of maximum-size events (JSON lines may be 1 MB each) is held to the byte budget: each event's
    // data is cut at maxEventDataBytes (marked, counted), the oldest chunks go, and what is kept reads back whole.
    void maximumSizeEventsStayWithinTheByteBudget() {
        const qint64 budget = 32 * 1024 * 1024;
        EventStore s(200000, budget);
        QCOMPARE(s.byteBudget(), budget);
        EventRecord big = make(10, 2, kNdes, 0);
        big.data = {{QStringLiteral("Data1"), QString(1024 * 1024, QLatin1Char('x'))},
                    {QStringLiteral("Data2"), QStringLiteral("never stored")}};
        const int total = 700; // 700 x 64 KB held would be 44 MB
        qint64 peak = 0;
        for (int i = 0; i < total; ++i) {
            big.recordId = i;
            QCOMPARE(s.append(big), quint64(i));
            peak = std::max(peak, s.memoryBytes());
        }
        QCOMPARE(s.truncated(), quint64(total));
        QVERIFY2(peak <= budget + 2 * EventStore::maxEventDataBytes,
                 qPrintable(QStringLiteral("peak %1 bytes over a budget of %2").arg(peak).arg(budget)));
        QVERIFY(s.evicted() > 0);
        QCOMPARE(quint64(s.size()) + s.evicted(), quint64(total)); // nothing vanishes uncounted
        const EventRecord back = s.event(s.endSeq() - 1);
        QCOMPARE(back.recordId, qint64(total - 1));
        QCOMPARE(back.data.size(), 1);
        QVERIFY(back.data.first().second.endsWith(QStringLiteral("[cut: event data over 64 KB]")));
        QVERIFY(back.data.first().second.size() <= EventStore::maxEventDataBytes + 64);
        QCOMPARE(s.recordId(s.firstSeq()), qint64(s.firstSeq()));
        QVERIFY(s.summary(s.firstSeq()).startsWith(QStringLiteral("xxxx")));
    }

    // Without a budget (a file), big events fill chunks that close by size, not only by count: the offsets into an
    // arena stay 32-bit, and every event is found again across the chunk boundaries.
    void bigEventsCloseChunksBySize() {
        EventStore s;
        EventRecord e = make(1, 4, kNdes, 0);
        e.data = {{QStringLiteral("Data1"), QString(int(EventStore::maxEventDataBytes) - 64, QChar(0x00E9))}};
        for (int i = 0; i < 1200; ++i) { // 1200 x 64 KB: more than one 64 MB arena
            e.recordId = i;
            s.append(e);
        }
        // é is two bytes in UTF-8: each event is cut, on a character boundary.
        QCOMPARE(s.truncated(), quint64(1200));
        for (quint64 seq : {quint64(0), quint64(1022), quint64(1023), quint64(1024), quint64(1025), quint64(1199)}) {
            const EventRecord back = s.event(seq);
            QCOMPARE(back.recordId, qint64(seq));
            const QString v = back.data.value(0).second;
            QVERIFY(v.startsWith(QChar(0x00E9)));
            QVERIFY(!v.contains(QChar::ReplacementCharacter));
        }
        QCOMPARE(s.filter(EventFilter{}).size(), size_t(1200));
    }

    // The review's probe: unique 100,000-character host and provider names grew the never-evicted pool to 1 GB.
    void longNamesAreCutBeforeTheyAreInterned() {
        EventStore s(200000, 16 * 1024 * 1024);
        for (int i = 0; i < 2000; ++i) {
            EventRecord e = make(1, 4, QString(100000, QLatin1Char('p')) + QString::number(i), i);
            e.computer = QString(100000, QLatin1Char('h')) + QString::number(i);
            s.append(e);
        }
        QCOMPARE(s.provider(s.endSeq() - 1).size(), EventStore::maxNameLength);
        QCOMPARE(s.computer(s.endSeq() - 1).size(), EventStore::maxNameLength);
        QVERIFY2(s.memoryBytes() < 8 * 1024 * 1024, qPrintable(QString::number(s.memoryBytes())));
    }

    void hostileFeedCannotGrowTheStringPool() {
        EventStore s(2 * EventStore::chunkSize);
        for (int i = 0; i < 70000; ++i) {
            EventRecord e = make(1, 4, QStringLiteral("p%1").arg(i), i);
            e.computer = QStringLiteral("host-%1").arg(i);
            s.append(e);
        }
        QCOMPARE(s.computer(s.endSeq() - 1), QStringLiteral("(other)"));
        QVERIFY(s.memoryBytes() < 40 * 1024 * 1024);
    }

    void compactness() {
        EventStore s;
        for (int i = 0; i < 100000; ++i)
            s.append(make(i % 50, 4, kNdes, i, QStringLiteral("The challenge password cache is full (%1)").arg(i)));
        const double perEvent = double(s.memoryBytes()) / 100000.0;
        qInfo("%.1f bytes per event (%d bytes of data each)", perEvent, 44);
        QVERIFY2(perEvent < 130, "columns and arena should stay near the data's own size");
    }

    void xmlOfAnEventParsesBackWithItsValues() {
        EventRecord e = make(10, 2, kNdes, 1);
        e.data = {{QStringLiteral("Name"), QStringLiteral("<script>&\"quotes\"'\x01\x07")},
                  {QStringLiteral("Data2"), QStringLiteral("]]> ünï")}};
        const QString xml = toEventXml(e);
        const auto parsed = EventXmlReader::parse(xml.toUtf8());
        QVERIFY2(parsed.error.isEmpty(), qPrintable(parsed.error));
        QCOMPARE(parsed.events.size(), 1);
        QCOMPARE(parsed.events.first().eventId, 10);
        QCOMPARE(parsed.events.first().dataValue(QStringLiteral("Name")),
                 QStringLiteral("<script>&\"quotes\"'\uFFFD\uFFFD"));
        QCOMPARE(parsed.events.first().time, e.time);
    }

    void movesAndClears() {
        EventStore a;
        a.append(make(1, 4, kNdes, 0));
        EventStore b = std::move(a);
        QCOMPARE(b.size(), qint64(1));
        QCOMPARE(b.provider(0), kNdes);
        b.clear();
        QCOMPARE(b.size(), qint64(0));
        QCOMPARE(b.append(make(2, 4, kNdes, 0)), quint64(1)); // numbering goes on
        QCOMPARE(b.providers(), QStringList{kNdes});
    }
};

QTEST_GUILESS_MAIN(TestEventStore)
#include "TestEventStore.moc"
