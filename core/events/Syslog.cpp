// SPDX-License-Identifier: Apache-2.0
#include "events/Syslog.h"

#include "events/EventXmlReader.h"

#include <QCoreApplication>
#include <QRegularExpression>

#include <cctype>

namespace ndes::events {

namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("Syslog", text);
}

// The next space-separated token of a 5424 header; false at the end.
bool token(const QByteArray& s, qsizetype& pos, QByteArray& out) {
    if (pos >= s.size())
        return false;
    const qsizetype sp = s.indexOf(' ', pos);
    out = s.mid(pos, sp < 0 ? -1 : sp - pos);
    pos = sp < 0 ? s.size() : sp + 1;
    return true;
}

QString nil(const QByteArray& v) {
    return v == "-" ? QString() : QString::fromUtf8(v);
}

int levelFromSeverity(int severity) {
    if (severity <= 2)
        return 1; // critical
    if (severity == 3)
        return 2; // error
    if (severity == 4)
        return 3; // warning
    if (severity <= 6)
        return 4; // information
    return 5;
}

} // namespace

Result<SyslogMessage> SyslogParser::parse(const QByteArray& raw) {
    QByteArray s = raw;
    while (s.endsWith('\n') || s.endsWith('\r') || s.endsWith('\0'))
        s.chop(1);
    if (s.size() > maxMessageBytes)
        return makeError(ErrorKind::BadReply, tr("A syslog message over 64 KB was refused."));
    if (!s.startsWith('<'))
        return makeError(ErrorKind::BadReply, tr("Not syslog: no <PRI> at the start."));
    const qsizetype close = s.indexOf('>');
    bool ok = false;
    const int pri = close > 1 && close <= 4 ? s.mid(1, close - 1).toInt(&ok) : -1;
    if (!ok || pri < 0 || pri > 191)
        return makeError(ErrorKind::BadReply, tr("Not syslog: the <PRI> is not a number from 0 to 191."));
    SyslogMessage m;
    m.facility = pri / 8;
    m.severity = pri % 8;
    qsizetype pos = close + 1;
    if (s.mid(pos, 2) == "1 ") { // RFC 5424
        m.version = 1;
        pos += 2;
        QByteArray ts, host, app, proc, msgid;
        if (!token(s, pos, ts) || !token(s, pos, host) || !token(s, pos, app) || !token(s, pos, proc) ||
            !token(s, pos, msgid))
            return makeError(ErrorKind::BadReply, tr("An RFC 5424 header is cut short."));
        if (ts != "-") {
            m.time = QDateTime::fromString(QString::fromLatin1(ts), Qt::ISODateWithMs);
            if (!m.time.isValid())
                return makeError(ErrorKind::BadReply, tr("The RFC 5424 timestamp is not ISO 8601."));
            m.time = m.time.toUTC();
        }
        m.host = nil(host);
        m.appName = nil(app);
        m.procId = nil(proc);
        m.msgId = nil(msgid);
        // Structured data: "-" or one or more [..] elements (with \] escapes inside values).
        if (s.mid(pos, 1) == "-") {
            m.structuredData = QStringLiteral("-");
            pos += 1;
        } else if (s.mid(pos, 1) == "[") {
            const qsizetype sdStart = pos;
            bool inQuote = false;
            while (pos < s.size()) {
                const char c = s.at(pos);
                if (c == '\\' && inQuote) {
                    pos += 2;
                    continue;
                }
                if (c == '"')
                    inQuote = !inQuote;
                ++pos;
                if (!inQuote && c == ']' && (pos >= s.size() || s.at(pos) != '['))
                    break;
            }
            m.structuredData = QString::fromUtf8(s.mid(sdStart, pos - sdStart));
        } else {
            return makeError(ErrorKind::BadReply, tr("RFC 5424 structured data must be \"-\" or [..]."));
        }
        if (pos < s.size() && s.at(pos) == ' ')
            ++pos;
        QByteArray msg = s.mid(pos);
        if (msg.startsWith("\xEF\xBB\xBF"))
            msg.remove(0, 3);
        m.message = QString::fromUtf8(msg);
        return m;
    }
    // RFC 3164: "Mmm dd hh:mm:ss host tag[pid]: message" (all of it optional in practice).
    const QString rest = QString::fromUtf8(s.mid(pos));
    static const QRegularExpression bsd(
        QStringLiteral(R"(^([A-Z][a-z]{2}) ([ \d]\d) (\d\d:\d\d:\d\d) (\S+) ([^:\[\s]+)(?:\[([^\]]*)\])?: ?(.*)$)"),
        QRegularExpression::DotMatchesEverythingOption);
    const QRegularExpressionMatch match = bsd.match(rest);
    if (!match.hasMatch()) {
        m.message = rest;
        return m;
    }
    const QString stamp = QStringLiteral("%1 %2 %3 %4")
                              .arg(match.captured(1), match.captured(2).trimmed(), match.captured(3))
                              .arg(QDate::currentDate().year());
    m.time = QDateTime::fromString(stamp, QStringLiteral("MMM d HH:mm:ss yyyy"));
    m.time.setTimeSpec(Qt::UTC);
    m.host = match.captured(4);
    m.appName = match.captured(5);
    m.procId = match.captured(6);
    m.message = match.captured(7);
    return m;
}

EventRecord SyslogMessage::toEvent() const {
    const qsizetype xmlAt = message.indexOf(QLatin1String("<Event"));
    if (xmlAt >= 0) {
        const EventXmlResult r = EventXmlReader::parse(message.mid(xmlAt).toUtf8());
        if (!r.events.isEmpty()) {
            EventRecord e = r.events.first();
            if (!e.time.isValid())
                e.time = time;
            if (e.computer.isEmpty())
                e.computer = host;
            return e;
        }
    }
    EventRecord e;
    e.time = time;
    e.level = levelFromSeverity(severity);
    e.provider = appName;
    e.computer = host;
    static const QRegularExpression idParam(QStringLiteral(R"re(EventID="(\d+)")re"));
    const QRegularExpressionMatch id = idParam.match(structuredData);
    bool numericMsgId = false;
    const int fromMsgId = msgId.toInt(&numericMsgId); // NXLog and ndes-lab put the event ID in MSGID
    e.eventId = id.hasMatch() ? id.captured(1).toInt() : (numericMsgId && fromMsgId >= 0 ? fromMsgId : 0);
    e.data.append({QStringLiteral("Message"), message});
    return e;
}

QList<QByteArray> SyslogFramer::feed(const QByteArray& bytes) {
    QList<QByteArray> out;
    m_buffer += bytes;
    qsizetype pos = 0; // consumed so far; removed once at the end (not per message)
    auto finish = [&] {
        m_buffer.remove(0, pos);
        return out;
    };
    for (;;) {
        if (m_skipToNewline) {
            const qsizetype nl = m_buffer.indexOf('\n', pos);
            if (nl < 0) {
                m_buffer.clear();
                return out;
            }
            pos = nl + 1;
            m_skipToNewline = false;
        }
        if (pos >= m_buffer.size())
            return finish();
        if (std::isdigit(static_cast<unsigned char>(m_buffer.at(pos)))) { // octet counting
            const qsizetype sp = m_buffer.indexOf(' ', pos);
            if (sp < 0 || sp - pos > 10) {
                if (m_buffer.size() - pos > 10) { // no length is that long: not octet counting after all
                    ++m_dropped;
                    m_skipToNewline = true;
                    continue;
                }
                return finish();
            }
            bool ok = false;
            const qint64 len = QByteArray::fromRawData(m_buffer.constData() + pos, sp - pos).toLongLong(&ok);
            if (!ok || len <= 0 || len > SyslogParser::maxMessageBytes) {
                ++m_dropped;
                m_skipToNewline = true;
                continue;
            }
            if (m_buffer.size() < sp + 1 + len)
                return finish();
            out << m_buffer.mid(sp + 1, len);
            pos = sp + 1 + len;
            continue;
        }
        const qsizetype nl = m_buffer.indexOf('\n', pos);
        if (nl < 0) {
            if (m_buffer.size() - pos > SyslogParser::maxMessageBytes) {
                ++m_dropped;
                m_buffer.clear();
                m_skipToNewline = true;
                return out;
            }
            return finish();
        }
        QByteArray line = m_buffer.mid(pos, nl - pos);
        if (line.endsWith('\r'))
            line.chop(1);
        if (!line.isEmpty())
            out << line;
        pos = nl + 1;
    }
}

} // namespace ndes::events
