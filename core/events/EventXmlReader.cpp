// SPDX-License-Identifier: Apache-2.0
#include "events/EventXmlReader.h"

#include <QCoreApplication>
#include <QFile>
#include <QHash>
#include <QSet>
#include <QStringDecoder>
#include <QXmlStreamReader>

#include <vector>

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

// <UserData> (CAPI2 and many operational logs put their fields there instead of <EventData>): each value becomes a
// field named by its path from the template element, XPath-like, so the XML can be rebuilt from the fields alone —
// `CertGetCertificateChain/ValidationTime`, `CertGetCertificateChain/Flags/@value`, the second `Certificate` under
// one parent as `Certificate[2]`. Empty elements stay (as empty values). Reads up to and including </UserData>.
void readUserData(QXmlStreamReader& xml, QList<QPair<QString, QString>>& data) {
    struct Open {
        QString path;
        QHash<QString, int> children;
        QString text;
        bool hasFields = false;
    };
    std::vector<Open> stack(1); // [0] is <UserData> itself
    bool cut = false;
    // Every field repeats its path, so the fields can outgrow the input many times over: a budget of characters
    // for the event's fields (names and values), and of fields, shared with what the event already has.
    qint64 budget = EventXmlReader::maxUserDataChars;
    for (const auto& [k, v] : data)
        budget -= k.size() + v.size();
    auto add = [&](const QString& name, const QString& value) {
        if (data.size() >= EventXmlReader::maxUserDataFields || name.size() + value.size() > budget) {
            cut = true;
            return;
        }
        budget -= name.size() + value.size();
        data.append({name, value});
    };
    constexpr qsizetype maxName = 255;
    while (!xml.atEnd()) {
        xml.readNext();
        if (xml.isStartElement()) {
            Open& parent = stack.back();
            parent.hasFields = true;
            if (stack.size() > size_t(EventXmlReader::maxUserDataDepth) || xml.name().size() > maxName || cut) {
                cut = true;
                xml.skipCurrentElement();
                continue;
            }
            const QString name = xml.name().toString();
            const int n = ++parent.children[name];
            Open open;
            open.path = parent.path.isEmpty() ? name : parent.path + QLatin1Char('/') + name;
            if (n > 1)
                open.path += QStringLiteral("[%1]").arg(n);
            QSet<QString> seen; // local names: x:a and y:a would be one attribute twice
            for (const QXmlStreamAttribute& a : xml.attributes()) {
                const QString local = a.name().toString();
                if (local.size() > maxName || seen.contains(local)) {
                    cut = cut || local.size() > maxName;
                    continue;
                }
                seen.insert(local);
                add(open.path + QStringLiteral("/@") + local, a.value().toString());
                open.hasFields = true;
            }
            stack.push_back(std::move(open));
        } else if (xml.isCharacters() && !xml.isWhitespace()) {
            if (stack.back().text.size() + xml.text().size() <= budget)
                stack.back().text += xml.text();
            else
                cut = true;
        } else if (xml.isEndElement()) {
            Open done = std::move(stack.back());
            stack.pop_back();
            if (stack.empty())
                break; // </UserData>
            if (!done.text.isEmpty() || !done.hasFields)
                add(done.path, done.text);
        }
    }
    if (cut && !data.isEmpty())
        data.last().second += QStringLiteral(" [cut: more fields or deeper levels than shown]");
}

// Reads every <Event> from `xml` into `result`; rawXml is cut from `source` when given.
void readEvents(QXmlStreamReader& xml, EventXmlResult& result, const QString* source) {
    EventRecord current;
    bool inEvent = false;
    qint64 eventStart = 0;
    QString dataName;
    int unnamed = 0;
    // Where we are: the system fields count only inside <System> (a forwarded event's <RenderingInfo> has its own
    // <Level>, <Channel> and <Provider> in words), the rendered ones only inside <RenderingInfo>.
    enum class Section { None, System, Rendering, Other };
    Section section = Section::None;
    int depth = 0; // inside <Event>: 1 is a section
    while (!xml.atEnd()) {
        const qint64 before = xml.characterOffset();
        xml.readNext();
        if (xml.isEndElement() && inEvent && xml.name() != QLatin1String("Event")) {
            if (--depth == 0)
                section = Section::None;
            continue;
        }
        if (xml.isStartElement()) {
            const QStringView name = xml.name();
            if (name == QLatin1String("Event")) {
                current = EventRecord();
                inEvent = true;
                eventStart = before;
                unnamed = 0;
                depth = 0;
                section = Section::None;
                continue;
            }
            if (!inEvent)
                continue;
            ++depth;
            if (depth == 1)
                section = name == QLatin1String("System")          ? Section::System
                          : name == QLatin1String("RenderingInfo") ? Section::Rendering
                                                                   : Section::Other;
            // readElementText and readUserData consume the end element themselves.
            auto consumed = [&] {
                --depth;
            };
            if (section == Section::System && depth == 2) {
                if (name == QLatin1String("Provider")) {
                    current.provider = xml.attributes().value(QLatin1String("Name")).toString();
                    if (current.provider.isEmpty())
                        current.provider = xml.attributes().value(QLatin1String("EventSourceName")).toString();
                } else if (name == QLatin1String("EventID")) {
                    bool ok = false;
                    const int id = xml.readElementText().trimmed().toInt(&ok);
                    current.eventId = ok ? id : -1;
                    consumed();
                } else if (name == QLatin1String("Level")) {
                    current.level = xml.readElementText().trimmed().toInt();
                    consumed();
                } else if (name == QLatin1String("TimeCreated")) {
                    current.time = QDateTime::fromString(xml.attributes().value(QLatin1String("SystemTime")).toString(),
                                                         Qt::ISODateWithMs);
                    if (current.time.isValid())
                        current.time = current.time.toUTC();
                } else if (name == QLatin1String("EventRecordID")) {
                    current.recordId = xml.readElementText().trimmed().toLongLong();
                    consumed();
                } else if (name == QLatin1String("Computer")) {
                    current.computer = xml.readElementText().trimmed();
                    consumed();
                } else if (name == QLatin1String("Channel")) {
                    current.channel = xml.readElementText().trimmed();
                    consumed();
                }
            } else if (section == Section::Rendering && depth == 2) {
                if (name == QLatin1String("Message")) {
                    current.message = xml.readElementText(QXmlStreamReader::IncludeChildElements).trimmed();
                    consumed();
                } else if (name == QLatin1String("Level")) {
                    current.levelText = xml.readElementText(QXmlStreamReader::IncludeChildElements).trimmed();
                    consumed();
                } else if (name == QLatin1String("Task")) {
                    current.taskText = xml.readElementText(QXmlStreamReader::IncludeChildElements).trimmed();
                    consumed();
                }
            } else if (name == QLatin1String("UserData") && depth == 1) {
                readUserData(xml, current.data);
                consumed();
            } else if (name == QLatin1String("Data") && section == Section::Other) {
                dataName = xml.attributes().value(QLatin1String("Name")).toString();
                if (dataName.isEmpty())
                    dataName = QStringLiteral("Data%1").arg(++unnamed);
                current.data.append({dataName, xml.readElementText(QXmlStreamReader::IncludeChildElements)});
                consumed();
            }
            if (depth == 0)
                section = Section::None;
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

namespace {

bool isXmlName(QStringView s) {
    if (s.isEmpty() || s.size() > 255)
        return false;
    for (qsizetype i = 0; i < s.size(); ++i) {
        const QChar c = s.at(i);
        const bool letter = c.isLetter() || c == QLatin1Char('_');
        if (!(letter || (i > 0 && (c.isDigit() || c == QLatin1Char('-') || c == QLatin1Char('.')))))
            return false;
    }
    return true;
}

// `Name` or `Name[n]` (n > 1), as readUserData writes a path's element steps.
bool isElementStep(QStringView s) {
    const qsizetype open = s.indexOf(QLatin1Char('['));
    if (open < 0)
        return isXmlName(s);
    if (!s.endsWith(QLatin1Char(']')))
        return false;
    bool ok = false;
    const int n = s.sliced(open + 1, s.size() - open - 2).toInt(&ok);
    return ok && n > 1 && isXmlName(s.first(open));
}

} // namespace

QString userDataRoot(const EventRecord& e) {
    if (e.data.isEmpty())
        return {};
    const QString root = e.data.constFirst().first.section(QLatin1Char('/'), 0, 0);
    if (!isXmlName(root) || !e.data.constFirst().first.contains(QLatin1Char('/')))
        return {};
    for (const auto& field : e.data) {
        const QList<QStringView> steps = QStringView(field.first).split(QLatin1Char('/'));
        if (steps.size() < 2 || steps.constFirst() != root)
            return {};
        for (qsizetype i = 1; i < steps.size(); ++i) {
            const bool attribute = steps[i].startsWith(QLatin1Char('@'));
            if (attribute ? (i != steps.size() - 1 || !isXmlName(steps[i].sliced(1))) : !isElementStep(steps[i]))
                return {};
        }
    }
    return root;
}

QString fieldLabel(const QString& name) {
    const qsizetype slash = name.indexOf(QLatin1Char('/'));
    if (slash < 0)
        return name;
    QString label = name.mid(slash + 1);
    if (label.endsWith(QLatin1String("/@value")))
        label.chop(7);
    const qsizetype at = label.lastIndexOf(QLatin1String("/@"));
    if (at >= 0)
        label = label.left(at) + QStringLiteral(" · ") + label.mid(at + 2);
    else if (label.startsWith(QLatin1Char('@')))
        label = label.mid(1);
    return label;
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
