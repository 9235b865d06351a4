// SPDX-License-Identifier: Apache-2.0
#include "directory/DirectoryHealth.h"

#include <QCoreApplication>
#include <QSet>

namespace ndes::directory {

namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("DirectoryHealth", text);
}

} // namespace

QString accountDisplayName(const DirectoryData& data, const DirectoryAccount& account) {
    const QString label = data.domain.dnsName.section(QLatin1Char('.'), 0, 0).toUpper();
    return label.isEmpty() ? account.samAccountName : label + QLatin1Char('\\') + account.samAccountName;
}

DirectoryHealth directoryHealth(const DirectoryData& data, const QString& server, const QStringList& accounts,
                                const service::ExpiryChecker& checker, const QDateTime& now,
                                const QList<QByteArray>& alreadyListed) {
    DirectoryHealth h;
    QSet<QByteArray> listed(alreadyListed.begin(), alreadyListed.end());
    for (const EnrollmentService& service : data.services)
        for (const pki::Certificate& cert : service.caCertificates) {
            ++h.caCertificates;
            const QByteArray der = cert.toDer();
            if (listed.contains(der))
                continue; // the NDES server hands this one out: its row is there already
            listed.insert(der);
            h.expiries << checker.check(server, service::ExpiryRole::DirectoryCa,
                                        tr("%1 (CA %2)").arg(cert.subject(), service.name), cert.notAfter());
        }
    QSet<QString> seen;
    for (const QString& asked : accounts) {
        if (asked.trimmed().isEmpty())
            continue;
        const DirectoryAccount* a = data.findAccount(asked.trimmed());
        if (!a) {
            h.missing << asked.trimmed();
            continue;
        }
        if (seen.contains(a->dn))
            continue;
        seen.insert(a->dn);
        ++h.accountsRead;
        const QString name = accountDisplayName(data, *a);
        if (a->passwordExpires)
            h.expiries << checker.check(server, service::ExpiryRole::ServiceAccount, tr("%1 (password)").arg(name),
                                        *a->passwordExpires);
        if (a->accountExpires)
            h.expiries << checker.check(server, service::ExpiryRole::ServiceAccount, tr("%1 (account)").arg(name),
                                        *a->accountExpires);
        if (!a->enabled)
            h.unusable << tr("The service account %1 is disabled in Active Directory: the SCEP application pool "
                             "cannot start under it. Enable the account.")
                              .arg(name);
        if (a->locked)
            h.unusable << tr("The service account %1 is locked out (too many wrong passwords: often a service or "
                             "scheduled task with an old password). Unlock it and find the source of the failures.")
                              .arg(name);
        if (a->mustChangePassword && !a->gmsa)
            h.unusable << tr("The service account %1 must change its password at next logon: a service cannot. "
                             "Set a password without that flag.")
                              .arg(name);
        else if (a->passwordExpired(now) && !(a->passwordExpires && *a->passwordExpires <= now))
            h.unusable << tr("Active Directory reports the password of the service account %1 as expired. Change it "
                             "and update the application pool's identity.")
                              .arg(name);
    }
    return h;
}

} // namespace ndes::directory
