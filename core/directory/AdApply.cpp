// SPDX-License-Identifier: Apache-2.0
#include "directory/AdApply.h"
#include "util/Access.h"

#include "directory/Directory.h"
#include "directory/SecurityDescriptor.h"

#include <QCoreApplication>
#include <QSet>
#include <QtEndian>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cctype>

namespace ndes::directory {

namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("AdApply", text);
}

QByteArray num(qint64 v) {
    return QByteArray::number(v);
}

// A template period: a negative count of 100 ns, eight bytes little-endian (MS-CRTD 2.20, 2.21).
QByteArray period(int days) {
    char b[8];
    qToLittleEndian<qint64>(-qint64(days) * 864'000'000'000LL, b);
    return QByteArray(b, 8);
}

// Read on a directory object as GenericRead maps it: ReadProperty, ListChildren, ListObject, ReadControl.
constexpr quint32 readMask = rights::readProperty | rights::listChildren | rights::listObject | rights::readControl;
constexpr int daclOnly = 0x4;
constexpr quint32 normalAccount = 0x200;

const QStringList templateReadAttributes = {
    QStringLiteral("cn"),
    QStringLiteral("displayName"),
    QStringLiteral("flags"),
    QStringLiteral("pKIMaxIssuingDepth"),
    QStringLiteral("pKICriticalExtensions"),
    QStringLiteral("pKIExpirationPeriod"),
    QStringLiteral("pKIOverlapPeriod"),
    QStringLiteral("pKIKeyUsage"),
    QStringLiteral("pKIDefaultKeySpec"),
    QStringLiteral("pKIDefaultCSPs"),
    QStringLiteral("pKIExtendedKeyUsage"),
    QStringLiteral("msPKI-Certificate-Application-Policy"),
    QStringLiteral("msPKI-RA-Signature"),
    QStringLiteral("msPKI-Enrollment-Flag"),
    QStringLiteral("msPKI-Certificate-Name-Flag"),
    QStringLiteral("msPKI-Private-Key-Flag"),
    QStringLiteral("msPKI-Minimal-Key-Size"),
    QStringLiteral("msPKI-Cert-Template-OID"),
    QStringLiteral("msPKI-Template-Schema-Version"),
    QStringLiteral("nTSecurityDescriptor"),
};

// The template's attributes as the plan decides them, as 02-certificate-template.ps1 writes them.
struct PlannedTemplate {
    int keyUsage = 0;
    int keySpec = 0;
    int nameFlag = 0;
    int privateKeyFlag = 0;
    QStringList ekus;
    QString csp;
};

PlannedTemplate plannedTemplate(const setup::SetupPlan& p) {
    PlannedTemplate t;
    const bool sign = p.purpose != setup::SetupPlan::Purpose::Encryption;
    const bool encrypt = p.purpose != setup::SetupPlan::Purpose::Signature;
    t.keyUsage = (sign ? 0x80 : 0) | (encrypt ? 0x20 : 0); // digitalSignature, keyEncipherment
    t.keySpec = encrypt ? 1 : 2;                           // AT_KEYEXCHANGE, AT_SIGNATURE
    t.nameFlag = (p.subjectInRequest ? 0x1 : 0) | (p.sanFromRequest ? 0x10000 : 0);
    t.privateKeyFlag = p.exportableKey ? 0x10 : 0;
    t.ekus = setup::normalizedEkus(p.ekus);
    t.csp = QStringLiteral("1,") + p.templateProvider;
    return t;
}

int days(const QByteArray& raw) {
    if (raw.size() != 8)
        return -1;
    const qint64 ticks = qFromLittleEndian<qint64>(raw.constData());
    return int(-ticks / 864'000'000'000LL);
}

// What differs between an existing template and the plan, in the words of lib-template.ps1.
QStringList templateDifferences(const LdapEntry& e, const setup::SetupPlan& p) {
    const PlannedTemplate t = plannedTemplate(p);
    QStringList out;
    const auto differ = [&out](const QString& what, const QString& is, const QString& planned) {
        if (is != planned)
            out << tr("%1 is %2, the plan has %3").arg(what, is.isEmpty() ? tr("(not set)") : is, planned);
    };
    differ(tr("validity (days)"), QString::number(days(e.value(QStringLiteral("pKIExpirationPeriod")))),
           QString::number(p.validityDays));
    differ(tr("renewal period (days)"), QString::number(days(e.value(QStringLiteral("pKIOverlapPeriod")))),
           QString::number(p.renewalDays));
    differ(tr("minimum key size"), e.text(QStringLiteral("msPKI-Minimal-Key-Size")), QString::number(p.minimumKeySize));
    const QByteArray ku = e.value(QStringLiteral("pKIKeyUsage"));
    differ(tr("key usage"),
           ku.isEmpty() ? QStringLiteral("0x00") : QStringLiteral("0x%1").arg(quint8(ku[0]), 2, 16, QLatin1Char('0')),
           QStringLiteral("0x%1").arg(t.keyUsage, 2, 16, QLatin1Char('0')));
    differ(tr("key spec"), e.text(QStringLiteral("pKIDefaultKeySpec")), QString::number(t.keySpec));
    QStringList ekus = e.texts(QStringLiteral("pKIExtendedKeyUsage"));
    ekus.sort();
    QStringList planned = t.ekus;
    planned.sort();
    differ(tr("EKUs"), ekus.join(QStringLiteral(", ")), planned.join(QStringLiteral(", ")));
    const int nameFlag = int(e.integer(QStringLiteral("msPKI-Certificate-Name-Flag")).value_or(0) & 0x10001);
    differ(tr("subject and SAN from the request flags"), QStringLiteral("0x%1").arg(nameFlag, 0, 16),
           QStringLiteral("0x%1").arg(t.nameFlag, 0, 16));
    const int exportable = int(e.integer(QStringLiteral("msPKI-Private-Key-Flag")).value_or(0) & 0x10);
    differ(tr("exportable key flag"), QStringLiteral("0x%1").arg(exportable, 0, 16),
           QStringLiteral("0x%1").arg(t.privateKeyFlag, 0, 16));
    QStringList csps = e.texts(QStringLiteral("pKIDefaultCSPs"));
    for (QString& c : csps)
        c = c.section(QLatin1Char(','), 1);
    if (!csps.contains(p.templateProvider))
        out << tr("providers are %1, the plan has %2").arg(csps.join(QStringLiteral(", ")), p.templateProvider);
    return out;
}

// Whether a token (the account's SID, its groups, Everyone, Authenticated Users) holds a right on an object: the
// DACL's ACEs that apply to the object, in order, the first that names the right deciding (deny wins if first).
enum class Decision { Allowed, Denied, NotGranted };
Decision decide(const std::optional<SecurityDescriptor>& sd, const QSet<QByteArray>& token, bool enroll) {
    if (!sd)
        return Decision::NotGranted; // unreadable: nothing is known to be allowed
    if (!sd->dacl)
        return Decision::Allowed; // a descriptor without a DACL: everyone may do everything
    for (const Ace& a : sd->dacl->aces) {
        if (!a.appliesToObject() || !token.contains(a.sid.toBinary()) || (!a.isAllow() && !a.isDeny()))
            continue;
        bool names = false;
        if (a.mask & rights::genericAll)
            names = true;
        else if (enroll)
            names = (a.mask & rights::controlAccess) && (!a.objectType || *a.objectType == enrollRight);
        else
            names = (a.mask & (rights::readProperty | rights::genericRead)) && !a.objectType;
        if (names)
            return a.isAllow() ? Decision::Allowed : Decision::Denied;
    }
    return Decision::NotGranted;
}

// OpenSSL's CSPRNG failing is not survivable here: a predictable password or OID must never be made.
[[noreturn]] void randomFailed() {
    qFatal("NDES Console: the random number generator failed (RAND_bytes); nothing was written.");
}

QString hexRandom(int bytes) {
    QByteArray b(bytes, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(b.data()), bytes) != 1)
        randomFailed();
    return QString::fromLatin1(b.toHex().toUpper());
}

// A number in [low, high] from the CSPRNG (rejection sampling: no modulo bias).
quint32 randomBetween(quint32 low, quint32 high) {
    const quint32 span = high - low + 1;
    const quint32 limit = 0xFFFFFFFFU - (0xFFFFFFFFU % span);
    for (;;) {
        quint32 r = 0;
        if (RAND_bytes(reinterpret_cast<unsigned char*>(&r), sizeof r) != 1)
            randomFailed();
        if (r < limit)
            return low + r % span;
    }
}

LdapModification attr(const QString& name, QList<QByteArray> values) {
    return LdapModification{LdapModification::Op::Add, name, std::move(values)};
}

QString describeValues(const LdapModification& m) {
    QStringList shown;
    for (const QByteArray& v : m.values) {
        bool printable = !v.isEmpty();
        for (char c : v)
            printable = printable && (uchar(c) >= 0x20 && uchar(c) != 0x7f);
        shown << (printable ? QString::fromUtf8(v) : QStringLiteral("0x") + QString::fromLatin1(v.toHex()));
    }
    return shown.join(QStringLiteral("; "));
}

QStringList detailsOf(const QList<LdapModification>& mods) {
    QStringList out;
    for (const LdapModification& m : mods)
        out << QStringLiteral("%1: %2").arg(m.attribute, describeValues(m));
    return out;
}

} // namespace

QString escapeDnValue(const QString& value) {
    QString out;
    for (int i = 0; i < value.size(); ++i) {
        const QChar c = value[i];
        const bool special = QStringLiteral(",+\"\\<>;=").contains(c) || (i == 0 && (c == u'#' || c == u' ')) ||
                             (i == value.size() - 1 && c == u' ');
        if (special)
            out += QLatin1Char('\\');
        out += c;
    }
    return out;
}

SecretBytes generateAccountPassword() {
    static const char alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!#%+-=?@";
    constexpr quint32 size = sizeof alphabet - 1;
    for (;;) {
        QByteArray pw(24, '\0');
        for (char& c : pw)
            c = alphabet[randomBetween(0, size - 1)];
        bool upper = false, lower = false, digit = false, symbol = false;
        for (char c : pw) {
            upper = upper || (c >= 'A' && c <= 'Z');
            lower = lower || (c >= 'a' && c <= 'z');
            digit = digit || (c >= '0' && c <= '9');
            symbol = symbol || !std::isalnum(uchar(c));
        }
        if (upper && lower && digit && symbol) {
            SecretBytes out(pw);
            OPENSSL_cleanse(pw.data(), size_t(pw.size()));
            return out;
        }
        OPENSSL_cleanse(pw.data(), size_t(pw.size()));
    }
}

QString AdPlan::previewText() const {
    QStringList lines;
    lines << tr("Active Directory at %1 — preview, nothing is written until you apply.").arg(directory);
    if (changes.isEmpty())
        lines << tr("Nothing to change: what the plan needs in AD is there.");
    for (int i = 0; i < changes.size(); ++i) {
        const AdChange& c = changes[i];
        lines << QString() << QStringLiteral("%1. %2").arg(i + 1).arg(c.summary);
        if (c.kind != AdChange::Kind::Grant)
            lines << QStringLiteral("     dn: %1").arg(c.dn);
        for (const QString& d : c.details)
            lines << QStringLiteral("     ") + d;
    }
    if (!asPlanned.isEmpty()) {
        lines << QString() << tr("Already as planned:");
        for (const QString& s : asPlanned)
            lines << QStringLiteral("  - ") + s;
    }
    if (!differences.isEmpty()) {
        lines << QString() << tr("Differences (reported, not changed):");
        for (const QString& s : differences)
            lines << QStringLiteral("  - ") + s;
    }
    if (!blockers.isEmpty()) {
        lines << QString() << tr("Cannot apply:");
        for (const QString& s : blockers)
            lines << QStringLiteral("  - ") + s;
    }
    return lines.join(QLatin1Char('\n'));
}

std::optional<AdPlan> planDirectoryChanges(LdapConnection& ldap, const setup::SetupPlan& plan, QString* error) {
    QString ignored;
    QString& why = error ? *error : ignored;
    AdPlan out;
    out.directory = ldap.options().url.toString();
    const QString base = ldap.defaultNamingContext();
    const QString pks = QStringLiteral("CN=Public Key Services,CN=Services,") + ldap.configurationNamingContext();
    const QString member = plan.domainNetbios + QLatin1Char('\\') + plan.accountName;
    const QString escapedSam = LdapConnection::escapeFilterValue(plan.accountName.toUtf8());

    // 1. The service account and its SPN.
    auto accounts = ldap.search(base, LdapConnection::Scope::Subtree,
                                QStringLiteral("(&(objectClass=user)(sAMAccountName=%1))").arg(escapedSam),
                                {QStringLiteral("servicePrincipalName"), QStringLiteral("objectSid")}, &why);
    if (!accounts)
        return std::nullopt;
    const QString spn = QStringLiteral("HTTP/") + plan.ndesHost;
    QSet<QByteArray> token{Sid::fromString(QStringLiteral("S-1-1-0"))->toBinary(),
                           Sid::fromString(QStringLiteral("S-1-5-11"))->toBinary()};
    bool accountExists = false;
    if (accounts->isEmpty()) {
        auto ou = ldap.search(plan.accountOu, LdapConnection::Scope::Base, QStringLiteral("(objectClass=*)"),
                              {QStringLiteral("objectClass")}, &why);
        if (!ou) {
            out.blockers << tr("The OU %1 for the service account cannot be read (%2): create it, or correct the "
                               "plan's OU.")
                                .arg(plan.accountOu, why);
            why.clear();
        }
        AdChange c;
        c.kind = AdChange::Kind::Add;
        c.dn = QStringLiteral("CN=%1,%2").arg(escapeDnValue(plan.accountName), plan.accountOu);
        c.modifications = {
            attr(QStringLiteral("objectClass"), {"top", "person", "organizationalPerson", "user"}),
            attr(QStringLiteral("sAMAccountName"), {plan.accountName.toUtf8()}),
            attr(QStringLiteral("userPrincipalName"), {plan.accountUpn.toUtf8()}),
            attr(QStringLiteral("description"), {"NDES (SCEP) application pool identity"}),
            attr(QStringLiteral("servicePrincipalName"), {spn.toUtf8()}),
            attr(QStringLiteral("userAccountControl"), {num(normalAccount)}),
        };
        if (plan.accountUpn.isEmpty())
            c.modifications.removeAt(2);
        c.summary =
            tr("Create the service account %1 in %2, enabled, with the SPN %3").arg(member, plan.accountOu, spn);
        c.details = detailsOf(c.modifications);
        c.details << (plan.passwordPolicy == setup::SetupPlan::PasswordPolicy::Generate
                          ? tr("unicodePwd: (generated when applied, shown once, stored nowhere)")
                          : tr("unicodePwd: (the password you give, stored nowhere)"));
        c.setsPassword = true;
        out.changes << c;
        out.createsAccount = true;
    } else {
        accountExists = true;
        const LdapEntry& a = accounts->first();
        out.asPlanned << tr("The service account %1 exists (%2).").arg(member, a.dn);
        if (a.texts(QStringLiteral("servicePrincipalName")).contains(spn, Qt::CaseInsensitive)) {
            out.asPlanned << tr("%1 has the SPN %2.").arg(member, spn);
        } else {
            AdChange c;
            c.kind = AdChange::Kind::Modify;
            c.dn = a.dn;
            c.modifications = {attr(QStringLiteral("servicePrincipalName"), {spn.toUtf8()})};
            c.summary = tr("Add the SPN %1 to %2 (Kerberos to the admin page)").arg(spn, member);
            c.details = detailsOf(c.modifications);
            out.changes << c;
        }
        token.insert(a.value(QStringLiteral("objectSid")));
        auto groups = ldap.search(a.dn, LdapConnection::Scope::Base, QStringLiteral("(objectClass=*)"),
                                  {QStringLiteral("tokenGroups")}, LdapConnection::SearchOptions{0, false}, &why);
        if (!groups)
            return std::nullopt;
        if (!groups->isEmpty())
            for (const QByteArray& g : groups->first().values(QStringLiteral("tokenGroups")))
                token.insert(g);
    }

    // 2. The template: created from its base with a new OID in the forest's arc, or compared with the plan.
    const QString templates = QStringLiteral("CN=Certificate Templates,") + pks;
    auto existing = ldap.search(templates, LdapConnection::Scope::OneLevel,
                                QStringLiteral("(&(objectClass=pKICertificateTemplate)(cn=%1))")
                                    .arg(LdapConnection::escapeFilterValue(plan.templateName.toUtf8())),
                                templateReadAttributes, LdapConnection::SearchOptions{daclOnly, false}, &why);
    if (!existing)
        return std::nullopt;
    QString templateDn;
    bool grantRead = true, grantEnroll = true;
    if (!existing->isEmpty()) {
        const LdapEntry& t = existing->first();
        templateDn = t.dn;
        const QString name = t.text(QStringLiteral("cn"));
        if (name != plan.templateName) {
            out.blockers << tr("A template named %1 exists. AD ignores the case of names, NDES and the CA do not: use "
                               "%1 in the plan (template and registry) or another name.")
                                .arg(name);
        } else {
            const QStringList diff = templateDifferences(t, plan);
            if (diff.isEmpty())
                out.asPlanned << tr("The template %1 exists and is as planned.").arg(name);
            for (const QString& d : diff)
                out.differences << tr("Template %1: %2.").arg(name, d);
            if (!diff.isEmpty())
                out.differences << tr("Template %1 exists and is left as it is: change it in certtmpl.msc, or give "
                                      "the plan a new template name.")
                                       .arg(name);
        }
        // An existing template is never changed, its permissions neither (it may be a built-in one, or one others
        // enroll on): what the account lacks is reported for the admin to give in certtmpl.msc.
        grantRead = grantEnroll = false;
        const auto sd = SecurityDescriptor::parse(t.value(QStringLiteral("nTSecurityDescriptor")));
        if (!sd) {
            out.differences << tr("The permissions of template %1 could not be read (the bind account may not read "
                                  "its security descriptor), so whether %2 may enroll on it is not known.")
                                   .arg(name, member);
        } else if (!accountExists) {
            out.differences << tr("The new account %1 will need Read and Enroll on the existing template %2: give them "
                                  "in certtmpl.msc > Security (this console does not change an existing template).")
                                   .arg(member, name);
        } else {
            const Decision read = decide(sd, token, false);
            const Decision enroll = decide(sd, token, true);
            if (read == Decision::Denied || enroll == Decision::Denied)
                out.blockers << tr("A Deny entry on template %1 takes Read or Enroll from %2 or a group it is in: "
                                   "remove it in certtmpl.msc > Security.")
                                    .arg(plan.templateName, member);
            else if (read == Decision::Allowed && enroll == Decision::Allowed)
                out.asPlanned << tr("%1 may read and enroll on %2.").arg(member, plan.templateName);
            else
                out.differences << tr("%1 lacks %2 on the existing template %3: give it in certtmpl.msc > Security "
                                      "(this console does not change an existing template).")
                                       .arg(member,
                                            read != Decision::Allowed && enroll != Decision::Allowed
                                                ? tr("Read and Enroll")
                                            : read != Decision::Allowed ? tr("Read")
                                                                        : tr("Enroll"),
                                            name);
        }
    } else {
        const QString baseName = plan.baseTemplate.trimmed();
        auto baseEntries =
            ldap.search(templates, LdapConnection::Scope::OneLevel,
                        QStringLiteral("(&(objectClass=pKICertificateTemplate)(|(cn=%1)(displayName=%1)))")
                            .arg(LdapConnection::escapeFilterValue(baseName.toUtf8())),
                        templateReadAttributes, LdapConnection::SearchOptions{0, false}, &why);
        if (!baseEntries)
            return std::nullopt;
        auto oidContainer =
            ldap.search(QStringLiteral("CN=OID,") + pks, LdapConnection::Scope::Base, QStringLiteral("(objectClass=*)"),
                        {QStringLiteral("msPKI-Cert-Template-OID")}, LdapConnection::SearchOptions{0, false}, &why);
        const QString arc = oidContainer && !oidContainer->isEmpty()
                                ? oidContainer->first().text(QStringLiteral("msPKI-Cert-Template-OID"))
                                : QString();
        why.clear();
        if (baseEntries->isEmpty())
            out.blockers << tr("The base template %1 is not in %2 (by name or display name).").arg(baseName, templates);
        if (arc.isEmpty())
            out.blockers << tr("The forest has no OID arc for templates (msPKI-Cert-Template-OID on CN=OID,%1): is AD "
                               "CS installed in this forest?")
                                .arg(pks);
        if (!baseEntries->isEmpty() && !arc.isEmpty()) {
            const LdapEntry& b = baseEntries->first();
            const PlannedTemplate t = plannedTemplate(plan);
            const QString oid = QStringLiteral("%1.%2.%3")
                                    .arg(arc)
                                    .arg(randomBetween(1000000, 99999999))
                                    .arg(randomBetween(1000000, 99999999));
            AdChange o;
            o.kind = AdChange::Kind::Add;
            o.dn = QStringLiteral("CN=%1.%2,CN=OID,%3").arg(randomBetween(1000000, 99999999)).arg(hexRandom(16), pks);
            o.modifications = {
                attr(QStringLiteral("objectClass"), {"top", "msPKI-Enterprise-Oid"}),
                attr(QStringLiteral("flags"), {"1"}),
                attr(QStringLiteral("displayName"), {plan.templateDisplayName.toUtf8()}),
                attr(QStringLiteral("msPKI-Cert-Template-OID"), {oid.toUtf8()}),
            };
            o.summary = tr("Register the template's OID %1 in the forest's OID container").arg(oid);
            o.details = detailsOf(o.modifications);
            out.changes << o;

            AdChange c;
            c.kind = AdChange::Kind::Add;
            templateDn = QStringLiteral("CN=%1,%2").arg(escapeDnValue(plan.templateName), templates);
            c.dn = templateDn;
            c.modifications << attr(QStringLiteral("objectClass"), {"top", "pKICertificateTemplate"});
            // From the base: what the plan does not decide.
            for (const QString& a : {QStringLiteral("flags"), QStringLiteral("pKIMaxIssuingDepth"),
                                     QStringLiteral("pKICriticalExtensions"), QStringLiteral("msPKI-RA-Signature"),
                                     QStringLiteral("msPKI-Enrollment-Flag")})
                if (b.has(a))
                    c.modifications << attr(a, b.values(a));
            // From the plan.
            QList<QByteArray> ekus;
            for (const QString& e : t.ekus)
                ekus << e.toUtf8();
            c.modifications << attr(QStringLiteral("displayName"), {plan.templateDisplayName.toUtf8()})
                            << attr(QStringLiteral("revision"), {"100"})
                            << attr(QStringLiteral("msPKI-Template-Schema-Version"), {"2"})
                            << attr(QStringLiteral("msPKI-Template-Minor-Revision"), {"0"})
                            << attr(QStringLiteral("msPKI-Cert-Template-OID"), {oid.toUtf8()})
                            << attr(QStringLiteral("pKIExpirationPeriod"), {period(plan.validityDays)})
                            << attr(QStringLiteral("pKIOverlapPeriod"), {period(plan.renewalDays)})
                            << attr(QStringLiteral("msPKI-Minimal-Key-Size"), {num(plan.minimumKeySize)})
                            << attr(QStringLiteral("pKIDefaultKeySpec"), {num(t.keySpec)})
                            << attr(QStringLiteral("pKIKeyUsage"),
                                    {QByteArray(1, char(t.keyUsage)) + QByteArray(1, '\0')})
                            << attr(QStringLiteral("pKIDefaultCSPs"), {t.csp.toUtf8()})
                            << attr(QStringLiteral("pKIExtendedKeyUsage"), ekus)
                            << attr(QStringLiteral("msPKI-Certificate-Application-Policy"), ekus)
                            << attr(QStringLiteral("msPKI-Certificate-Name-Flag"), {num(t.nameFlag)})
                            << attr(QStringLiteral("msPKI-Private-Key-Flag"), {num(t.privateKeyFlag)});
            c.summary = tr("Create the template %1 (\"%2\") from %3")
                            .arg(plan.templateName, plan.templateDisplayName, b.text(QStringLiteral("cn")));
            c.details = detailsOf(c.modifications);
            out.changes << c;
        }
    }
    // Read and Enroll for the account, nothing more (a group it is in counts too).
    if (!templateDn.isEmpty() && (grantRead || grantEnroll)) {
        AdChange g;
        g.kind = AdChange::Kind::Grant;
        g.dn = templateDn;
        g.account = plan.accountName;
        g.grantRead = grantRead;
        g.grantEnroll = grantEnroll;
        const QString what = grantRead && grantEnroll ? tr("Read and Enroll") : grantRead ? tr("Read") : tr("Enroll");
        g.summary = tr("Allow %1 on the template %2 for %3").arg(what, plan.templateName, member);
        if (grantRead)
            g.details << QStringLiteral("(A;;RPLCLORC;;;%1)").arg(member);
        if (grantEnroll)
            g.details << QStringLiteral("(OA;;CR;%1;;%2)").arg(enrollRight.toString(QUuid::WithoutBraces), member);
        out.changes << g;
    }

    // 3. Published on the CA (its enrollment service's certificateTemplates), or NDES gets event 31.
    auto services =
        ldap.search(QStringLiteral("CN=Enrollment Services,") + pks, LdapConnection::Scope::OneLevel,
                    QStringLiteral("(objectClass=pKIEnrollmentService)"),
                    {QStringLiteral("cn"), QStringLiteral("dNSHostName"), QStringLiteral("certificateTemplates")},
                    LdapConnection::SearchOptions{0, false}, &why);
    if (!services)
        return std::nullopt;
    const LdapEntry* ca = nullptr;
    QStringList names;
    for (const LdapEntry& s : *services) {
        names << s.text(QStringLiteral("cn"));
        if (s.text(QStringLiteral("cn")).compare(plan.caName(), Qt::CaseInsensitive) == 0)
            ca = &s;
    }
    if (!ca) {
        out.blockers << tr("The CA %1 has no enrollment service in AD (there are: %2). Check the plan's CA "
                           "configuration (host\\CA name).")
                            .arg(plan.caName(), names.isEmpty() ? tr("none") : names.join(QStringLiteral(", ")));
    } else {
        const QStringList published = ca->texts(QStringLiteral("certificateTemplates"));
        const auto sameIgnoringCase = std::find_if(published.begin(), published.end(), [&](const QString& t) {
            return t.compare(plan.templateName, Qt::CaseInsensitive) == 0;
        });
        if (published.contains(plan.templateName)) {
            out.asPlanned << tr("The CA %1 publishes %2.").arg(plan.caName(), plan.templateName);
        } else if (sameIgnoringCase != published.end()) {
            out.differences << tr("The CA %1 publishes %2, not %3: NDES compares case-exactly (event 31). Publish "
                                  "the name exactly as the registry has it (certsrv.msc, or certutil "
                                  "-SetCATemplates).")
                                   .arg(plan.caName(), *sameIgnoringCase, plan.templateName);
        } else {
            AdChange c;
            c.kind = AdChange::Kind::Modify;
            c.dn = ca->dn;
            c.modifications = {attr(QStringLiteral("certificateTemplates"), {plan.templateName.toUtf8()})};
            c.summary = tr("Publish %1 on the CA %2 (as certutil -SetCATemplates +%1 does)")
                            .arg(plan.templateName, plan.caName());
            c.details = detailsOf(c.modifications);
            out.changes << c;
        }
    }
    return out;
}

namespace {

bool grant(LdapConnection& ldap, const AdChange& c, QStringList& log, QString* error) {
    const QString base = ldap.defaultNamingContext();
    auto account = ldap.search(base, LdapConnection::Scope::Subtree,
                               QStringLiteral("(&(objectClass=user)(sAMAccountName=%1))")
                                   .arg(LdapConnection::escapeFilterValue(c.account.toUtf8())),
                               {QStringLiteral("objectSid")}, error);
    if (!account)
        return false;
    if (account->isEmpty()) {
        *error = tr("The account %1 is not in the directory: Read and Enroll cannot be given to it.").arg(c.account);
        return false;
    }
    const auto sid = Sid::fromBinary(account->first().value(QStringLiteral("objectSid")));
    if (!sid) {
        *error = tr("The account %1 has no readable SID.").arg(c.account);
        return false;
    }
    auto entries =
        ldap.search(c.dn, LdapConnection::Scope::Base, QStringLiteral("(objectClass=*)"),
                    {QStringLiteral("nTSecurityDescriptor")}, LdapConnection::SearchOptions{daclOnly, false}, error);
    if (!entries)
        return false;
    QString parseError;
    auto sd =
        entries->isEmpty()
            ? std::nullopt
            : SecurityDescriptor::parse(entries->first().value(QStringLiteral("nTSecurityDescriptor")), &parseError);
    if (!sd || !sd->dacl) {
        *error = tr("The DACL of %1 could not be read (%2): nothing was changed on it.")
                     .arg(c.dn, parseError.isEmpty() ? tr("not returned") : parseError);
        return false;
    }
    // Explicit ACEs go before the inherited ones (the canonical order Windows keeps).
    const auto firstInherited = std::find_if(sd->dacl->aces.begin(), sd->dacl->aces.end(),
                                             [](const Ace& a) { return a.flags & Ace::Inherited; });
    qsizetype at = firstInherited - sd->dacl->aces.begin();
    QStringList added;
    const auto has = [&](const Ace& wanted) {
        return std::any_of(sd->dacl->aces.begin(), sd->dacl->aces.end(), [&](const Ace& a) {
            return a.type == wanted.type && a.sid == wanted.sid && (a.mask & wanted.mask) == wanted.mask &&
                   a.objectType == wanted.objectType && a.appliesToObject();
        });
    };
    if (c.grantRead) {
        const Ace read = Ace::allow(*sid, readMask);
        if (!has(read)) {
            sd->dacl->aces.insert(at++, read);
            added << tr("Read");
        }
    }
    if (c.grantEnroll) {
        const Ace enroll = Ace::allow(*sid, rights::controlAccess, enrollRight);
        if (!has(enroll)) {
            sd->dacl->aces.insert(at++, enroll);
            added << tr("Enroll");
        }
    }
    if (added.isEmpty()) {
        log << tr("✔ %1: the rights were there already").arg(c.summary);
        return true;
    }
    SecurityDescriptor daclOnlySd;
    daclOnlySd.control = sd->control;
    daclOnlySd.dacl = sd->dacl;
    const auto bytes = daclOnlySd.toBinary();
    if (!bytes) {
        *error = tr("The DACL of %1 holds an entry this console cannot write back: nothing was changed on it. Give "
                    "the rights in certtmpl.msc > Security.")
                     .arg(c.dn);
        return false;
    }
    if (!ldap.modify(
            c.dn, {LdapModification{LdapModification::Op::Replace, QStringLiteral("nTSecurityDescriptor"), {*bytes}}},
            error, daclOnly))
        return false;
    log << tr("✔ %1 (%2 added)").arg(c.summary, added.join(QStringLiteral(", ")));
    return true;
}

} // namespace

AdApplyResult applyDirectoryChanges(LdapConnection& ldap, const AdPlan& plan, const SecretBytes& accountPassword) {
    AdApplyResult r;
    if (auto capability = Access::request(WriteOperation::DirectoryApply); !capability) {
        r.error = capability.error().message;
        return r;
    }
    if (!plan.blockers.isEmpty()) {
        r.error = tr("Not applied: %1").arg(plan.blockers.join(QLatin1Char(' ')));
        return r;
    }
    constexpr int alreadyExists = 68; // LDAP_ALREADY_EXISTS
    constexpr int valueExists = 20;   // LDAP_TYPE_OR_VALUE_EXISTS
    for (const AdChange& c : plan.changes) {
        QString why;
        if (c.kind == AdChange::Kind::Grant) {
            if (!grant(ldap, c, r.log, &why)) {
                r.error = tr("%1: %2").arg(c.summary, why);
                return r;
            }
            continue;
        }
        QList<LdapModification> mods = c.modifications;
        if (c.setsPassword) {
            if (accountPassword.isEmpty()) {
                r.error = tr("%1: no password for the new account was given.").arg(c.summary);
                return r;
            }
            // unicodePwd: the password in double quotes, UTF-16LE (MS-ADTS 3.1.1.3.1.5.1); over TLS only.
            QString quoted = QLatin1Char('"') + QString::fromUtf8(accountPassword.bytes()) + QLatin1Char('"');
            QByteArray value(reinterpret_cast<const char*>(quoted.utf16()), quoted.size() * 2);
            SecretBytes::cleanse(quoted);
            mods << LdapModification{LdapModification::Op::Add, QStringLiteral("unicodePwd"), {}};
            mods.last().values << std::move(value);
        }
        const bool ok = c.kind == AdChange::Kind::Add ? ldap.add(c.dn, mods, &why) : ldap.modify(c.dn, mods, &why);
        if (c.setsPassword)
            SecretBytes::cleanse(mods.last().values.first()); // the only reference: the request is sent
        if (!ok) {
            const int code = ldap.lastResultCode();
            if (c.kind == AdChange::Kind::Modify && code == valueExists) {
                r.log << tr("✔ %1: found made meanwhile").arg(c.summary);
                continue;
            }
            if (c.kind == AdChange::Kind::Add && code == alreadyExists) {
                // Someone made an entry of that name since the preview: it is not ours to take over (an account
                // with a password nobody here knows, a template others use). Stop; a new preview shows it.
                r.error = tr("%1: %2 was created by someone else since the preview; nothing after it was changed. "
                             "Preview again.")
                              .arg(c.summary, c.dn);
                return r;
            }
            r.error = tr("%1: %2").arg(c.summary, why);
            return r;
        }
        r.log << QStringLiteral("✔ ") + c.summary;
        r.accountCreated = r.accountCreated || c.setsPassword;
    }
    r.ok = true;
    return r;
}

} // namespace ndes::directory
