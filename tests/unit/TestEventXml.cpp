// SPDX-License-Identifier: Apache-2.0
// Windows Event XML as wevtutil and Event Viewer write it, hostile XML refused, and the event catalogue.
#include "events/EventCatalogue.h"
#include "events/EventStore.h"
#include "events/EventXmlReader.h"

#include <QStringEncoder>
#include <QtTest>

using namespace ndes::events;

namespace {

const char* const ndes31 =
    "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
    "<Provider Name='Microsoft-Windows-NetworkDeviceEnrollmentService' Guid='{73144342-19d1-47a4-94de-d38e6a054ad5}'/>"
    "<EventID>31</EventID><Version>0</Version><Level>2</Level><Task>0</Task><Opcode>0</Opcode>"
    "<Keywords>0x80000000000000</Keywords><TimeCreated SystemTime='2026-11-25T08:15:02.1234567Z'/>"
    "<EventRecordID>4711</EventRecordID><Correlation/><Execution ProcessID='4120' ThreadID='5532'/>"
    "<Channel>Application</Channel><Computer>NDES01.corp.example</Computer><Security/></System>"
    "<EventData><Data Name='ErrorCode'>0x80094800</Data><Data Name='ErrorMessage'>The requested certificate "
    "template is not supported by this CA. &amp; more</Data></EventData></Event>";

const char* const other1000 =
    "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Application "
    "Error'/><EventID Qualifiers='0'>1000</EventID><Level>2</Level><TimeCreated "
    "SystemTime='2026-11-25T08:16:00.000Z'/><EventRecordID>4712</EventRecordID><Channel>Application</Channel>"
    "<Computer>NDES01.corp.example</Computer></System><EventData><Data>w3wp.exe</Data><Data>10.0.20348.1</Data>"
    "</EventData></Event>";

} // namespace

class TestEventXml : public QObject {
    Q_OBJECT

private slots:
    void wevtutilStreamWithoutRoot() {
        const QByteArray xml = QByteArray(ndes31) + "\r\n" + other1000 + "\r\n";
        const EventXmlResult r = EventXmlReader::parse(xml);
        QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
        QCOMPARE(r.events.size(), 2);
        const EventRecord& e = r.events[0];
        QCOMPARE(e.eventId, 31);
        QVERIFY(isNdesProvider(e.provider));
        QCOMPARE(e.level, 2);
        QCOMPARE(e.time, QDateTime(QDate(2026, 11, 25), QTime(8, 15, 2, 123), Qt::UTC));
        QCOMPARE(e.recordId, 4711);
        QCOMPARE(e.computer, QStringLiteral("NDES01.corp.example"));
        QCOMPARE(e.channel, QStringLiteral("Application"));
        QCOMPARE(e.dataValue(QStringLiteral("ErrorCode")), QStringLiteral("0x80094800"));
        QVERIFY(e.dataValue(QStringLiteral("ErrorMessage")).endsWith(QStringLiteral("& more")));
        QVERIFY(e.rawXml.startsWith(QStringLiteral("<Event ")));
        QVERIFY(e.rawXml.endsWith(QStringLiteral("</Event>")));
        QCOMPARE(r.events[1].eventId, 1000);
        QCOMPARE(r.events[1].dataValue(QStringLiteral("Data1")), QStringLiteral("w3wp.exe"));
        QCOMPARE(r.events[1].dataValue(QStringLiteral("Data2")), QStringLiteral("10.0.20348.1"));
    }

    void eventViewerSaveAsXmlInUtf16() {
        const QString doc = QStringLiteral("<?xml version=\"1.0\" encoding=\"UTF-16\"?>\r\n<Events>") +
                            QString::fromUtf8(ndes31) + QString::fromUtf8(other1000) + QStringLiteral("</Events>");
        auto encoder = QStringEncoder(QStringConverter::Utf16LE);
        const QByteArray bytes = QByteArray("\xFF\xFE") + QByteArray(encoder.encode(doc));
        const EventXmlResult r = EventXmlReader::parse(bytes);
        QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
        QCOMPARE(r.events.size(), 2);
        QCOMPARE(r.events[0].eventId, 31);
    }

    void brokenFileGivesWhatCameBefore() {
        const QByteArray xml = QByteArray(ndes31) + QByteArray(other1000).left(200);
        const EventXmlResult r = EventXmlReader::parse(xml);
        QCOMPARE(r.events.size(), 1);
        QVERIFY(r.error.contains(QStringLiteral("breaks at line")));
        QVERIFY(r.error.contains(QStringLiteral("1 event(s) before it")));
    }

    void hostileInput_data() {
        QTest::addColumn<QByteArray>("xml");
        QTest::newRow("billion laughs") << QByteArray(
            "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 "
            "\"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]><Event><System><EventID>&lol2;</EventID>"
            "</System></Event>");
        QTest::newRow("external entity") << QByteArray(
            "<!DOCTYPE x [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><Event><System><EventID>1</EventID>"
            "<Computer>&xxe;</Computer></System></Event>");
        QTest::newRow("invalid utf-8") << QByteArray(
            "<Event><System><EventID>1\xC3\x28\xFF</EventID></System></Event>");
        QTest::newRow("not xml") << QByteArray("\x00\x01\x02garbage", 10);
        QTest::newRow("deep nesting") << QByteArray(20000, '<');
        QTest::newRow("no event id") << QByteArray("<Event><System><Provider Name='x'/></System></Event>");
    }
    void hostileInput() {
        QFETCH(QByteArray, xml);
        const EventXmlResult r = EventXmlReader::parse(xml);
        for (const EventRecord& e : r.events) {
            QVERIFY(!e.computer.contains(QStringLiteral("root:")));
            QVERIFY(e.eventId >= 0);
        }
        if (xml.contains("<!DOCTYPE"))
            QVERIFY(r.error.contains(QStringLiteral("Refused")));
    }

    // UserData from a hostile source: nesting far past the limit, a flood of attributes, names that are not XML
    // names once rebuilt. Bounded, marked as cut, and the rebuilt XML is always well formed.
    void hostileUserData() {
        QByteArray deep = "<Event><System><EventID>1</EventID></System><UserData><Root>";
        for (int i = 0; i < 5000; ++i)
            deep += "<a x='1'>";
        deep += "v";
        for (int i = 0; i < 5000; ++i)
            deep += "</a>";
        deep += "</Root></UserData></Event>";
        EventXmlResult r = EventXmlReader::parse(deep);
        QCOMPARE(r.events.size(), 1);
        QVERIFY(r.events.first().data.size() <= EventXmlReader::maxUserDataDepth + 1);
        QVERIFY(r.events.first().data.last().second.contains(QLatin1String("[cut:")));
        QVERIFY(!userDataRoot(r.events.first()).isEmpty());

        QByteArray wide = "<Event><System><EventID>2</EventID></System><UserData><Root>";
        for (int i = 0; i < 10000; ++i)
            wide += "<f n='" + QByteArray::number(i) + "'/>";
        wide += "</Root></UserData></Event>";
        r = EventXmlReader::parse(wide);
        QCOMPARE(r.events.size(), 1);
        QCOMPARE(r.events.first().data.size(), EventXmlReader::maxUserDataFields);
        QVERIFY(r.events.first().data.last().second.contains(QLatin1String("[cut:")));
        QCOMPARE(r.events.first().dataValue(QStringLiteral("Root/f[2]/@n")), QStringLiteral("1"));

        for (const auto& fields : QList<QList<QPair<QString, QString>>>{
                 {{QStringLiteral("a/b c"), QStringLiteral("1")}},
                 {{QStringLiteral("a/@x/y"), QStringLiteral("1")}},
                 {{QStringLiteral("a/b[1]"), QStringLiteral("1")}},
                 {{QStringLiteral("a/b"), QStringLiteral("1")}, {QStringLiteral("z/b"), QStringLiteral("2")}},
                 {{QStringLiteral("a/<b>"), QStringLiteral("1")}},
                 {{QStringLiteral("/"), QStringLiteral("1")}},
                 {{QStringLiteral("a//b"), QStringLiteral("1")}}}) {
            EventRecord e;
            e.eventId = 3;
            e.data = fields;
            QVERIFY(userDataRoot(e).isEmpty()); // not readUserData's paths: written back as EventData
            const EventXmlResult back = EventXmlReader::parseEvent(toEventXml(e).toUtf8(), false);
            QVERIFY2(back.error.isEmpty(), qPrintable(back.error));
            QCOMPARE(back.events.first().data, fields);
        }
        // An attribute after content (not what readUserData writes, but EventData names may look like paths): still
        // well formed, and stable once rebuilt.
        for (const auto& fields : QList<QList<QPair<QString, QString>>>{
                 {{QStringLiteral("R/a"), QStringLiteral("text")}, {QStringLiteral("R/a/@x"), QStringLiteral("1")}},
                 {{QStringLiteral("R/A/B"), QStringLiteral("1")}, {QStringLiteral("R/A/@x"), QStringLiteral("2")}},
                 {{QStringLiteral("R/A"), QStringLiteral("1")}, {QStringLiteral("R/A"), QStringLiteral("2")}}}) {
            EventRecord e;
            e.eventId = 4;
            e.data = fields;
            QCOMPARE(userDataRoot(e), fields.first().first.section(QLatin1Char('/'), 0, 0));
            const EventXmlResult back = EventXmlReader::parseEvent(toEventXml(e).toUtf8(), false);
            QVERIFY2(back.error.isEmpty(), qPrintable(back.error));
            const EventXmlResult again = EventXmlReader::parseEvent(toEventXml(back.events.first()).toUtf8(), false);
            QCOMPARE(again.events.first().data, back.events.first().data);
        }

        // Paths repeat in every field: long names at depth would multiply the input. Names over 255 characters are
        // left out, and an event's fields stop at a budget of characters.
        QByteArray amplify = "<Event><System><EventID>5</EventID></System><UserData><Root>";
        const QByteArray longName(250, 'n');
        for (int i = 0; i < 30; ++i)
            amplify += "<" + longName + ">";
        for (int i = 0; i < 4000; ++i)
            amplify += "<x a='1' b='2'/>";
        for (int i = 0; i < 30; ++i)
            amplify += "</" + longName + ">";
        amplify += "<" + QByteArray(300, 'z') + " a='1'/></Root></UserData></Event>";
        r = EventXmlReader::parse(amplify);
        QCOMPARE(r.events.size(), 1);
        qint64 chars = 0;
        for (const auto& [k, v] : r.events.first().data) {
            chars += k.size() + v.size();
            QVERIFY(!k.contains(QString(300, QLatin1Char('z'))));
        }
        QVERIFY2(chars <= EventXmlReader::maxUserDataChars + 64, qPrintable(QString::number(chars)));
        QVERIFY(r.events.first().data.last().second.contains(QLatin1String("[cut:")));
    }

    void catalogueKnowsEveryNdesEvent() {
        auto c = EventCatalogue::builtIn();
        QVERIFY2(c, c ? "" : qPrintable(c.error().message));
        const QString ndes = QStringLiteral("Microsoft-Windows-NetworkDeviceEnrollmentService");
        for (int id : {1, 2, 3, 4, 6, 7, 10, 13, 16, 17, 18, 28, 31, 49}) {
            const CatalogueEntry* e = c->find(ndes, id);
            QVERIFY2(e, qPrintable(QString::number(id)));
            QVERIFY(!e->meaning.isEmpty());
            QVERIFY(!e->source.isEmpty());
            // A source the admin can look up, not one of the project's own files (issue 15, item 12).
            QVERIFY2(!e->source.contains(QLatin1String(".md")), qPrintable(e->source));
            if (e->level == QLatin1String("Error"))
                QVERIFY2(!e->fix.isEmpty() && !e->causes.isEmpty(), qPrintable(QString::number(id)));
        }
        // The short provider name some tools use finds the same entry.
        QCOMPARE(c->find(QStringLiteral("NetworkDeviceEnrollmentService"), 10), c->find(ndes, 10));
        QVERIFY(c->find(ndes, 9999) == nullptr);
        QCOMPARE(c->ids(ndes).size(), 14);
        QVERIFY(!EventCatalogue::fromJson("{\"format\": 1, \"events\": [{\"provider\": \"p\", \"id\": 1}]}"));
        // Related sources with a public source: the Intune connector, the Windows SCEP client.
        for (int id : {10010, 10020, 10100, 10102, 10301, 10302, 20100, 20102}) {
            const CatalogueEntry* e = c->find(QStringLiteral("Microsoft Intune Connector"), id);
            QVERIFY2(e && e->source.contains(QLatin1String("Microsoft Learn")), qPrintable(QString::number(id)));
            if (e->level == QLatin1String("Error"))
                QVERIFY(!e->fix.isEmpty());
        }
        QVERIFY(c->find(QStringLiteral("Microsoft-Windows-CertificateServicesClient-CertEnroll"), 86));
    }
};

QTEST_GUILESS_MAIN(TestEventXml)
#include "TestEventXml.moc"
