// SPDX-License-Identifier: Apache-2.0
#include "inventory/ServerProfile.h"

#include <QCoreApplication>

namespace ndes::inventory {

namespace {
QString tr(const char* text) {
    return QCoreApplication::translate("ServerProfile", text);
}
} // namespace

QJsonObject ServerProfile::toJson() const {
    return {{QStringLiteral("id"), id},
            {QStringLiteral("name"), name},
            {QStringLiteral("scepUrl"), scepUrl.toString()},
            {QStringLiteral("adminUrl"), adminUrl.toString()},
            {QStringLiteral("auth"), service::adminAuthName(auth)},
            {QStringLiteral("user"), user},
            {QStringLiteral("caSha256Pin"), caSha256Pin},
            {QStringLiteral("allowHttp"), allowHttp},
            {QStringLiteral("site"), site},
            {QStringLiteral("notes"), notes}};
}

ServerProfile ServerProfile::fromJson(const QJsonObject& o) {
    ServerProfile p;
    p.id = o.value(QStringLiteral("id")).toString();
    p.name = o.value(QStringLiteral("name")).toString();
    p.scepUrl = QUrl(o.value(QStringLiteral("scepUrl")).toString());
    p.adminUrl = QUrl(o.value(QStringLiteral("adminUrl")).toString());
    p.auth = service::adminAuthFromName(o.value(QStringLiteral("auth")).toString()).value_or(service::AdminAuth::Ntlm);
    p.user = o.value(QStringLiteral("user")).toString();
    p.caSha256Pin = o.value(QStringLiteral("caSha256Pin")).toString();
    p.allowHttp = o.value(QStringLiteral("allowHttp")).toBool();
    p.site = o.value(QStringLiteral("site")).toString();
    p.notes = o.value(QStringLiteral("notes")).toString();
    return p;
}

QStringList ServerProfile::problems() const {
    QStringList out;
    if (name.trimmed().isEmpty())
        out << tr("Give the server a name.");
    auto checkUrl = [&](const QUrl& url, const QString& what, bool required) {
        if (url.isEmpty()) {
            if (required)
                out << tr("The %1 is missing.").arg(what);
            return;
        }
        if (!url.isValid() || url.host().isEmpty() ||
            (url.scheme() != QLatin1String("https") && url.scheme() != QLatin1String("http")))
            out << tr("The %1 \"%2\" is not an http(s) URL.").arg(what, url.toString());
        else if (url.scheme() == QLatin1String("http") && !allowHttp)
            out << tr("The %1 uses plain HTTP; use https:// or allow HTTP explicitly (challenge passwords would "
                      "travel in clear).")
                       .arg(what);
    };
    checkUrl(scepUrl, tr("SCEP URL"), true);
    checkUrl(adminUrl, tr("admin page URL"), false);
    if ((auth == service::AdminAuth::Ntlm || auth == service::AdminAuth::Basic) && !adminUrl.isEmpty() &&
        user.trimmed().isEmpty())
        out << tr("%1 needs a user name (DOMAIN\\user).").arg(service::adminAuthName(auth).toUpper());
    if (!caSha256Pin.isEmpty()) {
        const QString hex = QString(caSha256Pin).remove(QLatin1Char(':')).remove(QLatin1Char(' '));
        if (hex.size() != 64 || QByteArray::fromHex(hex.toLatin1()).size() != 32)
            out << tr("The CA pin must be a SHA-256 fingerprint (64 hex digits).");
    }
    return out;
}

QByteArray ServerProfile::caPinBytes() const {
    const QString hex = QString(caSha256Pin).remove(QLatin1Char(':')).remove(QLatin1Char(' '));
    const QByteArray pin = QByteArray::fromHex(hex.toLatin1());
    return hex.size() == 64 && pin.size() == 32 ? pin : QByteArray();
}

bool ServerProfile::raUnauthenticated() const {
    return scepUrl.scheme().compare(QLatin1String("http"), Qt::CaseInsensitive) == 0 && caPinBytes().isEmpty();
}

service::HealthTarget ServerProfile::healthTarget() const {
    service::HealthTarget t;
    t.name = name;
    t.scepUrl = scepUrl;
    t.adminUrl = adminUrl;
    t.allowHttp = allowHttp;
    t.caSha256Pin = caSha256Pin;
    return t;
}

} // namespace ndes::inventory
