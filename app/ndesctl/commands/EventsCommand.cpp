// SPDX-License-Identifier: Apache-2.0
#include "commands/EventsCommand.h"

#include "events/EventCatalogue.h"
#include "events/EventFileReader.h"
#include "events/EventStore.h"

#include <QDateTime>

#include <cstdio>

namespace ndesctl {

using namespace ndes;

namespace {
const QString providerName = QStringLiteral("provider");
const QString idName = QStringLiteral("id");
const QString sinceName = QStringLiteral("since");
} // namespace

EventsCommand::EventsCommand()
    : Command(QStringLiteral("events"),
              QStringLiteral("Read event logs (.evtx, Event XML); NDES events explained by the catalogue")) {}

QString EventsCommand::details() const {
    return QStringLiteral("Files: .evtx, or Event XML (wevtutil qe /f:xml, Event Viewer's Save as XML). With --json, "
                          "one object per event, one per line.\nExit codes: 0 read, 1 a file was damaged (what could "
                          "be read is shown), 2 usage error.");
}

void EventsCommand::declare(QCommandLineParser& p) {
    p.addOptions(
        {{providerName,
          QStringLiteral("Only this provider (repeatable; NAME* matches a prefix). \"ndes\": NDES and the "
                         "sources related to it, as in the console's NDES views."),
          QStringLiteral("NAME")},
         {idName, QStringLiteral("Only this event ID (repeatable)."), QStringLiteral("N")},
         {sinceName, QStringLiteral("Only events at or after this time (ISO 8601)."), QStringLiteral("TIME")}});
    p.addPositionalArgument(QStringLiteral("files"), QStringLiteral("EVTX or Event XML files."),
                            QStringLiteral("FILE..."));
}

int EventsCommand::run(const QCommandLineParser& p, const CtlOutput& out) {
    if (p.positionalArguments().isEmpty())
        return out.fail(makeError(ErrorKind::Usage, QStringLiteral("Give one or more .evtx or Event XML files.")));
    QList<int> ids;
    for (const QString& v : p.values(idName)) {
        bool ok = false;
        ids << v.toInt(&ok);
        if (!ok)
            return out.fail(makeError(ErrorKind::Usage, QStringLiteral("--id takes a number, not \"%1\".").arg(v)));
    }
    QDateTime from;
    if (p.isSet(sinceName)) {
        from = QDateTime::fromString(p.value(sinceName), Qt::ISODateWithMs);
        if (!from.isValid())
            return out.fail(makeError(
                ErrorKind::Usage,
                QStringLiteral("--since \"%1\" is not ISO 8601 (e.g. 2026-11-25T08:00:00Z).").arg(p.value(sinceName))));
    }
    auto catalogue = events::EventCatalogue::builtIn();
    if (!catalogue)
        return out.fail(catalogue.error());
    const QStringList providers = events::providerPatterns(p.values(providerName));
    int rc = ExitOk;
    for (const QString& file : p.positionalArguments()) {
        Error why;
        auto reader = events::EventFileReader::forFile(file, &why);
        if (!reader) {
            out.warn(why.message);
            rc = ExitRefused;
            continue;
        }
        reader->setKeepRawXml(false); // events are printed from their fields
        auto summary = reader->read(file, [&](events::EventRecord&& e) {
            if ((!providers.isEmpty() && !events::providerMatches(e.provider, providers)) ||
                (!ids.isEmpty() && !ids.contains(e.eventId)) ||
                (from.isValid() && (!e.time.isValid() || e.time < from)))
                return true;
            printEvent(out, e, catalogue->find(e.provider, e.eventId));
            return true;
        });
        if (!summary) {
            out.warn(QStringLiteral("%1: %2").arg(file, summary.error().message));
            rc = ExitRefused;
            continue;
        }
        for (const QString& problem : summary->problems)
            out.warn(QStringLiteral("%1: %2").arg(file, problem));
        if (summary->damaged)
            rc = ExitRefused;
    }
    std::fflush(stdout);
    return rc;
}

} // namespace ndesctl
