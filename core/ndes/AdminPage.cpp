// SPDX-License-Identifier: Apache-2.0
#include "ndes/AdminPage.h"

#include <QCoreApplication>
#include <QRegularExpression>

namespace ndes::service {

namespace {
QString tr(const char* text) {
    return QCoreApplication::translate("AdminPage", text);
}

QString fromUtf16Le(QByteArrayView bytes) {
    const qsizetype even = bytes.size() & ~qsizetype(1); // a stray trailing byte is dropped
    return QString::fromUtf16(reinterpret_cast<const char16_t*>(bytes.constData()), even / 2);
}
} // namespace

QString AdminPage::decode(const QByteArray& body) {
    if (body.startsWith("\xFF\xFE"))
        return fromUtf16Le(QByteArrayView(body).sliced(2)); // views: no copy of the page (it holds the password)
    if (body.startsWith("\xEF\xBB\xBF"))
        return QString::fromUtf8(QByteArrayView(body).sliced(3));
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
    // Whitespace varies (CRLF, double spaces); compare on a simplified copy.
    QString flat = text.simplified();
    SecretBytes::cleanse(text);
    Result<AdminPageContent> out = readFlat(flat);
    // Every match of the page is gone by now, so the page's text is no longer shared and is wiped in place.
    [[maybe_unused]] const bool wiped = SecretBytes::cleanse(flat);
    Q_ASSERT_X(wiped, "AdminPage::parse", "the page text was still shared when it was wiped");
    return out;
}

// Reads what the page says; every regular-expression match (which shares the text) ends inside this function.
Result<AdminPageContent> AdminPage::readFlat(const QString& flat) {
    AdminPageContent c;
    if (flat.contains(QStringLiteral("The password cache is full"), Qt::CaseInsensitive)) {
        c.kind = AdminPageContent::Kind::CacheFull;
        static const QRegularExpression size(QStringLiteral("more than (\\d+) passwords"));
        const auto m = size.match(flat);
        if (m.hasMatch())
            c.cacheSize = m.capturedView(1).toInt();
        return c;
    }
    if (flat.contains(QStringLiteral("You do not have sufficient permission to enroll with SCEP"),
                      Qt::CaseInsensitive)) {
        c.kind = AdminPageContent::Kind::InsufficientPermission;
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
    {
        const auto pm = password.match(flat);
        if (!pm.hasMatch()) {
            // Tell NDES's own page without a password from somebody else's page (the test runs on the text, so
            // before anything is wiped).
            if (!flat.contains(QStringLiteral("Network Device Enrollment Service"), Qt::CaseInsensitive))
                return makeError(ErrorKind::BadReply,
                                 tr("The page is not NDES's admin page. Check the admin URL (for NDES: "
                                    "https://HOST/certsrv/mscep_admin/)."));
            return makeError(ErrorKind::BadReply, tr("NDES's admin page shows no challenge password and no known "
                                                     "error. Open it in a browser to see what it says."));
        }
        // Straight from the page's text into the secret: no intermediate QString holds the password.
        QByteArray pw = pm.capturedView(1).toLatin1();
        c.password = SecretBytes(std::move(pw).toUpper());
    }
    {
        const auto tm = thumbprint.match(flat);
        if (tm.hasMatch())
            c.caThumbprint = tm.captured(1).simplified().toUpper();
    }
    {
        const auto vm = validity.match(flat);
        if (vm.hasMatch())
            c.validityMinutes = vm.capturedView(1).toInt();
        else if (flat.contains(QStringLiteral("will not expire"), Qt::CaseInsensitive))
            c.neverExpires = true;
    }
    return c;
}

} // namespace ndes::service
