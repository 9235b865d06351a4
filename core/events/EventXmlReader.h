// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "events/EventRecord.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace ndes::events {

// Reads Windows Event XML as `wevtutil qe /f:xml` writes it (events one after another, no root) and as Event
// Viewer's "Save as XML" writes it (an <Events> root), UTF-8 or UTF-16 with a BOM. A document type (DTD, entity
// declarations — the stuff of XML bombs) is refused. A broken file gives the events before the break and says
// where it broke.
struct EventXmlResult {
    QList<EventRecord> events;
    QString error;   // empty when the whole input was read
    int skipped = 0; // <Event> elements that had no readable EventID
};

class EventXmlReader {
public:
    static constexpr qint64 maxBytes = qint64(512) * 1024 * 1024;
    static constexpr qint64 maxEventBytes = qint64(4) * 1024 * 1024; // one event (an EVTX record is at most 64 KB)
    // <UserData> is flattened into fields (see EventRecord::data); deeper or more than this is left out, marked.
    static constexpr int maxUserDataDepth = 32;
    static constexpr int maxUserDataFields = 4096; // per event
    static constexpr qint64 maxUserDataChars =
        qint64(1) * 1024 * 1024; // per event, names and values (the store keeps 64 KB)
    [[nodiscard]] static EventXmlResult parse(const QByteArray& data);
    // One <Event> element, UTF-8, as libevtx writes a record: the fast path (no wrapping, no copy unless the raw
    // XML is kept); markup declarations send it to parse().
    [[nodiscard]] static EventXmlResult parseEvent(const QByteArray& data, bool keepRawXml);
    [[nodiscard]] static EventXmlResult readFile(const QString& path);
};

} // namespace ndes::events
