// SPDX-License-Identifier: Apache-2.0
// Fuzzes syslog parsing (RFC 5424/3164, embedded Event XML) and TCP framing.
#include "events/Syslog.h"

#include <QByteArray>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const QByteArray bytes = QByteArray::fromRawData(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    if (auto m = ndes::events::SyslogParser::parse(bytes); m.ok())
        (void)m->toEvent();
    ndes::events::SyslogFramer framer;
    for (const QByteArray& frame : framer.feed(bytes))
        if (auto m = ndes::events::SyslogParser::parse(frame); m.ok())
            (void)m->toEvent();
    return 0;
}
