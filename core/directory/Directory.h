// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "directory/LdapConnection.h"
#include "directory/SecurityDescriptor.h"
#include "pki/Certificate.h"

#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace ndes::directory {

// Well-known OIDs and GUIDs the checks use.
namespace oids {
inline constexpr const char* clientAuth = "1.3.6.1.5.5.7.3.2";
inline constexpr const char* serverAuth = "1.3.6.1.5.5.7.3.1";
inline constexpr const char* pkinitClient = "1.3.6.1.5.2.3.4";
inline constexpr const char* smartCardLogon = "1.3.6.1.4.1.311.20.2.2";
inline constexpr const char* anyPurpose = "2.5.29.37.0";
inline constexpr const char* certificateRequestAgent = "1.3.6.1.4.1.311.20.2.1";
} // namespace oids
inline const QUuid enrollRight{0x0e10c968, 0x78fb, 0x11d2, 0x90, 0xd4, 0x00, 0xc0, 0x4f, 0x79, 0xdc, 0x55};
inline const QUuid autoEnrollRight{0xa05b8cc2, 0x17bc, 0x4802, 0xa7, 0x10, 0xe7, 0xc1, 0x5a, 0xb8, 0x66, 0xa2};

// Template flags (MS-CRTD 2.26-2.28).
namespace templateFlags {
inline constexpr quint32 enrolleeSuppliesSubject = 0x1; // msPKI-Certificate-Name-Flag
inline constexpr quint32 enrolleeSuppliesSubjectAltName = 0x10000;
inline constexpr quint32 pendAllRequests = 0x2; // msPKI-Enrollment-Flag: manager approval
inline constexpr quint32 publishToDs = 0x8;
inline constexpr quint32 noSecurityExtension = 0x80000;
inline constexpr quint32 exportableKey = 0x10; // msPKI-Private-Key-Flag
} // namespace templateFlags

// The names of the bits set in each flag attribute ("CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT"), unknown ones in hex.
[[nodiscard]] QStringList certificateNameFlagNames(quint32 flags);
[[nodiscard]] QStringList enrollmentFlagNames(quint32 flags);
[[nodiscard]] QStringList privateKeyFlagNames(quint32 flags);
// The name of an EKU / application policy OID ("Client Authentication"), the OID itself when unknown.
[[nodiscard]] QString ekuName(const QString& oid);

// What one principal may do on an object, from its DACL: each right with the ACEs that grant it.
struct EffectiveRights {
    Sid sid;
    QString name; // resolved or well-known; the SID's text when neither
    bool enroll = false;
    bool autoEnroll = false;
    QStringList writes; // "WriteDacl", "WriteOwner", "WriteProperty (all)", "GenericAll", …; empty: none
    QList<Ace> grantingAces;
    [[nodiscard]] bool canWrite() const { return !writes.isEmpty(); }
};

// The rights every principal has on an object with this DACL: ACEs that apply to the object itself, in order, the
// first that names a right for a principal deciding it (as Windows evaluates a DACL). No DACL at all means full
// control for everyone.
[[nodiscard]] QList<EffectiveRights> effectiveRights(const std::optional<SecurityDescriptor>& sd);

struct CertificateTemplate {
    QString dn;
    QString name; // cn: what the CA's certificateTemplates and NDES's registry name
    QString displayName;
    QString oid;
    int schemaVersion = 1;
    int majorRevision = 0;
    int minorRevision = 0;
    quint32 nameFlags = 0;
    quint32 enrollmentFlags = 0;
    quint32 privateKeyFlags = 0;
    int raSignatures = 0;
    QStringList ekus;                // pKIExtendedKeyUsage
    QStringList applicationPolicies; // msPKI-Certificate-Application-Policy
    QStringList raApplicationPolicies;
    QStringList issuancePolicies; // msPKI-Certificate-Policy
    std::optional<double> validityDays;
    std::optional<double> renewalDays;
    int minimumKeySize = 0;
    QStringList csps;
    std::optional<SecurityDescriptor> securityDescriptor;
    QString securityDescriptorProblem; // why there is none (not returned, or could not be parsed)
    QList<EffectiveRights> rights;

    [[nodiscard]] bool enrolleeSuppliesSubject() const { return nameFlags & templateFlags::enrolleeSuppliesSubject; }
    [[nodiscard]] bool managerApproval() const { return enrollmentFlags & templateFlags::pendAllRequests; }
    // The EKUs that count (application policies on schema 2+, else pKIExtendedKeyUsage); empty: any purpose.
    [[nodiscard]] QStringList effectiveEkus() const;
    [[nodiscard]] bool allowsAuthentication() const; // client auth, PKINIT, smart card logon, any purpose, or none
    [[nodiscard]] bool isEnrollmentAgent() const;    // Certificate Request Agent
    [[nodiscard]] QJsonObject toJson() const;

    [[nodiscard]] static CertificateTemplate fromEntry(const LdapEntry& e);
};

struct EnrollmentService {
    QString dn;
    QString name;     // the CA's name
    QString hostName; // dNSHostName
    QStringList templates;
    QList<pki::Certificate> caCertificates;
    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static EnrollmentService fromEntry(const LdapEntry& e);
};

struct DirectoryAccount {
    QString dn;
    QString samAccountName;
    QString userPrincipalName;
    Sid sid;
    bool gmsa = false;
    bool computer = false;
    quint32 userAccountControl = 0;
    std::optional<quint32> computedControl; // msDS-User-Account-Control-Computed
    bool enabled = true;
    bool locked = false;
    bool passwordNeverExpires = false;
    bool mustChangePassword = false; // pwdLastSet = 0
    std::optional<QDateTime> accountExpires;
    std::optional<QDateTime> passwordLastSet;
    std::optional<QDateTime> passwordExpires; // pwdLastSet + the domain's maxPwdAge; none when it never expires
    QStringList spns;
    QList<Sid> tokenGroups; // every group, nested ones included
    QStringList groupNames; // the same, named

    [[nodiscard]] bool passwordExpired(const QDateTime& now) const;
    [[nodiscard]] QJsonObject toJson() const;
};

struct DomainInfo {
    QString dn;
    QString dnsName;
    Sid sid;
    std::optional<qint64> maxPasswordAgeSeconds; // none: passwords never expire by domain policy
};

// What was read from Active Directory (live over LDAP, or from an LDIF export of the same objects): the domain, the
// certificate templates, the CAs' enrollment services, the accounts asked for, and the names of the SIDs seen.
class DirectoryData {
public:
    QString source; // ldaps://… or the LDIF file
    QDateTime readAt;
    DomainInfo domain;
    QList<CertificateTemplate> templates;
    QList<EnrollmentService> services;
    QList<DirectoryAccount> accounts;
    QHash<QString, QString> sidNames; // SID text -> DOMAIN\name
    QList<LdapEntry> entries;         // every entry as read, for the export
    QStringList problems;
    int referralsSkipped = 0; // continuation references (other partitions, domains) seen and not followed

    // Builds the model from entries, whatever their source. `now` only for nothing yet; kept pure.
    [[nodiscard]] static DirectoryData fromEntries(QList<LdapEntry> entries, QString source, QDateTime readAt);

    [[nodiscard]] QString nameOf(const Sid& sid) const;
    [[nodiscard]] const CertificateTemplate* findTemplate(const QString& name, Qt::CaseSensitivity cs) const;
    // By sAMAccountName, "DOMAIN\name", or user@domain; nullptr when not read.
    [[nodiscard]] const DirectoryAccount* findAccount(const QString& name) const;
    // Everyone, Authenticated Users, Domain Users, Domain Computers, BUILTIN\Users, Anonymous, Pre-Windows 2000:
    // groups that hold (nearly) every account.
    [[nodiscard]] static bool isBroadGroup(const Sid& sid);
    // Principals that own the forest anyway (this domain's admins, SYSTEM, domain controllers, Creator Owner), whose
    // rights on a template are no finding.
    [[nodiscard]] bool isPrivileged(const Sid& sid) const;

    [[nodiscard]] QJsonObject toJson() const;
    // The entries as LDIF (RFC 2849), binary values base64: what `ndesctl directory export` writes and the audit reads.
    [[nodiscard]] QByteArray toLdif() const;
};

// Reads an LDIF file (RFC 2849 content records: dn, attr: value, attr:: base64, folded lines, comments); `error`
// says where it is malformed. Bounded: at most `maxEntries` entries and the bytes given.
[[nodiscard]] std::optional<QList<LdapEntry>> parseLdif(QByteArrayView text, QString* error, int maxEntries = 200'000);

// What to read from a live directory.
struct DirectoryRequest {
    QStringList accounts;     // sAMAccountNames (DOMAIN\ prefixes and @realm suffixes are stripped)
    bool allAccounts = false; // every user and managed service account (the bench; `directory accounts`)
    bool resolveSids = true;  // names for the SIDs in the templates' ACLs and the accounts' groups
    bool templates = true;    // false: the domain, the enrollment services and the accounts only (the dashboard)
};

// Reads templates (with their security descriptors), enrollment services, the domain and the accounts asked for.
[[nodiscard]] std::optional<DirectoryData> readDirectory(LdapConnection& ldap, const DirectoryRequest& request,
                                                         QString* error);

} // namespace ndes::directory
