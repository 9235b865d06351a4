// SPDX-License-Identifier: Apache-2.0
// Syslog as forwarders send Windows events: RFC 5424 and 3164, TCP framing, embedded Event XML, hostile input.
#include "events/Syslog.h"

#include <QtTest>

using namespace ndes::events;

class TestSyslog : public QObject {
    Q_OBJECT

private slots:
    void rfc5424WithStructuredData() {
        const QByteArray msg =
            "<11>1 2026-11-25T08:15:02.123+01:00 NDES01.corp.example NetworkDeviceEnrollmentService "
            "4120 - [ndes@32473 EventID=\"31\" Level=\"2\" Note=\"a \\] b\"][x@1 y=\"z\"] \xEF\xBB\xBF"
            "cannot submit";
        auto m = SyslogParser::parse(msg);
        QVERIFY2(m, m ? "" : qPrintable(m.error().message));
        QCOMPARE(m->version, 1);
        QCOMPARE(m->facility, 1);
        QCOMPARE(m->severity, 3);
        QCOMPARE(m->time, QDateTime(QDate(2026, 11, 25), QTime(7, 15, 2, 123), Qt::UTC));
        QCOMPARE(m->host, QStringLiteral("NDES01.corp.example"));
        QCOMPARE(m->appName, QStringLiteral("NetworkDeviceEnrollmentService"));
        QCOMPARE(m->procId, QStringLiteral("4120"));
        QVERIFY(m->msgId.isEmpty());
        QVERIFY(m->structuredData.endsWith(QStringLiteral("[x@1 y=\"z\"]")));
        QCOMPARE(m->message, QStringLiteral("cannot submit"));
        const EventRecord e = m->toEvent();
        QCOMPARE(e.eventId, 31);
        QCOMPARE(e.level, 2);
        QVERIFY(isNdesProvider(e.provider));
    }

    void rfc3164() {
        auto m = SyslogParser::parse("<14>Nov  5 08:15:02 ndes01 MSWinEventLog[123]: hello world");
        QVERIFY(m);
        QCOMPARE(m->version, 0);
        QCOMPARE(m->severity, 6);
        QCOMPARE(m->host, QStringLiteral("ndes01"));
        QCOMPARE(m->appName, QStringLiteral("MSWinEventLog"));
        QCOMPARE(m->procId, QStringLiteral("123"));
        QCOMPARE(m->message, QStringLiteral("hello world"));
        QCOMPARE(m->time.time(), QTime(8, 15, 2));
        QCOMPARE(m->time.date().day(), 5);
    }

    void embeddedEventXmlWins() {
        const QByteArray msg =
            "<11>1 2026-11-25T08:15:02Z NDESLAB NetworkDeviceEnrollmentService 1 - - <Event "
            "xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider "
            "Name='Microsoft-Windows-NetworkDeviceEnrollmentService'/><EventID>10</EventID><Level>2</Level>"
            "<TimeCreated SystemTime='2026-11-25T08:15:01.000Z'/><Computer>NDESLAB.lab.example</Computer></System>"
            "<EventData><Data Name='ErrorCode'>0x800b0101</Data></EventData></Event>";
        auto m = SyslogParser::parse(msg);
        QVERIFY(m);
        const EventRecord e = m->toEvent();
        QCOMPARE(e.eventId, 10);
        QCOMPARE(e.computer, QStringLiteral("NDESLAB.lab.example"));
        QCOMPARE(e.dataValue(QStringLiteral("ErrorCode")), QStringLiteral("0x800b0101"));
    }

    void notSyslog_data() {
        QTest::addColumn<QByteArray>("msg");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("no pri") << QByteArray("hello");
        QTest::newRow("pri too big") << QByteArray("<999>1 - - - - - -");
        QTest::newRow("pri not a number") << QByteArray("<ab>x");
        QTest::newRow("5424 cut short") << QByteArray("<11>1 2026-11-25T08:15:02Z host");
        QTest::newRow("bad timestamp") << QByteArray("<11>1 yesterday host app - - - msg");
        QTest::newRow("bad sd") << QByteArray("<11>1 - host app - - {x} msg");
        QTest::newRow("over 64 KB") << (QByteArray("<11>1 - h a - - - ") + QByteArray(70000, 'x'));
    }
    void notSyslog() {
        QFETCH(QByteArray, msg);
        QVERIFY(!SyslogParser::parse(msg));
    }

    void tcpFramingOctetCountingAndNewlines() {
        SyslogFramer f;
        const QByteArray a = "<14>1 - h app - - - first";
        const QByteArray b = "<14>Nov 25 08:00:00 h app: second\n";
        QByteArray stream = QByteArray::number(a.size()) + ' ' + a + b;
        QList<QByteArray> out;
        for (char c : stream) // one byte at a time: frames may arrive in any pieces
            out += f.feed(QByteArray(1, c));
        QCOMPARE(out.size(), 2);
        QCOMPARE(out[0], a);
        QCOMPARE(out[1], b.chopped(1));
        QCOMPARE(f.dropped(), 0);
    }

    void oversizedFramesAreDroppedAndTheStreamRecovers() {
        SyslogFramer f;
        // A newline-framed line of 256 MB (a 2 GB one behaves the same; memory stays bounded by the 64 KB limit).
        const QByteArray chunk(1024 * 1024, 'x');
        QList<QByteArray> out;
        for (int i = 0; i < 256; ++i)
            out += f.feed(chunk);
        out += f.feed("\n<14>1 - h app - - - after\n");
        QCOMPARE(f.dropped(), 1);
        QCOMPARE(out.size(), 1);
        QCOMPARE(out[0], QByteArray("<14>1 - h app - - - after"));
        // An octet count beyond the limit.
        SyslogFramer g;
        const QByteArray ok = "<14>1 - h a - - - fine";
        const QList<QByteArray> got =
            g.feed("99999999 <14>1 - h a - - - x\n" + QByteArray::number(ok.size()) + ' ' + ok);
        QCOMPARE(g.dropped(), 1);
        QCOMPARE(got, QList<QByteArray>{ok});
    }
};

QTEST_GUILESS_MAIN(TestSyslog)
#include "TestSyslog.moc"
