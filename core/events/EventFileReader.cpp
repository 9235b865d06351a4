// SPDX-License-Identifier: Apache-2.0
#include "events/EventFileReader.h"

#include "events/EventXmlReader.h"
#include "events/EvtxParser.h"

#include <QCoreApplication>
#include <QFile>
#include <QMap>
#include <QThread>

#include <cerrno>
#include <new>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <thread>
#include <vector>

extern char** environ;

// ASan, as GCC (__SANITIZE_ADDRESS__) and clang (__has_feature, in the fuzz build) say it.
#if defined(__SANITIZE_ADDRESS__)
#define NDES_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NDES_ASAN 1
#endif
#endif

namespace ndes::events {

namespace {

QString tr(const char* text, const char* disambiguation = nullptr, int n = -1) {
    return QCoreApplication::translate("EventFileReader", text, disambiguation, n);
}

} // namespace

std::unique_ptr<EventFileReader> EventFileReader::forFile(const QString& path, Error* whyNot) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        if (whyNot)
            *whyNot = makeError(ErrorKind::Io, tr("Cannot read %1: %2").arg(path, f.errorString()));
        return nullptr;
    }
    const QByteArray head = f.read(64);
    if (head.startsWith(QByteArrayLiteral("ElfFile\0")))
        return std::make_unique<EvtxReader>();
    QByteArray probe = head;
    if (probe.startsWith("\xEF\xBB\xBF"))
        probe = probe.mid(3);
    if (probe.startsWith("\xFF\xFE") || probe.startsWith("\xFE\xFF"))
        probe = probe.mid(2);
    probe.replace('\0', QByteArray());
    if (probe.trimmed().startsWith('<'))
        return std::make_unique<XmlEventFileReader>();
    if (whyNot)
        *whyNot = makeError(ErrorKind::Usage,
                            tr("%1 is neither an EVTX event log nor Windows Event XML. Open a .evtx file from "
                               "C:\\Windows\\System32\\winevt\\Logs, or save events from Event Viewer as XML.")
                                .arg(path));
    return nullptr;
}

// --- EVTX --------------------------------------------------------------------------------------------------------
namespace {

// Record identifiers as ranges (records come mostly in runs): which were read, which the chunks announce.
class IdRanges {
public:
    // False when `id` was already there.
    bool insert(quint64 id) {
        auto next = m_ranges.upper_bound(id);
        if (next != m_ranges.begin()) {
            auto prev = std::prev(next);
            if (id <= prev->second)
                return false;
            if (id == prev->second + 1) {
                prev->second = id;
                if (next != m_ranges.end() && next->first == id + 1) {
                    prev->second = next->second;
                    m_ranges.erase(next);
                }
                return true;
            }
        }
        if (next != m_ranges.end() && next->first == id + 1) {
            const quint64 last = next->second;
            m_ranges.erase(next);
            m_ranges.emplace(id, last);
            return true;
        }
        m_ranges.emplace(id, id);
        return true;
    }
    void insertRange(quint64 first, quint64 last) {
        auto it = m_ranges.upper_bound(first);
        if (it != m_ranges.begin() && std::prev(it)->second + 1 >= first) {
            --it;
            first = it->first;
            last = std::max(last, it->second);
        }
        while (it != m_ranges.end() && it->first <= last + 1) {
            last = std::max(last, it->second);
            it = m_ranges.erase(it);
        }
        m_ranges.emplace(first, last);
    }
    [[nodiscard]] quint64 count() const {
        quint64 n = 0;
        for (const auto& [a, b] : m_ranges)
            n += b - a + 1;
        return n;
    }
    [[nodiscard]] const std::map<quint64, quint64>& ranges() const { return m_ranges; }
    [[nodiscard]] bool contains(quint64 id) const {
        auto next = m_ranges.upper_bound(id);
        return next != m_ranges.begin() && id <= std::prev(next)->second;
    }
    void insertAll(const IdRanges& other) {
        for (const auto& [a, b] : other.m_ranges)
            insertRange(a, b);
    }
    // How many of this set's identifiers `other` lacks.
    [[nodiscard]] quint64 missingFrom(const IdRanges& other) const {
        quint64 missing = 0;
        for (const auto& [a, b] : m_ranges) {
            quint64 covered = 0;
            auto it = other.m_ranges.upper_bound(a);
            if (it != other.m_ranges.begin())
                --it;
            for (; it != other.m_ranges.end() && it->first <= b; ++it) {
                const quint64 lo = std::max(a, it->first), hi = std::min(b, it->second);
                if (lo <= hi)
                    covered += hi - lo + 1;
            }
            missing += (b - a + 1) - covered;
        }
        return missing;
    }

private:
    std::map<quint64, quint64> m_ranges; // first -> last
};

constexpr int maxProblemLines = 20;

} // namespace

int EvtxReader::threads() const {
    return std::clamp(m_threads > 0 ? m_threads : QThread::idealThreadCount(), 1, 16);
}

Result<EventReadSummary> EvtxReader::read(const QString& path, const Sink& sink) {
    EventReadSummary summary;
    summary.format = format();
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(ErrorKind::Io, tr("Cannot read %1: %2").arg(path, file.errorString()));
    const qint64 size = file.size();
    if (size < 128)
        return makeError(
            ErrorKind::Io,
            tr("%1 cannot be opened as an EVTX event log: it is only %n byte(s) long.", nullptr, int(size)).arg(path));
    // Each chunk is read (pread) into its worker's own 64 KB: never the whole file, and a file that shrinks or fails
    // while it is read gives short reads (a damaged chunk), not a crash as a mapping would.
    const int fd = file.handle();
    auto readAt = [fd](uchar* buf, qint64 want, qint64 offset) -> qint64 {
        qint64 got = 0;
        while (got < want) {
            const ssize_t n = ::pread(fd, buf + got, size_t(want - got), off_t(offset + got));
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break;
            got += n;
        }
        return got;
    };
    std::vector<uchar> headerBytes(evtx::fileHeaderBytes);
    const qint64 headerGot = readAt(headerBytes.data(), std::min<qint64>(size, evtx::fileHeaderBytes), 0);
    const evtx::FileHeader header = evtx::readFileHeader(headerBytes.data(), headerGot);
    if (!header.signatureOk)
        return makeError(
            ErrorKind::Io,
            tr("%1 cannot be opened as an EVTX event log; it may be damaged or not an event log.").arg(path));
    if (!header.checksumOk) {
        summary.damaged = true;
        summary.problems << tr("The file header's checksum does not match; every chunk was read all the same.");
    }
    if (header.flags & evtx::fileFlagDirty)
        summary.problems << tr("The log was not closed cleanly (dirty, as a log copied while Windows was writing "
                               "it); its records were read as they are.");

    const qint64 body = std::max<qint64>(0, size - evtx::fileHeaderBytes);
    const qint64 chunkCount = (body + evtx::chunkBytes - 1) / evtx::chunkBytes;
    if (body % evtx::chunkBytes) {
        summary.damaged = true;
        summary.problems << tr("The file ends inside a chunk (truncated); the records before the cut were read.");
    }
    const int workers = threads();
    // Chunks in flight: a few per thread, so memory stays flat however big the file (each chunk's records are
    // bounded by the parser's budgets).
    const qint64 batch = qint64(workers) * 4;
    evtx::ParseOptions options;
    options.keepRawXml = m_keepRawXml;

    IdRanges delivered, announced, lostIds;
    std::vector<EventRecord> pendingRecovered;
    qint64 pendingChars = 0, recoveredDropped = 0;
    constexpr qint64 maxPendingChars = 64 * 1024 * 1024; // recovered records held until the end
    auto charsOf = [](const EventRecord& e) {
        qint64 n = e.rawXml.size() + e.message.size() + 64;
        for (const auto& [k, v] : e.data)
            n += k.size() + v.size() + 16;
        return n;
    };
    QMap<QString, qint64> lostWhy;
    constexpr int maxReasons = 20;
    qint64 lostOtherReasons = 0, lostWithoutId = 0;
    qint64 duplicates = 0, notChunks = 0, emptyChunks = 0, badChecksums = 0, outOfMemory = 0;
    QStringList chunkProblems;
    int moreProblems = 0;
    bool stopped = false;

    for (qint64 first = 0; first < chunkCount && !stopped; first += batch) {
        const qint64 count = std::min(batch, chunkCount - first);
        std::vector<evtx::ChunkResult> results(static_cast<size_t>(count));
        std::vector<char> failed(static_cast<size_t>(count), 0);
        std::atomic<qint64> next{0};
        auto work = [&] {
            std::vector<uchar> buf(evtx::chunkBytes);
            for (qint64 i; (i = next.fetch_add(1)) < count;) {
                const qint64 offset = evtx::fileHeaderBytes + (first + i) * evtx::chunkBytes;
                const qint64 got = readAt(buf.data(), std::min<qint64>(evtx::chunkBytes, size - offset), offset);
                try {
                    results[size_t(i)] = evtx::parseChunk(buf.data(), got, options);
                } catch (const std::bad_alloc&) { // one chunk's records did not fit: that chunk is lost, not the read
                    results[size_t(i)] = evtx::ChunkResult();
                    failed[size_t(i)] = 1;
                }
            }
        };
        std::vector<std::thread> helpers;
        for (int t = 1; t < workers && t < count; ++t)
            helpers.emplace_back(work);
        work();
        for (std::thread& t : helpers)
            t.join();

        for (qint64 i = 0; i < count && !stopped; ++i) {
            evtx::ChunkResult& r = results[size_t(i)];
            const qint64 number = first + i;
            if (failed[size_t(i)]) {
                ++outOfMemory;
                continue;
            }
            if (r.kind == evtx::ChunkResult::Kind::Empty) {
                ++emptyChunks;
                continue;
            }
            if (r.kind == evtx::ChunkResult::Kind::NotAChunk) {
                ++notChunks;
                continue;
            }
            if (r.announcedValid)
                announced.insertRange(r.firstRecordId, r.lastRecordId);
            if (!r.headerChecksumOk || !r.dataChecksumOk)
                ++badChecksums;
            for (const QString& p : r.problems) {
                if (chunkProblems.size() < maxProblemLines)
                    chunkProblems << tr("Chunk %1: %2").arg(number + 1).arg(p);
                else
                    ++moreProblems;
            }
            for (const evtx::LostRecord& l : r.lost) {
                if (l.recordId == 0)
                    ++lostWithoutId;
                else if (!lostIds.insert(l.recordId))
                    continue; // the same record lost twice is one record
                if (lostWhy.contains(l.why) || lostWhy.size() < maxReasons)
                    ++lostWhy[l.why];
                else
                    ++lostOtherReasons;
            }
            for (EventRecord& e : r.records) {
                if (!delivered.insert(quint64(e.recordId))) {
                    ++duplicates;
                    continue;
                }
                ++summary.records;
                if (!sink(std::move(e))) {
                    stopped = true;
                    break;
                }
            }
            for (EventRecord& e : r.recovered) {
                if (delivered.contains(quint64(e.recordId))) {
                    ++duplicates;
                    continue;
                }
                const qint64 chars = charsOf(e);
                if (pendingChars + chars > maxPendingChars) {
                    ++recoveredDropped;
                    continue;
                }
                pendingChars += chars;
                pendingRecovered.push_back(std::move(e));
            }
        }
        const qint64 done = std::min(size, evtx::fileHeaderBytes + (first + count) * evtx::chunkBytes);
        if (m_progress && !m_progress(done, size))
            stopped = true;
    }
    if (stopped)
        return summary;
    // Records left in chunks' unused parts by earlier writes, unless the same record was read in a chunk.
    for (EventRecord& e : pendingRecovered) {
        if (!delivered.insert(quint64(e.recordId))) {
            ++duplicates;
            continue;
        }
        ++summary.records;
        ++summary.recovered;
        if (!sink(std::move(e)))
            return summary;
    }

    // Lost: the IDs the chunks announce, or that records found but unreadable carry, that no record gave; records
    // unreadable down to their ID; and the records of blocks that are zero or damaged, seen as gaps between the
    // chunks around them (a log's chunks hold one run of record IDs, wrapping around). A gap counts only as far as
    // the lost blocks could have held it.
    IdRanges expected = announced;
    expected.insertAll(lostIds);
    qint64 gapMissing = 0;
    {
        const quint64 perChunk = quint64(evtx::chunkBytes / 28);
        const quint64 room = quint64(emptyChunks + notChunks + outOfMemory) * perChunk;
        quint64 prevLast = 0, used = 0;
        bool firstRange = true;
        IdRanges gaps;
        for (const auto& [a, b] : expected.ranges()) {
            if (!firstRange && a > prevLast + 1 && used + (a - prevLast - 1) <= room) {
                gaps.insertRange(prevLast + 1, a - 1);
                used += a - prevLast - 1;
            }
            firstRange = false;
            prevLast = b;
        }
        gapMissing = qint64(gaps.missingFrom(delivered));
    }
    const qint64 expectedMissing = qint64(expected.missingFrom(delivered));
    IdRanges readOrLost = delivered;
    readOrLost.insertAll(lostIds);
    const qint64 notFound = qint64(announced.missingFrom(readOrLost));
    summary.unreadable = expectedMissing + lostWithoutId + gapMissing;
    summary.duplicates = duplicates;
    if (notChunks) {
        summary.damaged = true;
        summary.problems << tr("%n block(s) of 64 KB are not chunks of an event log (overwritten or damaged) and "
                               "were skipped.",
                               nullptr, int(notChunks));
    }
    if (outOfMemory) {
        summary.damaged = true;
        summary.problems << tr("%n chunk(s) could not be read for lack of memory.", nullptr, int(outOfMemory));
    }
    if (badChecksums) {
        summary.damaged = true;
        summary.problems << tr("%n chunk(s) fail their checksums; their records were read all the same.", nullptr,
                               int(badChecksums));
    }
    summary.problems << chunkProblems;
    if (moreProblems)
        summary.problems << tr("… and %n more chunk problem(s).", nullptr, moreProblems);
    if (duplicates)
        summary.problems << tr("%n record(s) appear twice in the file (a copy left by the log's wrap-around); each "
                               "was read once.",
                               nullptr, int(duplicates));
    if (recoveredDropped)
        summary.problems << tr("%n record(s) recovered from free space were left out: more than 64 MB of them.",
                               nullptr, int(recoveredDropped));
    if (summary.unreadable > 0) {
        summary.damaged = true;
        summary.problems << tr("%n record(s) could not be read.", nullptr, int(summary.unreadable));
        for (auto it = lostWhy.cbegin(); it != lostWhy.cend(); ++it)
            summary.problems << tr("%n record(s): %1", nullptr, int(it.value())).arg(it.key());
        if (lostOtherReasons)
            summary.problems << tr("%n record(s): other reasons", nullptr, int(lostOtherReasons));
        if (notFound > 0)
            summary.problems << tr("%n record(s) that their chunk's header announces are not in it (never written, "
                                   "or overwritten).",
                                   nullptr, int(notFound));
        if (gapMissing > 0)
            summary.problems << tr("%n record(s) are missing between chunks, where blocks of the file are zero or "
                                   "damaged.",
                                   nullptr, int(gapMissing));
    }
    return summary;
}

Result<EventReadSummary> XmlEventFileReader::read(const QString& path, const Sink& sink) {
    EventReadSummary summary;
    summary.format = format();
    auto parsed = EventXmlReader::readFile(path);
    if (parsed.events.isEmpty() && !parsed.error.isEmpty())
        return makeError(ErrorKind::Io, parsed.error);
    if (!parsed.error.isEmpty()) {
        summary.damaged = true;
        summary.problems << parsed.error;
    }
    summary.unreadable = parsed.skipped;
    for (auto& ev : parsed.events) {
        ++summary.records;
        if (!sink(std::move(ev)))
            break;
    }
    return summary;
}

} // namespace ndes::events
