// SPDX-License-Identifier: Apache-2.0
#include "commands/DirectoryCommand.h"

#include "Options.h"
#include "SecretInput.h"

#include "util/AtomicFile.h"

#include <QJsonArray>
#include <QJsonObject>

#include <cstdio>

using namespace ndes;

namespace ndesctl {
namespace {

const QString bindDnName = QStringLiteral("bind-dn");
const QString passwordEnvName = QStringLiteral("password-env");
const QString passwordStdinName = QStringLiteral("password-stdin");
const QString kerberosName = QStringLiteral("kerberos");
const QString outName = QStringLiteral("out");
constexpr int couldNotRun = 3;

QString yesNo(bool b) {
    return b ? QStringLiteral("yes") : QStringLiteral("no");
}

QString dateOrNever(const std::optional<QDateTime>& t, const QString& never) {
    return t ? t->toUTC().toString(Qt::ISODate) : never;
}

void printTemplate(const CtlOutput& out, const directory::CertificateTemplate& t) {
    out.text(QStringLiteral("%1%2").arg(t.name, t.displayName.isEmpty() || t.displayName == t.name
                                                    ? QString()
                                                    : QStringLiteral(" (%1)").arg(t.displayName)));
    out.text(QStringLiteral("  schema %1, revision %2.%3, OID %4")
                 .arg(t.schemaVersion)
                 .arg(t.majorRevision)
                 .arg(t.minorRevision)
                 .arg(t.oid.isEmpty() ? QStringLiteral("-") : t.oid));
    QStringList ekus;
    for (const QString& e : t.effectiveEkus())
        ekus << directory::ekuName(e);
    out.text(QStringLiteral("  EKUs: %1")
                 .arg(ekus.isEmpty() ? QStringLiteral("none (any purpose)") : ekus.join(QStringLiteral(", "))));
    out.text(QStringLiteral("  subject: %1; manager approval: %2; RA signatures: %3")
                 .arg(t.enrolleeSuppliesSubject() ? QStringLiteral("supplied in the request")
                                                  : QStringLiteral("built from AD"),
                      yesNo(t.managerApproval()))
                 .arg(t.raSignatures));
    for (const auto& [label, names] :
         {std::pair{QStringLiteral("name flags"), directory::certificateNameFlagNames(t.nameFlags)},
          std::pair{QStringLiteral("enrollment flags"), directory::enrollmentFlagNames(t.enrollmentFlags)},
          std::pair{QStringLiteral("private key flags"), directory::privateKeyFlagNames(t.privateKeyFlags)}})
        if (!names.isEmpty())
            out.text(QStringLiteral("  %1: %2").arg(label, names.join(QStringLiteral(", "))));
    if (t.validityDays)
        out.text(QStringLiteral("  validity %1 days, renewal %2 days, minimum key %3 bits")
                     .arg(*t.validityDays, 0, 'f', 0)
                     .arg(t.renewalDays.value_or(0), 0, 'f', 0)
                     .arg(t.minimumKeySize));
    if (!t.securityDescriptor) {
        out.text(QStringLiteral("  rights: unknown (%1)").arg(t.securityDescriptorProblem));
        return;
    }
    for (const directory::EffectiveRights& r : t.rights) {
        QStringList what;
        if (r.enroll)
            what << QStringLiteral("Enroll");
        if (r.autoEnroll)
            what << QStringLiteral("AutoEnroll");
        what << r.writes;
        out.text(QStringLiteral("  %1: %2").arg(r.name, what.join(QStringLiteral(", "))));
    }
}

void printAccount(const CtlOutput& out, const directory::DirectoryAccount& a, const QDateTime& now) {
    out.text(QStringLiteral("%1 (%2)").arg(a.samAccountName, a.gmsa ? QStringLiteral("group managed service account")
                                                             : a.computer ? QStringLiteral("computer")
                                                                          : QStringLiteral("user")));
    out.text(QStringLiteral("  %1").arg(a.dn));
    out.text(QStringLiteral("  SID %1").arg(a.sid.toString()));
    out.text(QStringLiteral("  enabled: %1; locked out: %2; account expires: %3")
                 .arg(yesNo(a.enabled), yesNo(a.locked), dateOrNever(a.accountExpires, QStringLiteral("never"))));
    QString pw;
    if (a.gmsa)
        pw = QStringLiteral("managed by the domain (changes itself)");
    else if (a.passwordNeverExpires)
        pw = QStringLiteral("never expires (set %1)").arg(dateOrNever(a.passwordLastSet, QStringLiteral("-")));
    else if (a.mustChangePassword)
        pw = QStringLiteral("must be changed at next logon: expired");
    else
        pw = QStringLiteral("set %1, expires %2%3")
                 .arg(dateOrNever(a.passwordLastSet, QStringLiteral("-")),
                      dateOrNever(a.passwordExpires, QStringLiteral("never (no domain maximum age)")),
                      a.passwordExpired(now) ? QStringLiteral(" (EXPIRED)") : QString());
    out.text(QStringLiteral("  password: %1").arg(pw));
    out.text(QStringLiteral("  SPNs: %1")
                 .arg(a.spns.isEmpty() ? QStringLiteral("none") : a.spns.join(QStringLiteral(", "))));
    out.text(QStringLiteral("  groups: %1")
                 .arg(a.groupNames.isEmpty() ? QStringLiteral("none read") : a.groupNames.join(QStringLiteral(", "))));
}

} // namespace

void addDirectoryBind(QCommandLineParser& p, bool withPasswordOptions) {
    p.addOption({bindDnName,
                 QStringLiteral("Bind as this account over TLS: a DN or user@domain (with --password-env or "
                                "--password-stdin)."),
                 QStringLiteral("DN")});
    if (withPasswordOptions)
        p.addOptions({{passwordEnvName, QStringLiteral("Environment variable that holds the bind password."),
                       QStringLiteral("VAR")},
                      {passwordStdinName, QStringLiteral("Read the bind password from standard input.")}});
    p.addOption({kerberosName, QStringLiteral("Bind with your own Kerberos ticket (kinit first), SASL GSSAPI.")});
}

Result<directory::LdapOptions> directoryOptions(const QCommandLineParser& p, const QString& url) {
    directory::LdapOptions o;
    o.url = QUrl(url.trimmed());
    if (const QString problem = o.urlProblem(); !problem.isEmpty())
        return makeError(ErrorKind::Usage, problem);
    if (p.isSet(kerberosName) == p.isSet(bindDnName))
        return makeError(ErrorKind::Usage, QStringLiteral("Give exactly one of --bind-dn DN (with --password-env VAR "
                                                          "or --password-stdin) and --kerberos."));
    if (p.isSet(kerberosName)) {
        if (p.isSet(passwordEnvName) || p.isSet(passwordStdinName))
            return makeError(ErrorKind::Usage,
                             QStringLiteral("--kerberos uses your ticket: no password option with it."));
        o.bind = directory::LdapOptions::Bind::Kerberos;
    } else {
        o.bindDn = p.value(bindDnName);
        auto secret = readSecret(p, passwordEnvName, passwordStdinName, QStringLiteral("the bind password"),
                                 QStringLiteral("--password-env VAR or --password-stdin"));
        if (!secret)
            return secret.error();
        o.password = std::move(*secret);
        // Children (none today) must not inherit it.
        if (p.isSet(passwordEnvName))
            qunsetenv(p.value(passwordEnvName).toLocal8Bit().constData());
    }
    if (p.isSet(QStringLiteral("tls-ca")))
        o.caFile = p.value(QStringLiteral("tls-ca"));
    auto ms = opt::timeoutMs(p);
    if (!ms)
        return ms.error();
    o.connectTimeoutMs = std::min(*ms, 10'000);
    o.operationTimeoutMs = *ms;
    return o;
}

DirectoryCommand::DirectoryCommand()
    : Command(QStringLiteral("directory"), QStringLiteral("Read NDES's templates, the CAs and the service account "
                                                          "from Active Directory over LDAPS")) {}

QString DirectoryCommand::details() const {
    return QStringLiteral(
        "ndesctl directory templates|services|account NAME|who-can-enroll TEMPLATE|export --url LDAPS_URL\n"
        "  (--bind-dn DN --password-env VAR | --bind-dn DN --password-stdin | --kerberos) [--tls-ca FILE] [--json]\n"
        "templates: every certificate template, its flags decoded and who may enroll or change it.\n"
        "services: the CAs' enrollment services, their certificates and published templates.\n"
        "account NAME: a service account's state, password expiry, SPNs and groups (nested ones too).\n"
        "who-can-enroll TEMPLATE: the principals with Enroll or AutoEnroll on a template, and the ACEs granting it.\n"
        "export --out FILE: the objects an audit needs, as LDIF, for `ndesctl audit --directory-ldif FILE`.\n"
        "TLS always: ldaps://, or ldap:// with StartTLS; the certificate is verified (--tls-ca pins the CA). Only\n"
        "reads. Exit codes: 0 done, 1 not found, 2 usage, 3 could not reach or read the directory.");
}

void DirectoryCommand::declare(QCommandLineParser& p) {
    p.addOption({QStringLiteral("url"),
                 QStringLiteral("The domain controller: ldaps://host[:port] or ldap://host "
                                "(StartTLS)."),
                 QStringLiteral("LDAPS_URL")});
    addDirectoryBind(p, true);
    p.addOption({outName, QStringLiteral("export: where to write the LDIF."), QStringLiteral("FILE")});
    p.addOption(
        {QStringLiteral("account"), QStringLiteral("export: also this account (repeatable)."), QStringLiteral("NAME")});
    opt::addTimeout(p, 30);
    p.addOption({QStringLiteral("tls-ca"),
                 QStringLiteral("The CA (PEM) that issued the domain controller's certificate, instead of the "
                                "system's."),
                 QStringLiteral("FILE")});
}

int DirectoryCommand::run(const QCommandLineParser& p, const CtlOutput& out) {
    const QStringList args = p.positionalArguments();
    const QString what = args.value(0);
    const bool needsName = what == QLatin1String("account") || what == QLatin1String("who-can-enroll");
    const bool known = what == QLatin1String("templates") || what == QLatin1String("services") ||
                       what == QLatin1String("export") || needsName;
    if (!known || args.size() != (needsName ? 2 : 1))
        return out.fail(
            makeError(ErrorKind::Usage, QStringLiteral("Usage: ndesctl directory templates|services|account NAME|"
                                                       "who-can-enroll TEMPLATE|export --url LDAPS_URL (--bind-dn DN "
                                                       "--password-env VAR | --kerberos)")));
    if (!p.isSet(QStringLiteral("url")))
        return out.fail(makeError(ErrorKind::Usage, QStringLiteral("Give --url ldaps://your-dc.")));
    if (what == QLatin1String("export")) {
        if (!p.isSet(outName))
            return out.fail(makeError(ErrorKind::Usage, QStringLiteral("export: give --out FILE.")));
        if (Status target = AtomicFile::checkTarget(p.value(outName)); !target)
            return out.fail(target.error());
    }
    auto options = directoryOptions(p, p.value(QStringLiteral("url")));
    if (!options)
        return out.fail(options.error());
    QString error;
    const auto ldap = directory::LdapConnection::open(*options, &error);
    if (!ldap) {
        out.fail(makeError(ErrorKind::Network, error));
        return couldNotRun;
    }
    if (!out.json())
        std::fprintf(stderr, "bound to %s as %s\n", options->url.toString().toUtf8().constData(),
                     (!ldap->whoAmI().isEmpty()                                 ? ldap->whoAmI()
                      : options->bind == directory::LdapOptions::Bind::Kerberos ? QStringLiteral("your Kerberos ticket")
                                                                                : options->bindDn)
                         .toUtf8()
                         .constData());
    directory::DirectoryRequest request;
    if (what == QLatin1String("account"))
        request.accounts << args[1];
    if (what == QLatin1String("export"))
        request.accounts << p.values(QStringLiteral("account"));
    const auto data = directory::readDirectory(*ldap, request, &error);
    if (!data) {
        out.fail(makeError(ErrorKind::Network, error));
        return couldNotRun;
    }
    for (const QString& problem : data->problems)
        if (what != QLatin1String("account"))
            out.warn(problem);
    const QDateTime now = QDateTime::currentDateTimeUtc();

    if (what == QLatin1String("export")) {
        if (Status written = AtomicFile::write(p.value(outName), data->toLdif(), AtomicFile::Access::OwnerOnly);
            !written) {
            out.fail(written.error());
            return couldNotRun;
        }
        if (out.json())
            out.document({{QStringLiteral("out"), p.value(outName)},
                          {QStringLiteral("entries"), int(data->entries.size())},
                          {QStringLiteral("templates"), int(data->templates.size())},
                          {QStringLiteral("enrollmentServices"), int(data->services.size())},
                          {QStringLiteral("accounts"), int(data->accounts.size())}});
        else
            out.text(QStringLiteral("wrote %1: %2 entries (%3 templates, %4 enrollment services, %5 accounts)")
                         .arg(p.value(outName))
                         .arg(data->entries.size())
                         .arg(data->templates.size())
                         .arg(data->services.size())
                         .arg(data->accounts.size()));
        return ExitOk;
    }
    if (what == QLatin1String("templates")) {
        if (out.json()) {
            QJsonArray list;
            for (const auto& t : data->templates)
                list << t.toJson();
            out.document({{QStringLiteral("source"), data->source}, {QStringLiteral("templates"), list}});
        } else {
            out.text(QStringLiteral("%1 certificate templates in %2").arg(data->templates.size()).arg(data->source));
            for (const auto& t : data->templates) {
                out.text(QString());
                printTemplate(out, t);
            }
        }
        return ExitOk;
    }
    if (what == QLatin1String("services")) {
        if (out.json()) {
            QJsonArray list;
            for (const auto& s : data->services)
                list << s.toJson();
            out.document({{QStringLiteral("source"), data->source}, {QStringLiteral("enrollmentServices"), list}});
        } else {
            out.text(QStringLiteral("%1 enrollment services (CAs) in %2").arg(data->services.size()).arg(data->source));
            for (const auto& s : data->services) {
                out.text(QString());
                out.text(
                    QStringLiteral("%1 on %2").arg(s.name, s.hostName.isEmpty() ? QStringLiteral("?") : s.hostName));
                for (const pki::Certificate& c : s.caCertificates)
                    out.text(QStringLiteral("  CA certificate %1, expires %2 (%3 days)")
                                 .arg(c.subject(), c.notAfter().toString(Qt::ISODate))
                                 .arg(c.daysLeft(now)));
                out.text(QStringLiteral("  publishes: %1")
                             .arg(s.templates.isEmpty() ? QStringLiteral("nothing")
                                                        : s.templates.join(QStringLiteral(", "))));
            }
        }
        return ExitOk;
    }
    if (what == QLatin1String("account")) {
        const directory::DirectoryAccount* a = data->findAccount(args[1]);
        if (!a) {
            out.fail(makeError(ErrorKind::Usage,
                               QStringLiteral("No account %1 in %2.").arg(args[1], ldap->defaultNamingContext())));
            return ExitRefused;
        }
        if (out.json())
            out.document(a->toJson());
        else
            printAccount(out, *a, now);
        return ExitOk;
    }
    // who-can-enroll
    const directory::CertificateTemplate* t = data->findTemplate(args[1], Qt::CaseSensitive);
    if (!t)
        t = data->findTemplate(args[1], Qt::CaseInsensitive);
    if (!t) {
        out.fail(makeError(ErrorKind::Usage, QStringLiteral("No template %1 in the directory.").arg(args[1])));
        return ExitRefused;
    }
    if (!t->securityDescriptor) {
        out.fail(makeError(ErrorKind::BadReply, t->securityDescriptorProblem));
        return couldNotRun;
    }
    QJsonArray list;
    if (!out.json())
        out.text(QStringLiteral("Who may enroll on %1:").arg(t->name));
    for (const directory::EffectiveRights& r : t->rights) {
        if (!r.enroll && !r.autoEnroll)
            continue;
        QJsonArray aces;
        QStringList sddl;
        for (const directory::Ace& ace : r.grantingAces) {
            aces << ace.toSddl();
            sddl << ace.toSddl();
        }
        list << QJsonObject{{QStringLiteral("sid"), r.sid.toString()},
                            {QStringLiteral("name"), r.name},
                            {QStringLiteral("enroll"), r.enroll},
                            {QStringLiteral("autoEnroll"), r.autoEnroll},
                            {QStringLiteral("broad"), directory::DirectoryData::isBroadGroup(r.sid)},
                            {QStringLiteral("aces"), aces}};
        if (!out.json())
            out.text(QStringLiteral("  %1 (%2): %3%4  %5")
                         .arg(r.name, r.sid.toString(), r.enroll ? QStringLiteral("Enroll") : QString(),
                              r.autoEnroll ? QStringLiteral(" AutoEnroll") : QString(), sddl.join(QLatin1Char(' '))));
    }
    if (out.json())
        out.document({{QStringLiteral("template"), t->name}, {QStringLiteral("principals"), list}});
    return ExitOk;
}

} // namespace ndesctl
