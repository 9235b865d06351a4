// SPDX-License-Identifier: Apache-2.0
#include "audit/WindowsText.h"

#include <QCoreApplication>
#include <QStringDecoder>

namespace ndes::audit {

namespace {
QString tr(const char* text) {
    return QCoreApplication::translate("WindowsText", text);
}

constexpr qsizetype maxTextBytes = qsizetype(16) * 1024 * 1024;

bool looksUtf16Le(const QByteArray& d) {
    // No BOM: most odd bytes zero (ASCII text in UTF-16LE).
    const qsizetype n = std::min<qsizetype>(d.size(), 512);
    if (n < 4)
        return false;
    qsizetype zeros = 0;
    for (qsizetype i = 1; i < n; i += 2)
        zeros += d[i] == '\0' ? 1 : 0;
    return zeros * 4 >= (n / 2) * 3;
}
} // namespace

Result<QString> decodeWindowsText(const QByteArray& data) {
    if (data.size() > maxTextBytes)
        return makeError(ErrorKind::Usage, tr("The text file is larger than %1 MB; this is not what Windows writes "
                                              "for this evidence.")
                                               .arg(maxTextBytes / (1024 * 1024)));
    const bool bom16 = data.startsWith("\xFF\xFE");
    if (bom16 || looksUtf16Le(data)) {
        if (data.size() % 2 != 0)
            return makeError(ErrorKind::Usage, tr("The UTF-16 text has an odd number of bytes (%1): the file was cut "
                                                  "short or changed. Copy it again from the server.")
                                                   .arg(data.size()));
        QStringDecoder dec(QStringDecoder::Utf16LE, QStringDecoder::Flag::Stateless);
        QString s = dec.decode(bom16 ? data.mid(2) : data);
        return s;
    }
    QByteArray body = data.startsWith("\xEF\xBB\xBF") ? data.mid(3) : data;
    return QString::fromUtf8(body);
}

QByteArray encodeWindowsText(const QString& text) {
    QByteArray out("\xFF\xFE", 2);
    out.reserve(2 + text.size() * 2);
    for (QChar c : text)
        out.append(char(c.unicode() & 0xFF)).append(char(c.unicode() >> 8));
    return out;
}

bool UserRights::looksLike(const QString& text) {
    return text.contains(QLatin1String("[Privilege Rights]"), Qt::CaseInsensitive);
}

Result<UserRights> UserRights::parse(const QByteArray& data) {
    auto text = decodeWindowsText(data);
    if (!text)
        return text.error();
    if (!looksLike(*text))
        return makeError(ErrorKind::Usage, tr("This is not a user rights export: it has no [Privilege Rights] "
                                              "section (secedit /export /areas USER_RIGHTS /cfg FILE writes one)."));
    UserRights r;
    bool inRights = false;
    const QStringList lines = text->split(QLatin1Char('\n'));
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QString line = lines[i].trimmed();
        if (line.startsWith(QLatin1Char('['))) {
            inRights = line.compare(QLatin1String("[Privilege Rights]"), Qt::CaseInsensitive) == 0;
            continue;
        }
        if (!inRights || line.isEmpty() || line.startsWith(QLatin1Char(';')))
            continue;
        const qsizetype eq = line.indexOf(QLatin1Char('='));
        if (eq <= 0)
            continue;
        Right right;
        right.line = int(i + 1);
        for (const QString& h : line.mid(eq + 1).split(QLatin1Char(','), Qt::SkipEmptyParts))
            right.holders << h.trimmed();
        r.rights.insert(line.left(eq).trimmed(), right);
    }
    return r;
}

bool SslCertList::looksLike(const QString& text) {
    // netsh prints the heading even when there is no binding at all.
    return text.trimmed().startsWith(QLatin1String("SSL Certificate bindings:"), Qt::CaseInsensitive) ||
           (text.contains(QLatin1String("Certificate Hash"), Qt::CaseInsensitive) &&
            (text.contains(QLatin1String("IP:port"), Qt::CaseInsensitive) ||
             text.contains(QLatin1String("Hostname:port"), Qt::CaseInsensitive)));
}

Result<SslCertList> SslCertList::parse(const QByteArray& data) {
    auto text = decodeWindowsText(data);
    if (!text)
        return text.error();
    SslCertList list;
    const QStringList lines = text->split(QLatin1Char('\n'));
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QString line = lines[i].trimmed();
        const qsizetype colon = line.indexOf(QLatin1String(" : "));
        if (colon <= 0)
            continue;
        const QString key = line.left(colon).trimmed();
        const QString value = line.mid(colon + 3).trimmed();
        if (key.compare(QLatin1String("IP:port"), Qt::CaseInsensitive) == 0 ||
            key.compare(QLatin1String("Hostname:port"), Qt::CaseInsensitive) == 0 ||
            key.compare(QLatin1String("Central Certificate Store"), Qt::CaseInsensitive) == 0) {
            SslCertBinding b;
            b.endpoint = value;
            b.line = int(i + 1);
            list.bindings << b;
        } else if (!list.bindings.isEmpty()) {
            if (key.compare(QLatin1String("Certificate Hash"), Qt::CaseInsensitive) == 0)
                list.bindings.last().certHash = value.toLower();
            else if (key.compare(QLatin1String("Certificate Store Name"), Qt::CaseInsensitive) == 0)
                list.bindings.last().storeName = value;
        }
    }
    if (list.bindings.isEmpty() && !looksLike(*text) &&
        !text->contains(QLatin1String("SSL Certificate bindings"), Qt::CaseInsensitive))
        return makeError(ErrorKind::Usage, tr("This is not the output of netsh http show sslcert."));
    return list;
}

} // namespace ndes::audit
