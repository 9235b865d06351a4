// SPDX-License-Identifier: Apache-2.0
#include "ndes/RegistryExport.h"

#include <QCoreApplication>
#include <QFile>

namespace ndes::service {

namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("RegistryExport", text);
}

Error lineError(int line, const QString& what) {
    return makeError(ErrorKind::Usage, tr("Line %1 of the .reg file: %2").arg(line).arg(what));
}

QString decode(const QByteArray& data) {
    if (data.startsWith("\xFF\xFE")) {
        const QByteArray body = data.mid(2, (data.size() - 2) & ~qsizetype(1));
        return QString::fromUtf16(reinterpret_cast<const char16_t*>(body.constData()), body.size() / 2);
    }
    if (data.size() >= 2 && data.at(1) == '\0' && data.at(0) != '\0') { // UTF-16LE without BOM
        const QByteArray body = data.left(data.size() & ~qsizetype(1));
        return QString::fromUtf16(reinterpret_cast<const char16_t*>(body.constData()), body.size() / 2);
    }
    if (data.startsWith("\xEF\xBB\xBF"))
        return QString::fromUtf8(data.mid(3));
    return QString::fromUtf8(data);
}

// Parses a quoted .reg string starting at text[pos] == '"'; returns the end position after the closing quote.
qsizetype parseQuoted(const QString& text, qsizetype pos, QString* out) {
    out->clear();
    for (qsizetype i = pos + 1; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (c == QLatin1Char('\\') && i + 1 < text.size()) {
            out->append(text.at(++i));
        } else if (c == QLatin1Char('"')) {
            return i + 1;
        } else {
            out->append(c);
        }
    }
    return -1;
}

bool parseHexBytes(const QString& list, QByteArray* out) {
    out->clear();
    for (const QString& part : list.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        bool ok = false;
        const QString t = part.trimmed();
        const uint v = t.toUInt(&ok, 16);
        if (!ok || t.size() > 2 || v > 0xFF)
            return false;
        out->append(char(v));
    }
    return true;
}

QString utf16FromBytes(const QByteArray& b) {
    const QByteArray even = b.left(b.size() & ~qsizetype(1));
    return QString::fromUtf16(reinterpret_cast<const char16_t*>(even.constData()), even.size() / 2);
}

} // namespace

QString RegistryValue::text() const {
    switch (type) {
    case Type::Dword:
    case Type::Qword:
        return QString::number(number);
    case Type::MultiString:
        return strings.join(QStringLiteral(", "));
    case Type::Binary:
    case Type::Other:
        return QCoreApplication::translate("RegistryExport", "(%1 bytes of binary data)").arg(bytes.size());
    default:
        return string;
    }
}

QString RegistryExport::normalize(const QString& path) {
    QString p = path.trimmed();
    if (p.startsWith(QLatin1String("HKLM\\"), Qt::CaseInsensitive))
        p = QStringLiteral("HKEY_LOCAL_MACHINE\\") + p.mid(5);
    while (p.endsWith(QLatin1Char('\\')))
        p.chop(1);
    return p.toLower();
}

const RegistryKey* RegistryExport::find(const QString& path) const {
    const QString wanted = normalize(path);
    const RegistryKey* found = nullptr;
    for (const RegistryKey& k : m_keys)
        if (!k.deleted && normalize(k.path) == wanted)
            found = &k; // a later section for the same key adds to it in regedit; the last one wins here
    return found;
}

Result<RegistryExport> RegistryExport::load(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return makeError(ErrorKind::Usage, tr("Cannot read %1: %2").arg(path, f.errorString()));
    if (f.size() > maxBytes)
        return makeError(ErrorKind::Usage, tr("%1 is larger than 16 MB; that is no MSCEP export.").arg(path));
    return parse(f.readAll());
}

Result<RegistryExport> RegistryExport::parse(const QByteArray& data) {
    if (data.size() > maxBytes)
        return makeError(ErrorKind::Usage, tr("The .reg file is larger than 16 MB."));
    const QString text = decode(data);
    QStringList lines = text.split(QLatin1Char('\n'));
    for (QString& l : lines)
        if (l.endsWith(QLatin1Char('\r')))
            l.chop(1);
    qsizetype first = 0;
    while (first < lines.size() && lines.at(first).trimmed().isEmpty())
        ++first;
    const QString header = first < lines.size() ? lines.at(first).trimmed() : QString();
    if (header != QLatin1String("Windows Registry Editor Version 5.00") && header != QLatin1String("REGEDIT4"))
        return makeError(ErrorKind::Usage, tr("This is not a .reg export: it does not start with \"Windows Registry "
                                              "Editor Version 5.00\"."));
    RegistryExport out;
    RegistryKey* current = nullptr;
    for (qsizetype i = first + 1; i < lines.size(); ++i) {
        const int lineNo = int(i + 1);
        QString line = lines.at(i).trimmed();
        // Hex values continue on the next line after a trailing backslash.
        while (line.endsWith(QLatin1Char('\\')) && line.contains(QLatin1String("=hex")) && i + 1 < lines.size()) {
            line.chop(1);
            line += lines.at(++i).trimmed();
        }
        if (line.isEmpty() || line.startsWith(QLatin1Char(';')))
            continue;
        if (line.startsWith(QLatin1Char('['))) {
            if (!line.endsWith(QLatin1Char(']')) || line.size() < 3)
                return lineError(lineNo, tr("a key line must look like [HKEY_LOCAL_MACHINE\\...]."));
            RegistryKey k;
            k.line = lineNo;
            k.path = line.mid(1, line.size() - 2);
            if (k.path.startsWith(QLatin1Char('-'))) {
                k.deleted = true;
                k.path.remove(0, 1);
            }
            if (k.path.trimmed().isEmpty())
                return lineError(lineNo, tr("the key name is empty."));
            if (out.m_keys.size() >= 100000)
                return lineError(lineNo, tr("too many keys."));
            out.m_keys.append(k);
            current = &out.m_keys.last();
            continue;
        }
        if (!current)
            return lineError(lineNo, tr("a value appears before any [key]."));
        RegistryValue v;
        v.line = lineNo;
        qsizetype pos = 0;
        if (line.startsWith(QLatin1Char('@'))) {
            pos = 1;
        } else if (line.startsWith(QLatin1Char('"'))) {
            pos = parseQuoted(line, 0, &v.name);
            if (pos < 0)
                return lineError(lineNo, tr("the value name has no closing quote."));
        } else {
            return lineError(lineNo, tr("expected \"name\"=value."));
        }
        if (pos >= line.size() || line.at(pos) != QLatin1Char('='))
            return lineError(lineNo, tr("expected = after the value name."));
        const QString valueText = line.mid(pos + 1).trimmed();
        if (valueText == QLatin1String("-")) {
            v.type = RegistryValue::Type::Delete;
        } else if (valueText.startsWith(QLatin1Char('"'))) {
            v.type = RegistryValue::Type::String;
            const qsizetype end = parseQuoted(valueText, 0, &v.string);
            if (end < 0)
                return lineError(lineNo, tr("the string value has no closing quote."));
        } else if (valueText.startsWith(QLatin1String("dword:"), Qt::CaseInsensitive)) {
            bool ok = false;
            v.type = RegistryValue::Type::Dword;
            const QString digits = valueText.mid(6).trimmed();
            v.number = digits.toUInt(&ok, 16);
            if (!ok || digits.size() > 8)
                return lineError(lineNo, tr("dword: needs up to eight hex digits."));
        } else if (valueText.startsWith(QLatin1String("hex"), Qt::CaseInsensitive)) {
            const qsizetype colon = valueText.indexOf(QLatin1Char(':'));
            if (colon < 0)
                return lineError(lineNo, tr("hex value without ':'."));
            const QString kind = valueText.left(colon).toLower();
            if (!parseHexBytes(valueText.mid(colon + 1), &v.bytes))
                return lineError(lineNo, tr("hex value with a byte that is not two hex digits."));
            if (kind == QLatin1String("hex")) {
                v.type = RegistryValue::Type::Binary;
            } else if (kind == QLatin1String("hex(1)")) { // REG_SZ as regedit writes it when it holds a line break
                v.type = RegistryValue::Type::String;
                v.string = utf16FromBytes(v.bytes).section(QChar(0), 0, 0);
            } else if (kind == QLatin1String("hex(2)")) {
                v.type = RegistryValue::Type::ExpandString;
                v.string = utf16FromBytes(v.bytes).section(QChar(0), 0, 0);
            } else if (kind == QLatin1String("hex(7)")) {
                v.type = RegistryValue::Type::MultiString;
                for (const QString& s : utf16FromBytes(v.bytes).split(QChar(0)))
                    if (!s.isEmpty())
                        v.strings << s;
            } else if (kind == QLatin1String("hex(b)")) {
                v.type = RegistryValue::Type::Qword;
                if (v.bytes.size() != 8)
                    return lineError(lineNo, tr("hex(b) needs eight bytes."));
                for (int b = 7; b >= 0; --b)
                    v.number = (v.number << 8) | quint8(v.bytes.at(b));
            } else if (kind == QLatin1String("hex(4)")) {
                v.type = RegistryValue::Type::Dword;
                if (v.bytes.size() != 4)
                    return lineError(lineNo, tr("hex(4) needs four bytes."));
                for (int b = 3; b >= 0; --b)
                    v.number = (v.number << 8) | quint8(v.bytes.at(b));
            } else {
                v.type = RegistryValue::Type::Other;
            }
        } else {
            return lineError(lineNo, tr("unknown value type \"%1\".").arg(valueText.left(20)));
        }
        current->values.append(v);
    }
    return out;
}

} // namespace ndes::service
