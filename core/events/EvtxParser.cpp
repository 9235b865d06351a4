// SPDX-License-Identifier: Apache-2.0
#include "events/EvtxParser.h"

#include "events/EventXmlReader.h"

#include <QCoreApplication>
#include <QDateTime>

#include <zlib.h>

#include <cstring>
#include <memory>
#include <unordered_map>
#include <unordered_set>

namespace ndes::events::evtx {

namespace {

QString tr(const char* text, const char* disambiguation = nullptr, int n = -1) {
    return QCoreApplication::translate("EvtxParser", text, disambiguation, n);
}

// Little-endian reads from bytes already checked to be there.
quint16 le16(const uchar* p) {
    return quint16(p[0] | (p[1] << 8));
}
quint32 le32(const uchar* p) {
    return quint32(p[0]) | (quint32(p[1]) << 8) | (quint32(p[2]) << 16) | (quint32(p[3]) << 24);
}
quint64 le64(const uchar* p) {
    return quint64(le32(p)) | (quint64(le32(p + 4)) << 32);
}

quint32 crc(const uchar* p, qsizetype n, quint32 start = 0) {
    uLong c = start ? start : crc32(0L, Z_NULL, 0);
    return quint32(crc32(c, p, uInt(n)));
}

QString utf16(const uchar* p, qsizetype chars) {
    QString s(chars, Qt::Uninitialized);
    std::memcpy(s.data(), p, size_t(chars) * 2); // the host is little-endian (static_assert below)
    return s;
}
static_assert(Q_BYTE_ORDER == Q_LITTLE_ENDIAN, "EVTX is little-endian; this parser copies UTF-16LE as is");

// --- limits: what no real log comes near, and what a hostile one must not exceed ---------------------------------
constexpr int maxNesting = 8;                     // template instances inside binary XML values inside templates
constexpr int maxElementDepth = 64;               // elements inside elements, in one rendering
constexpr qsizetype maxNodes = 64 * 1024;         // compiled tokens of one fragment (a 64 KB chunk holds fewer)
constexpr qsizetype maxOutputChars = 1024 * 1024; // one record's XML and fields (values can be used many times)
constexpr quint32 maxSubstitutions = 4096;
// Tokens rendered for one record. A template can use one value many times, and that value can be binary XML using
// its own values many times: without a budget a 64 KB record could ask for billions of elements.
constexpr qint64 maxRenderedTokens = 1000000;
// The same for a whole chunk: thousands of tiny records could each use a template that expands to the limit. A real
// chunk renders some ten thousand tokens into well under a million characters.
constexpr qint64 maxChunkTokens = 4000000;
constexpr qint64 maxChunkChars = 8 * 1024 * 1024;
constexpr qsizetype maxAttributeChars = 64 * 1024; // one attribute's value
constexpr quint32 maxNameChars = 1024;             // element, attribute and entity names
constexpr qint64 maxChunkNameChars = 1024 * 1024;  // names cached for a chunk
constexpr qint64 maxChunkNodes = 1024 * 1024;      // tokens compiled for a chunk (templates and binary XML values)

// Binary XML tokens (MS-EVEN6 3.1.4.7).
enum Token : quint8 {
    TokEof = 0x00,
    TokOpenStart = 0x01,
    TokCloseStart = 0x02,
    TokCloseEmpty = 0x03,
    TokEnd = 0x04,
    TokValue = 0x05,
    TokAttribute = 0x06,
    TokCData = 0x07,
    TokCharRef = 0x08,
    TokEntityRef = 0x09,
    TokPITarget = 0x0a,
    TokPIData = 0x0b,
    TokTemplateInstance = 0x0c,
    TokNormalSubst = 0x0d,
    TokOptionalSubst = 0x0e,
    TokFragmentHeader = 0x0f,
};
constexpr quint8 moreBit = 0x40; // "has attributes" on an element, "more follow" on the others

// Value types (MS-EVEN6 3.1.4.7.3 / libevtx's value types); 0x80 marks an array of the type.
enum Type : quint8 {
    TNull = 0x00,
    TString = 0x01,
    TAnsiString = 0x02,
    TInt8 = 0x03,
    TUInt8 = 0x04,
    TInt16 = 0x05,
    TUInt16 = 0x06,
    TInt32 = 0x07,
    TUInt32 = 0x08,
    TInt64 = 0x09,
    TUInt64 = 0x0a,
    TReal32 = 0x0b,
    TReal64 = 0x0c,
    TBool = 0x0d,
    TBinary = 0x0e,
    TGuid = 0x0f,
    TSizeT = 0x10,
    TFileTime = 0x11,
    TSystemTime = 0x12,
    TSid = 0x13,
    THexInt32 = 0x14,
    THexInt64 = 0x15,
    TEvtHandle = 0x20,
    TBinXml = 0x21,
    TEvtXml = 0x23,
    TArray = 0x80,
};

// One compiled token of a fragment. Names and literal text live in the fragment's string table.
enum class Op : quint8 {
    Open,      // str: element name; index: its CloseEmpty or End
    Attr,      // str: attribute name; its value is the value ops that follow
    AttrsDone, // the start tag is complete, content follows
    CloseEmpty,
    End,
    Text,      // str
    CData,     // str
    CharRef,   // index: the character
    EntityRef, // str: entity name
    Subst,     // index, type
    OptSubst,  // index, type: left out when the value is null
    PITarget,  // str
    PIData,    // str
    Instance,  // index: into the fragment's instances
};

bool isValueOp(Op op) {
    return op == Op::Text || op == Op::CData || op == Op::CharRef || op == Op::EntityRef || op == Op::Subst ||
           op == Op::OptSubst;
}

struct Node {
    Op op;
    quint8 type = 0;
    quint32 index = 0;
    quint32 str = 0;
};

struct Value {
    quint8 type = TNull;
    quint16 size = 0;
    quint32 offset = 0; // in the chunk
};

struct Fragment;
struct Instance {
    const Fragment* body = nullptr;
    std::vector<Value> values;
};

struct Fragment {
    std::vector<Node> nodes;
    std::vector<QString> strings;
    std::vector<Instance> instances;
};

// Bounds-checked reading inside one chunk. A failed read sets `ok` false and returns zeroes; callers check `ok`.
struct Cursor {
    const uchar* base;
    quint32 pos;
    quint32 end;
    bool ok = true;
    bool need(quint32 n) {
        if (!ok || n > end - pos) {
            ok = false;
            return false;
        }
        return true;
    }
    quint8 u8() { return need(1) ? base[pos++] : 0; }
    quint16 u16() {
        if (!need(2))
            return 0;
        pos += 2;
        return le16(base + pos - 2);
    }
    quint32 u32() {
        if (!need(4))
            return 0;
        pos += 4;
        return le32(base + pos - 4);
    }
    void skip(quint32 n) {
        if (need(n))
            pos += n;
    }
};

// What went wrong inside a record's binary XML, for the loss report.
struct ParseError {
    QString why;
};

// One chunk's shared state: its names and templates, each read once (the chunk's tables point at them; records
// refer to them by offset).
class ChunkContext {
public:
    ChunkContext(const uchar* data, quint32 size)
        : m_data(data)
        , m_size(size) {}
    [[nodiscard]] const uchar* data() const { return m_data; }
    [[nodiscard]] quint32 size() const { return m_size; }
    qint64 compiledNodes = 0; // see maxChunkNodes
    // What the chunk's records have rendered so far (see maxChunkTokens).
    qint64 renderedTokens = 0;
    qint64 renderedChars = 0;

    // A name at `offset` (an 8-byte header: next offset, hash, length; then UTF-16 and a NUL). When the offset is
    // where the cursor stands, the name is inline and the cursor moves past it.
    bool name(Cursor& c, QString& out, QString& why) {
        const quint32 offset = c.u32();
        if (!c.ok) {
            why = tr("an element or attribute name is cut off");
            return false;
        }
        const bool inlineName = offset == c.pos;
        quint32 bytes = 0;
        if (!readName(offset, out, bytes)) {
            why = tr("a name points outside its chunk or is over %1 characters long").arg(maxNameChars);
            return false;
        }
        if (inlineName) {
            c.skip(bytes);
            if (!c.ok) {
                why = tr("an inline name runs past its fragment");
                return false;
            }
        }
        return true;
    }

    // The compiled template whose definition starts at `offset`; null (and why) when it cannot be read.
    const Fragment* templateAt(quint32 offset, int nesting, QString& why);

    // A fragment of binary XML in [pos, end): a record's body, a template's body or a binary XML value.
    bool compile(quint32 pos, quint32 end, bool dependencyIds, Fragment& out, int nesting, QString& why);

private:
    bool readName(quint32 offset, QString& out, quint32& bytes) {
        if (offset > m_size || m_size - offset < 10)
            return false;
        const quint32 chars = le16(m_data + offset + 6);
        bytes = 8 + chars * 2 + 2;
        if (m_size - offset < bytes || chars > maxNameChars)
            return false;
        auto it = m_names.find(offset);
        if (it != m_names.end()) {
            out = it->second;
            return true;
        }
        out = utf16(m_data + offset + 8, chars);
        if (m_nameChars + chars > maxChunkNameChars)
            return true; // read, not cached: the cache is full
        m_nameChars += chars;
        m_names.emplace(offset, out);
        return true;
    }

    const uchar* m_data;
    quint32 m_size;
    qint64 m_nameChars = 0;
    std::unordered_map<quint32, QString> m_names;
    std::unordered_map<quint32, std::unique_ptr<Fragment>> m_templates;
    std::unordered_map<quint32, QString> m_badTemplates; // offset -> why
    std::unordered_set<quint32> m_compiling;             // templates being compiled: a reference back is a loop
};

const Fragment* ChunkContext::templateAt(quint32 offset, int nesting, QString& why) {
    if (auto it = m_templates.find(offset); it != m_templates.end())
        return it->second.get();
    if (auto it = m_badTemplates.find(offset); it != m_badTemplates.end()) {
        why = it->second;
        return nullptr;
    }
    if (m_compiling.count(offset)) {
        why = tr("a template refers to itself (offset %1)").arg(offset);
        return nullptr;
    }
    // Header: next template offset (4), GUID (16), size of the body (4); the body follows.
    if (offset < quint32(chunkHeaderBytes) || offset > m_size || m_size - offset < 24) {
        why = tr("a template points outside its chunk (offset %1)").arg(offset);
        m_badTemplates.emplace(offset, why);
        return nullptr;
    }
    const quint32 bodySize = le32(m_data + offset + 20);
    if (bodySize > m_size - offset - 24) {
        why = tr("a template claims %1 bytes, more than its chunk holds").arg(bodySize);
        m_badTemplates.emplace(offset, why);
        return nullptr;
    }
    auto fragment = std::make_unique<Fragment>();
    m_compiling.insert(offset);
    const bool ok = compile(offset + 24, offset + 24 + bodySize, true, *fragment, nesting + 1, why);
    m_compiling.erase(offset);
    if (!ok) {
        why = tr("its template is damaged: %1").arg(why);
        m_badTemplates.emplace(offset, why);
        return nullptr;
    }
    const Fragment* result = fragment.get();
    m_templates.emplace(offset, std::move(fragment));
    return result;
}

bool ChunkContext::compile(quint32 pos, quint32 end, bool dependencyIds, Fragment& out, int nesting, QString& why) {
    if (nesting > maxNesting) {
        why = tr("templates nest more than %1 deep").arg(maxNesting);
        return false;
    }
    Cursor c{m_data, pos, end};
    int depth = 0;
    bool inStartTag = false;
    std::vector<quint32> openNodes; // indexes of the Open nodes not yet closed
    auto push = [&](Op op, quint32 index = 0, quint8 type = 0, quint32 str = 0) {
        out.nodes.push_back(Node{op, type, index, str});
    };
    auto addString = [&](QString s) {
        out.strings.push_back(std::move(s));
        return quint32(out.strings.size() - 1);
    };
    auto text = [&](QString& s) {
        const quint16 chars = c.u16();
        if (!c.need(quint32(chars) * 2))
            return false;
        s = utf16(m_data + c.pos, chars);
        c.pos += quint32(chars) * 2;
        return true;
    };
    while (c.pos < c.end) {
        if (out.nodes.size() > size_t(maxNodes)) {
            why = tr("more than %1 tokens in one fragment").arg(maxNodes);
            return false;
        }
        if (++compiledNodes > maxChunkNodes) { // binary XML values are compiled at each use: charged each time
            why = tr("the chunk's binary XML runs over %1 tokens").arg(maxChunkNodes);
            return false;
        }
        const quint8 raw = c.u8();
        const quint8 token = raw & quint8(~moreBit);
        switch (token) {
        case TokEof:
            if (depth != 0) {
                why = tr("the XML ends with %n element(s) still open", nullptr, depth);
                return false;
            }
            return true;
        case TokFragmentHeader:
            c.skip(3); // major, minor version, flags
            break;
        case TokOpenStart: {
            if (dependencyIds)
                c.skip(2);
            c.skip(4); // data size
            QString name;
            if (!c.ok || !this->name(c, name, why))
                return why.isEmpty() ? (why = tr("an element is cut off"), false) : false;
            if (raw & moreBit)
                c.skip(4); // size of the attribute list
            if (++depth > maxElementDepth) {
                why = tr("elements nest more than %1 deep").arg(maxElementDepth);
                return false;
            }
            openNodes.push_back(quint32(out.nodes.size()));
            push(Op::Open, 0, 0, addString(std::move(name)));
            inStartTag = true;
            break;
        }
        case TokCloseStart:
            if (!inStartTag) {
                why = tr("a start tag closes twice");
                return false;
            }
            inStartTag = false;
            push(Op::AttrsDone);
            break;
        case TokCloseEmpty:
        case TokEnd:
            if (depth == 0 || (token == TokCloseEmpty && !inStartTag)) {
                why = tr("an element closes that was never opened");
                return false;
            }
            --depth;
            inStartTag = false;
            out.nodes[openNodes.back()].index = quint32(out.nodes.size()); // an element knows where it ends
            openNodes.pop_back();
            push(token == TokCloseEmpty ? Op::CloseEmpty : Op::End);
            break;
        case TokAttribute: {
            QString name;
            if (!inStartTag) {
                why = tr("an attribute outside a start tag");
                return false;
            }
            if (!this->name(c, name, why))
                return false;
            push(Op::Attr, 0, 0, addString(std::move(name)));
            break;
        }
        case TokValue: {
            const quint8 type = c.u8();
            if (type != TString) {
                why = tr("a literal value of type 0x%1, which binary XML never writes")
                          .arg(type, 2, 16, QLatin1Char('0'));
                return false;
            }
            QString s;
            if (!text(s)) {
                why = tr("a text value runs past its fragment");
                return false;
            }
            push(Op::Text, 0, 0, addString(std::move(s)));
            break;
        }
        case TokCData:
        case TokPIData: {
            QString s;
            if (!text(s)) {
                why = tr("a text value runs past its fragment");
                return false;
            }
            push(token == TokCData ? Op::CData : Op::PIData, 0, 0, addString(std::move(s)));
            break;
        }
        case TokCharRef:
            push(Op::CharRef, c.u16());
            break;
        case TokEntityRef:
        case TokPITarget: {
            QString name;
            if (!this->name(c, name, why))
                return false;
            push(token == TokEntityRef ? Op::EntityRef : Op::PITarget, 0, 0, addString(std::move(name)));
            break;
        }
        case TokNormalSubst:
        case TokOptionalSubst: {
            const quint16 index = c.u16();
            const quint8 type = c.u8();
            push(token == TokNormalSubst ? Op::Subst : Op::OptSubst, index, type);
            break;
        }
        case TokTemplateInstance: {
            c.skip(1); // unknown
            c.skip(4); // template identifier
            const quint32 definition = c.u32();
            if (!c.ok) {
                why = tr("a template instance is cut off");
                return false;
            }
            if (definition == c.pos) { // defined here, the first time the chunk uses it: skip the definition
                c.skip(20);
                const quint32 bodySize = c.u32();
                c.skip(bodySize);
                if (!c.ok) {
                    why = tr("a template definition runs past its record");
                    return false;
                }
            }
            Instance inst;
            inst.body = templateAt(definition, nesting, why);
            if (!inst.body)
                return false;
            const quint32 count = c.u32();
            if (!c.ok || count > maxSubstitutions || !c.need(count * 4)) {
                why = tr("a template instance announces %1 values, more than its record holds").arg(count);
                return false;
            }
            inst.values.resize(count);
            for (Value& v : inst.values) {
                v.size = c.u16();
                v.type = c.u8();
                c.skip(1);
            }
            for (Value& v : inst.values) {
                v.offset = c.pos;
                if (!c.need(v.size)) {
                    why = tr("a template value runs past its record");
                    return false;
                }
                c.pos += v.size;
            }
            out.instances.push_back(std::move(inst));
            push(Op::Instance, quint32(out.instances.size() - 1));
            break;
        }
        default:
            why = tr("unknown token 0x%1 at offset %2").arg(raw, 2, 16, QLatin1Char('0')).arg(c.pos - 1);
            return false;
        }
        if (!c.ok) {
            if (why.isEmpty())
                why = tr("a token is cut off at the end of its fragment");
            return false;
        }
    }
    // Templates end with their size; a record's fragment may end without an EOF token at the record's end.
    if (depth != 0) {
        why = tr("the XML ends with %n element(s) still open", nullptr, depth);
        return false;
    }
    return true;
}

// --- values as text, as libevtx writes them ----------------------------------------------------------------------

QString hex(quint64 v, int width) {
    return QStringLiteral("0x%1").arg(v, width, 16, QLatin1Char('0'));
}

QString fileTime(quint64 ft) {
    // FILETIME: 100 ns since 1601-01-01 UTC; printed to the 100 ns with two zeroes (nanoseconds), as libevtx does.
    constexpr quint64 secondsTo1970 = 11644473600ULL;
    const quint64 secs = ft / 10000000ULL;
    const quint64 frac = ft % 10000000ULL;
    const QDateTime t = QDateTime::fromSecsSinceEpoch(qint64(secs) - qint64(secondsTo1970), Qt::UTC);
    return t.toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss")) +
           QStringLiteral(".%1Z").arg(frac * 100, 9, 10, QLatin1Char('0'));
}

QString systemTime(const uchar* p) {
    const int year = le16(p), month = le16(p + 2), day = le16(p + 6), hour = le16(p + 8), minute = le16(p + 10),
              second = le16(p + 12), ms = le16(p + 14);
    return QStringLiteral("%1-%2-%3T%4:%5:%6.%7Z")
        .arg(year, 4, 10, QLatin1Char('0'))
        .arg(month, 2, 10, QLatin1Char('0'))
        .arg(day, 2, 10, QLatin1Char('0'))
        .arg(hour, 2, 10, QLatin1Char('0'))
        .arg(minute, 2, 10, QLatin1Char('0'))
        .arg(second, 2, 10, QLatin1Char('0'))
        .arg(ms, 3, 10, QLatin1Char('0'));
}

QString guid(const uchar* p) {
    return QStringLiteral("{%1-%2-%3-%4-%5}")
        .arg(le32(p), 8, 16, QLatin1Char('0'))
        .arg(le16(p + 4), 4, 16, QLatin1Char('0'))
        .arg(le16(p + 6), 4, 16, QLatin1Char('0'))
        .arg(QString::fromLatin1(QByteArray(reinterpret_cast<const char*>(p + 8), 2).toHex()))
        .arg(QString::fromLatin1(QByteArray(reinterpret_cast<const char*>(p + 10), 6).toHex()))
        .toUpper();
}

// A SID: revision, count of sub-authorities, a 48-bit big-endian authority, then the sub-authorities.
bool sid(const uchar* p, quint32 size, QString& out) {
    if (size < 8)
        return false;
    const int count = p[1];
    if (size < 8 + quint32(count) * 4)
        return false;
    quint64 authority = 0;
    for (int i = 2; i < 8; ++i)
        authority = (authority << 8) | p[i];
    out = QStringLiteral("S-%1-%2").arg(p[0]).arg(authority);
    for (int i = 0; i < count; ++i)
        out += QLatin1Char('-') + QString::number(le32(p + 8 + 4 * i));
    return true;
}

QString trimNul(QString s) {
    qsizetype n = s.size();
    while (n > 0 && s.at(n - 1).unicode() == 0)
        --n;
    s.truncate(n);
    return s;
}

// Size of one element of a fixed-size type; 0 for the variable ones.
int fixedSize(quint8 type) {
    switch (type) {
    case TInt8:
    case TUInt8:
        return 1;
    case TInt16:
    case TUInt16:
        return 2;
    case TInt32:
    case TUInt32:
    case TReal32:
    case TBool:
    case THexInt32:
        return 4;
    case TInt64:
    case TUInt64:
    case TReal64:
    case TFileTime:
    case THexInt64:
        return 8;
    case TGuid:
    case TSystemTime:
        return 16;
    default:
        return 0;
    }
}

// One value of a scalar type as text; false when its size does not fit the type.
bool scalar(quint8 type, const uchar* p, quint32 size, QString& out) {
    const int want = fixedSize(type);
    if (want && size < quint32(want))
        return false;
    switch (type) {
    case TNull:
        out.clear();
        return true;
    case TString:
        out = trimNul(utf16(p, size / 2));
        return true;
    case TAnsiString: {
        qsizetype n = size;
        while (n > 0 && p[n - 1] == 0)
            --n;
        out = QString::fromLatin1(reinterpret_cast<const char*>(p), n);
        return true;
    }
    case TInt8:
        out = QString::number(qint8(p[0]));
        return true;
    case TUInt8:
        out = QString::number(p[0]);
        return true;
    case TInt16:
        out = QString::number(qint16(le16(p)));
        return true;
    case TUInt16:
        out = QString::number(le16(p));
        return true;
    case TInt32:
        out = QString::number(qint32(le32(p)));
        return true;
    case TUInt32:
        out = QString::number(le32(p));
        return true;
    case TInt64:
        out = QString::number(qint64(le64(p)));
        return true;
    case TUInt64:
        out = QString::number(le64(p));
        return true;
    case TReal32: {
        float f;
        std::memcpy(&f, p, 4);
        out = QString::number(double(f), 'g', 9);
        return true;
    }
    case TReal64: {
        double d;
        std::memcpy(&d, p, 8);
        out = QString::number(d, 'g', 17);
        return true;
    }
    case TBool:
        out = le32(p) ? QStringLiteral("true") : QStringLiteral("false");
        return true;
    case TBinary:
        out = QString::fromLatin1(QByteArray(reinterpret_cast<const char*>(p), qsizetype(size)).toHex().toUpper());
        return true;
    case TGuid:
        out = guid(p);
        return true;
    case TSizeT:
        if (size == 4)
            out = QString::number(le32(p));
        else if (size == 8)
            out = QString::number(le64(p));
        else
            return false;
        return true;
    case TFileTime:
        out = fileTime(le64(p));
        return true;
    case TSystemTime:
        out = systemTime(p);
        return true;
    case TSid:
        return sid(p, size, out);
    case THexInt32:
        out = hex(le32(p), 8);
        return true;
    case THexInt64:
        out = hex(le64(p), 16);
        return true;
    case TEvtHandle:
    case TEvtXml:
        out = QString::fromLatin1(QByteArray(reinterpret_cast<const char*>(p), qsizetype(size)).toHex().toUpper());
        return true;
    default:
        return false;
    }
}

// --- rendering ---------------------------------------------------------------------------------------------------

// Receives a record's XML as it is rendered: builds libevtx's Event XML (when kept) and the event's fields, in one
// pass over the template and its values.
class RecordSink {
public:
    RecordSink(EventRecord& event, bool keepXml)
        : m_event(event)
        , m_keepXml(keepXml) {
        m_stack.reserve(16);
        if (keepXml)
            m_xml.reserve(2048);
    }

    bool open(const QString& name);
    void attribute(const QString& name, const QString& value);
    void text(const QString& value);
    void close();
    [[nodiscard]] qint64 chars() const { return m_chars + m_xml.size(); } // fields and the XML written
    [[nodiscard]] bool tooBig() const { return chars() > maxOutputChars; }
    void finish();

private:
    enum class Section { None, System, EventData, UserData, Rendering, Other };
    struct Open {
        QString name;
        bool tagOpen = true;      // '>' not yet written
        bool hasChildren = false; // child elements written
        bool hasText = false;     // text written
        // UserData flattening (as EventXmlReader::readUserData does it)
        QString path;
        std::vector<std::pair<QString, int>> children;
        QString udText;
        bool udHasFields = false;
    };
    void writeIndent(int depth) {
        for (int i = 0; i < depth; ++i)
            m_xml += QLatin1String("  ");
    }
    static void escape(QString& out, const QString& s, bool attribute);
    void addUserDataField(const QString& name, const QString& value);

    EventRecord& m_event;
    bool m_keepXml;
    qint64 m_chars = 0; // names and text rendered, XML kept or not
    QString m_xml;
    std::vector<Open> m_stack;
    Section m_section = Section::None;
    // The field being read: System children, EventData's Data, RenderingInfo's children.
    QString* m_capture = nullptr;
    QString m_captureText;
    int m_captureDepth = -1;
    QString m_dataName;
    int m_unnamed = 0;
    qint64 m_udBudget = EventXmlReader::maxUserDataChars;
    bool m_udCut = false;
};

// Field values as an XML reader would give them from the XML (the fields must not depend on the way they were read):
// line ends become \n in text; in attributes every line end and tab becomes a space.
QString textValue(QString s) {
    if (s.contains(QLatin1Char('\r'))) {
        s.replace(QLatin1String("\r\n"), QLatin1String("\n"));
        s.replace(QLatin1Char('\r'), QLatin1Char('\n'));
    }
    return s;
}

QString attributeValue(QString s) {
    s = textValue(std::move(s));
    for (QChar& ch : s)
        if (ch == QLatin1Char('\n') || ch == QLatin1Char('\t'))
            ch = QLatin1Char(' ');
    return s;
}

void RecordSink::escape(QString& out, const QString& s, bool attribute) {
    for (const QChar ch : s) {
        switch (ch.unicode()) {
        case '&':
            out += QLatin1String("&amp;");
            break;
        case '<':
            out += QLatin1String("&lt;");
            break;
        case '>':
            out += QLatin1String("&gt;");
            break;
        case '"':
            if (attribute)
                out += QLatin1String("&quot;");
            else
                out += ch;
            break;
        default:
            out += ch;
        }
    }
}

bool RecordSink::open(const QString& name) {
    m_chars += name.size() + 8;
    if (m_keepXml) {
        if (!m_stack.empty()) {
            Open& parent = m_stack.back();
            if (parent.tagOpen) {
                m_xml += QLatin1Char('>');
                parent.tagOpen = false;
            }
            if (!parent.hasChildren && !parent.hasText)
                m_xml += QLatin1Char('\n');
            parent.hasChildren = true;
        }
        writeIndent(int(m_stack.size()));
        m_xml += QLatin1Char('<');
        m_xml += name;
    }
    const int depth = int(m_stack.size()); // of the new element: 0 is <Event>
    Open open;
    open.name = name;
    if (depth == 1) {
        if (name == QLatin1String("System"))
            m_section = Section::System;
        else if (name == QLatin1String("EventData"))
            m_section = Section::EventData;
        else if (name == QLatin1String("UserData"))
            m_section = Section::UserData;
        else if (name == QLatin1String("RenderingInfo"))
            m_section = Section::Rendering;
        else
            m_section = Section::Other;
    } else if (depth >= 2 && !m_capture) {
        if (m_section == Section::System && depth == 2) {
            if (name == QLatin1String("EventID") || name == QLatin1String("Level") ||
                name == QLatin1String("Computer") || name == QLatin1String("Channel")) {
                m_capture = &m_captureText;
                m_captureText.clear();
                m_captureDepth = depth;
            }
        } else if (m_section == Section::EventData && name == QLatin1String("Data")) {
            m_capture = &m_captureText;
            m_captureText.clear();
            m_captureDepth = depth;
            m_dataName.clear();
        } else if (m_section == Section::Rendering && depth == 2 &&
                   (name == QLatin1String("Message") || name == QLatin1String("Level") ||
                    name == QLatin1String("Task"))) {
            m_capture = &m_captureText;
            m_captureText.clear();
            m_captureDepth = depth;
        }
    }
    if (m_section == Section::UserData && depth >= 2) {
        Open& parent = m_stack.back();
        parent.udHasFields = true;
        if (depth - 1 > EventXmlReader::maxUserDataDepth || name.size() > 255 || m_udCut) {
            m_udCut = true;
            open.path.clear(); // this branch is left out
        } else if (depth == 2 || !parent.path.isEmpty()) {
            int n = 1;
            bool found = false;
            for (auto& [child, count] : parent.children)
                if (child == name) {
                    n = ++count;
                    found = true;
                    break;
                }
            if (!found)
                parent.children.emplace_back(name, 1);
            open.path = parent.path.isEmpty() ? name : parent.path + QLatin1Char('/') + name;
            if (n > 1)
                open.path += QStringLiteral("[%1]").arg(n);
        }
    }
    m_stack.push_back(std::move(open));
    return true;
}

void RecordSink::addUserDataField(const QString& name, const QString& value) {
    if (m_event.data.size() >= EventXmlReader::maxUserDataFields || name.size() + value.size() > m_udBudget) {
        m_udCut = true;
        return;
    }
    m_udBudget -= name.size() + value.size();
    m_event.data.append({name, value});
}

void RecordSink::attribute(const QString& name, const QString& value) {
    m_chars += name.size() + value.size() + 4;
    if (m_stack.empty())
        return;
    Open& cur = m_stack.back();
    if (m_keepXml && cur.tagOpen) {
        m_xml += QLatin1Char(' ');
        m_xml += name;
        m_xml += QLatin1String("=\"");
        escape(m_xml, value, true);
        m_xml += QLatin1Char('"');
    }
    const int depth = int(m_stack.size()) - 1;
    if (m_section == Section::System && depth == 2) {
        if (cur.name == QLatin1String("Provider")) {
            if (name == QLatin1String("Name") && !value.isEmpty())
                m_event.provider = attributeValue(value);
            else if (name == QLatin1String("EventSourceName") && m_event.provider.isEmpty())
                m_event.provider = attributeValue(value);
        }
    } else if (m_section == Section::EventData && m_capture && depth == m_captureDepth &&
               name == QLatin1String("Name")) {
        m_dataName = attributeValue(value);
    } else if (m_section == Section::UserData && depth >= 2 && !cur.path.isEmpty() && name != QLatin1String("xmlns") &&
               !name.startsWith(QLatin1String("xmlns:"))) { // namespaces: no data
        const qsizetype colon = name.lastIndexOf(QLatin1Char(':'));
        const QString local = colon >= 0 ? name.mid(colon + 1) : name;
        if (local.size() > 255) {
            m_udCut = true;
            return;
        }
        const QString field = cur.path + QStringLiteral("/@") + local;
        for (const auto& [k, v] : m_event.data)
            if (k == field)
                return; // the same local name twice
        addUserDataField(field, attributeValue(value));
        cur.udHasFields = true;
    }
}

void RecordSink::text(const QString& value) {
    m_chars += value.size();
    if (m_stack.empty() || value.isEmpty())
        return;
    Open& cur = m_stack.back();
    if (m_keepXml) {
        if (cur.tagOpen) {
            m_xml += QLatin1Char('>');
            cur.tagOpen = false;
        }
        escape(m_xml, value, false);
        cur.hasText = true;
    }
    if (m_capture) {
        *m_capture += value;
    } else if (m_section == Section::UserData && m_stack.size() >= 3 && !cur.path.isEmpty()) {
        bool whitespace = true;
        for (const QChar ch : value)
            if (!ch.isSpace()) {
                whitespace = false;
                break;
            }
        if (!whitespace) {
            if (cur.udText.size() + value.size() <= m_udBudget)
                cur.udText += value;
            else
                m_udCut = true;
        }
    }
}

void RecordSink::close() {
    if (m_stack.empty())
        return;
    Open done = std::move(m_stack.back());
    m_stack.pop_back();
    const int depth = int(m_stack.size());
    if (m_keepXml) {
        if (done.tagOpen) {
            m_xml += QLatin1String("/>\n");
        } else if (done.hasChildren) {
            writeIndent(depth);
            m_xml += QLatin1String("</") + done.name + QLatin1String(">\n");
        } else {
            m_xml += QLatin1String("</") + done.name + QLatin1String(">\n");
        }
    }
    if (m_capture && depth == m_captureDepth) {
        const QString value = textValue(*m_capture);
        m_capture = nullptr;
        m_captureDepth = -1;
        if (m_section == Section::System) {
            if (done.name == QLatin1String("EventID")) {
                bool ok = false;
                const int id = value.trimmed().toInt(&ok);
                m_event.eventId = ok ? id : -1;
            } else if (done.name == QLatin1String("Level")) {
                m_event.level = value.trimmed().toInt();
            } else if (done.name == QLatin1String("Computer")) {
                m_event.computer = value.trimmed();
            } else if (done.name == QLatin1String("Channel")) {
                m_event.channel = value.trimmed();
            }
        } else if (m_section == Section::EventData) {
            if (m_event.data.size() >= EventXmlReader::maxUserDataFields) {
                m_udCut = true;
                return;
            }
            m_event.data.append({m_dataName.isEmpty() ? QStringLiteral("Data%1").arg(++m_unnamed) : m_dataName, value});
        } else if (m_section == Section::Rendering) {
            if (done.name == QLatin1String("Message"))
                m_event.message = value.trimmed();
            else if (done.name == QLatin1String("Level"))
                m_event.levelText = value.trimmed();
            else if (done.name == QLatin1String("Task"))
                m_event.taskText = value.trimmed();
        }
    }
    if (m_section == Section::UserData && depth >= 2 && !done.path.isEmpty() &&
        (!done.udText.isEmpty() || !done.udHasFields))
        addUserDataField(done.path, textValue(done.udText));
    if (depth == 1)
        m_section = Section::None;
}

void RecordSink::finish() {
    if (m_udCut && !m_event.data.isEmpty())
        m_event.data.last().second += QStringLiteral(" [cut: more fields or deeper levels than shown]");
    if (m_keepXml) {
        while (!m_xml.isEmpty() && m_xml.back() == QLatin1Char('\n'))
            m_xml.chop(1);
        m_event.rawXml = std::move(m_xml);
    }
}

class Renderer {
public:
    Renderer(ChunkContext& ctx, RecordSink& sink)
        : m_ctx(ctx)
        , m_sink(sink) {}
    bool render(const Fragment& f, const std::vector<Value>* values, int nesting, QString& why);
    [[nodiscard]] qint64 tokens() const { return m_tokens; }

private:
    // Charges work (tokens) and characters not yet handed to the sink against the record's and the chunk's budgets;
    // false (and why) once one is spent. Called wherever a loop renders, so no single step can run away.
    bool charge(qint64 tokens, qint64 pendingChars, QString& why) {
        m_tokens += tokens;
        const qint64 chars = m_sink.chars() + pendingChars;
        if (chars > maxOutputChars) {
            why = tr("the record's XML grows beyond %1 MB").arg(maxOutputChars / (1024 * 1024));
            return false;
        }
        if (m_tokens > maxRenderedTokens) {
            why = tr("the record's XML expands beyond %1 tokens (values used over and over)").arg(maxRenderedTokens);
            return false;
        }
        if (m_ctx.renderedTokens + m_tokens > maxChunkTokens || m_ctx.renderedChars + chars > maxChunkChars) {
            why = tr("the chunk's records expand beyond what a chunk can hold");
            return false;
        }
        return true;
    }
    bool renderRange(const Fragment& f, size_t from, size_t to, const std::vector<Value>* values, int nesting,
                     QString& why);
    // The attributes of the element opened at `open`; returns the index of its AttrsDone/CloseEmpty.
    bool attributes(const Fragment& f, size_t open, const std::vector<Value>* values, int nesting, size_t& end,
                    QString& why);
    bool text(const Value& v, int nesting, QStringList& items, bool& isXml, QString& why);

    ChunkContext& m_ctx;
    RecordSink& m_sink;
    qint64 m_tokens = 0;
};

const Value* valueAt(const std::vector<Value>* values, quint32 index) {
    return values && index < values->size() ? &(*values)[index] : nullptr;
}

bool isAbsent(const Value* v, bool optional) {
    return !v || v->type == TNull || (optional && v->size == 0);
}

// A substitution's value as text: one item, or one per element of an array. A binary XML value is rendered into the
// sink instead (isXml).
bool Renderer::text(const Value& v, int nesting, QStringList& items, bool& isXml, QString& why) {
    const uchar* p = m_ctx.data() + v.offset;
    isXml = false;
    items.clear();
    if (v.type == TBinXml) {
        isXml = true;
        if (!charge(1 + v.size / 16, 0, why)) // compiled again at each use
            return false;
        Fragment nested;
        if (!m_ctx.compile(v.offset, v.offset + v.size, false, nested, nesting + 1, why))
            return false;
        return render(nested, nullptr, nesting + 1, why);
    }
    if (v.type & TArray) {
        const quint8 base = v.type & quint8(~TArray);
        if (base == TString) { // NUL-terminated strings one after another
            const QString all = utf16(p, v.size / 2);
            qsizetype from = 0;
            while (from < all.size()) {
                qsizetype nul = all.indexOf(QChar(0), from);
                if (nul < 0)
                    nul = all.size();
                items << all.mid(from, nul - from);
                from = nul + 1;
            }
            return true;
        }
        const int each = base == TSizeT ? 8 : fixedSize(base);
        if (!each) {
            why = tr("an array of values of type 0x%1").arg(base, 2, 16, QLatin1Char('0'));
            return false;
        }
        for (quint32 at = 0; at + quint32(each) <= v.size; at += quint32(each)) {
            QString one;
            if (!scalar(base, p + at, quint32(each), one)) {
                why = tr("an array of values of type 0x%1 cannot be read").arg(base, 2, 16, QLatin1Char('0'));
                return false;
            }
            items << one;
        }
        return true;
    }
    QString one;
    if (!scalar(v.type, p, v.size, one)) {
        why = tr("a value of type 0x%1 and %2 bytes cannot be read").arg(v.type, 2, 16, QLatin1Char('0')).arg(v.size);
        return false;
    }
    items << one;
    return true;
}

bool Renderer::attributes(const Fragment& f, size_t open, const std::vector<Value>* values, int nesting, size_t& end,
                          QString& why) {
    const size_t n = f.nodes.size();
    size_t i = open + 1;
    while (i < n && f.nodes[i].op == Op::Attr) {
        const Node& attr = f.nodes[i];
        // The value is the value tokens that follow; an attribute whose only content is an optional substitution
        // without a value is left out.
        QString value;
        bool present = false;
        size_t j = i + 1;
        for (; j < n && isValueOp(f.nodes[j].op); ++j) {
            if (!charge(1, value.size(), why))
                return false;
            if (value.size() > maxAttributeChars) {
                why = tr("an attribute's value is over %1 characters long").arg(maxAttributeChars);
                return false;
            }
            const Node& vn = f.nodes[j];
            switch (vn.op) {
            case Op::Text:
            case Op::CData:
                value += f.strings[vn.str];
                present = true;
                break;
            case Op::CharRef:
                value += QChar(char16_t(vn.index));
                present = true;
                break;
            case Op::EntityRef:
                value += QLatin1Char('&') + f.strings[vn.str] + QLatin1Char(';');
                present = true;
                break;
            case Op::Subst:
            case Op::OptSubst: {
                const Value* v = valueAt(values, vn.index);
                if (isAbsent(v, vn.op == Op::OptSubst))
                    break;
                present = true;
                if (v->type == TBinXml)
                    break;                 // no XML inside an attribute
                if (!(v->type & TArray)) { // the common case, without a list
                    QString one;
                    if (!scalar(v->type, m_ctx.data() + v->offset, v->size, one)) {
                        why = tr("a value of type 0x%1 and %2 bytes cannot be read")
                                  .arg(v->type, 2, 16, QLatin1Char('0'))
                                  .arg(v->size);
                        return false;
                    }
                    value += one;
                    break;
                }
                QStringList items;
                bool isXml = false;
                if (!text(*v, nesting, items, isXml, why))
                    return false;
                value += items.join(QLatin1String(", "));
                break;
            }
            default:
                break;
            }
        }
        if (!charge(1, value.size(), why))
            return false;
        if (value.size() > maxAttributeChars) {
            why = tr("an attribute's value is over %1 characters long").arg(maxAttributeChars);
            return false;
        }
        if (present)
            m_sink.attribute(f.strings[attr.str], value);
        i = j;
    }
    end = i;
    return true;
}

bool Renderer::render(const Fragment& f, const std::vector<Value>* values, int nesting, QString& why) {
    if (nesting > maxNesting) {
        why = tr("templates nest more than %1 deep").arg(maxNesting);
        return false;
    }
    return renderRange(f, 0, f.nodes.size(), values, nesting, why);
}

bool Renderer::renderRange(const Fragment& f, size_t from, size_t to, const std::vector<Value>* values, int nesting,
                           QString& why) {
    for (size_t i = from; i < to; ++i) {
        if (!charge(1, 0, why))
            return false;
        const Node& node = f.nodes[i];
        switch (node.op) {
        case Op::Open: {
            const size_t close = node.index;
            if (close <= i || close >= f.nodes.size()) {
                why = tr("an element is never closed");
                return false;
            }
            size_t k = i + 1;
            while (k < close && (f.nodes[k].op == Op::Attr || isValueOp(f.nodes[k].op)))
                ++k;
            if (!charge(qint64(k - i), 0, why))
                return false;
            // An element whose content is one substitution: left out when the value is an optional one that is
            // missing, repeated once per item when it is an array (as Windows renders <Data> of classic events).
            if (k < close && f.nodes[k].op == Op::AttrsDone && close == k + 2 &&
                (f.nodes[k + 1].op == Op::Subst || f.nodes[k + 1].op == Op::OptSubst)) {
                const Node& sub = f.nodes[k + 1];
                const Value* v = valueAt(values, sub.index);
                if (sub.op == Op::OptSubst && isAbsent(v, true)) {
                    i = close;
                    break;
                }
                if (v && (v->type & TArray) && v->type != TBinXml) {
                    QStringList items;
                    bool isXml = false;
                    if (!text(*v, nesting, items, isXml, why))
                        return false;
                    for (const QString& item : items) {
                        if (!charge(1, item.size(), why))
                            return false;
                        m_sink.open(f.strings[node.str]);
                        size_t end = 0;
                        if (!attributes(f, i, values, nesting, end, why))
                            return false;
                        m_sink.text(item);
                        m_sink.close();
                    }
                    i = close;
                    break;
                }
            }
            m_sink.open(f.strings[node.str]);
            size_t end = 0;
            if (!attributes(f, i, values, nesting, end, why))
                return false;
            i = end - 1;
            break;
        }
        case Op::Attr:
            break; // read with its element
        case Op::AttrsDone:
            break;
        case Op::CloseEmpty:
        case Op::End:
            m_sink.close();
            break;
        case Op::Text:
        case Op::CData:
            m_sink.text(f.strings[node.str]);
            break;
        case Op::CharRef:
            m_sink.text(QString(QChar(char16_t(node.index))));
            break;
        case Op::EntityRef: {
            const QString& e = f.strings[node.str];
            if (e == QLatin1String("amp"))
                m_sink.text(QStringLiteral("&"));
            else if (e == QLatin1String("lt"))
                m_sink.text(QStringLiteral("<"));
            else if (e == QLatin1String("gt"))
                m_sink.text(QStringLiteral(">"));
            else if (e == QLatin1String("quot"))
                m_sink.text(QStringLiteral("\""));
            else if (e == QLatin1String("apos"))
                m_sink.text(QStringLiteral("'"));
            else
                m_sink.text(QLatin1Char('&') + e + QLatin1Char(';'));
            break;
        }
        case Op::Subst:
        case Op::OptSubst: {
            const Value* v = valueAt(values, node.index);
            if (isAbsent(v, node.op == Op::OptSubst))
                break;
            if (!(v->type & TArray) && v->type != TBinXml) { // the common case, without a list
                QString one;
                if (!scalar(v->type, m_ctx.data() + v->offset, v->size, one)) {
                    why = tr("a value of type 0x%1 and %2 bytes cannot be read")
                              .arg(v->type, 2, 16, QLatin1Char('0'))
                              .arg(v->size);
                    return false;
                }
                m_sink.text(one);
                break;
            }
            QStringList items;
            bool isXml = false;
            if (!text(*v, nesting, items, isXml, why))
                return false;
            if (!isXml)
                m_sink.text(items.join(QLatin1String(", ")));
            break;
        }
        case Op::PITarget:
        case Op::PIData:
            break; // processing instructions carry nothing an event viewer shows
        case Op::Instance: {
            const Instance& inst = f.instances[node.index];
            if (!render(*inst.body, &inst.values, nesting + 1, why))
                return false;
            break;
        }
        }
    }
    return true;
}

QDateTime fromFileTime(quint64 ft) {
    constexpr qint64 epochDeltaMs = 11644473600LL * 1000;
    return QDateTime::fromMSecsSinceEpoch(qint64(ft / 10000) - epochDeltaMs, Qt::UTC);
}

// A record header at `off`: "**\0\0", size, identifier, written time; the size is repeated at the record's end.
// Windows writes that copy last: a record cut short by a crash has the header but not the copy. `strict` asks for
// the copy (searching free space, where the signature alone proves little).
enum class Header { Good, NoSignature, BadSize };
Header recordHeaderAt(const uchar* data, quint32 size, quint32 off, quint32& recordSize, bool strict) {
    if (off > size || size - off < 28 || std::memcmp(data + off, "\x2a\x2a\x00\x00", 4) != 0)
        return Header::NoSignature;
    recordSize = le32(data + off + 4);
    if (recordSize < 28 || recordSize > size - off)
        return Header::BadSize;
    if (strict && le32(data + off + recordSize - 4) != recordSize)
        return Header::BadSize;
    return Header::Good;
}

// One record: its binary XML rendered into `event`. False (and why) when it cannot be read.
bool parseRecord(ChunkContext& ctx, quint32 off, quint32 recordSize, bool keepXml, EventRecord& event, QString& why) {
    const uchar* data = ctx.data();
    event.recordId = qint64(le64(data + off + 8));
    const quint64 written = le64(data + off + 16);
    if (written)
        event.time = fromFileTime(written);
    const quint32 start = off + 24, end = off + recordSize - 4;
    if (end <= start) {
        why = tr("the record holds no event data");
        return false;
    }
    Fragment body;
    if (!ctx.compile(start, end, false, body, 0, why))
        return false;
    RecordSink sink(event, keepXml);
    Renderer renderer(ctx, sink);
    const bool rendered = renderer.render(body, nullptr, 0, why);
    ctx.renderedTokens += renderer.tokens();
    ctx.renderedChars += sink.chars();
    if (!rendered)
        return false;
    sink.finish();
    if (event.eventId < 0) {
        why = tr("the record has no event ID");
        return false;
    }
    return true;
}

} // namespace

FileHeader readFileHeader(const uchar* data, qsizetype size) {
    FileHeader h;
    if (size < 128 || std::memcmp(data, "ElfFile\0", 8) != 0)
        return h;
    h.signatureOk = true;
    h.firstChunk = le64(data + 8);
    h.lastChunk = le64(data + 16);
    h.nextRecordId = le64(data + 24);
    h.minorVersion = le16(data + 36);
    h.majorVersion = le16(data + 38);
    h.chunkCount = le16(data + 42);
    h.flags = le32(data + 120);
    h.checksumOk = crc(data, 120) == le32(data + 124);
    return h;
}

ChunkResult parseChunk(const uchar* data, qsizetype size, const ParseOptions& options) {
    ChunkResult r;
    if (size <= 0)
        return r;
    const auto chunkSize = quint32(std::min<qsizetype>(size, chunkBytes));
    if (chunkSize < quint32(chunkHeaderBytes) || std::memcmp(data, "ElfChnk\0", 8) != 0) {
        bool zero = true;
        for (quint32 i = 0; i < chunkSize && zero; ++i)
            zero = data[i] == 0;
        r.kind = zero ? ChunkResult::Kind::Empty : ChunkResult::Kind::NotAChunk;
        return r;
    }
    r.kind = ChunkResult::Kind::Chunk;
    r.firstRecordId = le64(data + 24);
    r.lastRecordId = le64(data + 32);
    r.announcedValid = r.lastRecordId >= r.firstRecordId && r.firstRecordId > 0 &&
                       r.lastRecordId - r.firstRecordId < quint64(chunkBytes / 28);
    const quint32 freeSpace = le32(data + 48);
    const quint32 headerCrc = crc(data + 128, chunkHeaderBytes - 128, crc(data, 120));
    r.headerChecksumOk = headerCrc == le32(data + 124);
    const bool freeSpaceSane = freeSpace >= quint32(chunkHeaderBytes) && freeSpace <= chunkSize;
    r.dataChecksumOk =
        freeSpaceSane && crc(data + chunkHeaderBytes, qsizetype(freeSpace) - chunkHeaderBytes) == le32(data + 52);
    if (!r.headerChecksumOk)
        r.problems << tr("the chunk header's checksum does not match (read anyway)");
    if (!r.dataChecksumOk)
        r.problems << tr("the records' checksum does not match (read anyway)");
    if (!freeSpaceSane)
        r.problems
            << tr("the chunk header's end of records is impossible (%1); records were searched for").arg(freeSpace);

    ChunkContext ctx(data, chunkSize);
    const quint32 used = freeSpaceSane ? freeSpace : chunkSize;
    quint32 off = quint32(chunkHeaderBytes);
    bool chainBroken = false;
    // The used part: records one after another.
    while (off + 28 <= used) {
        quint32 recordSize = 0;
        const Header h = recordHeaderAt(data, chunkSize, off, recordSize, false);
        if (h != Header::Good) {
            if (h == Header::BadSize)
                r.lost.push_back(
                    {le64(data + off + 8), tr("the record's size is impossible (%1 bytes)").arg(le32(data + off + 4))});
            chainBroken = true;
            break;
        }
        EventRecord ev;
        QString why;
        if (parseRecord(ctx, off, recordSize, options.keepRawXml, ev, why))
            r.records.push_back(std::move(ev));
        else
            r.lost.push_back({quint64(ev.recordId), why});
        off += recordSize;
    }
    // Past a broken record: look for the next record header in the used part, then in the unused part (records
    // left there by earlier writes: recovered).
    if (chainBroken)
        r.problems << tr("a damaged record at offset %1 breaks the chain; the rest of the chunk was searched").arg(off);
    for (quint32 at = chainBroken ? off + 1 : off; at + 28 <= chunkSize;) {
        const void* hit = memmem(data + at, chunkSize - at, "\x2a\x2a\x00\x00", 4);
        if (!hit)
            break;
        at = quint32(static_cast<const uchar*>(hit) - data);
        quint32 recordSize = 0;
        if (recordHeaderAt(data, chunkSize, at, recordSize, true) != Header::Good) {
            ++at;
            continue;
        }
        EventRecord ev;
        QString why;
        const bool inUsed = at < used;
        if (parseRecord(ctx, at, recordSize, options.keepRawXml, ev, why))
            (inUsed ? r.records : r.recovered).push_back(std::move(ev));
        else if (inUsed)
            r.lost.push_back({quint64(ev.recordId), why});
        at += recordSize;
    }
    return r;
}

} // namespace ndes::events::evtx
