// SPDX-License-Identifier: Apache-2.0
#include "ndes/AdminPage.h"

#include <QCoreApplication>
#include <QRegularExpression>

namespace ndes::service {

namespace {
QString tr(const char* text) {
    return QCoreApplication::translate("AdminPage", text);
}

QString fromUtf16Le(const QByteArray& bytes) {
    const qsizetype even = bytes.size() & ~qsizetype(1); // a stray trailing byte is dropped
    return QString::fromUtf16(reinterpret_cast<const char16_t*>(bytes.constData()), even / 2);
}
} // namespace

QString AdminPage::decode(const QByteArray& body) {
    if (body.startsWith("\xFF\xFE"))
        return fromUtf16Le(body.mid(2));
    if (body.startsWith("\xEF\xBB\xBF"))
        return QString::fromUtf8(body.mid(3));
    if (body.size() >= 2 && body.at(0) == '<' && body.at(1) == '\0')
        return fromUtf16Le(body);
    // Otherwise: UTF-16LE when most odd bytes are zero (ASCII text in UTF-16LE).
    const qsizetype sample = qMin<qsizetype>(body.size(), 4096);
    qsizetype oddZero = 0;
    for (qsizetype i = 1; i < sample; i += 2)
        oddZero += body.at(i) == '\0';
    if (sample >= 2 && oddZero * 4 > (sample / 2) * 3)
        return fromUtf16Le(body);
    return QString::fromUtf8(body);
}

Result<AdminPageContent> AdminPage::parse(const QByteArray& body) {
    if (body.size() > maxBytes)
        return makeError(ErrorKind::BadReply, tr("The admin page is larger than 1 MB; that is not NDES's page."));
    QString text = decode(body);
    AdminPageContent c;
    // Whitespace varies (CRLF, double spaces); compare on a simplified copy.
    QString flat = text.simplified();
    if (flat.contains(QStringLiteral("The password cache is full"), Qt::CaseInsensitive)) {
        c.kind = AdminPageContent::Kind::CacheFull;
        const auto m = QRegularExpression(QStringLiteral("more than (\\d+) passwords")).match(flat);
        if (m.hasMatch())
            c.cacheSize = m.captured(1).toInt();
        SecretBytes::cleanse(text);
        SecretBytes::cleanse(flat);
        return c;
    }
    if (flat.contains(QStringLiteral("You do not have sufficient permission to enroll with SCEP"),
                      Qt::CaseInsensitive)) {
        c.kind = AdminPageContent::Kind::InsufficientPermission;
        SecretBytes::cleanse(text);
        SecretBytes::cleanse(flat);
        return c;
    }
    static const QRegularExpression password(
        QStringLiteral("enrollment challenge password is:\\s*<B>\\s*([0-9A-Fa-f]+)\\s*</B>"),
        QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression thumbprint(
        QStringLiteral("thumbprint \\(hash value\\) for the CA certificate is:\\s*<B>\\s*([0-9A-Fa-f ]+?)\\s*</B>"),
        QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression validity(QStringLiteral("will expire within (\\d+) minutes"),
                                             QRegularExpression::CaseInsensitiveOption);
    const auto pm = password.match(flat);
    if (!pm.hasMatch()) {
        SecretBytes::cleanse(text);
        SecretBytes::cleanse(flat);
        if (!flat.contains(QStringLiteral("Network Device Enrollment Service"), Qt::CaseInsensitive))
            return makeError(ErrorKind::BadReply,
                             tr("The page is not NDES's admin page. Check the admin URL (for NDES: "
                                "https://HOST/certsrv/mscep_admin/)."));
        return makeError(ErrorKind::BadReply, tr("NDES's admin page shows no challenge password and no known error. "
                                                 "Open it in a browser to see what it says."));
    }
    c.password = SecretBytes(pm.captured(1).toUpper().toLatin1());
    const auto tm = thumbprint.match(flat);
    if (tm.hasMatch())
        c.caThumbprint = tm.captured(1).simplified().toUpper();
    const auto vm = validity.match(flat);
    if (vm.hasMatch()) {
        c.validityMinutes = vm.captured(1).toInt();
    } else if (flat.contains(QStringLiteral("will not expire"), Qt::CaseInsensitive)) {
        c.neverExpires = true;
    }
    SecretBytes::cleanse(text);
    SecretBytes::cleanse(flat);
    return c;
}

} // namespace ndes::service
