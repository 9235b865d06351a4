// SPDX-License-Identifier: Apache-2.0
#include "events/EventExport.h"

#include "events/EventCatalogue.h"
#include "events/EventJson.h"
#include "events/EventStore.h"
#include "events/EventXmlReader.h"
#include "ndes/HealthExport.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QSaveFile>

namespace ndes::events {

namespace {
QString tr(const char* text) {
    return QCoreApplication::translate("EventExport", text);
}
} // namespace

ExportFormat exportFormatForPath(const QString& path) {
    if (path.endsWith(QLatin1String(".json"), Qt::CaseInsensitive))
        return ExportFormat::Json;
    if (path.endsWith(QLatin1String(".xml"), Qt::CaseInsensitive))
        return ExportFormat::EventXml;
    return ExportFormat::Csv;
}

QString levelName(int level) {
    switch (level) {
    case 1:
        return tr("Critical");
    case 2:
        return tr("Error");
    case 3:
        return tr("Warning");
    case 5:
        return tr("Verbose");
    default:
        return tr("Information");
    }
}

Status exportEvents(const EventStore& store, const std::vector<quint64>& seqs, const EventCatalogue& catalogue,
                    const QString& path, ExportFormat format) {
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return makeError(ErrorKind::Io, tr("Cannot write %1: %2").arg(path, f.errorString()));
    switch (format) {
    case ExportFormat::Csv:
        f.write("\xEF\xBB\xBF");
        f.write("time,level,id,source,computer,channel,record,meaning,data\r\n");
        for (quint64 seq : seqs) {
            const EventRecord e = store.event(seq);
            const CatalogueEntry* known = catalogue.find(e.provider, e.eventId);
            const QStringList cells = {e.time.toString(Qt::ISODateWithMs),
                                       levelName(e.level),
                                       QString::number(e.eventId),
                                       e.provider,
                                       e.computer,
                                       e.channel,
                                       QString::number(e.recordId),
                                       known ? known->meaning : QString(),
                                       store.summary(seq)};
            QStringList escaped;
            for (const QString& c : cells)
                escaped << service::HealthExport::csvCell(c);
            f.write(escaped.join(QLatin1Char(',')).toUtf8() + "\r\n");
        }
        break;
    case ExportFormat::Json: {
        f.write("[\n");
        bool first = true;
        for (quint64 seq : seqs) {
            if (!first)
                f.write(",\n");
            first = false;
            f.write(QJsonDocument(eventToJson(store.event(seq))).toJson(QJsonDocument::Compact));
        }
        f.write("\n]\n");
        break;
    }
    case ExportFormat::EventXml:
        f.write("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Events>\n");
        for (quint64 seq : seqs)
            f.write(toEventXml(store.event(seq)).toUtf8() + '\n');
        f.write("</Events>\n");
        break;
    }
    if (!f.commit())
        return makeError(ErrorKind::Io, tr("Cannot write %1: %2").arg(path, f.errorString()));
    return {};
}

} // namespace ndes::events
