// SPDX-License-Identifier: Apache-2.0
// Fuzzes the Windows Event XML reader (wevtutil streams, Event Viewer exports, UTF-8/UTF-16, UserData) and the
// fields read; the XML rebuilt from them must read back.
#include "events/EventStore.h"
#include "events/EventXmlReader.h"

#include <QByteArray>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const QByteArray xml = QByteArray::fromRawData(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    const ndes::events::EventXmlResult r = ndes::events::EventXmlReader::parse(xml);
    for (const ndes::events::EventRecord& e : r.events) {
        (void)e.dataValue(QStringLiteral("ErrorCode"));
        (void)ndes::events::isNdesProvider(e.provider);
        // UserData paths and the XML rebuilt from them: it must read back to the same fields.
        for (const auto& field : e.data)
            (void)ndes::events::fieldLabel(field.first);
        // The rebuilt XML is well formed and reads back; rebuilt once more it gives the same fields (fields not
        // written by the reader, e.g. an EventData name that looks like a path, are normalised on the first pass).
        const ndes::events::EventXmlResult back =
            ndes::events::EventXmlReader::parseEvent(ndes::events::toEventXml(e).toUtf8(), false);
        if (!back.error.isEmpty() || back.events.size() != 1)
            __builtin_trap();
        const ndes::events::EventXmlResult again =
            ndes::events::EventXmlReader::parseEvent(ndes::events::toEventXml(back.events.first()).toUtf8(), false);
        if (!again.error.isEmpty() || again.events.size() != 1 || again.events.first().data != back.events.first().data)
            __builtin_trap();
    }
    return 0;
}
