// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "events/EventRecord.h"
#include "util/Result.h"

#include <QString>
#include <QStringList>

#include <functional>
#include <memory>

namespace ndes::events {

// What reading one file gave, besides the events themselves.
struct EventReadSummary {
    QString format;        // "evtx", "xml"
    qint64 records = 0;    // events handed to the sink
    qint64 recovered = 0;  // of them, records recovered from free space of a dirty or damaged EVTX file
    qint64 unreadable = 0; // records the file announces that could not be read
    qint64 duplicates = 0; // records found twice (same record ID): read once, counted here
    bool damaged = false;  // the file is marked dirty/corrupted or ended early
    QStringList problems;  // what went wrong, for the user
};

// One reader per file format behind one interface, so a faster EVTX reader can replace libevtx later without
// touching the store or the page. Readers stream: each event goes to the sink as it is read (a 1-million-event
// log never sits in a list). The sink returns false to stop early (the user cancelled).
class EventFileReader {
public:
    using Sink = std::function<bool(EventRecord&&)>;
    virtual ~EventFileReader() = default;
    [[nodiscard]] virtual QString format() const = 0;
    [[nodiscard]] virtual Result<EventReadSummary> read(const QString& path, const Sink& sink) = 0;
    // Whether events carry their raw XML (rawXml). The store rebuilds XML from the fields, so bulk loads turn it
    // off: half the bytes to move.
    void setKeepRawXml(bool keep) { m_keepRawXml = keep; }
    [[nodiscard]] bool keepRawXml() const { return m_keepRawXml; }
    // Called now and then while a file is read, with bytes done and the file's size (for a progress bar); false stops
    // the read, as the sink's false does (a cancel reaches the reader even where a file yields no events).
    using Progress = std::function<bool(qint64 done, qint64 total)>;
    void setProgress(Progress progress) { m_progress = std::move(progress); }

    // The reader for a file, chosen by its content (EVTX's "ElfFile" signature, else Event XML); null when the
    // file is neither.
    [[nodiscard]] static std::unique_ptr<EventFileReader> forFile(const QString& path, Error* whyNot = nullptr);

protected:
    bool m_keepRawXml = true;
    Progress m_progress;
};

// EVTX through our own parser (EvtxParser.h): the file is mapped, its 64 KB chunks parsed on several threads and
// their records handed to the sink in file order, each record ID once (a record found twice, as a wrap-around leaves
// it, is read once and counted). Then the records recovered from chunks' unused space that were not read already.
// Event time is the record's written time (as evtxexport and python-evtx report it). What could not be read is
// counted exactly: the record IDs the chunk headers announce that no record gave, and why.
class EvtxReader : public EventFileReader {
public:
    [[nodiscard]] QString format() const override { return QStringLiteral("evtx"); }
    [[nodiscard]] Result<EventReadSummary> read(const QString& path, const Sink& sink) override;
    // Threads that parse chunks; 0 (the default): one per core, at most 8.
    void setThreads(int n) { m_threads = n; }
    [[nodiscard]] int threads() const;

private:
    int m_threads = 0;
};

// Event XML (wevtutil qe /f:xml, Event Viewer's "Save as XML") through EventXmlReader.
class XmlEventFileReader : public EventFileReader {
public:
    [[nodiscard]] QString format() const override { return QStringLiteral("xml"); }
    [[nodiscard]] Result<EventReadSummary> read(const QString& path, const Sink& sink) override;
};

} // namespace ndes::events
