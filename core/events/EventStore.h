// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "events/EventRecord.h"

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QSet>
#include <QString>
#include <QStringList>

#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace ndes::events {

// Which events to show. Empty parts match everything.
struct EventFilter {
    QSet<int> levels;      // 1..5; 0 matches events without a level
    QStringList providers; // names, any case; "Prefix*" matches every provider starting with Prefix
    QSet<int> ids;
    QDateTime from, to; // inclusive, UTC
    QString text;       // in event data, provider, computer or channel; ASCII letters any case

    [[nodiscard]] bool isEmpty() const {
        return levels.isEmpty() && providers.isEmpty() && ids.isEmpty() && !from.isValid() && !to.isValid() &&
               text.isEmpty();
    }
};

[[nodiscard]] bool providerMatches(const QString& provider, const QStringList& patterns);

// The providers whose events an NDES admin needs: NDES itself, the CA and certificate services, CAPI2 (chains and
// revocation: RA, CA and CRL problems), the Intune connector, IIS and WAS; patterns as in EventFilter::providers.
// The one list behind the console's NDES views and `ndesctl events --provider ndes`.
[[nodiscard]] QStringList ndesRelatedProviders();
// The keyword that stands for ndesRelatedProviders() in --provider and in the Events page's source field.
inline constexpr const char* ndesProvidersKeyword = "ndes";
// Provider patterns from what a user gave: the keyword becomes ndesRelatedProviders(); NDES's provider under either
// of its names matches both; other names stay as they are (NAME* matches a prefix).
[[nodiscard]] QStringList providerPatterns(const QStringList& given);

// Events kept compactly for big logs and live feeds: columns per chunk of 8192 events (time, level, ID, record ID,
// interned provider/computer/channel) and the event data of the chunk in one UTF-8 arena, so a million events
// take tens of MB, not a million QStrings. Each event has a sequence number that never changes; with a capacity
// (live mode) the oldest whole chunk goes when the store is full — by count or by bytes — and every event it held is
// counted as dropped. One event's data is capped (longer data is cut and marked, and counted), and a chunk is closed
// once its arena reaches maxChunkArenaBytes, so the 32-bit offsets into an arena never overflow.
// Not thread-safe: fill it on one thread, then hand it over (it moves).
class EventStore {
public:
    static constexpr int chunkSize = 8192;                             // events per chunk at most
    static constexpr qint64 maxEventDataBytes = 64 * 1024;             // one event's data, names and values
    static constexpr qint64 maxChunkArenaBytes = 64 * 1024 * 1024;     // a chunk is closed at this much data
    static constexpr qint64 defaultLiveByteBudget = 512 * 1024 * 1024; // a live store's memory, unless told
    static constexpr int maxNameLength = 255; // provider, computer and channel names are cut here

    // capacity 0: unbounded. Otherwise rounded up to whole chunks (at least two). byteBudget 0: none for a file's
    // store, defaultLiveByteBudget for a live one (capacity > 0); the oldest chunks go while more is held.
    explicit EventStore(qint64 capacity = 0, qint64 byteBudget = 0);
    EventStore(EventStore&&) noexcept;
    EventStore& operator=(EventStore&&) noexcept;
    ~EventStore();

    // Returns the event's sequence number.
    quint64 append(const EventRecord& event);
    // Events that arrived but could not be taken (a frame too long, not an event): counted, not stored.
    void countRejected(quint64 n) { m_rejected += n; }

    [[nodiscard]] quint64 firstSeq() const { return m_firstSeq; } // oldest event still held
    [[nodiscard]] quint64 endSeq() const { return m_firstSeq + quint64(m_size); }
    [[nodiscard]] qint64 size() const { return m_size; }
    [[nodiscard]] bool contains(quint64 seq) const { return seq >= m_firstSeq && seq < endSeq(); }
    [[nodiscard]] quint64 accepted() const { return m_accepted; } // everything ever appended
    [[nodiscard]] quint64 evicted() const { return m_evicted; }   // pushed out by the capacity
    [[nodiscard]] quint64 rejected() const { return m_rejected; }
    [[nodiscard]] quint64 dropped() const { return m_evicted + m_rejected; }
    [[nodiscard]] qint64 capacity() const { return m_capacity; }
    [[nodiscard]] qint64 byteBudget() const { return m_byteBudget; }
    [[nodiscard]] quint64 truncated() const { return m_truncated; } // events whose data was cut at maxEventDataBytes
    void clear();

    // Fast column access (seq must be held).
    [[nodiscard]] qint64 timeMs(quint64 seq) const;
    [[nodiscard]] int level(quint64 seq) const;
    [[nodiscard]] int eventId(quint64 seq) const;
    [[nodiscard]] qint64 recordId(quint64 seq) const;
    [[nodiscard]] const QString& provider(quint64 seq) const;
    [[nodiscard]] const QString& computer(quint64 seq) const;
    [[nodiscard]] const QString& channel(quint64 seq) const;
    // The event data as one line ("Name: value; ...") for the table.
    [[nodiscard]] QString summary(quint64 seq) const;
    // The whole event back (rawXml is not kept: the caller rebuilds it with toXml when needed).
    [[nodiscard]] EventRecord event(quint64 seq) const;

    // Sequence numbers of the matching events, oldest first.
    [[nodiscard]] std::vector<quint64> filter(const EventFilter& f) const;
    // The same for the events from sequence number `from` on (the live view's new events): only the chunks that hold
    // them are searched, nothing is materialised.
    [[nodiscard]] std::vector<quint64> filterFrom(quint64 from, const EventFilter& f) const;
    [[nodiscard]] bool matches(quint64 seq, const EventFilter& f) const;

    // Providers seen, for the filter's list.
    [[nodiscard]] QStringList providers() const;
    // Bytes held (columns, arenas, interned strings), for the bench and the status line.
    [[nodiscard]] qint64 memoryBytes() const;

private:
    struct Chunk;
    struct Compiled;
    [[nodiscard]] const Chunk& chunkOf(quint64 seq, int* index) const;
    [[nodiscard]] quint32 intern(const QString& name);
    [[nodiscard]] Compiled compile(const EventFilter& f) const;
    // The chunk's matching events from its index `first` on.
    void filterChunk(const Chunk& c, quint64 base, const Compiled& cf, std::vector<quint64>& out, int first = 0) const;

    void evictOldestChunk();

    qint64 m_capacity = 0;
    qint64 m_byteBudget = 0;
    qint64 m_chunkArenaLimit = maxChunkArenaBytes;
    qint64 m_sealedBytes = 0; // bytes of every chunk but the last
    quint64 m_truncated = 0;
    std::deque<std::unique_ptr<Chunk>> m_chunks;
    quint64 m_firstSeq = 0;
    qint64 m_size = 0;
    quint64 m_accepted = 0;
    quint64 m_evicted = 0;
    quint64 m_rejected = 0;
    std::vector<QString> m_strings;
    QHash<QString, quint32> m_stringIndex;
};

// An event as Event XML (for the detail pane and the XML export), every value escaped.
[[nodiscard]] QString toEventXml(const EventRecord& event);

} // namespace ndes::events
