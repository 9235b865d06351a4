// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "events/EventRecord.h"
#include "util/Result.h"

#include <QByteArray>
#include <QJsonObject>

namespace ndes::events {

// Windows events as JSON lines, one object per line, as forwarders send them:
//  - NXLog (im_msvistalog + to_json): EventTime, Hostname, SourceName, EventID, EventType/SeverityValue, Channel,
//    RecordNumber, Message, and the event data as further top-level fields;
//  - Winlogbeat / Elastic Agent (ECS): @timestamp, winlog.{event_id, provider_name, computer_name, channel,
//    record_id, event_data}, log.level, message;
//  - NDES Console's own (`ndesctl events --json`): time, level, provider, id, computer, channel, recordId, data.
class JsonEventParser {
public:
    static constexpr int maxLineBytes = 1024 * 1024;
    [[nodiscard]] static Result<EventRecord> parse(const QByteArray& line);
};

// NDES Console's own shape (what JsonEventParser reads back).
[[nodiscard]] QJsonObject eventToJson(const EventRecord& e);

// LF-delimited lines with a bound: a longer line is dropped (counted) up to its LF.
class LineFramer {
public:
    explicit LineFramer(qsizetype maxLine)
        : m_max(maxLine) {}
    QList<QByteArray> feed(const QByteArray& bytes);
    [[nodiscard]] int dropped() const { return m_dropped; }

private:
    qsizetype m_max;
    QByteArray m_buffer;
    bool m_skipping = false;
    int m_dropped = 0;
};

} // namespace ndes::events
