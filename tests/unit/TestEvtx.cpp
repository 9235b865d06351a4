// SPDX-License-Identifier: Apache-2.0
// The EVTX reader on real Windows logs (tests/data/evtx, from ../shared/realworld), cross-checked record by record
// against libevtx's own evtxexport and against python-evtx, an independent implementation; damaged copies read as
// far as possible without a crash.
#include "events/EventFileReader.h"
#include "events/EventStore.h"
#include "events/EventXmlReader.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace ndes;
using namespace ndes::events;

namespace {

QString dataDir() {
    return qEnvironmentVariable("NDES_TEST_DATA") + QStringLiteral("/evtx");
}

struct Read {
    QList<EventRecord> events;
    EventReadSummary summary;
    QString error;
};

Read readAll(const QString& path) {
    Read r;
    EvtxReader reader;
    auto res = reader.read(path, [&](EventRecord&& e) {
        r.events << std::move(e);
        return true;
    });
    if (res)
        r.summary = *res;
    else
        r.error = res.error().toString();
    return r;
}

QByteArray run(const QString& program, const QStringList& args) {
    QProcess p;
    p.start(program, args);
    if (!p.waitForFinished(120000))
        return {};
    return p.readAllStandardOutput();
}

struct Reference {
    qint64 number = 0;
    QString time; // to the millisecond, "yyyy-MM-ddTHH:mm:ss.zzz"
    int level = -1;
    QString computer, provider;
    int id = -1;
};

// evtxexport's text output, one block per record ("Event number", "Written time", ...).
QList<Reference> evtxexport(const QString& path) {
    const QString text =
        QString::fromUtf8(run(QStringLiteral("evtxexport"), {QStringLiteral("-m"), QStringLiteral("all"), path}));
    QList<Reference> out;
    Reference cur;
    bool open = false;
    static const QRegularExpression line(QStringLiteral("^([A-Za-z ]+?)\\s*:\\s?(.*)$"));
    for (const QString& l : text.split(QLatin1Char('\n'))) {
        const auto m = line.match(l);
        if (!m.hasMatch())
            continue;
        const QString key = m.captured(1).trimmed();
        const QString value = m.captured(2).trimmed();
        if (key == QLatin1String("Event number")) {
            if (open)
                out << cur;
            cur = Reference();
            open = true;
            cur.number = value.toLongLong();
        } else if (key == QLatin1String("Written time")) {
            // "Jul 12, 2017 17:16:28.214161600 UTC"
            const QDateTime t = QDateTime::fromString(value.left(value.indexOf(QLatin1Char('.')) + 4),
                                                      QStringLiteral("MMM d, yyyy HH:mm:ss.zzz"));
            cur.time = t.toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzz"));
        } else if (key == QLatin1String("Event level")) {
            cur.level = value.mid(value.lastIndexOf(QLatin1Char('(')) + 1).chopped(1).toInt();
        } else if (key == QLatin1String("Computer name")) {
            cur.computer = value;
        } else if (key == QLatin1String("Source name")) {
            cur.provider = value;
        } else if (key == QLatin1String("Event identifier")) {
            cur.id = int(value.mid(value.lastIndexOf(QLatin1Char('(')) + 1).chopped(1).toLongLong() & 0xFFFF);
        }
    }
    if (open)
        out << cur;
    return out;
}

QString ms(const EventRecord& e) {
    return e.time.toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzz"));
}

} // namespace

class TestEvtx : public QObject {
    Q_OBJECT
private slots:
    void againstEvtxexport_data() {
        QTest::addColumn<QString>("file");
        for (const QString& f : QDir(dataDir()).entryList({QStringLiteral("*.evtx")}, QDir::Files, QDir::Name)) {
            // evtxexport -m all stops after 89 of this CAPI2 log's 459 records and python-evtx gives up on it:
            // no reference to compare with here. Its records are checked in capi2UserData.
            if (f.contains(QLatin1String("CAPI2")))
                continue;
            QTest::newRow(qPrintable(f)) << f;
        }
    }
    void againstEvtxexport() {
        QFETCH(QString, file);
        const QString path = dataDir() + QLatin1Char('/') + file;
        const Read ours = readAll(path);
        QVERIFY2(ours.error.isEmpty(), qPrintable(ours.error));
        const QList<Reference> ref = evtxexport(path);
        QVERIFY2(!ref.isEmpty(), "evtxexport printed nothing (is libevtx-utils installed?)");
        QCOMPARE(ours.events.size(), ref.size());
        for (int i = 0; i < ref.size(); ++i) {
            const EventRecord& e = ours.events.at(i);
            const Reference& r = ref.at(i);
            const QByteArray where = QStringLiteral("%1 record #%2").arg(file).arg(i).toUtf8();
            QVERIFY2(e.recordId == r.number, where.constData());
            QVERIFY2(ms(e) == r.time, (where + ' ' + ms(e).toUtf8() + " != " + r.time.toUtf8()).constData());
            QVERIFY2(e.eventId == r.id, where.constData());
            QVERIFY2(e.level == r.level, where.constData());
            // evtxexport's "source name" is the EventSourceName attribute when there is one, else the provider's Name.
            QVERIFY2(e.provider == r.provider ||
                         e.rawXml.contains(QStringLiteral("EventSourceName=\"%1\"").arg(r.provider)),
                     (where + ' ' + e.provider.toUtf8()).constData());
            QVERIFY2(e.computer == r.computer, where.constData());
        }
    }

    void againstPythonEvtx_data() { againstEvtxexport_data(); }
    void againstPythonEvtx() {
        QFETCH(QString, file);
        if (!QFile::exists(QStringLiteral("/usr/bin/python3")))
            QSKIP("/usr/bin/python3 is missing");
        const QString path = dataDir() + QLatin1Char('/') + file;
        const Read ours = readAll(path);
        const QByteArray out =
            run(QStringLiteral("/usr/bin/python3"), {QStringLiteral(NDES_TEST_SUPPORT_DIR "/evtx_dump.py"), path});
        const QList<QByteArray> lines = out.trimmed().split('\n');
        QVERIFY2(!out.isEmpty(), "python-evtx printed nothing (is python3-evtx installed?)");
        // python-evtx reads the allocated records only: they come first in ours.
        QCOMPARE(qint64(lines.size()), ours.summary.records - ours.summary.recovered);
        for (int i = 0; i < lines.size(); ++i) {
            const QJsonObject o = QJsonDocument::fromJson(lines.at(i)).object();
            const EventRecord& e = ours.events.at(i);
            const QByteArray where = QStringLiteral("%1 record #%2").arg(file).arg(i).toUtf8();
            QVERIFY2(e.recordId == o.value(QLatin1String("record")).toInteger(), where.constData());
            // python-evtx goes through a float: 34.346000 can come out as 34.345999.
            const QDateTime pyTime =
                QDateTime::fromString(o.value(QLatin1String("time")).toString() + QLatin1Char('Z'), Qt::ISODateWithMs);
            QVERIFY2(qAbs(pyTime.toMSecsSinceEpoch() - e.time.toMSecsSinceEpoch()) <= 1, where.constData());
            QVERIFY2(e.eventId == o.value(QLatin1String("id")).toInt(), where.constData());
            QVERIFY2(e.provider == o.value(QLatin1String("provider")).toString(), where.constData());
            QVERIFY2(e.computer == o.value(QLatin1String("computer")).toString(), where.constData());
        }
    }

    void fieldsOfAKnownRecord() {
        const Read r = readAll(dataDir() + QStringLiteral("/system.evtx"));
        QCOMPARE(r.events.size(), 1881);
        const EventRecord& first = r.events.first();
        QCOMPARE(first.eventId, 6009);
        QCOMPARE(first.provider, QStringLiteral("EventLog"));
        QCOMPARE(first.channel, QStringLiteral("System"));
        QCOMPARE(first.computer, QStringLiteral("WIN-P4SIAA0SQCO"));
        QCOMPARE(first.level, 4);
        QCOMPARE(first.time.toString(Qt::ISODateWithMs), QStringLiteral("2017-07-12T17:16:28.214Z"));
        QCOMPARE(first.data.size(), 5);
        QCOMPARE(first.data.at(3).second, QStringLiteral("Multiprocessor Free"));
        QVERIFY(first.rawXml.contains(QLatin1String("<EventRecordID>1</EventRecordID>")));
        // This System log was copied from a running machine: dirty, and said so.
        // libevtx finds this System log damaged: it announces 1960 records, 79 of them unreadable (evtxexport and
        // python-evtx also give 1881). Said, not hidden.
        QVERIFY(r.summary.damaged);
        QCOMPARE(r.summary.unreadable, qint64(79));
        QVERIFY(r.summary.problems.join(QLatin1Char(' ')).contains(QLatin1String("79 record(s) could not be read")));
    }

    // A real CAPI2 operational log: its data is in <UserData>, not <EventData> (walk-through, issue 15 item 6).
    void capi2UserData() {
        const Read r =
            readAll(dataDir() + QStringLiteral("/E_ShadowCopy6_windows_system32_winevt_logs_Microsoft-Windows-CAPI2-"
                                               "Operational.evtx"));
        QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
        QVERIFY(r.events.size() >= 89);
        int withoutData = 0;
        for (const EventRecord& e : r.events)
            if (e.data.isEmpty() || userDataRoot(e).isEmpty())
                ++withoutData;
        QCOMPARE(withoutData, 0);

        // Record 466 as evtxexport -f xml prints it: CertGetCertificateChain with a three-element chain.
        const auto it =
            std::find_if(r.events.begin(), r.events.end(), [](const EventRecord& e) { return e.recordId == 466; });
        QVERIFY(it != r.events.end());
        const EventRecord& e = *it;
        QCOMPARE(e.eventId, 11);
        QCOMPARE(userDataRoot(e), QStringLiteral("CertGetCertificateChain"));
        QCOMPARE(e.dataValue(QStringLiteral("CertGetCertificateChain/ValidationTime")),
                 QStringLiteral("2016-03-03T03:57:47Z"));
        QCOMPARE(e.dataValue(QStringLiteral("CertGetCertificateChain/Certificate/@subjectName")),
                 QStringLiteral("Microsoft Corporation"));
        QCOMPARE(e.dataValue(QStringLiteral("CertGetCertificateChain/AdditionalStore/Certificate[2]/@subjectName")),
                 QStringLiteral("Microsoft Code Signing PCA"));
        QCOMPARE(e.dataValue(QStringLiteral("CertGetCertificateChain/Flags/@value")), QStringLiteral("48000001"));
        QCOMPARE(e.dataValue(QStringLiteral("CertGetCertificateChain/CertificateChain/ChainElement[3]/TrustStatus/"
                                            "InfoStatus/@CERT_TRUST_IS_SELF_SIGNED")),
                 QStringLiteral("true"));
        QCOMPARE(e.dataValue(QStringLiteral("CertGetCertificateChain/EventAuxInfo/@ProcessName")),
                 QStringLiteral("Setup.exe"));
        int stores = 0;
        for (const auto& [name, value] : e.data)
            if (name.startsWith(QLatin1String("CertGetCertificateChain/AdditionalStore/Certificate")) &&
                name.endsWith(QLatin1String("/@subjectName")))
                ++stores;
        QCOMPARE(stores, 4);
        QCOMPARE(fieldLabel(QStringLiteral("CertGetCertificateChain/Flags/@value")), QStringLiteral("Flags"));
        QCOMPARE(fieldLabel(QStringLiteral("CertGetCertificateChain/Certificate/@subjectName")),
                 QStringLiteral("Certificate · subjectName"));
        QCOMPARE(fieldLabel(QStringLiteral("CertGetCertificateChain/ValidationTime")),
                 QStringLiteral("ValidationTime"));

        // The XML rebuilt from the fields (what the page shows and exports) reads back to the same fields, for every
        // record, and keeps the tree: the chain's elements, their order, empty elements.
        for (const EventRecord& ev : r.events) {
            const QString xml = toEventXml(ev);
            const EventXmlResult back = EventXmlReader::parseEvent(xml.toUtf8(), false);
            QVERIFY2(back.error.isEmpty(), qPrintable(back.error));
            QCOMPARE(back.events.size(), 1);
            QCOMPARE(back.events.first().data, ev.data);
        }
        const QString xml = toEventXml(e);
        QVERIFY(xml.contains(QLatin1String("<UserData>")));
        QVERIFY(xml.contains(QLatin1String("<IssuanceUsage></IssuanceUsage>")) ||
                xml.contains(QLatin1String("<IssuanceUsage/>")));
        QCOMPARE(xml.count(QLatin1String("<ChainElement>")), 3);
        QVERIFY(!xml.contains(QLatin1String("<EventData")));
    }

    void recoveredRecordsOfADirtyLog() {
        const Read r = readAll(dataDir() + QStringLiteral("/sample-with-zero-data-size-event.evtx"));
        QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
        QCOMPARE(r.summary.records, qint64(449));
        QCOMPARE(r.summary.recovered, qint64(449 - 335));
    }

    // Damaged copies: truncated, bytes flipped in the chunks, header zeroed. Each reads as far as it can, or says
    // why not; none crashes or hangs (ASan/UBSan run this too).
    void damagedCopies() {
        QFile src(dataDir() + QStringLiteral("/system.evtx"));
        QVERIFY(src.open(QIODevice::ReadOnly));
        const QByteArray original = src.readAll();
        QTemporaryDir dir;
        auto write = [&](const QString& name, const QByteArray& bytes) {
            QFile f(dir.filePath(name));
            (void)f.open(QIODevice::WriteOnly);
            f.write(bytes);
            return f.fileName();
        };
        const Read truncated = readAll(write(QStringLiteral("truncated.evtx"), original.left(original.size() / 2)));
        QVERIFY(truncated.error.isEmpty());
        QVERIFY(truncated.events.size() > 100);
        QVERIFY(truncated.events.size() < 1881);

        QRandomGenerator rng(20261125);
        for (int round = 0; round < 12; ++round) {
            QByteArray flipped = original;
            for (int k = 0; k < 200; ++k) {
                const auto at = 4096 + qsizetype(rng.bounded(quint32(flipped.size() - 4096)));
                flipped[at] = char(rng.bounded(256));
            }
            const Read r = readAll(write(QStringLiteral("flipped%1.evtx").arg(round), flipped));
            QVERIFY(r.events.size() <= 1881 + 2000);
            if (r.error.isEmpty())
                QVERIFY(r.summary.records == r.events.size());
        }

        QByteArray header = original;
        std::fill(header.begin() + 8, header.begin() + 4096, '\0');
        const Read zeroed = readAll(write(QStringLiteral("zeroed.evtx"), header));
        QVERIFY(zeroed.error.isEmpty() || zeroed.events.isEmpty());

        const Read garbage =
            readAll(write(QStringLiteral("garbage.evtx"), QByteArray("ElfFile\0", 8) + QByteArray(70000, 'A')));
        QVERIFY(garbage.events.isEmpty());

        const Read empty = readAll(write(QStringLiteral("empty.evtx"), QByteArray()));
        QVERIFY(!empty.error.isEmpty());
        QVERIFY2(empty.error.contains(QLatin1String("cannot be")), qPrintable(empty.error));
    }

    void readerChosenByContent() {
        QTemporaryDir dir;
        QFile xml(dir.filePath(QStringLiteral("events.evtx"))); // the name lies; the content decides
        QVERIFY(xml.open(QIODevice::WriteOnly));
        xml.write(
            "\xEF\xBB\xBF<Events><Event><System><Provider Name='P'/><EventID>7</EventID></System></Event></Events>");
        xml.close();
        Error why;
        auto reader = EventFileReader::forFile(xml.fileName(), &why);
        QVERIFY(reader);
        QCOMPARE(reader->format(), QStringLiteral("xml"));
        int n = 0;
        QVERIFY(reader->read(xml.fileName(), [&](EventRecord&& e) { return ++n, e.eventId == 7; }));
        QCOMPARE(n, 1);
        QCOMPARE(EventFileReader::forFile(dataDir() + QStringLiteral("/system.evtx"))->format(),
                 QStringLiteral("evtx"));
        QVERIFY(!EventFileReader::forFile(dataDir() + QStringLiteral("/LICENSE-MIT"), &why));
        QVERIFY(why.message.contains(QLatin1String("neither an EVTX")));
        QVERIFY(!EventFileReader::forFile(dir.filePath(QStringLiteral("missing.evtx")), &why));
        QCOMPARE(why.kind, ErrorKind::Io);
    }

    void sinkCanStopEarly() {
        EvtxReader reader;
        int n = 0;
        auto r = reader.read(dataDir() + QStringLiteral("/system.evtx"), [&](EventRecord&&) { return ++n < 10; });
        QVERIFY(r);
        QCOMPARE(n, 10);
    }
};

QTEST_GUILESS_MAIN(TestEvtx)
#include "TestEvtx.moc"
