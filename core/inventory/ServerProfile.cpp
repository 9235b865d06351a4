// SPDX-License-Identifier: Apache-2.0
#include "inventory/ServerProfile.h"

#include "directory/LdapConnection.h"
#include "inventory/CredentialStore.h"

#include <QCoreApplication>

namespace ndes::inventory {

namespace {
QString tr(const char* text) {
    return QCoreApplication::translate("ServerProfile", text);
}
} // namespace

QJsonObject ServerProfile::toJson() const {
    QJsonObject o{{QStringLiteral("id"), id},
                  {QStringLiteral("name"), name},
                  {QStringLiteral("scepUrl"), scepUrl.toString()},
                  {QStringLiteral("adminUrl"), adminUrl.toString()},
                  {QStringLiteral("auth"), service::adminAuthName(auth)},
                  {QStringLiteral("user"), user},
                  {QStringLiteral("caSha256Pin"), caSha256Pin},
                  {QStringLiteral("allowHttp"), allowHttp},
                  {QStringLiteral("site"), site},
                  {QStringLiteral("notes"), notes}};
    if (!directoryUrl.isEmpty() || !serviceAccount.isEmpty())
        o.insert(QStringLiteral("directory"),
                 QJsonObject{{QStringLiteral("url"), directoryUrl.toString()},
                             {QStringLiteral("bind"),
                              directoryKerberos ? QStringLiteral("kerberos") : QStringLiteral("simple")},
                             {QStringLiteral("bindDn"), directoryBindDn},
                             {QStringLiteral("caFile"), directoryCaFile},
                             {QStringLiteral("serviceAccount"), serviceAccount}});
    return o;
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
    const QJsonObject d = o.value(QStringLiteral("directory")).toObject();
    p.directoryUrl = QUrl(d.value(QStringLiteral("url")).toString());
    p.directoryKerberos = d.value(QStringLiteral("bind")).toString() == QLatin1String("kerberos");
    p.directoryBindDn = d.value(QStringLiteral("bindDn")).toString();
    p.directoryCaFile = d.value(QStringLiteral("caFile")).toString();
    p.serviceAccount = d.value(QStringLiteral("serviceAccount")).toString();
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
    if (!directoryUrl.isEmpty()) {
        directory::LdapOptions ldap;
        ldap.url = directoryUrl;
        if (const QString problem = ldap.urlProblem(); !problem.isEmpty())
            out << tr("Active Directory: %1").arg(problem);
        if (!directoryKerberos && directoryBindDn.trimmed().isEmpty())
            out << tr("Active Directory needs an account to bind with (user@domain), or choose Kerberos.");
    } else if (!serviceAccount.trimmed().isEmpty()) {
        out << tr("The service account is read from Active Directory: give the directory's URL (ldaps://…).");
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

QString ServerProfile::directoryCredentialKey() const {
    return CredentialStore::keyForDirectory(id, directoryUrl, directoryBindDn, directoryCaFile);
}

service::HealthTarget ServerProfile::healthTarget() const {
    service::HealthTarget t;
    t.name = name;
    t.scepUrl = scepUrl;
    t.adminUrl = adminUrl;
    t.allowHttp = allowHttp;
    t.caSha256Pin = caSha256Pin;
    if (!directoryUrl.isEmpty()) {
        t.directory.url = directoryUrl;
        t.directory.kerberos = directoryKerberos;
        t.directory.bindDn = directoryBindDn;
        t.directory.caFile = directoryCaFile;
        if (!serviceAccount.trimmed().isEmpty())
            t.directory.accounts << serviceAccount.trimmed();
        t.directory.credentialKey = directoryCredentialKey();
    }
    return t;
}

} // namespace ndes::inventory
