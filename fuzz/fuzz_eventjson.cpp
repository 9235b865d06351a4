// SPDX-License-Identifier: Apache-2.0
// Fuzzes JSON event lines (NXLog, Winlogbeat, our own), the line framer, and the event store they feed.
#include "events/EventJson.h"
#include "events/EventStore.h"

#include <QByteArray>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const QByteArray bytes = QByteArray::fromRawData(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    ndes::events::EventStore store(1);
    ndes::events::LineFramer framer(4096);
    for (const QByteArray& line : framer.feed(bytes + '\n')) {
        auto e = ndes::events::JsonEventParser::parse(line);
        if (!e.ok())
            continue;
        const quint64 seq = store.append(*e);
        (void)store.event(seq);
        (void)store.summary(seq);
        ndes::events::EventFilter f;
        f.text = e->provider.left(8);
        (void)store.filter(f);
        (void)ndes::events::toEventXml(*e);
    }
    return 0;
}
