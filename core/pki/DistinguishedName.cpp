// SPDX-License-Identifier: Apache-2.0
#include "pki/DistinguishedName.h"

#include "pki/OpenSslError.h"

#include <QCoreApplication>
#include <QList>
#include <QPair>

namespace ndes::pki {

namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("DistinguishedName", text);
}

// Splits on an unescaped separator, removing the escapes of the separator itself.
QStringList splitUnescaped(const QString& text, QChar sep) {
    QStringList parts;
    QString current;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (c == QLatin1Char('\\') && i + 1 < text.size()) {
            current += text.at(i + 1) == sep ? QString(sep) : text.mid(i, 2);
            ++i;
        } else if (c == sep) {
            parts << current;
            current.clear();
        } else {
            current += c;
        }
    }
    parts << current;
    return parts;
}

} // namespace

Result<X509NamePtr> DistinguishedName::parse(const QString& text) {
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return makeError(ErrorKind::Usage, tr("The subject is empty; give at least CN=<name>."));

    QList<QPair<QString, QString>> rdns;
    const bool slashForm = trimmed.startsWith(QLatin1Char('/'));
    QStringList parts =
        splitUnescaped(slashForm ? trimmed.mid(1) : trimmed, slashForm ? QLatin1Char('/') : QLatin1Char(','));
    for (const QString& raw : parts) {
        const QString part = raw.trimmed();
        const qsizetype eq = part.indexOf(QLatin1Char('='));
        if (eq <= 0)
            return makeError(
                ErrorKind::Usage,
                tr("\"%1\" in the subject is not of the form TYPE=value (for example CN=router1).").arg(part));
        QString value = part.mid(eq + 1).trimmed();
        value.replace(QStringLiteral("\\\\"), QStringLiteral("\\"));
        rdns.append({part.left(eq).trimmed(), value});
    }
    if (!slashForm)
        std::reverse(rdns.begin(), rdns.end()); // RFC 4514 lists the most specific RDN first

    X509NamePtr name(X509_NAME_new());
    for (const auto& [type, value] : rdns) {
        const QByteArray t = type.toUtf8();
        const QByteArray v = value.toUtf8();
        if (OBJ_txt2nid(t.constData()) == NID_undef)
            return makeError(ErrorKind::Usage, tr("Unknown attribute type \"%1\" in the subject.").arg(type));
        if (v.isEmpty())
            return makeError(ErrorKind::Usage, tr("The subject attribute %1 has an empty value.").arg(type));
        if (X509_NAME_add_entry_by_txt(name.get(), t.constData(), MBSTRING_UTF8,
                                       reinterpret_cast<const unsigned char*>(v.constData()),
                                       static_cast<int>(v.size()), -1, 0) != 1)
            return openSslError(ErrorKind::Usage, tr("The subject attribute %1=%2 is not valid.").arg(type, value));
    }
    return name;
}

QString DistinguishedName::toString(const X509_NAME* name) {
    if (!name)
        return {};
    BioPtr bio(BIO_new(BIO_s_mem()));
    X509_NAME_print_ex(bio.get(), name, 0, (XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) | ASN1_STRFLGS_UTF8_CONVERT);
    return QString::fromUtf8(bioContents(bio.get()));
}

QString DistinguishedName::commonName(const X509_NAME* name) {
    if (!name)
        return {};
    const int idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
    if (idx < 0)
        return {};
    const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
    unsigned char* utf8 = nullptr;
    const int n = ASN1_STRING_to_UTF8(&utf8, data);
    if (n < 0)
        return {};
    QString out = QString::fromUtf8(reinterpret_cast<const char*>(utf8), n);
    OPENSSL_free(utf8);
    return out;
}

} // namespace ndes::pki
