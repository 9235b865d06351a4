// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "events/EventRecord.h"
#include "util/Result.h"

#include <QByteArray>
#include <QList>

namespace ndes::events {

// One syslog message, RFC 5424 or RFC 3164 (BSD), as NXLog, rsyslog, `logger` or ndes-lab send it.
struct SyslogMessage {
    int facility = 1;
    int severity = 6;
    int version = 0; // 1 for RFC 5424, 0 for RFC 3164
    QDateTime time;  // UTC; RFC 3164 times (no year, no zone) are read as this year, UTC
    QString host;
    QString appName;
    QString procId;
    QString msgId;
    QString structuredData; // raw, "-" when none
    QString message;

    // An event: the Event XML a forwarder embedded in the message when there is one, else the syslog fields
    // (provider = app name, event ID from a structured-data EventID parameter, level from the severity).
    [[nodiscard]] EventRecord toEvent() const;
};

class SyslogParser {
public:
    static constexpr int maxMessageBytes = 64 * 1024;
    [[nodiscard]] static Result<SyslogMessage> parse(const QByteArray& datagram);
};

// TCP framing (RFC 6587): octet counting ("LEN SP MSG") or one message per LF. A frame over the limit is dropped
// (counted) and the stream resynchronised at the next LF, so one bad sender cannot grow memory without bound.
class SyslogFramer {
public:
    QList<QByteArray> feed(const QByteArray& bytes);
    [[nodiscard]] int dropped() const { return m_dropped; }

private:
    QByteArray m_buffer;
    bool m_skipToNewline = false;
    int m_dropped = 0;
};

} // namespace ndes::events
