// SPDX-License-Identifier: Apache-2.0
#include "events/EventJson.h"
#include "events/Syslog.h"

#include <QJsonDocument>
#include <QTest>

using namespace ndes;
using namespace ndes::events;

class TestEventJson : public QObject {
    Q_OBJECT
private slots:
    void nxlog() {
        const QByteArray line =
            "{\"EventTime\":\"2026-11-25 "
            "10:15:02\",\"Hostname\":\"NDES01.corp.example\",\"Keywords\":36028797018963968,"
            "\"EventType\":\"ERROR\",\"SeverityValue\":4,\"Severity\":\"ERROR\",\"EventID\":31,"
            "\"SourceName\":\"Microsoft-Windows-NetworkDeviceEnrollmentService\",\"Task\":0,\"RecordNumber\":4711,"
            "\"ProcessID\":2044,\"ThreadID\":3112,\"Channel\":\"Application\",\"Data1\":\"NDES-Router\","
            "\"Message\":\"The Network Device Enrollment Service cannot locate the template.\","
            "\"EventReceivedTime\":\"2026-11-25 "
            "10:15:03\",\"SourceModuleName\":\"eventlog\",\"SourceModuleType\":\"im_msvistalog\"}";
        auto e = JsonEventParser::parse(line);
        QVERIFY2(e, qPrintable(e ? QString() : e.error().toString()));
        QCOMPARE(e->eventId, 31);
        QCOMPARE(e->level, 2);
        QCOMPARE(e->provider, QStringLiteral("Microsoft-Windows-NetworkDeviceEnrollmentService"));
        QCOMPARE(e->computer, QStringLiteral("NDES01.corp.example"));
        QCOMPARE(e->channel, QStringLiteral("Application"));
        QCOMPARE(e->recordId, qint64(4711));
        QCOMPARE(e->time, QDateTime(QDate(2026, 11, 25), QTime(10, 15, 2), Qt::UTC));
        QCOMPARE(e->dataValue(QStringLiteral("Data1")), QStringLiteral("NDES-Router"));
        QVERIFY(e->dataValue(QStringLiteral("Message")).contains(QLatin1String("template")));
        QVERIFY(e->dataValue(QStringLiteral("ProcessID")).isEmpty()); // NXLog's own fields are not event data

        // No EventType: SeverityValue decides (NXLog: 3 = warning).
        auto w = JsonEventParser::parse("{\"EventID\":\"2\",\"SourceName\":\"X\",\"SeverityValue\":3}");
        QVERIFY(w);
        QCOMPARE(w->level, 3);
        QCOMPARE(w->eventId, 2);
    }

    void winlogbeat() {
        const QByteArray line =
            "{\"@timestamp\":\"2026-11-25T10:15:02.123Z\",\"message\":\"The password cache is full.\","
            "\"log\":{\"level\":\"warning\"},\"event\":{\"code\":\"10\",\"provider\":\"Microsoft-Windows-"
            "NetworkDeviceEnrollmentService\"},"
            "\"winlog\":{\"event_id\":\"10\",\"provider_name\":\"Microsoft-Windows-NetworkDeviceEnrollmentService\","
            "\"computer_name\":\"ndes01.corp.example\",\"channel\":\"Application\",\"record_id\":99,"
            "\"event_data\":{\"param1\":\"5\",\"Binary\":\"00\"}},\"host\":{\"name\":\"ndes01\"}}";
        auto e = JsonEventParser::parse(line);
        QVERIFY(e);
        QCOMPARE(e->eventId, 10);
        QCOMPARE(e->level, 3);
        QCOMPARE(e->computer, QStringLiteral("ndes01.corp.example"));
        QCOMPARE(e->recordId, qint64(99));
        QCOMPARE(e->time.toMSecsSinceEpoch() % 1000, qint64(123));
        QCOMPARE(e->dataValue(QStringLiteral("param1")), QStringLiteral("5"));
        QCOMPARE(e->dataValue(QStringLiteral("Message")), QStringLiteral("The password cache is full."));
        // Older Winlogbeat sends the ID as a number.
        auto n = JsonEventParser::parse("{\"winlog\":{\"event_id\":49,\"provider_name\":\"P\"}}");
        QVERIFY(n);
        QCOMPARE(n->eventId, 49);
    }

    void ownShapeRoundTrips() {
        EventRecord e;
        e.time = QDateTime(QDate(2026, 11, 25), QTime(9, 0, 0, 5), Qt::UTC);
        e.level = 2;
        e.provider = QStringLiteral("Microsoft-Windows-NetworkDeviceEnrollmentService");
        e.eventId = 28;
        e.computer = QStringLiteral("NDES01");
        e.channel = QStringLiteral("Application");
        e.recordId = 7;
        e.data = {{QStringLiteral("Data1"), QStringLiteral("\"quoted\" \\ ünï")}};
        auto back = JsonEventParser::parse(QJsonDocument(eventToJson(e)).toJson(QJsonDocument::Compact));
        QVERIFY(back);
        QCOMPARE(back->time, e.time);
        QCOMPARE(back->eventId, 28);
        QCOMPARE(back->data, e.data);
        QCOMPARE(back->recordId, qint64(7));
    }

    void hostileLines_data() {
        QTest::addColumn<QByteArray>("line");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("not json") << QByteArray("<13>1 - - - - - - hello");
        QTest::newRow("array") << QByteArray("[1,2,3]");
        QTest::newRow("no id") << QByteArray("{\"SourceName\":\"X\"}");
        QTest::newRow("id not a number") << QByteArray("{\"EventID\":\"abc\",\"SourceName\":\"X\"}");
        QTest::newRow("unknown shape") << QByteArray("{\"hello\":\"world\"}");
        QTest::newRow("invalid utf-8") << QByteArray("{\"EventID\":1,\"SourceName\":\"\xC3\x28\xFF\"}");
        QTest::newRow("deep nesting") << QByteArray(100000, '[') + QByteArray(100000, ']');
        QTest::newRow("over 1 MB") << QByteArray("{\"EventID\":1,\"SourceName\":\"X\",\"Data1\":\"") +
                                          QByteArray(JsonEventParser::maxLineBytes, 'a') + QByteArray("\"}");
        QTest::newRow("truncated") << QByteArray("{\"EventID\":1,\"SourceName\":\"X");
    }
    void hostileLines() {
        QFETCH(QByteArray, line);
        auto e = JsonEventParser::parse(line);
        // Invalid UTF-8 is replaced, not fatal; everything else is refused with a message.
        if (QTest::currentDataTag() == QByteArray("invalid utf-8")) {
            QVERIFY(e);
            QCOMPARE(e->eventId, 1);
            return;
        }
        QVERIFY(!e);
        QVERIFY(!e.error().message.isEmpty());
    }

    // A 2 GB line (streamed in 4 MB pieces, as a socket would deliver it) is dropped and counted; memory stays at
    // one piece; the next line still arrives. Same for the syslog framer.
    void twoGigabyteLine() {
        const QByteArray piece(4 * 1024 * 1024, 'x');
        LineFramer lines(JsonEventParser::maxLineBytes);
        SyslogFramer syslog;
        for (int i = 0; i < 512; ++i) {
            QVERIFY(lines.feed(piece).isEmpty());
            QVERIFY(syslog.feed(piece).isEmpty());
        }
        const QList<QByteArray> after = lines.feed(QByteArray("tail\n{\"EventID\":2,\"SourceName\":\"X\"}\n"));
        QCOMPARE(after.size(), 1);
        QVERIFY(JsonEventParser::parse(after.first()));
        QCOMPARE(lines.dropped(), 1);
        const QList<QByteArray> s = syslog.feed(QByteArray("tail\n<13>1 - h app - 10 - ok\n"));
        QCOMPARE(s.size(), 1);
        QCOMPARE(syslog.dropped(), 1);
    }

    void framerKeepsPartialLines() {
        LineFramer f(100);
        QVERIFY(f.feed("{\"a\":").isEmpty());
        const auto out = f.feed("1}\r\n\n{\"b\":2}\n{\"c\"");
        QCOMPARE(out, (QList<QByteArray>{"{\"a\":1}", "{\"b\":2}"}));
        QCOMPARE(f.feed(":3}\n"), QList<QByteArray>{"{\"c\":3}"});
    }
};

QTEST_GUILESS_MAIN(TestEventJson)
#include "TestEventJson.moc"
