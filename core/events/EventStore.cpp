// SPDX-License-Identifier: Apache-2.0
#include "events/EventStore.h"

#include <QXmlStreamWriter>

#include <algorithm>
#include <array>
#include <bitset>
#include <cstring>
#include <limits>

namespace ndes::events {

namespace {

constexpr char fieldSep = '\x1F';  // between a data name and its value
constexpr char recordSep = '\x1E'; // after each value
// A forwarded event's rendered message, level and task ride along as fields with names no XML name can have.
constexpr char renderedMark = '\x01';
const QString renderedMessage = QStringLiteral("\x01Message");
const QString renderedLevel = QStringLiteral("\x01Level");
const QString renderedTask = QStringLiteral("\x01Task");
constexpr quint32 maxInterned = 65536;

inline unsigned char fold(unsigned char b) {
    return (b >= 'A' && b <= 'Z') ? b | 0x20 : b;
}

// Field separators inside values would split them; a real value never has them. At most `maxBytes` of UTF-8 are
// needed (the rest would be cut), so no more than that many characters are converted.
void appendClean(std::string& arena, const QString& s, qint64 maxBytes) {
    const QByteArray u = s.size() > maxBytes ? QStringView(s).left(qsizetype(maxBytes)).toUtf8() : s.toUtf8();
    const size_t at = arena.size();
    arena.append(u.constData(), size_t(u.size()));
    for (size_t i = at; i < arena.size(); ++i)
        if (arena[i] == fieldSep || arena[i] == recordSep)
            arena[i] = ' ';
}

// Boyer-Moore-Horspool over ASCII-folded bytes: every start offset of `needle` (already folded) in [begin, end).
class FoldedSearch {
public:
    explicit FoldedSearch(const std::string& needle)
        : m_needle(needle) {
        m_shift.fill(needle.size());
        for (size_t i = 0; i + 1 < needle.size(); ++i)
            m_shift[static_cast<unsigned char>(needle[i])] = needle.size() - 1 - i;
    }
    // The first match at or after `from`, or npos.
    [[nodiscard]] size_t find(const char* text, size_t n, size_t from) const {
        const size_t m = m_needle.size();
        if (m == 0 || n < m)
            return std::string::npos;
        const auto* t = reinterpret_cast<const unsigned char*>(text);
        const auto* p = reinterpret_cast<const unsigned char*>(m_needle.data());
        size_t pos = from;
        while (pos + m <= n) {
            const unsigned char last = fold(t[pos + m - 1]);
            if (last == p[m - 1]) {
                size_t k = m - 1;
                while (k > 0 && fold(t[pos + k - 1]) == p[k - 1])
                    --k;
                if (k == 0)
                    return pos;
            }
            pos += m_shift[last];
        }
        return std::string::npos;
    }

private:
    std::string m_needle;
    std::array<size_t, 256> m_shift{};
};

} // namespace

bool providerMatches(const QString& provider, const QStringList& patterns) {
    return std::any_of(patterns.begin(), patterns.end(), [&](const QString& p) {
        return p.endsWith(QLatin1Char('*')) ? provider.startsWith(QStringView(p).chopped(1), Qt::CaseInsensitive)
                                            : provider.compare(p, Qt::CaseInsensitive) == 0;
    });
}

QStringList ndesRelatedProviders() {
    return {QStringLiteral("Microsoft-Windows-NetworkDeviceEnrollmentService"),
            QStringLiteral("NetworkDeviceEnrollmentService"),
            QStringLiteral("Microsoft-Windows-CertificationAuthority"),
            QStringLiteral("Microsoft-Windows-CertificateServices*"),
            QStringLiteral("Microsoft-Windows-CertificateServicesClient*"),
            QStringLiteral("Microsoft-Windows-CAPI2"),
            QStringLiteral("Microsoft-Intune*"),
            QStringLiteral("Microsoft Intune Connector*"),
            QStringLiteral("NDESConnector*"),
            QStringLiteral("Microsoft-Windows-IIS*"),
            QStringLiteral("W3SVC*"),
            QStringLiteral("WAS"),
            QStringLiteral("Microsoft-Windows-WAS")};
}

QStringList providerPatterns(const QStringList& given) {
    QStringList patterns;
    for (const QString& raw : given) {
        const QString p = raw.trimmed();
        if (p.isEmpty())
            continue;
        if (p.compare(QLatin1String(ndesProvidersKeyword), Qt::CaseInsensitive) == 0)
            patterns << ndesRelatedProviders();
        else if (isNdesProvider(p))
            patterns << QStringLiteral("Microsoft-Windows-NetworkDeviceEnrollmentService")
                     << QStringLiteral("NetworkDeviceEnrollmentService");
        else
            patterns << p;
    }
    patterns.removeDuplicates();
    return patterns;
}

static_assert(EventStore::maxChunkArenaBytes + EventStore::maxEventDataBytes + 64 <
                  qint64(std::numeric_limits<quint32>::max()),
              "arena offsets are 32-bit");

struct EventStore::Chunk {
    quint64 first = 0; // sequence number of its first event
    std::vector<qint64> time;
    std::vector<quint8> level;
    std::vector<qint32> id;
    std::vector<qint64> record;
    std::vector<quint32> provider, computer, channel;
    std::vector<quint32> dataStart;
    std::string arena;

    Chunk() {
        time.reserve(chunkSize);
        level.reserve(chunkSize);
        id.reserve(chunkSize);
        record.reserve(chunkSize);
        provider.reserve(chunkSize);
        computer.reserve(chunkSize);
        channel.reserve(chunkSize);
        dataStart.reserve(chunkSize);
    }
    [[nodiscard]] int count() const { return int(time.size()); }
    [[nodiscard]] size_t dataEnd(int i) const { return i + 1 < count() ? dataStart[size_t(i) + 1] : arena.size(); }
    [[nodiscard]] qint64 bytes() const {
        return qint64(time.capacity() * 8 + level.capacity() + id.capacity() * 4 + record.capacity() * 8 +
                      (provider.capacity() + computer.capacity() + channel.capacity() + dataStart.capacity()) * 4 +
                      arena.capacity());
    }
};

struct EventStore::Compiled {
    std::bitset<256> levels;
    bool anyLevel = true;
    std::vector<bool> providers; // by interned index
    bool anyProvider = true;
    std::vector<bool> smallIds; // 0..65535
    QSet<int> otherIds;
    bool anyId = true;
    qint64 from = std::numeric_limits<qint64>::min();
    qint64 to = std::numeric_limits<qint64>::max();
    bool anyTime = true;
    std::string needle;              // folded UTF-8
    std::vector<bool> stringHasText; // interned strings containing the text
};

EventStore::EventStore(qint64 capacity, qint64 byteBudget) {
    if (capacity > 0)
        m_capacity = std::max<qint64>(2, (capacity + chunkSize - 1) / chunkSize) * chunkSize;
    m_byteBudget = byteBudget > 0 ? byteBudget : (capacity > 0 ? defaultLiveByteBudget : 0);
    // With a budget, chunks close at a quarter of it at most, so eviction frees memory in steps that fit.
    if (m_byteBudget > 0)
        m_chunkArenaLimit = std::clamp<qint64>(m_byteBudget / 4, maxEventDataBytes, maxChunkArenaBytes);
    m_strings.emplace_back(); // index 0: empty
    m_stringIndex.insert(QString(), 0);
}

EventStore::EventStore(EventStore&&) noexcept = default;
EventStore& EventStore::operator=(EventStore&&) noexcept = default;
EventStore::~EventStore() = default;

void EventStore::clear() {
    m_firstSeq = endSeq();
    m_chunks.clear();
    m_size = 0;
    m_sealedBytes = 0;
}

void EventStore::evictOldestChunk() {
    const int gone = m_chunks.front()->count();
    if (m_chunks.size() > 1)
        m_sealedBytes -= m_chunks.front()->bytes();
    else
        m_sealedBytes = 0;
    m_chunks.pop_front();
    m_firstSeq += quint64(gone);
    m_size -= gone;
    m_evicted += quint64(gone);
}

quint32 EventStore::intern(const QString& name) {
    if (name.isEmpty())
        return 0;
    // Provider, computer and channel names are short (RFC 5424: HOSTNAME 255, APP-NAME 48); a longer one is cut,
    // so the pool (65,536 names at most, never evicted) stays a few MB whatever a feed sends.
    const QString s = name.size() > maxNameLength ? name.left(maxNameLength) : name;
    const auto it = m_stringIndex.constFind(s);
    if (it != m_stringIndex.constEnd())
        return *it;
    if (m_strings.size() >= maxInterned) { // a hostile feed with ever new host names: stop interning
        static const QString other = QStringLiteral("(other)");
        const auto o = m_stringIndex.constFind(other);
        if (o != m_stringIndex.constEnd())
            return *o;
        m_strings.push_back(other);
        m_stringIndex.insert(other, quint32(m_strings.size() - 1));
        return quint32(m_strings.size() - 1);
    }
    const auto idx = quint32(m_strings.size());
    m_strings.push_back(s);
    m_stringIndex.insert(s, idx);
    return idx;
}

quint64 EventStore::append(const EventRecord& e) {
    if (m_capacity > 0 && m_size >= m_capacity && !m_chunks.empty())
        evictOldestChunk();
    if (m_chunks.empty() || m_chunks.back()->count() >= chunkSize ||
        qint64(m_chunks.back()->arena.size()) >= m_chunkArenaLimit) {
        if (!m_chunks.empty()) {
            m_chunks.back()->arena.shrink_to_fit(); // closed: it grows no more
            m_sealedBytes += m_chunks.back()->bytes();
        }
        m_chunks.push_back(std::make_unique<Chunk>());
        m_chunks.back()->first = endSeq();
    }
    Chunk& c = *m_chunks.back();
    c.time.push_back(e.time.isValid() ? e.time.toMSecsSinceEpoch() : std::numeric_limits<qint64>::min());
    c.level.push_back(quint8(std::clamp(e.level, 0, 255)));
    c.id.push_back(e.eventId);
    c.record.push_back(e.recordId);
    c.provider.push_back(intern(e.provider));
    c.computer.push_back(intern(e.computer));
    c.channel.push_back(intern(e.channel));
    const size_t start = c.arena.size();
    c.dataStart.push_back(quint32(start));
    const qint64 room = maxEventDataBytes + 1; // one byte over the cap tells that it was cut
    auto field = [&](const QString& name, const QString& value, bool rendered = false) {
        const size_t nameAt = c.arena.size();
        appendClean(c.arena, name, room - qint64(c.arena.size() - start));
        if (!rendered) // a data name never holds control characters: none can pass for a rendered field's mark
            for (size_t k = nameAt; k < c.arena.size(); ++k)
                if (static_cast<unsigned char>(c.arena[k]) < 0x20)
                    c.arena[k] = ' ';
        c.arena.push_back(fieldSep);
        appendClean(c.arena, value, std::max<qint64>(0, room - qint64(c.arena.size() - start)));
        c.arena.push_back(recordSep);
        return qint64(c.arena.size() - start) <= maxEventDataBytes;
    };
    bool roomLeft = true;
    for (const auto& [name, value] : e.data)
        if (!(roomLeft = field(name, value)))
            break;
    for (const auto& [name, value] : {std::pair{renderedMessage, e.message}, std::pair{renderedLevel, e.levelText},
                                      std::pair{renderedTask, e.taskText}})
        if (roomLeft && !value.isEmpty())
            roomLeft = field(name, value, true);
    if (qint64(c.arena.size() - start) > maxEventDataBytes) {
        // Cut at the cap (on a UTF-8 character boundary), mark it, and close the record so it still parses.
        size_t cut = start + size_t(maxEventDataBytes);
        while (cut > start && (static_cast<unsigned char>(c.arena[cut]) & 0xC0) == 0x80)
            --cut;
        c.arena.resize(cut);
        const size_t lastRecord = c.arena.rfind(recordSep);
        const size_t recordBegin = lastRecord == std::string::npos || lastRecord < start ? start : lastRecord + 1;
        const bool hasName = c.arena.find(fieldSep, recordBegin) != std::string::npos;
        if (!hasName)
            c.arena.push_back(fieldSep);
        c.arena.append(" [cut: event data over 64 KB]");
        c.arena.push_back(recordSep);
        ++m_truncated;
    }
    ++m_size;
    ++m_accepted;
    if (m_byteBudget > 0)
        while (m_chunks.size() > 1 && m_sealedBytes + m_chunks.back()->bytes() > m_byteBudget)
            evictOldestChunk();
    return endSeq() - 1;
}

const EventStore::Chunk& EventStore::chunkOf(quint64 seq, int* index) const {
    // Chunks are in sequence order; the one holding seq is the last that starts at or before it.
    const auto it = std::upper_bound(m_chunks.begin(), m_chunks.end(), seq,
                                     [](quint64 s, const std::unique_ptr<Chunk>& c) { return s < c->first; });
    const Chunk& c = **std::prev(it);
    *index = int(seq - c.first);
    return c;
}

qint64 EventStore::timeMs(quint64 seq) const {
    int i = 0;
    return chunkOf(seq, &i).time[size_t(i)];
}
int EventStore::level(quint64 seq) const {
    int i = 0;
    return chunkOf(seq, &i).level[size_t(i)];
}
int EventStore::eventId(quint64 seq) const {
    int i = 0;
    return chunkOf(seq, &i).id[size_t(i)];
}
qint64 EventStore::recordId(quint64 seq) const {
    int i = 0;
    return chunkOf(seq, &i).record[size_t(i)];
}
const QString& EventStore::provider(quint64 seq) const {
    int i = 0;
    return m_strings[chunkOf(seq, &i).provider[size_t(i)]];
}
const QString& EventStore::computer(quint64 seq) const {
    int i = 0;
    return m_strings[chunkOf(seq, &i).computer[size_t(i)]];
}
const QString& EventStore::channel(quint64 seq) const {
    int i = 0;
    return m_strings[chunkOf(seq, &i).channel[size_t(i)]];
}

QString EventStore::summary(quint64 seq) const {
    int i = 0;
    const Chunk& c = chunkOf(seq, &i);
    const size_t begin = c.dataStart[size_t(i)];
    const size_t end = std::min(c.dataEnd(i), begin + 600);
    QString out;
    size_t pos = begin;
    while (pos < end) {
        const size_t sep = c.arena.find(fieldSep, pos);
        size_t stop = c.arena.find(recordSep, pos);
        if (stop == std::string::npos || stop > end)
            stop = end;
        if (sep != std::string::npos && sep < stop && c.arena[pos] == renderedMark) {
            pos = stop + 1; // the rendered message is shown in the detail, not in the table's data column
            continue;
        }
        if (!out.isEmpty())
            out += QStringLiteral("; ");
        if (sep != std::string::npos && sep < stop) {
            const QString name = QString::fromUtf8(c.arena.data() + pos, qsizetype(sep - pos));
            const QString value = QString::fromUtf8(c.arena.data() + sep + 1, qsizetype(stop - sep - 1));
            if (name.contains(QLatin1Char('/')))
                out += fieldLabel(name) + QStringLiteral(": ") + value; // a UserData path
            else
                out += name.startsWith(QLatin1String("Data")) ? value : name + QStringLiteral(": ") + value;
        } else {
            out += QString::fromUtf8(c.arena.data() + pos, qsizetype(stop - pos));
        }
        pos = stop + 1;
    }
    out.replace(QLatin1Char('\n'), QLatin1Char(' '));
    out.replace(QLatin1Char('\r'), QLatin1Char(' '));
    return out;
}

EventRecord EventStore::event(quint64 seq) const {
    int i = 0;
    const Chunk& c = chunkOf(seq, &i);
    EventRecord e;
    const qint64 t = c.time[size_t(i)];
    if (t != std::numeric_limits<qint64>::min())
        e.time = QDateTime::fromMSecsSinceEpoch(t, Qt::UTC);
    e.level = c.level[size_t(i)];
    e.eventId = c.id[size_t(i)];
    e.recordId = c.record[size_t(i)];
    e.provider = m_strings[c.provider[size_t(i)]];
    e.computer = m_strings[c.computer[size_t(i)]];
    e.channel = m_strings[c.channel[size_t(i)]];
    size_t pos = c.dataStart[size_t(i)];
    const size_t end = c.dataEnd(i);
    while (pos < end) {
        const size_t sep = c.arena.find(fieldSep, pos);
        const size_t stop = c.arena.find(recordSep, pos);
        if (sep == std::string::npos || stop == std::string::npos || sep > stop || stop > end)
            break;
        QString name = QString::fromUtf8(c.arena.data() + pos, qsizetype(sep - pos));
        QString value = QString::fromUtf8(c.arena.data() + sep + 1, qsizetype(stop - sep - 1));
        pos = stop + 1;
        if (name == renderedMessage)
            e.message = std::move(value);
        else if (name == renderedLevel)
            e.levelText = std::move(value);
        else if (name == renderedTask)
            e.taskText = std::move(value);
        else
            e.data.append({std::move(name), std::move(value)});
    }
    return e;
}

EventStore::Compiled EventStore::compile(const EventFilter& f) const {
    Compiled cf;
    if (!f.levels.isEmpty()) {
        cf.anyLevel = false;
        for (int l : f.levels)
            if (l >= 0 && l < 256)
                cf.levels.set(size_t(l));
    }
    if (!f.providers.isEmpty()) {
        cf.anyProvider = false;
        cf.providers.assign(m_strings.size(), false);
        for (size_t i = 0; i < m_strings.size(); ++i)
            cf.providers[i] = providerMatches(m_strings[i], f.providers);
    }
    if (!f.ids.isEmpty()) {
        cf.anyId = false;
        cf.smallIds.assign(65536, false);
        for (int id : f.ids) {
            if (id >= 0 && id < 65536)
                cf.smallIds[size_t(id)] = true;
            else
                cf.otherIds.insert(id);
        }
    }
    if (f.from.isValid() || f.to.isValid()) {
        cf.anyTime = false;
        if (f.from.isValid())
            cf.from = f.from.toMSecsSinceEpoch();
        if (f.to.isValid())
            cf.to = f.to.toMSecsSinceEpoch();
    }
    if (!f.text.isEmpty()) {
        const QByteArray u = f.text.toUtf8();
        cf.needle.assign(u.constData(), size_t(u.size()));
        for (char& ch : cf.needle)
            ch = char(fold(static_cast<unsigned char>(ch)));
        cf.stringHasText.assign(m_strings.size(), false);
        for (size_t i = 0; i < m_strings.size(); ++i)
            cf.stringHasText[i] = m_strings[i].contains(f.text, Qt::CaseInsensitive);
    }
    return cf;
}

void EventStore::filterChunk(const Chunk& c, quint64 base, const Compiled& cf, std::vector<quint64>& out,
                             int first) const {
    const int n = c.count();
    if (first >= n)
        return;
    std::vector<char> textHit;
    if (!cf.needle.empty()) {
        textHit.assign(size_t(n), 0);
        const FoldedSearch search(cf.needle);
        size_t pos = c.dataStart[size_t(first)]; // events before `first` are not searched
        while ((pos = search.find(c.arena.data(), c.arena.size(), pos)) != std::string::npos) {
            const auto it = std::upper_bound(c.dataStart.begin(), c.dataStart.end(), quint32(pos));
            const auto idx = size_t(std::distance(c.dataStart.begin(), it)) - 1;
            textHit[idx] = 1;
            pos = idx + 1 < size_t(n) ? std::max<size_t>(c.dataStart[idx + 1], pos + 1) : c.arena.size();
        }
        for (int i = first; i < n; ++i)
            if (!textHit[size_t(i)] &&
                (cf.stringHasText[c.provider[size_t(i)]] || cf.stringHasText[c.computer[size_t(i)]] ||
                 cf.stringHasText[c.channel[size_t(i)]]))
                textHit[size_t(i)] = 1;
    }
    for (int i = first; i < n; ++i) {
        const auto k = size_t(i);
        if (!cf.anyLevel && !cf.levels.test(c.level[k]))
            continue;
        if (!cf.anyProvider && !cf.providers[c.provider[k]])
            continue;
        if (!cf.anyId) {
            const int id = c.id[k];
            if (id >= 0 && id < 65536 ? !cf.smallIds[size_t(id)] : !cf.otherIds.contains(id))
                continue;
        }
        if (!cf.anyTime && (c.time[k] < cf.from || c.time[k] > cf.to))
            continue;
        if (!textHit.empty() && !textHit[k])
            continue;
        out.push_back(base + quint64(i));
    }
}

std::vector<quint64> EventStore::filter(const EventFilter& f) const {
    std::vector<quint64> out;
    if (f.isEmpty()) {
        out.resize(size_t(m_size));
        for (qint64 i = 0; i < m_size; ++i)
            out[size_t(i)] = m_firstSeq + quint64(i);
        return out;
    }
    const Compiled cf = compile(f);
    quint64 base = m_firstSeq;
    for (const auto& c : m_chunks) {
        filterChunk(*c, base, cf, out);
        base += quint64(c->count());
    }
    return out;
}

std::vector<quint64> EventStore::filterFrom(quint64 from, const EventFilter& f) const {
    std::vector<quint64> out;
    from = std::max(from, m_firstSeq);
    const quint64 end = m_firstSeq + quint64(m_size);
    if (from >= end)
        return out;
    if (f.isEmpty()) {
        out.reserve(size_t(end - from));
        for (quint64 seq = from; seq < end; ++seq)
            out.push_back(seq);
        return out;
    }
    const Compiled cf = compile(f);
    quint64 base = m_firstSeq;
    for (const auto& c : m_chunks) {
        const quint64 next = base + quint64(c->count());
        if (next > from) // in the chunk where `from` falls, only from there on
            filterChunk(*c, base, cf, out, base < from ? int(from - base) : 0);
        base = next;
    }
    return out;
}

bool EventStore::matches(quint64 seq, const EventFilter& f) const {
    if (f.isEmpty())
        return contains(seq);
    if (!contains(seq))
        return false;
    const EventRecord e = event(seq);
    if (!f.levels.isEmpty() && !f.levels.contains(e.level))
        return false;
    if (!f.providers.isEmpty() && !providerMatches(e.provider, f.providers))
        return false;
    if (!f.ids.isEmpty() && !f.ids.contains(e.eventId))
        return false;
    const qint64 t = timeMs(seq);
    if (f.from.isValid() && t < f.from.toMSecsSinceEpoch())
        return false;
    if (f.to.isValid() && t > f.to.toMSecsSinceEpoch())
        return false;
    if (!f.text.isEmpty()) {
        // Same rule as filter(): ASCII letters in any case, other characters as they are.
        std::string needle = f.text.toUtf8().toStdString();
        for (char& ch : needle)
            ch = char(fold(static_cast<unsigned char>(ch)));
        const FoldedSearch search(needle);
        int i = 0;
        const Chunk& c = chunkOf(seq, &i);
        const size_t begin = c.dataStart[size_t(i)];
        const size_t end = c.dataEnd(i);
        const bool inData = search.find(c.arena.data() + begin, end - begin, 0) != std::string::npos;
        if (!inData && !e.provider.contains(f.text, Qt::CaseInsensitive) &&
            !e.computer.contains(f.text, Qt::CaseInsensitive) && !e.channel.contains(f.text, Qt::CaseInsensitive))
            return false;
    }
    return true;
}

QStringList EventStore::providers() const {
    QSet<quint32> used;
    for (const auto& c : m_chunks)
        for (quint32 p : c->provider)
            used.insert(p);
    QStringList out;
    for (quint32 p : used)
        if (p != 0)
            out << m_strings[p];
    out.sort(Qt::CaseInsensitive);
    return out;
}

qint64 EventStore::memoryBytes() const {
    qint64 bytes = 0;
    for (const auto& c : m_chunks)
        bytes += c->bytes() + qint64(sizeof(Chunk));
    for (const QString& s : m_strings)
        bytes += qint64(sizeof(QString)) + s.size() * 2 + 64; // string, hash node
    return bytes;
}

static void writeEventXml(QXmlStreamWriter& w, const EventRecord& e);

QString toEventXml(const EventRecord& e) {
    QString xml;
    QXmlStreamWriter w(&xml);
    writeEventXml(w, e);
    return xml;
}

static void writeEventXml(QXmlStreamWriter& w, const EventRecord& e) {
    auto clean = [](const QString& s) {
        QString out = s;
        for (QChar& ch : out)
            if ((ch.unicode() < 0x20 && ch != QLatin1Char('\t') && ch != QLatin1Char('\n') &&
                 ch != QLatin1Char('\r')) ||
                ch.unicode() == 0xFFFE || ch.unicode() == 0xFFFF)
                ch = QChar(0xFFFD);
        return out;
    };
    // A forwarded event's rendering on its source computer, after the data (where Windows puts it).
    auto renderingInfo = [&] {
        if (e.message.isEmpty() && e.levelText.isEmpty() && e.taskText.isEmpty())
            return;
        w.writeStartElement(QStringLiteral("RenderingInfo"));
        if (!e.message.isEmpty())
            w.writeTextElement(QStringLiteral("Message"), clean(e.message));
        if (!e.levelText.isEmpty())
            w.writeTextElement(QStringLiteral("Level"), clean(e.levelText));
        if (!e.taskText.isEmpty())
            w.writeTextElement(QStringLiteral("Task"), clean(e.taskText));
        w.writeEndElement();
    };
    w.setAutoFormatting(true);
    w.writeStartElement(QStringLiteral("Event"));
    w.writeDefaultNamespace(QStringLiteral("http://schemas.microsoft.com/win/2004/08/events/event"));
    w.writeStartElement(QStringLiteral("System"));
    w.writeEmptyElement(QStringLiteral("Provider"));
    w.writeAttribute(QStringLiteral("Name"), clean(e.provider));
    w.writeTextElement(QStringLiteral("EventID"), QString::number(e.eventId));
    w.writeTextElement(QStringLiteral("Level"), QString::number(e.level));
    w.writeEmptyElement(QStringLiteral("TimeCreated"));
    w.writeAttribute(QStringLiteral("SystemTime"),
                     e.time.isValid() ? e.time.toUTC().toString(Qt::ISODateWithMs) : QString());
    if (e.recordId >= 0)
        w.writeTextElement(QStringLiteral("EventRecordID"), QString::number(e.recordId));
    w.writeTextElement(QStringLiteral("Channel"), clean(e.channel));
    w.writeTextElement(QStringLiteral("Computer"), clean(e.computer));
    w.writeEndElement();
    if (!userDataRoot(e).isEmpty()) {
        // Rebuild the tree from the paths (readUserData's naming), in the order the fields came.
        w.writeStartElement(QStringLiteral("UserData"));
        QStringList open;
        std::vector<bool> hasContent; // per open element: an attribute can no longer be written
        for (const auto& [name, value] : e.data) {
            QStringList steps = name.split(QLatin1Char('/'));
            QString attribute;
            if (steps.constLast().startsWith(QLatin1Char('@')))
                attribute = steps.takeLast().mid(1);
            qsizetype common = 0;
            while (common < open.size() && common < steps.size() && open[common] == steps[common])
                ++common;
            // An attribute after content (not what readUserData writes, but a store may hold such names): it opens a
            // new element of the same name, so the XML stays well formed.
            if (!attribute.isEmpty() && common == steps.size() && hasContent[size_t(common - 1)])
                --common;
            while (open.size() > common) {
                w.writeEndElement();
                open.removeLast();
                hasContent.pop_back();
            }
            if (!hasContent.empty() && steps.size() > common)
                hasContent.back() = true;
            for (qsizetype i = common; i < steps.size(); ++i) {
                if (!hasContent.empty())
                    hasContent.back() = true; // its child comes now: no attribute after this
                w.writeStartElement(steps[i].section(QLatin1Char('['), 0, 0));
                open << steps[i];
                hasContent.push_back(false);
            }
            if (!attribute.isEmpty()) {
                w.writeAttribute(attribute, clean(value));
            } else {
                w.writeCharacters(clean(value));
                hasContent.back() = true;
            }
        }
        while (!open.isEmpty()) {
            w.writeEndElement();
            open.removeLast();
        }
        w.writeEndElement();
        renderingInfo();
        w.writeEndElement();
        return;
    }
    w.writeStartElement(QStringLiteral("EventData"));
    for (const auto& [name, value] : e.data) {
        w.writeStartElement(QStringLiteral("Data"));
        if (!name.isEmpty())
            w.writeAttribute(QStringLiteral("Name"), clean(name));
        w.writeCharacters(clean(value));
        w.writeEndElement();
    }
    w.writeEndElement();
    renderingInfo();
    w.writeEndElement();
}

} // namespace ndes::events
