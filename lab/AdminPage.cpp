// SPDX-License-Identifier: Apache-2.0
#include "AdminPage.h"

#include <QStringList>

namespace ndes::lab {

namespace {

QString frame(const QString& body) {
    return QStringLiteral("<HTML><Head><Meta HTTP-Equiv=\"Content-Type\" Content=\"text/html; charset=UTF-8\">\r\n"
                          "<Title>Network Device Enrollment Service</Title>\r\n</Head>\r\n"
                          "<Body BgColor=#FFFFFF>\r\n<Font ID=locPageFont Face=\"Arial\">\r\n"
                          "<Table Border=0 CellSpacing=0 CellPadding=4 Width=100% BgColor=#008080>\r\n"
                          "<TR><TD><Font Color=#FFFFFF><LocID ID=locMSCertSrv><Font Face=\"Arial\" Size=-1><B><I>"
                          "Microsoft</I></B></Font><Br><Font Face=\"Arial\" Size=+2>Network Device Enrollment Service"
                          "</Font></LocID></Font></TD></TR>\r\n</Table>\r\n") +
           body + QStringLiteral("\r\n</Font>\r\n</Body>\r\n</HTML>\r\n");
}

} // namespace

QString AdminPage::thumbprintGroups(const QByteArray& digest) {
    const QString hex = QString::fromLatin1(digest.toHex()).toUpper();
    QStringList groups;
    for (qsizetype i = 0; i < hex.size(); i += 8)
        groups << hex.mid(i, 8);
    return groups.join(QLatin1Char(' '));
}

QByteArray AdminPage::success(const QString& caThumbprint, const QByteArray& password, int validityMinutes,
                              bool singlePassword, Encoding encoding) {
    const QString validity =
        singlePassword ? QStringLiteral("<P> This password can be used multiple times and will not expire. ")
                       : QStringLiteral("<P> This password can be used only once and will expire within %1 minutes. ")
                             .arg(validityMinutes);
    QString body =
        QStringLiteral("<P> Network Device Enrollment Service allows you to obtain certificates for routers or other "
                       "network devices using the Simple Certificate Enrollment Protocol (SCEP). </P>\r\n"
                       "<P> To complete certificate enrollment for your network device you will need the following "
                       "information: <P> The thumbprint (hash value) for the CA certificate is: <B> %1 </B> "
                       "<P> The enrollment challenge password is: <B> %2 </B> %3"
                       "<P> Each enrollment requires a new challenge password. You can refresh this web page to "
                       "obtain a new challenge password. </P>")
            .arg(caThumbprint, QString::fromLatin1(password), validity);
    QByteArray out = encode(frame(body), encoding);
    body.fill(QLatin1Char(' '));
    return out;
}

QByteArray AdminPage::cacheFull(int passwordMax, Encoding encoding) {
    return encode(frame(QStringLiteral("<P> The password cache is full. </P>\r\n<P> The service can cache at most %1 "
                                       "passwords. Wait for an unused password to expire, or restart IIS to clear the "
                                       "cache, or configure the service to cache more than %1 passwords (registry "
                                       "value PasswordMax). </P>")
                            .arg(passwordMax)),
                  encoding);
}

QByteArray AdminPage::insufficientPermission(Encoding encoding) {
    return encode(frame(QStringLiteral("<P> You do not have sufficient permission to enroll with SCEP.  Please contact "
                                       "your system administrator. </P>")),
                  encoding);
}

QByteArray AdminPage::encode(const QString& html, Encoding encoding) {
    if (encoding == Encoding::Utf8)
        return html.toUtf8();
    QByteArray out;
    if (encoding == Encoding::Utf16LeBom)
        out.append("\xFF\xFE", 2);
    out.reserve(out.size() + html.size() * 2 + 1);
    for (QChar c : html) {
        out.append(char(c.unicode() & 0xFF));
        out.append(char(c.unicode() >> 8));
    }
    if (encoding == Encoding::Utf16LeStrayByte)
        out.append('\0');
    return out;
}

} // namespace ndes::lab
