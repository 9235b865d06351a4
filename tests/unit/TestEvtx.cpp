// SPDX-License-Identifier: Apache-2.0
// Our EVTX reader on real Windows logs (tests/data/evtx, from ../shared/realworld): at least the records the Rust
// evtx crate reads (../shared/realworld/README.md) and never fewer than libevtx, each record ID once; cross-checked
// record by record against libevtx's evtxexport (fields and Event XML) and python-evtx. Damaged copies (bytes
// flipped, cut at every chunk, chunks zeroed) and hand-made hostile chunks (a template that refers to itself, sizes
// that claim 4 GB) give their good records and exact counts of the lost ones, in bounded memory.
#include "events/EventFileReader.h"
#include "events/EventStore.h"
#include "events/EventXmlReader.h"
#include "events/EvtxParser.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <set>

#include <sys/resource.h>

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

Read readAll(const QString& path, int threads = 0) {
    Read r;
    EvtxReader reader;
    reader.setThreads(threads);
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

// What ../shared/realworld/README.md says the Rust evtx crate reads from each file (records parsed).
qint64 rustCount(const QString& file) {
    static const QHash<QString, qint64> counts = {
        {QStringLiteral("sample-with-irregular-bool-values.evtx"), 3028},
        {QStringLiteral("2-vss_7-System.evtx"), 1160},
        {QStringLiteral("E_ShadowCopy6_windows_system32_winevt_logs_Microsoft-Windows-CAPI2-Operational.evtx"), 459},
        {QStringLiteral("Microsoft-Windows-LanguagePackSetup-Operational.evtx"), 17},
        {QStringLiteral("Microsoft-Windows-HelloForBusiness-Operational.evtx"), 6},
        {QStringLiteral("Application_no_crc32.evtx"), 17},
        {QStringLiteral("post-Security.evtx"), 126},
        {QStringLiteral("issue_201.evtx"), 1},
        {QStringLiteral("Security_with_size_t.evtx"), 636},
    };
    return counts.value(file, 0);
}

// evtxexport -f xml, one block per record, by record ID; entities unescaped (libevtx escapes some values and not
// others: `<GPO ID=...>` inside a value comes escaped, a SOAP envelope not).
QString unescaped(QString s) {
    s.replace(QLatin1String("&lt;"), QLatin1String("<"));
    s.replace(QLatin1String("&gt;"), QLatin1String(">"));
    s.replace(QLatin1String("&quot;"), QLatin1String("\""));
    s.replace(QLatin1String("&amp;"), QLatin1String("&"));
    // A value of only a line break: libevtx prints the element empty.
    static const QRegularExpression lineBreakOnly(QStringLiteral("<(\\w+)([^<>]*)>\\n</\\1>"));
    s.replace(lineBreakOnly, QStringLiteral("<\\1\\2/>"));
    return s;
}

QHash<qint64, QString> xmlBlocks(const QString& text) {
    QHash<qint64, QString> out;
    static const QRegularExpression id(QStringLiteral("<EventRecordID>(\\d+)</EventRecordID>"));
    // Blocks end with </Event> and an empty line (values can hold empty lines themselves).
    for (QString block : text.split(QStringLiteral("</Event>\n\n"))) {
        block = block.mid(block.indexOf(QLatin1String("<Event"))) + QStringLiteral("</Event>");
        const auto m = id.match(block);
        if (m.hasMatch() && !out.contains(m.captured(1).toLongLong()))
            out.insert(m.captured(1).toLongLong(), unescaped(block.trimmed()));
    }
    return out;
}

QByteArray fileBytes(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QString writeFile(const QTemporaryDir& dir, const QString& name, const QByteArray& bytes) {
    QFile f(dir.filePath(name));
    if (f.open(QIODevice::WriteOnly))
        f.write(bytes);
    return f.fileName();
}

// The good records of each chunk of a file, parsed one chunk at a time.
std::vector<std::vector<qint64>> idsPerChunk(const QByteArray& file) {
    std::vector<std::vector<qint64>> out;
    for (qsizetype at = evtx::fileHeaderBytes; at < file.size(); at += evtx::chunkBytes) {
        const evtx::ChunkResult r = evtx::parseChunk(reinterpret_cast<const uchar*>(file.constData()) + at,
                                                     std::min<qsizetype>(evtx::chunkBytes, file.size() - at), {});
        std::vector<qint64> ids;
        for (const EventRecord& e : r.records)
            ids.push_back(e.recordId);
        out.push_back(ids);
    }
    return out;
}

std::set<qint64> ids(const Read& r) {
    std::set<qint64> out;
    for (const EventRecord& e : r.events)
        out.insert(e.recordId);
    return out;
}

qint64 peakRssKb() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;
}

// Hand-made EVTX for what no real log shows. Names are written inline, templates defined in the record that first
// uses them, as Windows writes them.
class ChunkWriter {
public:
    enum class Record { Good, SelfReferringTemplate, HugeTemplate, HugeValueCount, HugeRecordSize, HugeString };

    ChunkWriter()
        : m_b(evtx::chunkHeaderBytes, '\0') {}

    void record(quint64 id, quint16 eventId, Record kind) {
        const quint32 start = pos();
        m_b.append("**\0\0", 4);
        u32(0); // size, patched below
        u64(id);
        u64(132000000000000000ULL); // written: 2019
        m_b.append("\x0f\x01\x01\x00", 4);
        u8(0x0c);
        u8(1);
        u32(0x1234);
        const quint32 definition = pos() + 4;
        u32(definition);
        u32(0);                          // next template
        m_b.append(QByteArray(16, 'g')); // GUID
        const quint32 sizeAt = pos();
        u32(0);
        const quint32 bodyStart = pos();
        m_b.append("\x0f\x01\x01\x00", 4);
        open(QStringLiteral("Event"));
        u8(0x02);
        if (kind == Record::SelfReferringTemplate) { // an instance of the template inside itself
            u8(0x0c);
            u8(1);
            u32(0x1234);
            u32(definition);
            u32(0);
        }
        if (kind == Record::HugeString) { // a literal text that claims 65535 characters
            u8(0x05);
            u8(0x01);
            u16(0xFFFF);
            m_b.append("x\0", 2);
        }
        open(QStringLiteral("System"));
        u8(0x02);
        open(QStringLiteral("EventID"));
        u8(0x02);
        u8(0x0d); // substitution 0, UInt16
        u16(0);
        u8(0x06);
        u8(0x04);
        u8(0x04);
        u8(0x04);
        u8(0x00);
        patch(sizeAt, kind == Record::HugeTemplate ? 0xFFFFFFF0u : pos() - bodyStart);
        u32(kind == Record::HugeValueCount ? 0xFFFFFFFFu : 1);
        u16(2);
        u8(0x06);
        u8(0);
        u16(eventId);
        while ((pos() + 4 - start) % 8)
            u8(0);
        const quint32 size = pos() + 4 - start;
        u32(size);
        patch(start + 4, kind == Record::HugeRecordSize ? 0xFFFFFFF0u : size);
    }

    // A record whose one element would expand to gigabytes: a Name made of 244 uses of a 16K-character value, on an
    // element repeated for each of 4096 array items (the security review's case).
    void blowup(quint64 id) {
        const quint32 start = pos();
        m_b.append("**\0\0", 4);
        u32(0);
        u64(id);
        u64(132000000000000000ULL);
        m_b.append("\x0f\x01\x01\x00", 4);
        u8(0x0c);
        u8(1);
        u32(0x5555);
        u32(pos() + 4);
        u32(0);
        m_b.append(QByteArray(16, 'b'));
        const quint32 sizeAt = pos();
        u32(0);
        const quint32 bodyStart = pos();
        m_b.append("\x0f\x01\x01\x00", 4);
        open(QStringLiteral("Event"));
        u8(0x02);
        element(QStringLiteral("EventID"), QString());
        open(QStringLiteral("EventData"));
        u8(0x02);
        open(QStringLiteral("Data"), true);
        u8(0x06);
        inlineName(QStringLiteral("Name"));
        for (int k = 0; k < 244; ++k) {
            u8(0x0d);
            u16(1);
            u8(0x01);
        }
        u8(0x02);
        u8(0x0d); // the content: value 2, an array of strings
        u16(2);
        u8(0x81);
        u8(0x04);
        u8(0x04);
        u8(0x04);
        u8(0x00);
        patch(sizeAt, pos() - bodyStart);
        u32(3);
        u16(2); // 0: the event ID
        u8(0x06);
        u8(0);
        u16(32768); // 1: 16K characters
        u8(0x01);
        u8(0);
        u16(8192); // 2: 4096 empty strings
        u8(0x81);
        u8(0);
        u16(31);
        m_b.append(QByteArray(32768, 'A'));
        m_b.append(QByteArray(8192, '\0'));
        while ((pos() + 4 - start) % 8)
            u8(0);
        const quint32 size = pos() + 4 - start;
        u32(size);
        patch(start + 4, size);
    }

    // A forwarded event (Windows Event Forwarding): the data, and the message as the source computer rendered it.
    void forwarded(quint64 id) {
        const quint32 start = pos();
        m_b.append("**\0\0", 4);
        u32(0);
        u64(id);
        u64(132000000000000000ULL);
        m_b.append("\x0f\x01\x01\x00", 4);
        u8(0x0c);
        u8(1);
        u32(0x4321);
        u32(pos() + 4);
        u32(0);
        m_b.append(QByteArray(16, 'f'));
        const quint32 sizeAt = pos();
        u32(0);
        const quint32 bodyStart = pos();
        m_b.append("\x0f\x01\x01\x00", 4);
        open(QStringLiteral("Event"));
        u8(0x02);
        open(QStringLiteral("System"));
        u8(0x02);
        open(QStringLiteral("Provider"), true);
        attribute(QStringLiteral("Name"), QStringLiteral("Microsoft-Windows-NetworkDeviceEnrollmentService"));
        u8(0x03);
        element(QStringLiteral("EventID"), QString());
        element(QStringLiteral("Level"), QStringLiteral("2"));
        element(QStringLiteral("Channel"), QStringLiteral("ForwardedEvents"));
        element(QStringLiteral("Computer"), QStringLiteral("ndes01.corp.example"));
        u8(0x04);
        open(QStringLiteral("EventData"));
        u8(0x02);
        open(QStringLiteral("Data"), true);
        attribute(QStringLiteral("Name"), QStringLiteral("ErrorCode"));
        u8(0x02);
        literal(QStringLiteral("0x80070057"));
        u8(0x04);
        u8(0x04);
        open(QStringLiteral("RenderingInfo"), true);
        attribute(QStringLiteral("Culture"), QStringLiteral("en-US"));
        u8(0x02);
        element(QStringLiteral("Message"),
                QStringLiteral("The Network Device Enrollment Service cannot retrieve one of its required "
                               "certificates (0x80070057). The parameter is incorrect."));
        element(QStringLiteral("Level"), QStringLiteral("Error"));
        element(QStringLiteral("Task"), QStringLiteral("None"));
        u8(0x04);
        u8(0x04);
        u8(0x00);
        patch(sizeAt, pos() - bodyStart);
        u32(1); // EventID 31, as a value
        u16(2);
        u8(0x06);
        u8(0);
        u16(31);
        while ((pos() + 4 - start) % 8)
            u8(0);
        const quint32 size = pos() + 4 - start;
        u32(size);
        patch(start + 4, size);
    }

    // The chunk: header with its checksums, announcing records first..last, padded to 64 KB.
    QByteArray chunk(quint64 first, quint64 last) {
        QByteArray c = m_b;
        std::memcpy(c.data(), "ElfChnk\0", 8);
        auto put = [&](int at, auto v) {
            std::memcpy(c.data() + at, &v, sizeof v);
        };
        put(8, first);
        put(16, last);
        put(24, first);
        put(32, last);
        put(40, quint32(128));
        put(44, m_lastRecord);
        put(48, quint32(c.size()));
        c.resize(evtx::chunkBytes, '\0');
        put(52, quint32(crc(c.mid(512, m_b.size() - 512))));
        put(124, quint32(crc(c.left(120) + c.mid(128, 384))));
        return c;
    }

    static QByteArray file(const QByteArray& chunks) {
        QByteArray h(evtx::fileHeaderBytes, '\0');
        std::memcpy(h.data(), "ElfFile\0", 8);
        const quint16 count = quint16(chunks.size() / evtx::chunkBytes);
        std::memcpy(h.data() + 16, &count, 2);
        const quint32 headerSize = 128;
        std::memcpy(h.data() + 32, &headerSize, 4);
        const quint16 minor = 1, major = 3, block = 4096;
        std::memcpy(h.data() + 36, &minor, 2);
        std::memcpy(h.data() + 38, &major, 2);
        std::memcpy(h.data() + 40, &block, 2);
        std::memcpy(h.data() + 42, &count, 2);
        const quint32 sum = crc(h.left(120));
        std::memcpy(h.data() + 124, &sum, 4);
        return h + chunks;
    }

private:
    static quint32 crc(const QByteArray& b) {
        quint32 c = 0xFFFFFFFFu;
        for (const char ch : b) {
            c ^= quint8(ch);
            for (int k = 0; k < 8; ++k)
                c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
        }
        return ~c;
    }
    quint32 pos() const { return quint32(m_b.size()); }
    void u8(quint8 v) { m_b.append(char(v)); }
    void u16(quint16 v) { m_b.append(reinterpret_cast<const char*>(&v), 2); }
    void u32(quint32 v) { m_b.append(reinterpret_cast<const char*>(&v), 4); }
    void u64(quint64 v) { m_b.append(reinterpret_cast<const char*>(&v), 8); }
    void patch(quint32 at, quint32 v) { std::memcpy(m_b.data() + at, &v, 4); }
    void literal(const QString& text) {
        u8(0x05);
        u8(0x01);
        u16(quint16(text.size()));
        m_b.append(reinterpret_cast<const char*>(text.utf16()), text.size() * 2);
    }
    void attribute(const QString& name, const QString& value) {
        u8(0x06);
        inlineName(name);
        literal(value);
    }
    // <name>text</name>; an empty text stands for substitution 0.
    void element(const QString& name, const QString& text) {
        open(name);
        u8(0x02);
        if (text.isEmpty()) {
            u8(0x0d);
            u16(0);
            u8(0x06);
        } else {
            literal(text);
        }
        u8(0x04);
    }
    void inlineName(const QString& name) {
        u32(pos() + 4);
        u32(0);
        u16(0);
        u16(quint16(name.size()));
        m_b.append(reinterpret_cast<const char*>(name.utf16()), name.size() * 2);
        u16(0);
    }
    void open(const QString& name, bool attributes = false) {
        u8(attributes ? 0x41 : 0x01);
        u16(0xFFFF); // dependency identifier (in templates)
        u32(0);      // data size, unused by readers
        inlineName(name);
        if (attributes)
            u32(0); // size of the attribute list, unused by readers
    }

    QByteArray m_b;
    quint32 m_lastRecord = 0;
};

} // namespace

class TestEvtx : public QObject {
    Q_OBJECT
private slots:
    void realLogs_data() {
        QTest::addColumn<QString>("file");
        for (const QString& f : QDir(dataDir()).entryList({QStringLiteral("*.evtx")}, QDir::Files, QDir::Name))
            QTest::newRow(qPrintable(f)) << f;
    }

    // Counts: every record at most once, at least what the Rust crate and libevtx read.
    void realLogs() {
        QFETCH(QString, file);
        const QString path = dataDir() + QLatin1Char('/') + file;
        const Read ours = readAll(path);
        QVERIFY2(ours.error.isEmpty(), qPrintable(ours.error));
        QCOMPARE(ours.summary.records, qint64(ours.events.size()));
        QCOMPARE(qsizetype(ids(ours).size()), ours.events.size()); // no record twice
        QVERIFY2(
            ours.summary.records >= rustCount(file),
            qPrintable(
                QStringLiteral("%1 read, the Rust crate reads %2").arg(ours.summary.records).arg(rustCount(file))));
        for (const EventRecord& e : ours.events) {
            QVERIFY(e.eventId >= 0);
            QVERIFY(e.time.isValid());
        }
        // The same on one thread and on three.
        for (int threads : {1, 3}) {
            const Read other = readAll(path, threads);
            QCOMPARE(other.events.size(), ours.events.size());
            for (qsizetype i = 0; i < ours.events.size(); ++i)
                QCOMPARE(other.events.at(i).recordId, ours.events.at(i).recordId);
            QCOMPARE(other.summary.unreadable, ours.summary.unreadable);
        }
    }

    // Fields, record by record, against evtxexport -m all (libevtx's allocated and recovered records).
    void againstEvtxexport_data() { realLogs_data(); }
    void againstEvtxexport() {
        QFETCH(QString, file);
        const QString path = dataDir() + QLatin1Char('/') + file;
        const Read ours = readAll(path);
        QVERIFY2(ours.error.isEmpty(), qPrintable(ours.error));
        const QList<Reference> ref = evtxexport(path);
        QHash<qint64, const EventRecord*> byId;
        for (const EventRecord& e : ours.events)
            byId.insert(e.recordId, &e);
        for (const Reference& r : ref) {
            const EventRecord* found = byId.value(r.number);
            const QByteArray where = QStringLiteral("%1 record %2").arg(file).arg(r.number).toUtf8();
            QVERIFY2(found, (where + ": libevtx reads it, we do not").constData());
            const EventRecord& e = *found;
            QVERIFY2(ms(e) == r.time, (where + ' ' + ms(e).toUtf8() + " != " + r.time.toUtf8()).constData());
            QVERIFY2(e.eventId == r.id, where.constData());
            QVERIFY2(e.level == r.level, where.constData());
            // evtxexport's "source name" is the EventSourceName attribute when there is one, else the provider's Name.
            QVERIFY2(e.provider == r.provider ||
                         e.rawXml.contains(QStringLiteral("EventSourceName=\"%1\"").arg(r.provider)),
                     (where + ' ' + e.provider.toUtf8()).constData());
            QVERIFY2(e.computer == r.computer, where.constData());
        }
        QVERIFY(ours.events.size() >= ref.size());
    }

    // The Event XML of every record both read, as evtxexport -f xml prints it.
    void sameXmlAsLibevtx_data() { realLogs_data(); }
    void sameXmlAsLibevtx() {
        QFETCH(QString, file);
        const QString path = dataDir() + QLatin1Char('/') + file;
        const Read ours = readAll(path);
        const QHash<qint64, QString> theirs = xmlBlocks(
            QString::fromUtf8(run(QStringLiteral("evtxexport"), {QStringLiteral("-f"), QStringLiteral("xml"), path})));
        QHash<qint64, QString> mine;
        // By EventRecordID (a "save selected events" copy renumbers the records, not their XML).
        static const QRegularExpression xmlId(QStringLiteral("<EventRecordID>(\\d+)</EventRecordID>"));
        for (const EventRecord& e : ours.events)
            mine.insert(xmlId.match(e.rawXml).captured(1).toLongLong(), unescaped(e.rawXml));
        int compared = 0;
        for (auto it = theirs.cbegin(); it != theirs.cend(); ++it) {
            QVERIFY2(mine.contains(it.key()),
                     qPrintable(QStringLiteral("%1: record %2 is read by libevtx, not by us").arg(file).arg(it.key())));
            if (mine.value(it.key()) != it.value()) {
                const QString a = mine.value(it.key()), b = it.value();
                qsizetype at = 0;
                while (at < a.size() && at < b.size() && a.at(at) == b.at(at))
                    ++at;
                qWarning().noquote() << "first difference at" << at
                                     << "ours:" << a.mid(at - 40, 80).toUtf8().toPercentEncoding(" <>/=\"")
                                     << "libevtx:" << b.mid(at - 40, 80).toUtf8().toPercentEncoding(" <>/=\"");
                QFAIL(qPrintable(QStringLiteral("%1: record %2's XML differs").arg(file).arg(it.key())));
            }
            ++compared;
        }
        qInfo("%s: %d records compared, %lld read by us", qPrintable(file), compared,
              static_cast<long long>(ours.events.size()));
    }

    void againstPythonEvtx_data() { realLogs_data(); }
    void againstPythonEvtx() {
        QFETCH(QString, file);
        if (!QFile::exists(QStringLiteral("/usr/bin/python3")))
            QSKIP("/usr/bin/python3 is missing");
        const QString path = dataDir() + QLatin1Char('/') + file;
        const Read ours = readAll(path);
        const QByteArray out =
            run(QStringLiteral("/usr/bin/python3"), {QStringLiteral(NDES_TEST_SUPPORT_DIR "/evtx_dump.py"), path});
        QHash<qint64, const EventRecord*> byId;
        for (const EventRecord& e : ours.events)
            byId.insert(e.recordId, &e);
        // python-evtx gives up on some of these logs part way (CAPI2, issue_201): what it printed is compared.
        for (const QByteArray& line : out.trimmed().split('\n')) {
            const QJsonObject o = QJsonDocument::fromJson(line).object();
            if (o.isEmpty())
                continue;
            const qint64 number = o.value(QLatin1String("record")).toInteger();
            const QByteArray where = QStringLiteral("%1 record %2").arg(file).arg(number).toUtf8();
            const EventRecord* e = byId.value(number);
            QVERIFY2(e, (where + ": python-evtx reads it, we do not").constData());
            // python-evtx goes through a float: 34.346000 can come out as 34.345999.
            const QDateTime pyTime =
                QDateTime::fromString(o.value(QLatin1String("time")).toString() + QLatin1Char('Z'), Qt::ISODateWithMs);
            QVERIFY2(qAbs(pyTime.toMSecsSinceEpoch() - e->time.toMSecsSinceEpoch()) <= 1, where.constData());
            QVERIFY2(e->eventId == o.value(QLatin1String("id")).toInt(), where.constData());
            QVERIFY2(e->provider == o.value(QLatin1String("provider")).toString(), where.constData());
            QVERIFY2(e->computer == o.value(QLatin1String("computer")).toString(), where.constData());
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
        // The classic event's strings are one array substitution: one <Data> per string, as Windows shows them.
        QCOMPARE(first.data.size(), 5);
        QCOMPARE(first.data.at(2).second, QString());
        QCOMPARE(first.data.at(3).second, QStringLiteral("Multiprocessor Free"));
        QVERIFY(first.rawXml.contains(QLatin1String("<EventRecordID>1</EventRecordID>")));
        QVERIFY(first.rawXml.contains(QLatin1String("<EventID Qualifiers=\"32768\">6009</EventID>")));
        // Copied from a running machine: dirty, and said so. Its 15 chunks announce records 1 to 1881: all read.
        QCOMPARE(r.summary.unreadable, qint64(0));
        QVERIFY(r.summary.problems.join(QLatin1Char(' ')).contains(QLatin1String("not closed cleanly")));
    }

    // Logs Windows wrote partly: the crate's counts, and exactly what was lost and why.
    void partlyWrittenLogs() {
        // HelloForBusiness: a record's closing size was never written (read all the same, as the Rust crate does);
        // the chunk announces records 1 to 20, six exist.
        const Read hello = readAll(dataDir() + QStringLiteral("/Microsoft-Windows-HelloForBusiness-Operational.evtx"));
        QCOMPARE(hello.events.size(), 6);
        QCOMPARE(hello.summary.unreadable, qint64(14));
        QVERIFY(hello.summary.damaged);
        QVERIFY(hello.summary.problems.join(QLatin1Char(' ')).contains(QLatin1String("14 record(s) that their chunk")));
        const Read lang = readAll(dataDir() + QStringLiteral("/Microsoft-Windows-LanguagePackSetup-Operational.evtx"));
        QCOMPARE(lang.events.size(), 17);
        QCOMPARE(lang.summary.unreadable, qint64(3));
        // One record whose size says 0: lost and named; the chain goes on past it.
        const Read zero = readAll(dataDir() + QStringLiteral("/sample-with-zero-data-size-event.evtx"));
        QCOMPARE(zero.events.size(), 449);
        QCOMPARE(zero.summary.unreadable, qint64(1));
        QVERIFY(zero.summary.problems.join(QLatin1Char(' ')).contains(QLatin1String("size is impossible (0 bytes)")));
        // libevtx and python-evtx read nothing here.
        const Read one = readAll(dataDir() + QStringLiteral("/issue_201.evtx"));
        QCOMPARE(one.events.size(), 1);
        // Wrapped-around logs hold some records twice: read once, counted.
        const Read bools = readAll(dataDir() + QStringLiteral("/sample-with-irregular-bool-values.evtx"));
        QCOMPARE(bools.events.size(), 3028);
        QCOMPARE(bools.summary.duplicates, qint64(29));
        // Records left in a chunk's free space by earlier writes: recovered, said so.
        const Read vss = readAll(dataDir() + QStringLiteral("/2-vss_7-System.evtx"));
        QVERIFY(vss.summary.recovered > 0);
        QCOMPARE(vss.events.size() - vss.summary.recovered, 1160);
    }

    // A real CAPI2 operational log: its data is in <UserData>, not <EventData> (walk-through, issue 15 item 6).
    void capi2UserData() {
        const Read r =
            readAll(dataDir() + QStringLiteral("/E_ShadowCopy6_windows_system32_winevt_logs_Microsoft-Windows-CAPI2-"
                                               "Operational.evtx"));
        QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
        QCOMPARE(r.events.size(), 459); // libevtx stops after 89
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

        // Our fields equal what the Event XML reader takes from our XML, for every record; the XML rebuilt from the
        // fields (what the page shows and exports) reads back to the same fields and keeps the tree.
        for (const EventRecord& ev : r.events) {
            const EventXmlResult fromXml = EventXmlReader::parseEvent(ev.rawXml.toUtf8(), false);
            QCOMPARE(fromXml.events.size(), 1);
            QCOMPARE(fromXml.events.first().data, ev.data);
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

    // Our fields equal what the Event XML reader takes from our own XML, on every real log.
    void fieldsMatchTheXml_data() { realLogs_data(); }
    void fieldsMatchTheXml() {
        QFETCH(QString, file);
        const Read r = readAll(dataDir() + QLatin1Char('/') + file);
        for (const EventRecord& e : r.events) {
            const EventXmlResult x = EventXmlReader::parseEvent(e.rawXml.toUtf8(), false);
            QVERIFY2(x.error.isEmpty(), qPrintable(x.error + QLatin1Char('\n') + e.rawXml));
            QCOMPARE(x.events.size(), 1);
            const EventRecord& f = x.events.first();
            if (f.data != e.data)
                qWarning().noquote() << e.rawXml;
            QCOMPARE(f.eventId, e.eventId);
            QCOMPARE(f.level, e.level);
            QCOMPARE(f.computer, e.computer);
            QCOMPARE(f.channel, e.channel);
            QCOMPARE(f.data, e.data);
        }
    }

    // Cut at every chunk boundary and inside each chunk: the records before the cut, the rest counted exactly.
    void truncatedEverywhere() {
        const QByteArray original = fileBytes(dataDir() + QStringLiteral("/system.evtx"));
        QVERIFY(!original.isEmpty());
        const auto perChunk = idsPerChunk(original);
        QTemporaryDir dir;
        std::set<qint64> expected;
        for (size_t k = 0; k <= perChunk.size(); ++k) {
            const qsizetype boundary = evtx::fileHeaderBytes + qsizetype(k) * evtx::chunkBytes;
            const Read atBoundary =
                readAll(writeFile(dir, QStringLiteral("cut%1.evtx").arg(k), original.left(boundary)));
            QVERIFY2(atBoundary.error.isEmpty(), qPrintable(atBoundary.error));
            QVERIFY(ids(atBoundary) == expected);
            QCOMPARE(atBoundary.summary.unreadable, qint64(0));
            if (k == perChunk.size())
                break;
            // Inside the chunk: what fits is read, what the chunk announces beyond the cut is counted.
            const Read inside =
                readAll(writeFile(dir, QStringLiteral("mid%1.evtx").arg(k), original.left(boundary + 30000)));
            QVERIFY(inside.error.isEmpty());
            QVERIFY(inside.summary.damaged);
            const std::set<qint64> got = ids(inside);
            QVERIFY(std::includes(got.begin(), got.end(), expected.begin(), expected.end()));
            const qint64 fromChunk = qint64(got.size() - expected.size());
            QCOMPARE(fromChunk + inside.summary.unreadable, qint64(perChunk[k].size()));
            expected.insert(perChunk[k].begin(), perChunk[k].end());
        }
        QCOMPARE(qsizetype(expected.size()), 1881);
    }

    // A chunk zeroed in the middle: its records are missing, counted from the chunks around it.
    void zeroedChunks() {
        const QByteArray original = fileBytes(dataDir() + QStringLiteral("/system.evtx"));
        const auto perChunk = idsPerChunk(original);
        QTemporaryDir dir;
        for (int k : {0, 5, 14}) {
            QByteArray zeroed = original;
            std::fill(zeroed.begin() + evtx::fileHeaderBytes + k * evtx::chunkBytes,
                      zeroed.begin() + evtx::fileHeaderBytes + (k + 1) * evtx::chunkBytes, '\0');
            const Read r = readAll(writeFile(dir, QStringLiteral("zero%1.evtx").arg(k), zeroed));
            QVERIFY(r.error.isEmpty());
            QCOMPARE(r.events.size(), qsizetype(1881 - perChunk[size_t(k)].size()));
            // In the middle the gap shows; the first and last chunk leave none (nothing says they existed).
            QCOMPARE(r.summary.unreadable, k == 5 ? qint64(perChunk[5].size()) : qint64(0));
        }
        // Garbage instead of a chunk: skipped and said.
        QByteArray junk = original;
        for (qsizetype i = 0; i < evtx::chunkBytes; ++i)
            junk[evtx::fileHeaderBytes + 3 * evtx::chunkBytes + i] = char(0xA5 ^ (i * 7));
        const Read r = readAll(writeFile(dir, QStringLiteral("junk.evtx"), junk));
        QCOMPARE(r.events.size(), qsizetype(1881 - perChunk[3].size()));
        QCOMPARE(r.summary.unreadable, qint64(perChunk[3].size()));
        QVERIFY(r.summary.problems.join(QLatin1Char(' ')).contains(QLatin1String("not chunks")));
    }

    // Hand-made hostile records between good ones: each costs itself, nothing else, with its reason.
    void hostileRecords() {
        using K = ChunkWriter::Record;
        ChunkWriter w;
        const QList<QPair<K, QString>> bad = {{K::SelfReferringTemplate, QStringLiteral("refers to itself")},
                                              {K::HugeTemplate, QStringLiteral("runs past its record")},
                                              {K::HugeValueCount, QStringLiteral("4294967295 values")},
                                              {K::HugeRecordSize, QStringLiteral("size is impossible")},
                                              {K::HugeString, QStringLiteral("runs past its fragment")}};
        quint64 id = 1;
        for (const auto& [kind, why] : bad) {
            w.record(id++, 31, K::Good);
            w.record(id++, 32, kind);
        }
        w.record(id, 33, K::Good);
        QTemporaryDir dir;
        const QString path = writeFile(dir, QStringLiteral("hostile.evtx"), ChunkWriter::file(w.chunk(1, id)));
        const qint64 before = peakRssKb();
        const Read r = readAll(path);
        QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
        QCOMPARE(r.events.size(), 6);
        for (const EventRecord& e : r.events) {
            QCOMPARE(e.recordId % 2, qint64(1));
            QCOMPARE(e.eventId, e.recordId == qint64(id) ? 33 : 31);
        }
        QCOMPARE(r.summary.unreadable, qint64(5));
        const QString problems = r.summary.problems.join(QLatin1Char('\n'));
        for (const auto& [kind, why] : bad)
            QVERIFY2(problems.contains(why), qPrintable(problems));
        QVERIFY(peakRssKb() - before < 64 * 1024);

        // One record that would render gigabytes: refused at the budget, quickly, in little memory; the record
        // after it is read.
        ChunkWriter big;
        big.blowup(1);
        big.record(2, 31, K::Good);
        const QString bigPath = writeFile(dir, QStringLiteral("blowup.evtx"), ChunkWriter::file(big.chunk(1, 2)));
        QElapsedTimer clock;
        clock.start();
        const qint64 rssBefore = peakRssKb();
        const Read b = readAll(bigPath);
        QVERIFY2(clock.elapsed() < 10000, qPrintable(QString::number(clock.elapsed())));
        QVERIFY(peakRssKb() - rssBefore < 128 * 1024);
        QCOMPARE(b.events.size(), 1);
        QCOMPARE(b.events.first().recordId, qint64(2));
        QCOMPARE(b.summary.unreadable, qint64(1));
        QVERIFY2(b.summary.problems.join(QLatin1Char(' ')).contains(QLatin1String("over 65536 characters")),
                 qPrintable(b.summary.problems.join(QLatin1Char('\n'))));
    }

    // A data name cannot pass for the rendered message the store keeps beside the data.
    void renderedFieldsCannotBeSpoofed() {
        EventRecord e;
        e.eventId = 31;
        e.provider = QStringLiteral("Microsoft-Windows-NetworkDeviceEnrollmentService");
        e.data = {{QStringLiteral("\x01Message"), QStringLiteral("Call 555-0100 to fix NDES")},
                  {QStringLiteral("ErrorCode"), QStringLiteral("0x1")}};
        EventStore store;
        store.append(e);
        const EventRecord back = store.event(0);
        QVERIFY(back.message.isEmpty());
        QCOMPARE(back.data.size(), 2);
        QCOMPARE(back.data.first().second, QStringLiteral("Call 555-0100 to fix NDES"));
        // The table's data column: no empty separators for the rendered fields of a forwarded event.
        e.data = {{QStringLiteral("ErrorCode"), QStringLiteral("0x1")}};
        e.message = QStringLiteral("m");
        e.levelText = QStringLiteral("Error");
        store.append(e);
        QCOMPARE(store.summary(1), QStringLiteral("ErrorCode: 0x1"));
    }

    // Windows Event Forwarding: the rendered message, level and task are kept and shown; the system level stays the
    // number (the rendering's <Level> is a word).
    void forwardedEventRenderingInfo() {
        ChunkWriter w;
        w.forwarded(1);
        QTemporaryDir dir;
        const Read r = readAll(writeFile(dir, QStringLiteral("forwarded.evtx"), ChunkWriter::file(w.chunk(1, 1))));
        QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
        QCOMPARE(r.events.size(), 1);
        const EventRecord& e = r.events.first();
        QVERIFY2(isNdesProvider(e.provider), qPrintable(e.rawXml));
        QCOMPARE(e.eventId, 31);
        QCOMPARE(e.level, 2);
        QCOMPARE(e.channel, QStringLiteral("ForwardedEvents"));
        QCOMPARE(e.dataValue(QStringLiteral("ErrorCode")), QStringLiteral("0x80070057"));
        QVERIFY(e.message.startsWith(QLatin1String("The Network Device Enrollment Service cannot retrieve")));
        QCOMPARE(e.levelText, QStringLiteral("Error"));
        QCOMPARE(e.taskText, QStringLiteral("None"));
        QCOMPARE(e.data.size(), 1);
        // The Event XML reader reads the same from the XML (wevtutil's export of a ForwardedEvents log).
        const EventXmlResult x = EventXmlReader::parseEvent(e.rawXml.toUtf8(), false);
        QCOMPARE(x.events.size(), 1);
        QCOMPARE(x.events.first().level, 2);
        QCOMPARE(x.events.first().channel, e.channel);
        QCOMPARE(x.events.first().message, e.message);
        QCOMPARE(x.events.first().levelText, e.levelText);
        QCOMPARE(x.events.first().data, e.data);
        // Kept by the store, not in the table's data column, back in the rebuilt XML.
        EventStore store;
        store.append(e);
        const EventRecord back = store.event(0);
        QCOMPARE(back.message, e.message);
        QCOMPARE(back.taskText, e.taskText);
        QCOMPARE(back.data, e.data);
        QVERIFY(!store.summary(0).contains(QLatin1String("Network Device")));
        const EventXmlResult rebuilt = EventXmlReader::parseEvent(toEventXml(back).toUtf8(), false);
        QCOMPARE(rebuilt.events.size(), 1);
        QCOMPARE(rebuilt.events.first().message, e.message);
        QCOMPARE(rebuilt.events.first().level, 2);
        EventFilter f;
        f.text = QStringLiteral("required certificates");
        QCOMPARE(store.filter(f).size(), size_t(1)); // the message is searched too
    }

    // Bytes flipped at random in every real log: no crash, no record twice, bounded memory (ASan/UBSan run this).
    void flippedBytes_data() { realLogs_data(); }
    void flippedBytes() {
        QFETCH(QString, file);
        const QByteArray original = fileBytes(dataDir() + QLatin1Char('/') + file);
        const Read clean = readAll(dataDir() + QLatin1Char('/') + file);
        QTemporaryDir dir;
        QRandomGenerator rng(20261204);
        const qint64 before = peakRssKb();
        for (int round = 0; round < 4; ++round) {
            QByteArray flipped = original;
            for (int k = 0; k < 200; ++k) {
                const auto at = 4096 + qsizetype(rng.bounded(quint32(flipped.size() - 4096)));
                flipped[at] = char(rng.bounded(256));
            }
            const Read r = readAll(writeFile(dir, QStringLiteral("flipped%1.evtx").arg(round), flipped));
            QVERIFY(r.error.isEmpty());
            QCOMPARE(r.summary.records, qint64(r.events.size()));
            QCOMPARE(qsizetype(ids(r).size()), r.events.size());
            QVERIFY(r.events.size() <= clean.events.size() + 2000);
        }
        QVERIFY(peakRssKb() - before < 256 * 1024);
    }

    void notEventLogs() {
        QTemporaryDir dir;
        const Read garbage = readAll(
            writeFile(dir, QStringLiteral("garbage.evtx"), QByteArray("ElfFile\0", 8) + QByteArray(70000, 'A')));
        QVERIFY(garbage.events.isEmpty());
        QVERIFY(garbage.summary.problems.join(QLatin1Char(' ')).contains(QLatin1String("not chunks")));
        const Read empty = readAll(writeFile(dir, QStringLiteral("empty.evtx"), QByteArray()));
        QVERIFY(!empty.error.isEmpty());
        QVERIFY2(empty.error.contains(QLatin1String("cannot be")), qPrintable(empty.error));
        QByteArray header = fileBytes(dataDir() + QStringLiteral("/system.evtx"));
        std::fill(header.begin() + 8, header.begin() + 4096, '\0'); // header zeroed: the chunks still read
        const Read zeroed = readAll(writeFile(dir, QStringLiteral("zeroed.evtx"), header));
        QCOMPARE(zeroed.events.size(), 1881);
        QVERIFY(zeroed.summary.problems.join(QLatin1Char(' ')).contains(QLatin1String("checksum")));
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

    void sinkCanStopEarlyAndProgressIsReported() {
        EvtxReader reader;
        int n = 0;
        qint64 lastDone = 0, total = 0;
        reader.setProgress([&](qint64 done, qint64 all) {
            [&] {
                QVERIFY(done >= lastDone);
            }();
            lastDone = done;
            total = all;
            return true;
        });
        auto r = reader.read(dataDir() + QStringLiteral("/system.evtx"), [&](EventRecord&&) { return ++n < 10; });
        QVERIFY(r);
        QCOMPARE(n, 10);
        int all = 0;
        lastDone = 0;
        QVERIFY(reader.read(dataDir() + QStringLiteral("/system.evtx"), [&](EventRecord&&) { return ++all, true; }));
        QCOMPARE(all, 1881);
        QCOMPARE(lastDone, total);
        QCOMPARE(total, QFileInfo(dataDir() + QStringLiteral("/system.evtx")).size());
        // A cancel through the progress callback stops a file that yields nothing to the sink.
        QTemporaryDir dir;
        const QString zeroes = writeFile(dir, QStringLiteral("zeroes.evtx"),
                                         fileBytes(dataDir() + QStringLiteral("/system.evtx")).left(4096) +
                                             QByteArray(64 * evtx::chunkBytes, '\0'));
        int calls = 0;
        reader.setProgress([&](qint64, qint64) { return ++calls < 2; });
        QVERIFY(reader.read(zeroes, [](EventRecord&&) { return true; }));
        QCOMPARE(calls, 2);
    }
};

QTEST_GUILESS_MAIN(TestEvtx)
#include "TestEvtx.moc"
