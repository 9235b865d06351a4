// SPDX-License-Identifier: Apache-2.0
#include "events/EventXmlReader.h"

#include <QCoreApplication>
#include <QFile>
#include <QStringDecoder>
#include <QXmlStreamReader>

namespace ndes::events {

namespace {

QString tr(const char* text, const char* disambiguation = nullptr, int n = -1) {
    return QCoreApplication::translate("EventXmlReader", text, disambiguation, n);
}

QString decode(const QByteArray& data) {
    if (data.startsWith("\xFF\xFE") || data.startsWith("\xFE\xFF") ||
        (data.size() > 1 && data.at(0) == '<' && data.at(1) == '\0')) {
        auto decoder =
            QStringDecoder(data.startsWith("\xFE\xFF") ? QStringConverter::Utf16BE : QStringConverter::Utf16LE);
        return decoder.decode(data);
    }
    return QString::fromUtf8(data.startsWith("\xEF\xBB\xBF") ? data.mid(3) : data);
}

// Reads every <Event> from `xml` into `result`; rawXml is cut from `source` when given.
void readEvents(QXmlStreamReader& xml, EventXmlResult& result, const QString* source) {
    EventRecord current;
    bool inEvent = false;
    qint64 eventStart = 0;
    QString dataName;
    int unnamed = 0;
    while (!xml.atEnd()) {
        const qint64 before = xml.characterOffset();
        xml.readNext();
        if (xml.isStartElement()) {
            const QStringView name = xml.name();
            if (name == QLatin1String("Event")) {
                current = EventRecord();
                inEvent = true;
                eventStart = before;
                unnamed = 0;
            } else if (!inEvent) {
                continue;
            } else if (name == QLatin1String("Provider")) {
                current.provider = xml.attributes().value(QLatin1String("Name")).toString();
                if (current.provider.isEmpty())
                    current.provider = xml.attributes().value(QLatin1String("EventSourceName")).toString();
            } else if (name == QLatin1String("EventID")) {
                bool ok = false;
                const int id = xml.readElementText().trimmed().toInt(&ok);
                current.eventId = ok ? id : -1;
            } else if (name == QLatin1String("Level")) {
                current.level = xml.readElementText().trimmed().toInt();
            } else if (name == QLatin1String("TimeCreated")) {
                current.time = QDateTime::fromString(xml.attributes().value(QLatin1String("SystemTime")).toString(),
                                                     Qt::ISODateWithMs);
                if (current.time.isValid())
                    current.time = current.time.toUTC();
            } else if (name == QLatin1String("EventRecordID")) {
                current.recordId = xml.readElementText().trimmed().toLongLong();
            } else if (name == QLatin1String("Computer")) {
                current.computer = xml.readElementText().trimmed();
            } else if (name == QLatin1String("Channel")) {
                current.channel = xml.readElementText().trimmed();
            } else if (name == QLatin1String("Data")) {
                dataName = xml.attributes().value(QLatin1String("Name")).toString();
                if (dataName.isEmpty())
                    dataName = QStringLiteral("Data%1").arg(++unnamed);
                current.data.append({dataName, xml.readElementText(QXmlStreamReader::IncludeChildElements)});
            }
        } else if (xml.isEndElement() && xml.name() == QLatin1String("Event") && inEvent) {
            inEvent = false;
            if (source)
                current.rawXml = source->mid(eventStart, xml.characterOffset() - eventStart).trimmed();
            if (current.eventId < 0)
                ++result.skipped;
            else
                result.events << current;
        }
    }
}

} // namespace

QString EventRecord::dataValue(const QString& name) const {
    for (const auto& [k, v] : data)
        if (k == name)
            return v;
    return {};
}

bool isNdesProvider(const QString& provider) {
    return provider.compare(QLatin1String("Microsoft-Windows-NetworkDeviceEnrollmentService"), Qt::CaseInsensitive) ==
               0 ||
           provider.compare(QLatin1String("NetworkDeviceEnrollmentService"), Qt::CaseInsensitive) == 0;
}

EventXmlResult EventXmlReader::readFile(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        EventXmlResult r;
        r.error = tr("Cannot read %1: %2").arg(path, f.errorString());
        return r;
    }
    if (f.size() > maxBytes) {
        EventXmlResult r;
        r.error = tr("%1 is larger than 512 MB; export a shorter time range.").arg(path);
        return r;
    }
    return parse(f.readAll());
}

EventXmlResult EventXmlReader::parseEvent(const QByteArray& data, bool keepRawXml) {
    // One record from a reader we trust to write plain XML (libevtx): no declaration, no DTD, one root. Anything
    // with markup declarations goes the careful way.
    if (data.size() > maxEventBytes || data.contains("<!") || data.contains("<?"))
        return parse(data);
    EventXmlResult result;
    QXmlStreamReader xml(data);
    xml.setEntityExpansionLimit(0);
    const QString source = keepRawXml ? QString::fromUtf8(data) : QString();
    readEvents(xml, result, keepRawXml ? &source : nullptr);
    if (xml.hasError())
        result.error = tr("The XML breaks at line %1, column %2 (%3).")
                           .arg(xml.lineNumber())
                           .arg(xml.columnNumber())
                           .arg(xml.errorString());
    return result;
}

EventXmlResult EventXmlReader::parse(const QByteArray& data) {
    EventXmlResult result;
    if (data.size() > maxBytes) {
        result.error = tr("The XML is larger than 512 MB; export a shorter time range.");
        return result;
    }
    QString text = decode(data);
    if (text.contains(QLatin1String("<!DOCTYPE"), Qt::CaseInsensitive) ||
        text.contains(QLatin1String("<!ENTITY"), Qt::CaseInsensitive)) {
        result.error = tr("The XML declares a document type or entities; Windows event exports never do, and such "
                          "files can expand without bound. Refused.");
        return result;
    }
    // A root for wevtutil's root-less stream; the XML declaration must then go.
    qsizetype start = 0;
    while (start < text.size() && text.at(start).isSpace())
        ++start;
    if (text.mid(start, 5) == QLatin1String("<?xml")) {
        const qsizetype end = text.indexOf(QLatin1String("?>"), start);
        start = end < 0 ? text.size() : end + 2;
    }
    const QString prefix = QStringLiteral("<NdesConsoleRoot>");
    text = prefix + text.mid(start) + QStringLiteral("</NdesConsoleRoot>");
    const qsizetype shift = prefix.size();
    const QString& source = text;

    QXmlStreamReader xml(source);
    xml.setEntityExpansionLimit(0);
    readEvents(xml, result, &source);
    if (xml.hasError())
        result.error = tr("The XML breaks at line %1, column %2 (%3); %n event(s) before it were read.", nullptr,
                          int(result.events.size()))
                           .arg(xml.lineNumber())
                           .arg(xml.columnNumber() - (xml.lineNumber() == 1 ? shift : 0))
                           .arg(xml.errorString());
    return result;
}

} // namespace ndes::events
