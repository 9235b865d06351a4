// SPDX-License-Identifier: Apache-2.0
#include "directory/Directory.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QRegularExpression>
#include <QSet>
#include <QtEndian>

#include <algorithm>
#include <array>
#include <cmath>

namespace ndes::directory {
namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("ndes::directory::Directory", text);
}

struct FlagName {
    quint32 bit;
    const char* name;
};

QStringList flagNames(quint32 flags, std::initializer_list<FlagName> names) {
    QStringList out;
    quint32 left = flags;
    for (const FlagName& n : names)
        if (flags & n.bit) {
            out << QString::fromLatin1(n.name);
            left &= ~n.bit;
        }
    if (left)
        out << QStringLiteral("0x%1").arg(left, 8, 16, QLatin1Char('0'));
    return out;
}

// msPKI-* integers are stored signed (0x80000000 reads -2147483648).
quint32 flagValue(const LdapEntry& e, const char* name) {
    return quint32(e.integer(QString::fromLatin1(name)).value_or(0) & 0xFFFFFFFF);
}

// FILETIME (100 ns since 1601) to UTC; none for 0 and "never" (0x7FFFFFFFFFFFFFFF).
std::optional<QDateTime> fromFileTime(std::optional<qint64> ft) {
    if (!ft || *ft <= 0 || *ft == std::numeric_limits<qint64>::max())
        return std::nullopt;
    constexpr qint64 epochDelta = 11644473600LL; // seconds from 1601 to 1970
    return QDateTime::fromSecsSinceEpoch(*ft / 10'000'000 - epochDelta, Qt::UTC);
}

// pKIExpirationPeriod / pKIOverlapPeriod: a little-endian int64 of -100 ns intervals.
std::optional<double> periodDays(const QByteArray& raw) {
    if (raw.size() != 8)
        return std::nullopt;
    const qint64 v = qFromLittleEndian<qint64>(raw.constData());
    if (v >= 0 || v == std::numeric_limits<qint64>::min())
        return std::nullopt;
    return double(-v) / 864'000'000'000.0;
}

bool hasClass(const LdapEntry& e, const char* cls) {
    const QString c = QString::fromLatin1(cls);
    for (const QString& v : e.texts(QStringLiteral("objectClass")))
        if (v.compare(c, Qt::CaseInsensitive) == 0)
            return true;
    return false;
}

QString stripAccountName(QString name) {
    name = name.trimmed();
    if (const qsizetype slash = name.lastIndexOf(QLatin1Char('\\')); slash >= 0)
        name = name.mid(slash + 1);
    if (const qsizetype at = name.indexOf(QLatin1Char('@')); at >= 0)
        name = name.left(at);
    return name;
}

// The first RDN's value of a DN ("CN=Lab CA,CN=Enrollment Services,…" -> "Lab CA"), escapes kept simple.
QString firstRdnValue(const QString& dn) {
    const qsizetype eq = dn.indexOf(QLatin1Char('='));
    if (eq < 0)
        return dn;
    QString out;
    for (qsizetype i = eq + 1; i < dn.size(); ++i) {
        if (dn[i] == QLatin1Char('\\') && i + 1 < dn.size()) {
            out += dn[++i];
            continue;
        }
        if (dn[i] == QLatin1Char(','))
            break;
        out += dn[i];
    }
    return out;
}

// The DNS name of a domain from its DN ("DC=lab,DC=test" -> "lab.test").
QString dnsFromDn(const QString& dn) {
    QStringList parts;
    for (const QString& rdn : dn.split(QLatin1Char(',')))
        if (rdn.trimmed().startsWith(QLatin1String("DC="), Qt::CaseInsensitive))
            parts << rdn.trimmed().mid(3);
    return parts.join(QLatin1Char('.'));
}

QJsonArray toArray(const QStringList& list) {
    return QJsonArray::fromStringList(list);
}

QString isoOrEmpty(const std::optional<QDateTime>& t) {
    return t ? t->toString(Qt::ISODate) : QString();
}

} // namespace

QStringList certificateNameFlagNames(quint32 flags) {
    return flagNames(flags, {{0x1, "CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT"},
                             {0x8, "CT_FLAG_OLD_CERT_SUPPLIES_SUBJECT_AND_ALT_NAME"},
                             {0x10000, "CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT_ALT_NAME"},
                             {0x400000, "CT_FLAG_SUBJECT_ALT_REQUIRE_DOMAIN_DNS"},
                             {0x800000, "CT_FLAG_SUBJECT_ALT_REQUIRE_SPN"},
                             {0x1000000, "CT_FLAG_SUBJECT_ALT_REQUIRE_DIRECTORY_GUID"},
                             {0x2000000, "CT_FLAG_SUBJECT_ALT_REQUIRE_UPN"},
                             {0x4000000, "CT_FLAG_SUBJECT_ALT_REQUIRE_EMAIL"},
                             {0x8000000, "CT_FLAG_SUBJECT_ALT_REQUIRE_DNS"},
                             {0x10000000, "CT_FLAG_SUBJECT_REQUIRE_DNS_AS_CN"},
                             {0x20000000, "CT_FLAG_SUBJECT_REQUIRE_EMAIL"},
                             {0x40000000, "CT_FLAG_SUBJECT_REQUIRE_COMMON_NAME"},
                             {0x80000000, "CT_FLAG_SUBJECT_REQUIRE_DIRECTORY_PATH"}});
}

QStringList enrollmentFlagNames(quint32 flags) {
    return flagNames(flags, {{0x1, "CT_FLAG_INCLUDE_SYMMETRIC_ALGORITHMS"},
                             {0x2, "CT_FLAG_PEND_ALL_REQUESTS"},
                             {0x4, "CT_FLAG_PUBLISH_TO_KRA_CONTAINER"},
                             {0x8, "CT_FLAG_PUBLISH_TO_DS"},
                             {0x10, "CT_FLAG_AUTO_ENROLLMENT_CHECK_USER_DS_CERTIFICATE"},
                             {0x20, "CT_FLAG_AUTO_ENROLLMENT"},
                             {0x40, "CT_FLAG_PREVIOUS_APPROVAL_VALIDATE_REENROLLMENT"},
                             {0x100, "CT_FLAG_USER_INTERACTION_REQUIRED"},
                             {0x400, "CT_FLAG_REMOVE_INVALID_CERTIFICATE_FROM_PERSONAL_STORE"},
                             {0x800, "CT_FLAG_ALLOW_ENROLL_ON_BEHALF_OF"},
                             {0x1000, "CT_FLAG_ADD_OCSP_NOCHECK"},
                             {0x2000, "CT_FLAG_ENABLE_KEY_REUSE_ON_NT_TOKEN_KEYSET_STORAGE_FULL"},
                             {0x4000, "CT_FLAG_NOREVOCATIONINFOINISSUEDCERTS"},
                             {0x8000, "CT_FLAG_INCLUDE_BASIC_CONSTRAINTS_FOR_EE_CERTS"},
                             {0x10000, "CT_FLAG_ALLOW_PREVIOUS_APPROVAL_KEYBASEDRENEWAL_VALIDATE_REENROLLMENT"},
                             {0x20000, "CT_FLAG_ISSUANCE_POLICIES_FROM_REQUEST"},
                             {0x40000, "CT_FLAG_SKIP_AUTO_RENEWAL"},
                             {0x80000, "CT_FLAG_NO_SECURITY_EXTENSION"}});
}

QStringList privateKeyFlagNames(quint32 flags) {
    // Bits 16-19 and 24-27 hold the minimum server and client versions, not flags.
    QStringList out = flagNames(flags & 0xF0F0FFFF, {{0x1, "CT_FLAG_REQUIRE_PRIVATE_KEY_ARCHIVAL"},
                                                     {0x10, "CT_FLAG_EXPORTABLE_KEY"},
                                                     {0x20, "CT_FLAG_STRONG_KEY_PROTECTION_REQUIRED"},
                                                     {0x40, "CT_FLAG_REQUIRE_ALTERNATE_SIGNATURE_ALGORITHM"},
                                                     {0x80, "CT_FLAG_REQUIRE_SAME_KEY_RENEWAL"},
                                                     {0x100, "CT_FLAG_USE_LEGACY_PROVIDER"},
                                                     {0x200, "CT_FLAG_EK_TRUST_ON_USE"},
                                                     {0x400, "CT_FLAG_EK_VALIDATE_CERT"},
                                                     {0x800, "CT_FLAG_EK_VALIDATE_KEY"},
                                                     {0x1000, "CT_FLAG_ATTEST_REQUIRED"},
                                                     {0x2000, "CT_FLAG_ATTEST_PREFERRED"},
                                                     {0x4000, "CT_FLAG_ATTESTATION_WITHOUT_POLICY"},
                                                     {0x200000, "CT_FLAG_HELLO_LOGON_KEY"}});
    if (const quint32 server = (flags >> 16) & 0xF)
        out << QStringLiteral("server version %1").arg(server);
    if (const quint32 client = (flags >> 24) & 0xF)
        out << QStringLiteral("client version %1").arg(client);
    return out;
}

QString ekuName(const QString& oid) {
    const QString name = pki::Certificate::extendedKeyUsageName(oid);
    return name.isEmpty() ? oid : name;
}

// ---- rights -----------------------------------------------------------------------------------------------------

QList<EffectiveRights> effectiveRights(const std::optional<SecurityDescriptor>& sd) {
    QList<EffectiveRights> out;
    const auto slot = [&out](const Sid& sid) -> EffectiveRights& {
        for (EffectiveRights& r : out)
            if (r.sid == sid)
                return r;
        out << EffectiveRights{sid, QString(), false, false, {}, {}};
        return out.last();
    };
    if (!sd || !sd->dacl) {
        EffectiveRights& everyone = slot(*Sid::fromString(QStringLiteral("S-1-1-0")));
        everyone.enroll = everyone.autoEnroll = true;
        everyone.writes << QStringLiteral("GenericAll (no DACL)");
        return out;
    }
    // Windows walks the DACL in order and the first ACE that names a right decides it (canonical order puts explicit
    // denies, explicit allows, then inherited ones). So here: per principal and right, the first deciding ACE wins.
    // Rights come from the principal's own ACEs; membership (a deny to a group the principal is in) is not expanded.
    enum Right { Enroll, AutoEnroll, GenericAll, GenericWrite, WriteDacl, WriteOwner, WritePropertyAll, RightCount };
    struct Decided {
        std::array<std::optional<bool>, RightCount> right;
        QHash<QUuid, bool> writeProperty; // per property, after an all-properties decision has not been made
    };
    QHash<QByteArray, Decided> decided;
    const auto full = [](quint32 m) {
        return (m & rights::genericAll) != 0 || (m & rights::fullControl) == rights::fullControl;
    };
    const auto coversExtended = [&full](const Ace& a, const QUuid& right) {
        if (full(a.mask))
            return true;
        if (!(a.mask & rights::controlAccess))
            return false;
        return !a.objectType || *a.objectType == right;
    };
    for (const Ace& a : sd->dacl->aces) {
        const bool allow = a.isAllow();
        if ((!allow && !a.isDeny()) || !a.appliesToObject() || !a.sid.isValid())
            continue;
        Decided& d = decided[a.sid.toBinary()];
        QStringList granted;
        const auto decide = [&](Right r, bool covered, const QString& name) {
            if (!covered || d.right[r])
                return;
            d.right[r] = allow;
            if (allow && !name.isEmpty())
                granted << name;
        };
        decide(Enroll, coversExtended(a, enrollRight), QString());
        decide(AutoEnroll, coversExtended(a, autoEnrollRight), QString());
        decide(GenericAll, full(a.mask), QStringLiteral("GenericAll"));
        decide(GenericWrite, (a.mask & rights::genericWrite) != 0, QStringLiteral("GenericWrite"));
        decide(WriteDacl, (a.mask & rights::writeDacl) != 0 && !full(a.mask), QStringLiteral("WriteDacl"));
        decide(WriteOwner, (a.mask & rights::writeOwner) != 0 && !full(a.mask), QStringLiteral("WriteOwner"));
        const bool wp = (a.mask & rights::writeProperty) != 0 && !full(a.mask);
        if (wp && !a.objectType) {
            decide(WritePropertyAll, true, QStringLiteral("WriteProperty (all)"));
        } else if (wp && !d.right[WritePropertyAll] && !d.writeProperty.contains(*a.objectType)) {
            d.writeProperty.insert(*a.objectType, allow);
            if (allow)
                granted << QStringLiteral("WriteProperty (%1)").arg(a.objectType->toString(QUuid::WithoutBraces));
        }
        const bool grantsEnroll = allow && d.right[Enroll] == true && coversExtended(a, enrollRight);
        const bool grantsAuto = allow && d.right[AutoEnroll] == true && coversExtended(a, autoEnrollRight);
        if (!allow || (granted.isEmpty() && !grantsEnroll && !grantsAuto))
            continue;
        EffectiveRights& r = slot(a.sid);
        r.enroll |= grantsEnroll;
        r.autoEnroll |= grantsAuto;
        for (const QString& w : granted)
            if (!r.writes.contains(w))
                r.writes << w;
        r.grantingAces << a;
    }
    // An allow that a later deny could not take back stays; one an earlier deny decided never counted.
    for (EffectiveRights& r : out) {
        const Decided& d = decided[r.sid.toBinary()];
        r.enroll = d.right[Enroll] == true;
        r.autoEnroll = d.right[AutoEnroll] == true;
    }
    out.erase(std::remove_if(out.begin(), out.end(),
                             [](const EffectiveRights& r) { return !r.enroll && !r.autoEnroll && !r.canWrite(); }),
              out.end());
    return out;
}

// ---- CertificateTemplate ----------------------------------------------------------------------------------------

QStringList CertificateTemplate::effectiveEkus() const {
    if (schemaVersion >= 2 && !applicationPolicies.isEmpty())
        return applicationPolicies;
    return ekus;
}

bool CertificateTemplate::allowsAuthentication() const {
    const QStringList e = effectiveEkus();
    if (e.isEmpty())
        return true;
    for (const char* auth : {oids::clientAuth, oids::pkinitClient, oids::smartCardLogon, oids::anyPurpose})
        if (e.contains(QLatin1String(auth)))
            return true;
    return false;
}

bool CertificateTemplate::isEnrollmentAgent() const {
    return effectiveEkus().contains(QLatin1String(oids::certificateRequestAgent));
}

CertificateTemplate CertificateTemplate::fromEntry(const LdapEntry& e) {
    CertificateTemplate t;
    t.dn = e.dn;
    t.name = e.text(QStringLiteral("cn"));
    if (t.name.isEmpty())
        t.name = firstRdnValue(e.dn);
    t.displayName = e.text(QStringLiteral("displayName"));
    t.oid = e.text(QStringLiteral("msPKI-Cert-Template-OID"));
    t.schemaVersion = int(e.integer(QStringLiteral("msPKI-Template-Schema-Version")).value_or(1));
    t.majorRevision = int(e.integer(QStringLiteral("revision")).value_or(0));
    t.minorRevision = int(e.integer(QStringLiteral("msPKI-Template-Minor-Revision")).value_or(0));
    t.nameFlags = flagValue(e, "msPKI-Certificate-Name-Flag");
    t.enrollmentFlags = flagValue(e, "msPKI-Enrollment-Flag");
    t.privateKeyFlags = flagValue(e, "msPKI-Private-Key-Flag");
    t.raSignatures = int(e.integer(QStringLiteral("msPKI-RA-Signature")).value_or(0));
    t.ekus = e.texts(QStringLiteral("pKIExtendedKeyUsage"));
    t.applicationPolicies = e.texts(QStringLiteral("msPKI-Certificate-Application-Policy"));
    t.raApplicationPolicies = e.texts(QStringLiteral("msPKI-RA-Application-Policies"));
    t.issuancePolicies = e.texts(QStringLiteral("msPKI-Certificate-Policy"));
    t.validityDays = periodDays(e.value(QStringLiteral("pKIExpirationPeriod")));
    t.renewalDays = periodDays(e.value(QStringLiteral("pKIOverlapPeriod")));
    t.minimumKeySize = int(e.integer(QStringLiteral("msPKI-Minimal-Key-Size")).value_or(0));
    t.csps = e.texts(QStringLiteral("pKIDefaultCSPs"));
    if (!e.has(QStringLiteral("nTSecurityDescriptor"))) {
        t.securityDescriptorProblem =
            tr("nTSecurityDescriptor was not returned (the account may not read it, or the export left it out).");
    } else {
        QString why;
        t.securityDescriptor = SecurityDescriptor::parse(e.value(QStringLiteral("nTSecurityDescriptor")), &why);
        if (!t.securityDescriptor)
            t.securityDescriptorProblem = tr("nTSecurityDescriptor could not be read: %1").arg(why);
        else
            t.rights = effectiveRights(t.securityDescriptor);
    }
    return t;
}

QJsonObject CertificateTemplate::toJson() const {
    QJsonArray rightsJson;
    for (const EffectiveRights& r : rights) {
        QJsonArray aces;
        for (const Ace& a : r.grantingAces)
            aces << a.toSddl();
        rightsJson << QJsonObject{
            {QStringLiteral("sid"), r.sid.toString()},    {QStringLiteral("name"), r.name},
            {QStringLiteral("enroll"), r.enroll},         {QStringLiteral("autoEnroll"), r.autoEnroll},
            {QStringLiteral("write"), toArray(r.writes)}, {QStringLiteral("aces"), aces}};
    }
    QJsonArray ekuJson;
    for (const QString& e : effectiveEkus())
        ekuJson << QJsonObject{{QStringLiteral("oid"), e}, {QStringLiteral("name"), ekuName(e)}};
    QJsonObject o{{QStringLiteral("name"), name},
                  {QStringLiteral("displayName"), displayName},
                  {QStringLiteral("dn"), dn},
                  {QStringLiteral("oid"), oid},
                  {QStringLiteral("schemaVersion"), schemaVersion},
                  {QStringLiteral("revision"), QStringLiteral("%1.%2").arg(majorRevision).arg(minorRevision)},
                  {QStringLiteral("certificateNameFlag"), toArray(certificateNameFlagNames(nameFlags))},
                  {QStringLiteral("enrollmentFlag"), toArray(enrollmentFlagNames(enrollmentFlags))},
                  {QStringLiteral("privateKeyFlag"), toArray(privateKeyFlagNames(privateKeyFlags))},
                  {QStringLiteral("raSignatures"), raSignatures},
                  {QStringLiteral("ekus"), ekuJson},
                  {QStringLiteral("issuancePolicies"), toArray(issuancePolicies)},
                  {QStringLiteral("minimumKeySize"), minimumKeySize},
                  {QStringLiteral("csps"), toArray(csps)},
                  {QStringLiteral("rights"), rightsJson}};
    if (validityDays)
        o.insert(QStringLiteral("validityDays"), *validityDays);
    if (renewalDays)
        o.insert(QStringLiteral("renewalDays"), *renewalDays);
    if (securityDescriptor)
        o.insert(QStringLiteral("sddl"), securityDescriptor->toSddl());
    else
        o.insert(QStringLiteral("securityDescriptorProblem"), securityDescriptorProblem);
    return o;
}

// ---- EnrollmentService ------------------------------------------------------------------------------------------

EnrollmentService EnrollmentService::fromEntry(const LdapEntry& e) {
    EnrollmentService s;
    s.dn = e.dn;
    s.name = e.text(QStringLiteral("cn"));
    if (s.name.isEmpty())
        s.name = firstRdnValue(e.dn);
    s.hostName = e.text(QStringLiteral("dNSHostName"));
    s.templates = e.texts(QStringLiteral("certificateTemplates"));
    for (const QByteArray& der : e.values(QStringLiteral("cACertificate")))
        if (auto c = pki::Certificate::fromDer(der); c)
            s.caCertificates << *c;
    return s;
}

QJsonObject EnrollmentService::toJson() const {
    QJsonArray certs;
    for (const pki::Certificate& c : caCertificates)
        certs << QJsonObject{{QStringLiteral("subject"), c.subject()},
                             {QStringLiteral("notAfter"), c.notAfter().toString(Qt::ISODate)},
                             {QStringLiteral("sha1"), pki::Certificate::hex(c.sha1())}};
    return {{QStringLiteral("name"), name},
            {QStringLiteral("dn"), dn},
            {QStringLiteral("hostName"), hostName},
            {QStringLiteral("templates"), toArray(templates)},
            {QStringLiteral("caCertificates"), certs}};
}

// ---- DirectoryAccount -------------------------------------------------------------------------------------------

bool DirectoryAccount::passwordExpired(const QDateTime& now) const {
    if (gmsa)
        return false;
    if (computedControl && (*computedControl & 0x800000)) // UF_PASSWORD_EXPIRED
        return true;
    if (mustChangePassword)
        return true;
    return passwordExpires && *passwordExpires <= now;
}

QJsonObject DirectoryAccount::toJson() const {
    return {{QStringLiteral("samAccountName"), samAccountName},
            {QStringLiteral("userPrincipalName"), userPrincipalName},
            {QStringLiteral("dn"), dn},
            {QStringLiteral("sid"), sid.toString()},
            {QStringLiteral("kind"), gmsa       ? QStringLiteral("gmsa")
                                     : computer ? QStringLiteral("computer")
                                                : QStringLiteral("user")},
            {QStringLiteral("enabled"), enabled},
            {QStringLiteral("locked"), locked},
            {QStringLiteral("passwordNeverExpires"), passwordNeverExpires},
            {QStringLiteral("mustChangePassword"), mustChangePassword},
            {QStringLiteral("accountExpires"), isoOrEmpty(accountExpires)},
            {QStringLiteral("passwordLastSet"), isoOrEmpty(passwordLastSet)},
            {QStringLiteral("passwordExpires"), isoOrEmpty(passwordExpires)},
            {QStringLiteral("servicePrincipalNames"), toArray(spns)},
            {QStringLiteral("groups"), toArray(groupNames)}};
}

// ---- DirectoryData ----------------------------------------------------------------------------------------------

bool DirectoryData::isBroadGroup(const Sid& sid) {
    const QString s = sid.toString();
    if (s == QLatin1String("S-1-1-0") || s == QLatin1String("S-1-5-11") || s == QLatin1String("S-1-5-7") ||
        s == QLatin1String("S-1-5-32-545") || s == QLatin1String("S-1-5-32-554"))
        return true;
    return s.startsWith(QLatin1String("S-1-5-21-")) && (sid.rid() == 513 || sid.rid() == 515);
}

bool DirectoryData::isPrivileged(const Sid& sid) const {
    const QString s = sid.toString();
    if (s == QLatin1String("S-1-5-18") || s == QLatin1String("S-1-5-9") || s == QLatin1String("S-1-3-0") ||
        s == QLatin1String("S-1-5-32-544"))
        return true;
    if (!s.startsWith(QLatin1String("S-1-5-21-")))
        return false;
    // Another domain's (or forest's) admins are not this forest's: only this domain's accounts count, when known.
    // Enterprise and Schema Admins live in the forest root domain, which may be another domain of the forest: they
    // count from any domain.
    if (domain.sid.isValid() && !(sid.domain() == domain.sid) && sid.rid() != 518 && sid.rid() != 519)
        return false;
    switch (sid.rid()) {
    case 500: // Administrator
    case 512: // Domain Admins
    case 516: // Domain Controllers
    case 518: // Schema Admins
    case 519: // Enterprise Admins
    case 498: // Enterprise Read-only Domain Controllers
        return true;
    default:
        return false;
    }
}

QString DirectoryData::nameOf(const Sid& sid) const {
    const QString text = sid.toString();
    if (const auto it = sidNames.constFind(text); it != sidNames.cend())
        return *it;
    const QString known = wellKnownSidName(sid);
    if (!known.isEmpty())
        return known;
    return text;
}

const CertificateTemplate* DirectoryData::findTemplate(const QString& name, Qt::CaseSensitivity cs) const {
    for (const CertificateTemplate& t : templates)
        if (t.name.compare(name, cs) == 0)
            return &t;
    return nullptr;
}

const DirectoryAccount* DirectoryData::findAccount(const QString& name) const {
    const QString sam = stripAccountName(name);
    if (sam.isEmpty())
        return nullptr;
    for (const DirectoryAccount& a : accounts)
        if (a.samAccountName.compare(sam, Qt::CaseInsensitive) == 0 ||
            a.samAccountName.compare(sam + QLatin1Char('$'), Qt::CaseInsensitive) == 0)
            return &a;
    return nullptr;
}

DirectoryData DirectoryData::fromEntries(QList<LdapEntry> entries, QString source, QDateTime readAt) {
    DirectoryData d;
    d.source = std::move(source);
    d.readAt = std::move(readAt);
    d.entries = std::move(entries);
    // The domain first: the accounts' password expiry needs its maxPwdAge.
    for (const LdapEntry& e : d.entries)
        if (hasClass(e, "domainDNS") || hasClass(e, "domain")) {
            d.domain.dn = e.dn;
            d.domain.dnsName = dnsFromDn(e.dn);
            if (auto sid = Sid::fromBinary(e.value(QStringLiteral("objectSid"))); sid)
                d.domain.sid = *sid;
            // maxPwdAge: negative 100 ns intervals; 0 or the most negative value means no expiry.
            if (const auto age = e.integer(QStringLiteral("maxPwdAge"));
                age && *age < 0 && *age != std::numeric_limits<qint64>::min())
                d.domain.maxPasswordAgeSeconds = -*age / 10'000'000;
            break;
        }
    QHash<QString, const LdapEntry*> accountsByDn;
    for (const LdapEntry& e : d.entries) {
        if (hasClass(e, "pKICertificateTemplate")) {
            d.templates << CertificateTemplate::fromEntry(e);
            continue;
        }
        if (hasClass(e, "pKIEnrollmentService")) {
            d.services << EnrollmentService::fromEntry(e);
            continue;
        }
        const auto sid = Sid::fromBinary(e.value(QStringLiteral("objectSid")));
        const QString sam = e.text(QStringLiteral("sAMAccountName"));
        if (sid && !sam.isEmpty() && !hasClass(e, "domainDNS")) {
            const QString domainName = d.domain.dnsName.section(QLatin1Char('.'), 0, 0).toUpper();
            const bool builtin = sid->toString().startsWith(QLatin1String("S-1-5-32-"));
            d.sidNames.insert(sid->toString(), builtin || domainName.isEmpty()
                                                   ? (builtin ? QStringLiteral("BUILTIN\\") + sam : sam)
                                                   : domainName + QLatin1Char('\\') + sam);
        }
        // Accounts: users, computers and managed service accounts whose state was read (userAccountControl).
        if (sid && (hasClass(e, "user") || hasClass(e, "computer")) && e.has(QStringLiteral("userAccountControl"))) {
            if (accountsByDn.contains(e.dn.toLower()))
                continue;
            accountsByDn.insert(e.dn.toLower(), &e);
            DirectoryAccount a;
            a.dn = e.dn;
            a.samAccountName = sam;
            a.userPrincipalName = e.text(QStringLiteral("userPrincipalName"));
            a.sid = *sid;
            a.gmsa = hasClass(e, "msDS-GroupManagedServiceAccount");
            a.computer = hasClass(e, "computer") && !a.gmsa && !hasClass(e, "msDS-ManagedServiceAccount");
            a.userAccountControl = flagValue(e, "userAccountControl");
            if (e.has(QStringLiteral("msDS-User-Account-Control-Computed")))
                a.computedControl = flagValue(e, "msDS-User-Account-Control-Computed");
            a.enabled = (a.userAccountControl & 0x2) == 0; // ACCOUNTDISABLE
            a.locked = a.computedControl ? (*a.computedControl & 0x10) != 0
                                         : e.integer(QStringLiteral("lockoutTime")).value_or(0) > 0;
            a.passwordNeverExpires = (a.userAccountControl & 0x10000) != 0; // DONT_EXPIRE_PASSWORD
            a.accountExpires = fromFileTime(e.integer(QStringLiteral("accountExpires")));
            const auto pwdLastSet = e.integer(QStringLiteral("pwdLastSet"));
            a.mustChangePassword = pwdLastSet && *pwdLastSet == 0 && !a.gmsa;
            a.passwordLastSet = fromFileTime(pwdLastSet);
            if (a.passwordLastSet && !a.passwordNeverExpires && !a.gmsa && d.domain.maxPasswordAgeSeconds)
                a.passwordExpires = a.passwordLastSet->addSecs(*d.domain.maxPasswordAgeSeconds);
            a.spns = e.texts(QStringLiteral("servicePrincipalName"));
            for (const QByteArray& g : e.values(QStringLiteral("tokenGroups")))
                if (auto gs = Sid::fromBinary(g); gs)
                    a.tokenGroups << *gs;
            d.accounts << a;
        }
    }
    for (CertificateTemplate& t : d.templates)
        for (EffectiveRights& r : t.rights)
            r.name = d.nameOf(r.sid);
    for (DirectoryAccount& a : d.accounts)
        for (const Sid& g : a.tokenGroups)
            a.groupNames << d.nameOf(g);
    std::sort(d.templates.begin(), d.templates.end(), [](const CertificateTemplate& a, const CertificateTemplate& b) {
        return a.name.compare(b.name, Qt::CaseInsensitive) < 0;
    });
    return d;
}

QJsonObject DirectoryData::toJson() const {
    QJsonArray t, s, a;
    for (const CertificateTemplate& x : templates)
        t << x.toJson();
    for (const EnrollmentService& x : services)
        s << x.toJson();
    for (const DirectoryAccount& x : accounts)
        a << x.toJson();
    QJsonObject domainJson{{QStringLiteral("dn"), domain.dn},
                           {QStringLiteral("dnsName"), domain.dnsName},
                           {QStringLiteral("sid"), domain.sid.toString()}};
    if (domain.maxPasswordAgeSeconds)
        domainJson.insert(QStringLiteral("maxPasswordAgeDays"), double(*domain.maxPasswordAgeSeconds) / 86400.0);
    return {{QStringLiteral("source"), source},
            {QStringLiteral("readAt"), readAt.toString(Qt::ISODate)},
            {QStringLiteral("domain"), domainJson},
            {QStringLiteral("templates"), t},
            {QStringLiteral("enrollmentServices"), s},
            {QStringLiteral("accounts"), a},
            {QStringLiteral("referralsNotFollowed"), referralsSkipped},
            {QStringLiteral("problems"), toArray(problems)}};
}

// ---- LDIF -------------------------------------------------------------------------------------------------------

namespace {

// RFC 2849: a value is written plainly only when it is "safe" (no leading space, colon or '<', no NUL, CR, LF, no
// byte above 0x7F, no trailing space).
bool safeLdifValue(const QByteArray& v) {
    if (v.isEmpty())
        return true;
    const auto first = static_cast<unsigned char>(v[0]);
    if (first == ' ' || first == ':' || first == '<' || v.endsWith(' '))
        return false;
    for (const char ch : v) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == 0 || c == '\r' || c == '\n' || c > 0x7F)
            return false;
    }
    return true;
}

void appendLdifLine(QByteArray& out, const QByteArray& name, const QByteArray& value) {
    QByteArray line = name;
    if (safeLdifValue(value))
        line += ": " + value;
    else
        line += ":: " + value.toBase64();
    // Fold at 76 columns: continuation lines start with one space.
    constexpr qsizetype width = 76;
    out += line.left(width);
    for (qsizetype at = width; at < line.size(); at += width - 1)
        out += "\n " + line.mid(at, width - 1);
    out += '\n';
}

} // namespace

QByteArray DirectoryData::toLdif() const {
    QByteArray out = "version: 1\n";
    out +=
        "# NDES Console directory export: " + source.toUtf8() + ", " + readAt.toString(Qt::ISODate).toUtf8() + "\n\n";
    static const QRegularExpression attributeName(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9;.-]*$"));
    for (const LdapEntry& e : entries) {
        appendLdifLine(out, "dn", e.dn.toUtf8());
        QStringList names = e.attributes.keys();
        names.sort();
        for (const QString& n : names) {
            if (!attributeName.match(n).hasMatch())
                continue; // a name no directory uses, which could break the LDIF: left out
            for (const QByteArray& v : e.attributes.value(n))
                appendLdifLine(out, n.toUtf8(), v);
        }
        out += '\n';
    }
    return out;
}

std::optional<QList<LdapEntry>> parseLdif(QByteArrayView text, QString* error, int maxEntries) {
    QString ignored;
    QString& why = error ? *error : ignored;
    QList<LdapEntry> out;
    // Unfold: a line starting with one space continues the previous one.
    QList<std::pair<int, QByteArray>> lines; // (first line number, logical line)
    int lineNo = 0;
    qsizetype at = 0;
    while (at <= text.size()) {
        qsizetype end = text.indexOf('\n', at);
        if (end < 0)
            end = text.size();
        QByteArrayView raw = text.sliced(at, end - at);
        if (raw.endsWith('\r'))
            raw.chop(1);
        ++lineNo;
        if (!raw.isEmpty() && raw[0] == ' ') {
            if (lines.isEmpty() || lines.last().second.isEmpty()) {
                why = tr("LDIF line %1: a continuation line with nothing to continue.").arg(lineNo);
                return std::nullopt;
            }
            lines.last().second += raw.sliced(1).toByteArray();
        } else {
            lines << std::pair{lineNo, raw.toByteArray()};
        }
        if (end == text.size())
            break;
        at = end + 1;
    }
    LdapEntry current;
    bool inEntry = false;
    const auto finish = [&]() -> bool {
        if (inEntry) {
            out << std::move(current);
            current = LdapEntry{};
            inEntry = false;
            if (out.size() > maxEntries) {
                why = tr("The LDIF file has more than %1 entries.").arg(maxEntries);
                return false;
            }
        }
        return true;
    };
    for (const auto& [number, line] : lines) {
        if (line.isEmpty()) {
            if (!finish())
                return std::nullopt;
            continue;
        }
        if (line.startsWith('#'))
            continue;
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0) {
            why = tr("LDIF line %1: no \"name: value\".").arg(number);
            return std::nullopt;
        }
        const QByteArray name = line.left(colon).trimmed();
        QByteArray value;
        if (line.size() > colon + 1 && line[colon + 1] == ':') {
            const QByteArray b64 = line.mid(colon + 2).trimmed();
            const auto decoded = QByteArray::fromBase64Encoding(b64, QByteArray::AbortOnBase64DecodingErrors);
            if (!decoded) {
                why =
                    tr("LDIF line %1: the base64 value of %2 is not base64.").arg(number).arg(QString::fromUtf8(name));
                return std::nullopt;
            }
            value = *decoded;
        } else if (line.size() > colon + 1 && line[colon + 1] == '<') {
            why = tr("LDIF line %1: values read from URLs (%2:<) are not followed.")
                      .arg(number)
                      .arg(QString::fromUtf8(name));
            return std::nullopt;
        } else {
            value = line.mid(colon + 1);
            if (value.startsWith(' '))
                value = value.mid(1);
        }
        if (!inEntry) {
            if (name.compare("version", Qt::CaseInsensitive) == 0 && out.isEmpty())
                continue;
            if (name.compare("dn", Qt::CaseInsensitive) != 0) {
                why = tr("LDIF line %1: an entry starts with dn:, not %2:.").arg(number).arg(QString::fromUtf8(name));
                return std::nullopt;
            }
            current.dn = QString::fromUtf8(value);
            inEntry = true;
            continue;
        }
        if (name.compare("changetype", Qt::CaseInsensitive) == 0) {
            why = tr("LDIF line %1: change records are not an export; give content records.").arg(number);
            return std::nullopt;
        }
        // "attr;binary" and options: the attribute's base name.
        QString attr = QString::fromUtf8(name).toLower();
        if (const qsizetype semi = attr.indexOf(QLatin1Char(';')); semi > 0)
            attr.truncate(semi);
        current.attributes[attr] << value;
    }
    if (!finish())
        return std::nullopt;
    return out;
}

// ---- reading a live directory -----------------------------------------------------------------------------------

namespace {

const QStringList templateAttributes = {
    QStringLiteral("objectClass"),
    QStringLiteral("cn"),
    QStringLiteral("displayName"),
    QStringLiteral("revision"),
    QStringLiteral("flags"),
    QStringLiteral("msPKI-Cert-Template-OID"),
    QStringLiteral("msPKI-Template-Schema-Version"),
    QStringLiteral("msPKI-Template-Minor-Revision"),
    QStringLiteral("msPKI-Certificate-Name-Flag"),
    QStringLiteral("msPKI-Enrollment-Flag"),
    QStringLiteral("msPKI-Private-Key-Flag"),
    QStringLiteral("msPKI-RA-Signature"),
    QStringLiteral("msPKI-RA-Application-Policies"),
    QStringLiteral("msPKI-RA-Policies"),
    QStringLiteral("msPKI-Certificate-Application-Policy"),
    QStringLiteral("msPKI-Certificate-Policy"),
    QStringLiteral("msPKI-Minimal-Key-Size"),
    QStringLiteral("pKIExtendedKeyUsage"),
    QStringLiteral("pKIExpirationPeriod"),
    QStringLiteral("pKIOverlapPeriod"),
    QStringLiteral("pKIDefaultCSPs"),
    QStringLiteral("pKIKeyUsage"),
    QStringLiteral("nTSecurityDescriptor"),
};
const QStringList serviceAttributes = {QStringLiteral("objectClass"),   QStringLiteral("cn"),
                                       QStringLiteral("dNSHostName"),   QStringLiteral("certificateTemplates"),
                                       QStringLiteral("cACertificate"), QStringLiteral("cACertificateDN")};
const QStringList accountAttributes = {
    QStringLiteral("objectClass"),        QStringLiteral("sAMAccountName"),
    QStringLiteral("userPrincipalName"),  QStringLiteral("objectSid"),
    QStringLiteral("userAccountControl"), QStringLiteral("msDS-User-Account-Control-Computed"),
    QStringLiteral("lockoutTime"),        QStringLiteral("accountExpires"),
    QStringLiteral("pwdLastSet"),         QStringLiteral("servicePrincipalName"),
    QStringLiteral("memberOf"),
};

// (|(objectSid=\01\05…)(…)) for a batch of SIDs.
QString sidFilter(const QList<Sid>& sids) {
    QString f = QStringLiteral("(|");
    for (const Sid& s : sids)
        f += QStringLiteral("(objectSid=%1)").arg(LdapConnection::escapeFilterValue(s.toBinary(), true));
    return f + QLatin1Char(')');
}

} // namespace

std::optional<DirectoryData> readDirectory(LdapConnection& ldap, const DirectoryRequest& request, QString* error) {
    QString ignored;
    QString& why = error ? *error : ignored;
    const QString base = ldap.defaultNamingContext();
    const QString pki = QStringLiteral("CN=Public Key Services,CN=Services,") + ldap.configurationNamingContext();
    QList<LdapEntry> entries;
    constexpr int ownerGroupDacl = 0x7;

    auto domain = ldap.search(base, LdapConnection::Scope::Base, QStringLiteral("(objectClass=*)"),
                              {QStringLiteral("objectClass"), QStringLiteral("objectSid"), QStringLiteral("maxPwdAge"),
                               QStringLiteral("lockoutDuration")},
                              &why);
    if (!domain)
        return std::nullopt;
    entries << *domain;

    auto templates =
        request.templates
            ? ldap.search(QStringLiteral("CN=Certificate Templates,") + pki, LdapConnection::Scope::OneLevel,
                          QStringLiteral("(objectClass=pKICertificateTemplate)"), templateAttributes,
                          LdapConnection::SearchOptions{ownerGroupDacl, true}, &why)
            : std::optional<QList<LdapEntry>>(QList<LdapEntry>{});
    if (!templates)
        return std::nullopt;
    entries << *templates;

    auto services = ldap.search(QStringLiteral("CN=Enrollment Services,") + pki, LdapConnection::Scope::OneLevel,
                                QStringLiteral("(objectClass=pKIEnrollmentService)"), serviceAttributes, &why);
    if (!services)
        return std::nullopt;
    entries << *services;

    QList<LdapEntry> accounts;
    if (request.allAccounts) {
        auto all = ldap.search(base, LdapConnection::Scope::Subtree,
                               QStringLiteral("(&(objectClass=user)(objectCategory=person))"), accountAttributes, &why);
        if (!all)
            return std::nullopt;
        accounts << *all;
    }
    for (const QString& name : request.accounts) {
        const QString sam = stripAccountName(name);
        if (sam.isEmpty())
            continue;
        const QString filter = QStringLiteral("(&(objectClass=user)(|(sAMAccountName=%1)(sAMAccountName=%1$)))")
                                   .arg(LdapConnection::escapeFilterValue(sam.toUtf8()));
        auto found = ldap.search(base, LdapConnection::Scope::Subtree, filter, accountAttributes, &why);
        if (!found)
            return std::nullopt;
        for (LdapEntry& a : *found) {
            // tokenGroups is computed, and only on a base search of the account itself.
            auto groups = ldap.search(a.dn, LdapConnection::Scope::Base, QStringLiteral("(objectClass=*)"),
                                      {QStringLiteral("tokenGroups")}, LdapConnection::SearchOptions{0, false}, &why);
            if (!groups)
                return std::nullopt;
            if (!groups->isEmpty())
                a.attributes.insert(QStringLiteral("tokengroups"),
                                    groups->first().values(QStringLiteral("tokenGroups")));
            accounts << a;
        }
    }
    entries << accounts;

    if (request.resolveSids) {
        // Every SID named in a template's DACL or an account's groups, looked up in the domain (names for the report;
        // well-known ones are named without a lookup).
        QList<Sid> wanted;
        QSet<QByteArray> seen;
        const auto want = [&](const Sid& s) {
            if (s.isValid() && !seen.contains(s.toBinary())) {
                seen.insert(s.toBinary());
                wanted << s;
            }
        };
        for (const LdapEntry& t : *templates)
            if (auto sd = SecurityDescriptor::parse(t.value(QStringLiteral("nTSecurityDescriptor"))); sd) {
                if (sd->owner)
                    want(*sd->owner);
                if (sd->dacl)
                    for (const Ace& a : sd->dacl->aces)
                        want(a.sid);
            }
        for (const LdapEntry& a : accounts)
            for (const QByteArray& g : a.values(QStringLiteral("tokenGroups")))
                if (auto s = Sid::fromBinary(g); s)
                    want(*s);
        constexpr int batch = 100;
        for (qsizetype i = 0; i < wanted.size(); i += batch) {
            auto named = ldap.search(
                base, LdapConnection::Scope::Subtree, sidFilter(wanted.mid(i, batch)),
                {QStringLiteral("objectClass"), QStringLiteral("objectSid"), QStringLiteral("sAMAccountName")}, &why);
            if (!named)
                return std::nullopt;
            for (const LdapEntry& n : *named)
                if (!n.has(QStringLiteral("userAccountControl")))
                    entries << n;
        }
    }
    DirectoryData d =
        DirectoryData::fromEntries(std::move(entries), ldap.options().url.toString(), QDateTime::currentDateTimeUtc());
    for (const QString& name : request.accounts)
        if (!d.findAccount(name))
            d.problems << tr("The account %1 was not found in %2.").arg(name, base);
    return d;
}

} // namespace ndes::directory
