// SPDX-License-Identifier: Apache-2.0
// Fuzzes the EVTX parser on one chunk (its header, string and template tables, records, every binary XML token and
// value type, the search of free space): no crash, no overread (ASan), bounded output and work; every record read
// has an event ID, and its XML reads back as Event XML with the same ID. Then the whole reader on a file of that
// chunk twice: each record once (the copy's are duplicates), the loss count consistent.
#include "events/EventFileReader.h"
#include "events/EventXmlReader.h"
#include "events/EvtxParser.h"

#include <QByteArray>
#include <QString>

#include <cstring>
#include <set>

#include <sys/mman.h>
#include <unistd.h>

namespace {

qint64 charsOf(const ndes::events::EventRecord& e) {
    qint64 n = e.rawXml.size() + e.message.size() + e.levelText.size() + e.taskText.size();
    for (const auto& [k, v] : e.data)
        n += k.size() + v.size();
    return n;
}

} // namespace

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
    qint64 chars = 0;
    for (const auto* list : {&r.records, &r.recovered})
        for (const EventRecord& e : *list) {
            if (e.eventId < 0)
                __builtin_trap();
            chars += charsOf(e);
            // The XML read back (an oracle, slow under ASan for the budget's megabytes: real records stay far below)
            if (e.rawXml.size() > 256 * 1024)
                continue;
            const EventXmlResult back = EventXmlReader::parseEvent(e.rawXml.toUtf8(), false);
            if (back.events.size() == 1 && back.events.first().eventId != e.eventId)
                __builtin_trap();
        }
    if (chars > 12 * 1024 * 1024) // the chunk budget (8 M characters) and one step over it
        __builtin_trap();
    options.keepRawXml = false;
    const evtx::ChunkResult again =
        evtx::parseChunk(reinterpret_cast<const uchar*>(bytes.constData()), bytes.size(), options);
    if (again.records.size() != r.records.size() || again.recovered.size() != r.recovered.size())
        __builtin_trap();

    // The reader on a file: a header, this chunk (padded to 64 KB) and the same chunk again.
    static const int fd = memfd_create("fuzz-evtx", 0);
    if (fd < 0)
        return 0;
    QByteArray file(evtx::fileHeaderBytes, '\0');
    std::memcpy(file.data(), "ElfFile\0", 8);
    QByteArray chunk = bytes;
    chunk.resize(evtx::chunkBytes, '\0');
    file += chunk + chunk;
    if (ftruncate(fd, 0) != 0 || pwrite(fd, file.constData(), size_t(file.size()), 0) != file.size())
        return 0;
    EvtxReader reader;
    reader.setKeepRawXml(false);
    reader.setThreads(2);
    std::set<qint64> ids;
    qint64 events = 0;
    auto summary = reader.read(QStringLiteral("/proc/self/fd/%1").arg(fd), [&](EventRecord&& e) {
        ++events;
        ids.insert(e.recordId);
        return true;
    });
    if (summary && (qint64(ids.size()) != events || summary->records != events || summary->unreadable < 0))
        __builtin_trap();
    return 0;
}
