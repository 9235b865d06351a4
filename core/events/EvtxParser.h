// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "events/EventRecord.h"

#include <QString>
#include <QStringList>

#include <cstdint>
#include <vector>

// Our own EVTX parser (MS-EVEN6 and libevtx's format notes): the file header, 64 KB chunks with their string and
// template tables, records, and the binary XML of each record with every token and value type — rendered to the
// Event XML libevtx prints and, in the same pass, to the fields NDES Console keeps (EventRecord). It works on bytes
// it is given (a mapped file) and trusts nothing in them: every offset and size is checked against the chunk, a
// template that refers to itself or nests too deep is refused, and a damaged record costs that record only.
// Chunks are independent, so they can be parsed on several threads (see EvtxReader).
namespace ndes::events::evtx {

inline constexpr qsizetype fileHeaderBytes = 4096;
inline constexpr qsizetype chunkBytes = 65536;
inline constexpr qsizetype chunkHeaderBytes = 512;

inline constexpr quint32 fileFlagDirty = 0x1;
inline constexpr quint32 fileFlagFull = 0x2;

struct FileHeader {
    bool signatureOk = false; // "ElfFile\0"
    bool checksumOk = false;  // CRC32 of the first 120 bytes
    quint64 firstChunk = 0, lastChunk = 0, nextRecordId = 0;
    quint16 minorVersion = 0, majorVersion = 0, chunkCount = 0;
    quint32 flags = 0;
};
[[nodiscard]] FileHeader readFileHeader(const uchar* data, qsizetype size);

// A record that was found but could not be read, and why.
struct LostRecord {
    quint64 recordId = 0; // 0 when even the record header was unreadable
    QString why;
};

struct ChunkResult {
    enum class Kind { Chunk, Empty, NotAChunk };
    Kind kind = Kind::NotAChunk;
    bool headerChecksumOk = false;
    bool dataChecksumOk = false;
    bool announcedValid = false; // the header's first/last record IDs make sense
    quint64 firstRecordId = 0, lastRecordId = 0;
    std::vector<EventRecord> records;   // records of the chunk's used part, in order
    std::vector<EventRecord> recovered; // records found in the chunk's unused part (left from earlier writes)
    std::vector<LostRecord> lost;       // records of the used part that could not be read
    QStringList problems;               // about the chunk itself (checksums, a broken record chain)
};

struct ParseOptions {
    bool keepRawXml = true;
};

// One chunk: `size` is 64 KB, or less for the last chunk of a truncated file.
[[nodiscard]] ChunkResult parseChunk(const uchar* data, qsizetype size, const ParseOptions& options);

} // namespace ndes::events::evtx
