// SPDX-License-Identifier: Apache-2.0
// Fuzzes the Windows Event XML reader (wevtutil streams, Event Viewer exports, UTF-8/UTF-16) and the fields read.
#include "events/EventXmlReader.h"

#include <QByteArray>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const QByteArray xml = QByteArray::fromRawData(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    const ndes::events::EventXmlResult r = ndes::events::EventXmlReader::parse(xml);
    for (const ndes::events::EventRecord& e : r.events) {
        (void)e.dataValue(QStringLiteral("ErrorCode"));
        (void)ndes::events::isNdesProvider(e.provider);
    }
    return 0;
}
