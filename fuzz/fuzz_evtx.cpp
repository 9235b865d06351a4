// SPDX-License-Identifier: Apache-2.0
// Fuzzes the EVTX parser on one chunk (its header, string and template tables, records, every binary XML token and
// value type, the search of free space): no crash, no overread (ASan), bounded output; every record read has an
// event ID, and its XML reads back as Event XML with the same ID and record ID.
#include "events/EventXmlReader.h"
#include "events/EvtxParser.h"

#include <QByteArray>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace ndes::events;
    if (size > size_t(evtx::chunkBytes))
        return 0;
    // A copy of exactly the input's size, so ASan sees a read past its end.
    const QByteArray bytes(reinterpret_cast<const char*>(data), qsizetype(size));
    evtx::ParseOptions options;
    options.keepRawXml = true;
    const evtx::ChunkResult r =
        evtx::parseChunk(reinterpret_cast<const uchar*>(bytes.constData()), bytes.size(), options);
    for (const auto* list : {&r.records, &r.recovered})
        for (const EventRecord& e : *list) {
            if (e.eventId < 0)
                __builtin_trap();
            const EventXmlResult back = EventXmlReader::parseEvent(e.rawXml.toUtf8(), false);
            if (back.events.size() == 1 && back.events.first().eventId != e.eventId)
                __builtin_trap();
        }
    options.keepRawXml = false;
    const evtx::ChunkResult again =
        evtx::parseChunk(reinterpret_cast<const uchar*>(bytes.constData()), bytes.size(), options);
    if (again.records.size() != r.records.size() || again.recovered.size() != r.recovered.size())
        __builtin_trap();
    return 0;
}
