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

    // The reader for a file, chosen by its content (EVTX's "ElfFile" signature, else Event XML); null when the
    // file is neither.
    [[nodiscard]] static std::unique_ptr<EventFileReader> forFile(const QString& path, Error* whyNot = nullptr);

protected:
    bool m_keepRawXml = true;
};

// EVTX through libevtx: allocated records, then the ones recovered from a dirty file. Event time is the record's
// written time (as evtxexport and python-evtx report it); the rest comes from the record's Event XML.
// libevtx runs in a child process (this program, executed again) with a memory limit (see EventFileReader.cpp),
// restarted past a record that kills it or hangs it.
class EvtxReader : public EventFileReader {
public:
    static constexpr quint64 memoryLimit = quint64(3) * 1024 * 1024 * 1024; // address space of the child
    static constexpr qint64 stallTimeoutMs = 20000;                         // one record, at most
    static constexpr int maxRestarts = 500;
    [[nodiscard]] QString format() const override { return QStringLiteral("evtx"); }
    [[nodiscard]] Result<EventReadSummary> read(const QString& path, const Sink& sink) override;
};

// Event XML (wevtutil qe /f:xml, Event Viewer's "Save as XML") through EventXmlReader.
class XmlEventFileReader : public EventFileReader {
public:
    [[nodiscard]] QString format() const override { return QStringLiteral("xml"); }
    [[nodiscard]] Result<EventReadSummary> read(const QString& path, const Sink& sink) override;
};

} // namespace ndes::events
