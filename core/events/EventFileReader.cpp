// SPDX-License-Identifier: Apache-2.0
#include "events/EventFileReader.h"

#include "events/EventXmlReader.h"

#include <QCoreApplication>
#include <QDataStream>
#include <QFile>

#include <libevtx.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

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

// libevtx's objects, freed on every path.
struct EvtxError {
    libevtx_error_t* e = nullptr;
    ~EvtxError() { libevtx_error_free(&e); }
    QString text() const {
        if (!e)
            return {};
        char buf[1024] = {};
        libevtx_error_sprint(e, buf, sizeof buf);
        return QString::fromUtf8(buf).trimmed();
    }
    void reset() { libevtx_error_free(&e); }
};

struct EvtxFile {
    libevtx_file_t* f = nullptr;
    bool open = false;
    ~EvtxFile() {
        if (open)
            libevtx_file_close(f, nullptr);
        libevtx_file_free(&f, nullptr);
    }
};

struct EvtxRecord {
    libevtx_record_t* r = nullptr;
    ~EvtxRecord() { libevtx_record_free(&r, nullptr); }
};

// FILETIME (100 ns since 1601-01-01 UTC) to a UTC time with milliseconds.
QDateTime fromFileTime(uint64_t filetime) {
    constexpr qint64 epochDelta = 11644473600LL * 1000; // 1601 -> 1970 in ms
    const qint64 ms = qint64(filetime / 10000) - epochDelta;
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC);
}

QString utf8Field(libevtx_record_t* r, int (*sizeFn)(libevtx_record_t*, size_t*, libevtx_error_t**),
                  int (*getFn)(libevtx_record_t*, uint8_t*, size_t, libevtx_error_t**)) {
    size_t size = 0;
    if (sizeFn(r, &size, nullptr) != 1 || size == 0 || size > 64 * 1024)
        return {};
    std::vector<uint8_t> buf(size);
    if (getFn(r, buf.data(), size, nullptr) != 1)
        return {};
    return QString::fromUtf8(reinterpret_cast<const char*>(buf.data()),
                             qsizetype(strnlen(reinterpret_cast<const char*>(buf.data()), size)));
}

// One record as an event: the system fields from libevtx's accessors, and its Event XML (parsed by the parent
// process, in parallel with the child's next record: see applyXml). Without XML, the strings, unnamed.
bool readRecord(libevtx_record_t* r, EventRecord& ev, std::vector<uint8_t>& xmlBuf, QByteArray& xml) {
    uint32_t id = 0;
    if (libevtx_record_get_event_identifier(r, &id, nullptr) != 1)
        return false;
    ev.eventId = int(id & 0xFFFF); // the qualifiers live in the high word on classic sources
    uint8_t level = 0;
    if (libevtx_record_get_event_level(r, &level, nullptr) == 1)
        ev.level = level;
    uint64_t written = 0;
    if (libevtx_record_get_written_time(r, &written, nullptr) == 1 && written != 0)
        ev.time = fromFileTime(written);
    uint64_t recordId = 0;
    if (libevtx_record_get_identifier(r, &recordId, nullptr) == 1)
        ev.recordId = qint64(recordId);
    ev.provider = utf8Field(r, libevtx_record_get_utf8_source_name_size, libevtx_record_get_utf8_source_name);
    ev.computer = utf8Field(r, libevtx_record_get_utf8_computer_name_size, libevtx_record_get_utf8_computer_name);

    xml.clear();
    size_t size = 0;
    if (libevtx_record_get_utf8_xml_string_size(r, &size, nullptr) == 1 && size > 1 &&
        size <= size_t(EventXmlReader::maxEventBytes)) {
        xmlBuf.resize(size);
        if (libevtx_record_get_utf8_xml_string(r, xmlBuf.data(), size, nullptr) == 1)
            xml = QByteArray(reinterpret_cast<const char*>(xmlBuf.data()),
                             qsizetype(strnlen(reinterpret_cast<const char*>(xmlBuf.data()), size)));
    }
    if (xml.isEmpty()) {
        int n = 0;
        if (libevtx_record_get_number_of_strings(r, &n, nullptr) == 1) {
            for (int i = 0; i < n && i < 1024; ++i) {
                size_t s = 0;
                if (libevtx_record_get_utf8_string_size(r, i, &s, nullptr) != 1 || s == 0 || s > 64 * 1024)
                    continue;
                std::vector<uint8_t> b(s);
                if (libevtx_record_get_utf8_string(r, i, b.data(), s, nullptr) == 1)
                    ev.data.append({QStringLiteral("Data%1").arg(i + 1),
                                    QString::fromUtf8(reinterpret_cast<const char*>(b.data()),
                                                      qsizetype(strnlen(reinterpret_cast<const char*>(b.data()), s)))});
            }
        }
    }
    return true;
}

// Event data, channel and the provider's real name from the record's XML (libevtx's "source name" is the
// EventSourceName attribute when there is one).
void applyXml(EventRecord& ev, const QByteArray& xml, bool keepRawXml) {
    auto parsed = EventXmlReader::parseEvent(xml, keepRawXml);
    if (parsed.events.isEmpty())
        return;
    EventRecord& x = parsed.events.first();
    ev.channel = x.channel;
    ev.data = std::move(x.data);
    if (keepRawXml)
        ev.rawXml = std::move(x.rawXml);
    if (!x.provider.isEmpty())
        ev.provider = x.provider;
    if (ev.computer.isEmpty())
        ev.computer = x.computer;
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

// --- EVTX in a child process ---------------------------------------------------------------------------------
// libevtx trusts sizes inside the file: a damaged record made it allocate and clear 9 GB before failing (found by
// TestEvtx's bit-flip round). So libevtx only ever runs in a forked child with a memory limit; the parent reads
// its records through a pipe. When the child dies on a record, it is restarted after it, so one poisoned record
// costs that record, not the rest of the log.
namespace {

enum Frame : char {
    FrameHeader = 'H',
    FrameEvent = 'E',
    FrameUnreadable = 'U',
    FrameDone = 'D',
    FrameOpenFailed = 'O'
};

class ChildWriter {
public:
    explicit ChildWriter(int fd, bool careful)
        : m_fd(fd)
        , m_careful(careful) {}
    void frame(Frame type, quint8 set, quint32 index, const QByteArray& payload = {}) {
        const auto len = quint32(payload.size());
        m_buf.append(char(type));
        m_buf.append(char(set));
        m_buf.append(reinterpret_cast<const char*>(&index), 4);
        m_buf.append(reinterpret_cast<const char*>(&len), 4);
        m_buf.append(payload);
        if (m_careful || m_buf.size() >= 64 * 1024 || type == FrameDone || type == FrameHeader)
            flush();
    }
    void flush() {
        qsizetype done = 0;
        while (done < m_buf.size()) {
            const ssize_t n = ::write(m_fd, m_buf.constData() + done, size_t(m_buf.size() - done));
            if (n <= 0) {
                if (n < 0 && errno == EINTR)
                    continue;
                ::_exit(3); // the parent is gone
            }
            done += n;
        }
        m_buf.clear();
    }

private:
    int m_fd;
    bool m_careful;
    QByteArray m_buf;
};

QByteArray serialise(const EventRecord& e, const QByteArray& xml) {
    QByteArray out;
    QDataStream ds(&out, QIODevice::WriteOnly);
    ds << qint64(e.time.isValid() ? e.time.toMSecsSinceEpoch() : std::numeric_limits<qint64>::min()) << qint32(e.level)
       << qint32(e.eventId) << qint64(e.recordId) << e.provider << e.computer << e.channel << quint32(e.data.size());
    for (const auto& [k, v] : e.data)
        ds << k << v;
    ds << xml;
    return out;
}

bool deserialise(const QByteArray& in, EventRecord& e, QByteArray& xml) {
    QDataStream ds(in);
    qint64 t = 0;
    qint32 level = 0, id = 0;
    quint32 n = 0;
    ds >> t >> level >> id >> e.recordId >> e.provider >> e.computer >> e.channel >> n;
    if (ds.status() != QDataStream::Ok || n > 100000)
        return false;
    if (t != std::numeric_limits<qint64>::min())
        e.time = QDateTime::fromMSecsSinceEpoch(t, Qt::UTC);
    e.level = level;
    e.eventId = id;
    e.data.reserve(qsizetype(n));
    for (quint32 i = 0; i < n; ++i) {
        QString k, v;
        ds >> k >> v;
        e.data.append({k, v});
    }
    ds >> xml;
    return ds.status() == QDataStream::Ok;
}

// The child: open, announce the counts, then every record from (set, index) on. Never returns.
[[noreturn]] void childRead(const QByteArray& path, quint8 set, quint32 first, bool careful, int fd) {
    ChildWriter out(fd, careful);
    EvtxFile file;
    if (libevtx_file_initialize(&file.f, nullptr) != 1 ||
        libevtx_file_open(file.f, path.constData(), libevtx_get_access_flags_read(), nullptr) != 1) {
        out.frame(FrameOpenFailed, 0, 0);
        ::_exit(0);
    }
    file.open = true;
    int counts[2] = {0, 0};
    libevtx_file_get_number_of_records(file.f, &counts[0], nullptr);
    libevtx_file_get_number_of_recovered_records(file.f, &counts[1], nullptr);
    uint32_t flags = 0;
    libevtx_file_get_flags(file.f, &flags, nullptr);
    QByteArray header;
    header.append(char((flags & LIBEVTX_FILE_FLAG_IS_DIRTY) ? 1 : 0));
    header.append(char(libevtx_file_is_corrupted(file.f, nullptr) == 1 ? 1 : 0));
    header.append(reinterpret_cast<const char*>(counts), sizeof counts);
    out.frame(FrameHeader, 0, 0, header);
    std::vector<uint8_t> xmlBuf;
    QByteArray xml;
    for (quint8 s = set; s < 2; ++s) {
        for (int i = s == set ? int(first) : 0; i < counts[s]; ++i) {
            EvtxRecord rec;
            const int got = s == 1 ? libevtx_file_get_recovered_record_by_index(file.f, i, &rec.r, nullptr)
                                   : libevtx_file_get_record_by_index(file.f, i, &rec.r, nullptr);
            EventRecord ev;
            if (got != 1 || !readRecord(rec.r, ev, xmlBuf, xml))
                out.frame(FrameUnreadable, s, quint32(i));
            else
                out.frame(FrameEvent, s, quint32(i), serialise(ev, xml));
        }
    }
    out.frame(FrameDone, 0, 0);
    ::_exit(0);
}

// A record is at most 64 KB in EVTX; its event with the XML stays far below this.
constexpr quint32 maxFrameBytes = 16 * 1024 * 1024;

// The child's end of the pipe and its marker argument.
constexpr int childFd = 3;
constexpr const char* childMarker = "--ndes-console-evtx-child";

// Runs before main() in every program that links the EVTX reader: when this process is the reader's child, read
// and exit, never reaching the program's own main().
__attribute__((constructor)) void childHook() {
    FILE* f = std::fopen("/proc/self/cmdline", "rb");
    if (!f)
        return;
    std::vector<char> buf(65536);
    const size_t n = std::fread(buf.data(), 1, buf.size() - 1, f);
    std::fclose(f);
    std::vector<std::string> args;
    for (size_t i = 0; i < n;) {
        const size_t len = strnlen(buf.data() + i, n - i);
        args.emplace_back(buf.data() + i, len);
        i += len + 1;
    }
    if (args.size() < 2 || args[1] != childMarker)
        return;
    if (args.size() != 6)
        ::_exit(6); // a reader child with the wrong arguments must not go on to run the program
    childRead(QByteArray::fromStdString(args[2]), quint8(std::atoi(args[3].c_str())),
              quint32(std::strtoul(args[4].c_str(), nullptr, 10)), args[5] == "1", childFd);
}

} // namespace

Result<EventReadSummary> EvtxReader::read(const QString& path, const Sink& sink) {
    EventReadSummary summary;
    summary.format = format();
    const QByteArray native = QFile::encodeName(path);
    {
        QFile probe(path);
        if (!probe.open(QIODevice::ReadOnly))
            return makeError(ErrorKind::Io, tr("Cannot read %1: %2").arg(path, probe.errorString()));
    }
    quint8 set = 0;
    quint32 next = 0;
    bool careful = false;
    bool haveHeader = false;
    bool finished = false;
    int counts[2] = {0, 0};
    int restarts = 0;
    while (!finished) {
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) != 0)
            return makeError(ErrorKind::Internal,
                             tr("Cannot start the EVTX reader: %1").arg(QString::fromLocal8Bit(strerror(errno))));
        // The child is this same program, executed afresh with a marker argument (see childHook below): a fork
        // without exec would inherit the locks of every other thread (ASan's allocator deadlocked so).
        const std::string exe = "/proc/self/exe";
        const std::string marker = childMarker;
        const std::string a1 = native.toStdString(), a2 = std::to_string(set), a3 = std::to_string(next),
                          a4 = careful ? "1" : "0";
        const char* argv[] = {exe.c_str(), marker.c_str(), a1.c_str(), a2.c_str(), a3.c_str(), a4.c_str(), nullptr};
        std::vector<std::string> envStrings;
        for (char** e = environ; *e; ++e)
            envStrings.emplace_back(*e);
#ifdef NDES_ASAN
        // libevtx (not instrumented) allocates for every value: ASan's slow unwinding on each malloc, which the
        // tests ask for, made the child 50 times slower. The child needs no leak report (it ends with _exit).
        bool hadAsanOptions = false;
        for (std::string& e : envStrings)
            if (e.rfind("ASAN_OPTIONS=", 0) == 0) {
                e += ":fast_unwind_on_malloc=1";
                hadAsanOptions = true;
            }
        if (!hadAsanOptions)
            envStrings.emplace_back("ASAN_OPTIONS=fast_unwind_on_malloc=1:allocator_may_return_null=1");
#endif
        std::vector<char*> envp;
        for (std::string& e : envStrings)
            envp.push_back(e.data());
        envp.push_back(nullptr);
        const pid_t pid = ::fork();
        if (pid < 0) {
            ::close(fds[0]);
            ::close(fds[1]);
            return makeError(ErrorKind::Internal,
                             tr("Cannot start the EVTX reader: %1").arg(QString::fromLocal8Bit(strerror(errno))));
        }
        if (pid == 0) { // only async-signal-safe calls from here to exec
            if (::dup2(fds[1], childFd) < 0 || ::fcntl(childFd, F_SETFD, 0) < 0)
                ::_exit(4);
#ifndef NDES_ASAN // ASan reserves terabytes of address space; its allocator_may_return_null does this job
            const rlimit as{rlim_t(memoryLimit), rlim_t(memoryLimit)};
            ::setrlimit(RLIMIT_AS, &as);
#endif
            ::execve(exe.c_str(), const_cast<char* const*>(argv), envp.data());
            ::_exit(5);
        }
        ::close(fds[1]);
        // Read frames until the child ends.
        QByteArray buf;
        bool stopped = false;
        bool childFailed = false;
        qint64 lastSet = -1, lastIndex = -1;
        char chunk[65536];
        for (;;) {
            pollfd p{fds[0], POLLIN, 0};
            const int ready = ::poll(&p, 1, int(stallTimeoutMs));
            if (ready == 0) { // the child hangs on a record
                ::kill(pid, SIGKILL);
                break;
            }
            if (ready < 0) {
                if (errno == EINTR)
                    continue;
                break;
            }
            const ssize_t n = ::read(fds[0], chunk, sizeof chunk);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break;
            buf.append(chunk, qsizetype(n));
            qsizetype pos = 0;
            while (buf.size() - pos >= 10) {
                quint32 index = 0, len = 0;
                std::memcpy(&index, buf.constData() + pos + 2, 4);
                std::memcpy(&len, buf.constData() + pos + 6, 4);
                if (len > maxFrameBytes) { // the child read hostile bytes and went wrong: stop it, never buffer 4 GB
                    ::kill(pid, SIGKILL);
                    buf.clear();
                    pos = 0;
                    childFailed = true;
                    break;
                }
                if (buf.size() - pos - 10 < qsizetype(len))
                    break;
                const char type = buf.at(pos);
                const auto fset = quint8(buf.at(pos + 1));
                const QByteArray payload = buf.mid(pos + 10, qsizetype(len));
                pos += 10 + qsizetype(len);
                if (type == FrameOpenFailed) {
                    ::close(fds[0]);
                    ::waitpid(pid, nullptr, 0);
                    return makeError(
                        ErrorKind::Io,
                        tr("%1 cannot be opened as an EVTX event log; it may be damaged or not an event log.")
                            .arg(path));
                } else if (type == FrameHeader && payload.size() == 2 + qsizetype(sizeof counts)) {
                    if (!haveHeader) {
                        haveHeader = true;
                        std::memcpy(counts, payload.constData() + 2, sizeof counts);
                        if (payload.at(0) || payload.at(1)) {
                            summary.damaged = payload.at(1) != 0;
                            summary.problems
                                << (payload.at(1)
                                        ? tr("The log is marked as damaged; records were read as far as possible.")
                                        : tr("The log was not closed cleanly (dirty, as a log copied while Windows "
                                             "was writing it); its records were read as they are."));
                        }
                    }
                } else if (type == FrameEvent || type == FrameUnreadable) {
                    lastSet = fset;
                    lastIndex = index;
                    if (type == FrameUnreadable) {
                        ++summary.unreadable;
                        continue;
                    }
                    EventRecord ev;
                    QByteArray xml;
                    if (!deserialise(payload, ev, xml)) {
                        ++summary.unreadable;
                        continue;
                    }
                    if (!xml.isEmpty())
                        applyXml(ev, xml, m_keepRawXml);
                    ++summary.records;
                    if (fset == 1)
                        ++summary.recovered;
                    if (!stopped && !sink(std::move(ev))) {
                        stopped = true;
                        ::kill(pid, SIGKILL);
                    }
                } else if (type == FrameDone) {
                    finished = true;
                }
            }
            buf.remove(0, pos);
            if (stopped || childFailed)
                break;
        }
        ::close(fds[0]);
        int status = 0;
        ::waitpid(pid, &status, 0);
        if (stopped)
            return summary;
        if (finished)
            break;
        if (!haveHeader)
            return makeError(ErrorKind::Io,
                             tr("%1 cannot be read as an EVTX event log: the reader stopped while opening it (the file "
                                "is damaged).")
                                 .arg(path));
        // The child died (memory limit, crash) or hung: resume after what arrived. The first time carefully
        // (every record sent at once), so the record that kills it is known; that one is skipped.
        if (lastSet >= 0) {
            set = quint8(lastSet);
            next = quint32(lastIndex + 1);
        }
        if (careful) { // this run sent every record at once: the one after the last is the culprit
            ++summary.unreadable;
            ++next;
            careful = false;
        } else {
            careful = true;
        }
        if (set == 0 && next >= quint32(std::max(0, counts[0]))) {
            set = 1;
            next = 0;
        }
        if (set == 1 && next >= quint32(std::max(0, counts[1])))
            break;
        if (++restarts > maxRestarts) {
            summary.problems << tr("Reading stopped after the reader failed on %1 damaged records.").arg(maxRestarts);
            break;
        }
        summary.damaged = true;
    }
    if (summary.unreadable > 0) {
        summary.damaged = true;
        summary.problems << tr("%n record(s) could not be read.", nullptr, int(summary.unreadable));
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
