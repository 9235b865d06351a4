// SPDX-License-Identifier: Apache-2.0
#include "events/EventJson.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

namespace ndes::events {

namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("JsonEventParser", text);
}

QString str(const QJsonValue& v) {
    if (v.isString())
        return v.toString();
    if (v.isDouble())
        return QString::number(v.toDouble(), 'g', 17);
    if (v.isBool())
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    if (v.isObject() || v.isArray())
        return QString::fromUtf8(
            (v.isObject() ? QJsonDocument(v.toObject()) : QJsonDocument(v.toArray())).toJson(QJsonDocument::Compact));
    return {};
}

int integer(const QJsonValue& v, int fallback = -1) {
    if (v.isDouble())
        return int(v.toDouble());
    bool ok = false;
    const int n = v.toString().trimmed().toInt(&ok);
    return ok ? n : fallback;
}

QDateTime time(const QString& text) {
    QString t = text.trimmed();
    if (t.isEmpty())
        return {};
    // NXLog's default "2026-11-25 10:00:00" (no zone: read as UTC) and ISO 8601 with any fraction.
    if (t.size() >= 19 && t.at(10) == QLatin1Char(' '))
        t[10] = QLatin1Char('T');
    QDateTime d = QDateTime::fromString(t, Qt::ISODateWithMs);
    if (!d.isValid())
        return {};
    if (d.timeSpec() == Qt::LocalTime)
        d.setTimeSpec(Qt::UTC);
    return d.toUTC();
}

int levelFromName(const QString& name) {
    const QString n = name.trimmed().toLower();
    if (n == QLatin1String("critical"))
        return 1;
    if (n == QLatin1String("error"))
        return 2;
    if (n == QLatin1String("warning") || n == QLatin1String("warn"))
        return 3;
    if (n == QLatin1String("information") || n == QLatin1String("info") || n == QLatin1String("informational") ||
        n.startsWith(QLatin1String("audit")))
        return 4;
    if (n == QLatin1String("verbose") || n == QLatin1String("debug"))
        return 5;
    return 0;
}

EventRecord fromWinlogbeat(const QJsonObject& o) {
    const QJsonObject w = o.value(QLatin1String("winlog")).toObject();
    EventRecord e;
    e.time = time(o.value(QLatin1String("@timestamp")).toString());
    e.eventId = integer(w.value(QLatin1String("event_id")),
                        integer(o.value(QLatin1String("event")).toObject().value(QLatin1String("code"))));
    e.provider = w.value(QLatin1String("provider_name")).toString();
    e.computer = w.value(QLatin1String("computer_name")).toString();
    if (e.computer.isEmpty())
        e.computer = o.value(QLatin1String("host")).toObject().value(QLatin1String("name")).toString();
    e.channel = w.value(QLatin1String("channel")).toString();
    e.recordId = qint64(w.value(QLatin1String("record_id")).toVariant().toLongLong());
    e.level = levelFromName(o.value(QLatin1String("log")).toObject().value(QLatin1String("level")).toString());
    const QJsonObject data = w.value(QLatin1String("event_data")).toObject();
    for (auto it = data.begin(); it != data.end(); ++it)
        e.data.append({it.key(), str(it.value())});
    const QString message = o.value(QLatin1String("message")).toString();
    if (!message.isEmpty())
        e.data.append({QStringLiteral("Message"), message});
    return e;
}

EventRecord fromNxlog(const QJsonObject& o) {
    static const QStringList known = {
        QStringLiteral("EventTime"),        QStringLiteral("Hostname"),         QStringLiteral("SourceName"),
        QStringLiteral("ProviderName"),     QStringLiteral("EventID"),          QStringLiteral("EventType"),
        QStringLiteral("SeverityValue"),    QStringLiteral("Severity"),         QStringLiteral("Channel"),
        QStringLiteral("RecordNumber"),     QStringLiteral("Message"),          QStringLiteral("EventReceivedTime"),
        QStringLiteral("SourceModuleName"), QStringLiteral("SourceModuleType"), QStringLiteral("Keywords"),
        QStringLiteral("ProviderGuid"),     QStringLiteral("Version"),          QStringLiteral("Task"),
        QStringLiteral("OpcodeValue"),      QStringLiteral("Opcode"),           QStringLiteral("ProcessID"),
        QStringLiteral("ThreadID"),         QStringLiteral("Category"),         QStringLiteral("Domain"),
        QStringLiteral("AccountName"),      QStringLiteral("UserID"),           QStringLiteral("AccountType")};
    EventRecord e;
    e.time = time(o.value(QLatin1String("EventTime")).toString());
    e.eventId = integer(o.value(QLatin1String("EventID")));
    e.provider = o.value(QLatin1String("SourceName")).toString();
    if (e.provider.isEmpty())
        e.provider = o.value(QLatin1String("ProviderName")).toString();
    e.computer = o.value(QLatin1String("Hostname")).toString();
    e.channel = o.value(QLatin1String("Channel")).toString();
    e.recordId = qint64(o.value(QLatin1String("RecordNumber")).toVariant().toLongLong());
    e.level = levelFromName(o.value(QLatin1String("EventType")).toString());
    if (e.level == 0) {
        // NXLog's SeverityValue: 1 debug, 2 info, 3 warning, 4 error, 5 critical.
        static const int fromSeverity[] = {0, 5, 4, 3, 2, 1};
        const int s = integer(o.value(QLatin1String("SeverityValue")), 0);
        e.level = s >= 1 && s <= 5 ? fromSeverity[s] : 0;
    }
    for (auto it = o.begin(); it != o.end(); ++it)
        if (!known.contains(it.key()))
            e.data.append({it.key(), str(it.value())});
    const QString message = o.value(QLatin1String("Message")).toString();
    if (!message.isEmpty())
        e.data.append({QStringLiteral("Message"), message});
    return e;
}

EventRecord fromOwn(const QJsonObject& o) {
    EventRecord e;
    e.time = time(o.value(QLatin1String("time")).toString());
    e.level = integer(o.value(QLatin1String("level")), 0);
    e.provider = o.value(QLatin1String("provider")).toString();
    e.eventId = integer(o.value(QLatin1String("id")));
    e.computer = o.value(QLatin1String("computer")).toString();
    e.channel = o.value(QLatin1String("channel")).toString();
    e.recordId = qint64(o.value(QLatin1String("recordId")).toVariant().toLongLong());
    const QJsonObject data = o.value(QLatin1String("data")).toObject();
    for (auto it = data.begin(); it != data.end(); ++it)
        e.data.append({it.key(), str(it.value())});
    return e;
}

} // namespace

Result<EventRecord> JsonEventParser::parse(const QByteArray& line) {
    if (line.size() > maxLineBytes)
        return makeError(ErrorKind::BadReply, tr("A JSON event is larger than 1 MB; it was dropped."));
    QJsonParseError err{};
    QJsonDocument doc = QJsonDocument::fromJson(line, &err);
    if (err.error == QJsonParseError::IllegalUTF8String) // keep the event: bad bytes become U+FFFD
        doc = QJsonDocument::fromJson(QString::fromUtf8(line).toUtf8(), &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject())
        return makeError(ErrorKind::BadReply, tr("Not a JSON event object."), err.errorString());
    const QJsonObject o = doc.object();
    EventRecord e;
    if (o.contains(QLatin1String("winlog")))
        e = fromWinlogbeat(o);
    else if (o.contains(QLatin1String("EventID")) || o.contains(QLatin1String("SourceName")))
        e = fromNxlog(o);
    else if (o.contains(QLatin1String("id")) && o.contains(QLatin1String("provider")))
        e = fromOwn(o);
    else
        return makeError(ErrorKind::BadReply,
                         tr("A JSON object without an event ID or provider (not NXLog, Winlogbeat or NDES Console)."));
    if (e.eventId < 0)
        return makeError(ErrorKind::BadReply, tr("A JSON event without a readable event ID."));
    if (e.recordId == 0)
        e.recordId = -1;
    return e;
}

QJsonObject eventToJson(const EventRecord& e) {
    QJsonObject data;
    for (const auto& [k, v] : e.data)
        data.insert(k, v);
    return QJsonObject{{QStringLiteral("time"), e.time.toString(Qt::ISODateWithMs)},
                       {QStringLiteral("level"), e.level},
                       {QStringLiteral("provider"), e.provider},
                       {QStringLiteral("id"), e.eventId},
                       {QStringLiteral("computer"), e.computer},
                       {QStringLiteral("channel"), e.channel},
                       {QStringLiteral("recordId"), e.recordId},
                       {QStringLiteral("data"), data}};
}

QList<QByteArray> LineFramer::feed(const QByteArray& bytes) {
    QList<QByteArray> out;
    m_buffer += bytes;
    qsizetype pos = 0;
    for (;;) {
        const qsizetype nl = m_buffer.indexOf('\n', pos);
        if (nl < 0)
            break;
        if (m_skipping) {
            m_skipping = false;
        } else {
            QByteArray line = m_buffer.mid(pos, nl - pos);
            if (line.endsWith('\r'))
                line.chop(1);
            if (!line.trimmed().isEmpty())
                out << line;
        }
        pos = nl + 1;
    }
    m_buffer.remove(0, pos);
    if (m_buffer.size() > m_max) { // a line without end: drop what came, and the rest up to its LF
        if (!m_skipping)
            ++m_dropped;
        m_skipping = true;
        m_buffer.clear();
    }
    return out;
}

} // namespace ndes::events
