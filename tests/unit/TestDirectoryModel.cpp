// SPDX-License-Identifier: Apache-2.0
// The parts of core/directory that need no server: SIDs, the security-descriptor parser (on descriptors Samba wrote
// and on hostile bytes), effective rights with deny ACEs, the template flags and periods, accounts' password expiry,
// and LDIF in both directions.
#include "ScopedClock.h"
#include "TestPki.h"
#include "directory/Directory.h"
#include "directory/DirectoryHealth.h"
#include "directory/SecurityDescriptor.h"

#include <QRandomGenerator>
#include <QtEndian>
#include <QtTest>

using namespace ndes::directory;

namespace {

// The nTSecurityDescriptor Samba 4.17 returned for a template seeded with
// O:DAG:DAD:PAI(A;;RPLCLORC;;;AU)(A;;CCDCLCSWRPWPDTLOSDRCWDWO;;;DA)(A;;CCDCLCSWRPWPDTLOSDRCWDWO;;;EA)
// (A;;RPLCLORC;;;S-1-5-21-1000000001-1000000002-1000000003-1105)(OA;;CR;0e10c968-…;;…-1105), read with ldapsearch
// and the SD_FLAGS control (owner, group, DACL).
const char* const sambaDescriptorBase64 =
    "AQAElBQAAAAwAAAAAAAAAEwAAAABBQAAAAAABRUAAAAylYGnoAY6E2UpJEsAAgAAAQUAAAAAAAUVAAAAMpWBp6AGOhNlKSRLAAIAAAQAwAAFAAAAAA"
    "AUAJQAAgABAQAAAAAABQsAAAAAACQA/wAPAAEFAAAAAAAFFQAAADKVgaegBjoTZSkkSwACAAAAACQA/wAPAAEFAAAAAAAFFQAAADKVgaegBjoTZS"
    "kkSwcCAAAAACQAlAACAAEFAAAAAAAFFQAAAAHKmjsCypo7A8qaO1EEAAAFADgAAAEAAAEAAABoyRAO+3jSEZDUAMBPedxVAQUAAAAAAAUVAAAAAc"
    "qaOwLKmjsDypo7UQQAAA==";

QByteArray sidBytes(const QString& text) {
    return Sid::fromString(text)->toBinary();
}

// A self-relative descriptor with the given DACL ACEs (already encoded).
QByteArray descriptor(const QList<QByteArray>& aces, const QString& owner = QStringLiteral("S-1-5-32-544")) {
    QByteArray acl(8, '\0');
    for (const QByteArray& a : aces)
        acl += a;
    acl[0] = 4;
    qToLittleEndian<quint16>(quint16(acl.size()), acl.data() + 2);
    qToLittleEndian<quint16>(quint16(aces.size()), acl.data() + 4);
    QByteArray sd(20, '\0');
    sd[0] = 1;
    qToLittleEndian<quint16>(0x8004, sd.data() + 2); // self-relative, DACL present
    const QByteArray o = sidBytes(owner);
    qToLittleEndian<quint32>(20, sd.data() + 4);
    qToLittleEndian<quint32>(quint32(20 + o.size()), sd.data() + 16);
    return sd + o + acl;
}

QByteArray ace(quint8 type, quint8 flags, quint32 mask, const QString& sid, const QUuid* objectType = nullptr) {
    QByteArray a(4, '\0');
    a[0] = char(type);
    a[1] = char(flags);
    char m[4];
    qToLittleEndian(mask, m);
    a.append(m, 4);
    if (type == Ace::AccessAllowedObject || type == Ace::AccessDeniedObject) {
        char f[4];
        qToLittleEndian<quint32>(objectType ? 1 : 0, f);
        a.append(f, 4);
        if (objectType) {
            char g[16];
            qToLittleEndian<quint32>(objectType->data1, g);
            qToLittleEndian<quint16>(objectType->data2, g + 4);
            qToLittleEndian<quint16>(objectType->data3, g + 6);
            std::memcpy(g + 8, objectType->data4, 8);
            a.append(g, 16);
        }
    }
    a += sidBytes(sid);
    qToLittleEndian<quint16>(quint16(a.size()), a.data() + 2);
    return a;
}

const QString domain = QStringLiteral("S-1-5-21-1-2-3");

} // namespace

class TestDirectoryModel : public QObject {
    Q_OBJECT
private slots:
    // The dashboard's rows from AD: a CA certificate published there (not twice when NDES hands it out too), the
    // service account's password and account expiry, and what makes the account unusable now.
    void dashboardRows() {
        using ndes::service::ExpiryRole;
        using ndes::service::ExpiryStatus;
        const QDateTime now(QDate(2026, 12, 4), QTime(12, 0), Qt::UTC);
        const ndes::test::ScopedClock clock(now);
        const ndes::test::NdesLikePki pki = ndes::test::NdesLikePki::create();
        DirectoryData d;
        d.domain.dnsName = QStringLiteral("lab.test");
        EnrollmentService ca;
        ca.name = QStringLiteral("Lab CA");
        ca.caCertificates = {pki.root, pki.issuing};
        d.services << ca;
        DirectoryAccount svc;
        svc.dn = QStringLiteral("CN=svc-ndes,CN=Users,DC=lab,DC=test");
        svc.samAccountName = QStringLiteral("svc-ndes");
        svc.passwordLastSet = now.addDays(-40);
        svc.passwordExpires = now.addDays(2).addSecs(3600);
        svc.accountExpires = now.addDays(-1);
        svc.enabled = false;
        svc.locked = true;
        d.accounts << svc;
        DirectoryAccount gmsa;
        gmsa.dn = QStringLiteral("CN=gmsa-ndes,CN=Managed Service Accounts,DC=lab,DC=test");
        gmsa.samAccountName = QStringLiteral("gmsa-ndes$");
        gmsa.gmsa = true;
        d.accounts << gmsa;
        const ndes::service::ExpiryChecker checker;
        const DirectoryHealth h = directoryHealth(d, QStringLiteral("NDES 1"),
                                                  {QStringLiteral("LAB\\svc-ndes"), QStringLiteral("svc-ndes@lab.test"),
                                                   QStringLiteral("gmsa-ndes"), QStringLiteral("nobody")},
                                                  checker, now, {pki.issuing.toDer()});
        QCOMPARE(h.caCertificates, 2);
        QCOMPARE(h.accountsRead, 2); // svc-ndes once, however it is named
        QCOMPARE(h.missing, QStringList{QStringLiteral("nobody")});
        QCOMPARE(h.expiries.size(), 3); // the root (the issuing CA is NDES's own row), password, account
        QCOMPARE(h.expiries[0].role, ExpiryRole::DirectoryCa);
        QVERIFY(h.expiries[0].subject.contains(QStringLiteral("Lab CA")));
        QCOMPARE(h.expiries[0].notAfter, pki.root.notAfter());
        QCOMPARE(h.expiries[1].role, ExpiryRole::ServiceAccount);
        QCOMPARE(h.expiries[1].subject, QStringLiteral("LAB\\svc-ndes (password)"));
        QCOMPARE(h.expiries[1].daysLeft, 2);
        QCOMPARE(h.expiries[1].status, ExpiryStatus::Critical);
        QCOMPARE(h.expiries[2].subject, QStringLiteral("LAB\\svc-ndes (account)"));
        QCOMPARE(h.expiries[2].status, ExpiryStatus::Expired);
        QCOMPARE(h.unusable.size(), 2);
        QVERIFY(h.unusable[0].contains(QStringLiteral("disabled")));
        QVERIFY(h.unusable[1].contains(QStringLiteral("locked out")));
        // A password to be changed at next logon is unusable for a service; a gMSA's password never expires.
        d.accounts[0] = DirectoryAccount{};
        d.accounts[0].dn = svc.dn;
        d.accounts[0].samAccountName = svc.samAccountName;
        d.accounts[0].mustChangePassword = true;
        const DirectoryHealth again =
            directoryHealth(d, QStringLiteral("NDES 1"), {QStringLiteral("svc-ndes")}, checker, now);
        QCOMPARE(again.unusable.size(), 1);
        QVERIFY(again.unusable[0].contains(QStringLiteral("must change its password")));
        QCOMPARE(again.expiries.size(), 2); // both CA certificates now: none is NDES's own here
    }

    void sids() {
        const auto s = Sid::fromString(QStringLiteral("S-1-5-21-2810287410-322569888-1260661093-513"));
        QVERIFY(s);
        QCOMPARE(s->toString(), QStringLiteral("S-1-5-21-2810287410-322569888-1260661093-513"));
        QCOMPARE(s->rid(), 513U);
        QCOMPARE(s->domain().toString(), QStringLiteral("S-1-5-21-2810287410-322569888-1260661093"));
        QCOMPARE(Sid::fromBinary(s->toBinary())->toString(), s->toString());
        QCOMPARE(wellKnownSidName(*s), QStringLiteral("Domain Users"));
        QCOMPARE(wellKnownSidName(*Sid::fromString(QStringLiteral("S-1-5-11"))), QStringLiteral("Authenticated Users"));
        QCOMPARE(wellKnownSidName(*Sid::fromString(QStringLiteral("S-1-5-21-1-2-3-1105"))), QString());
        // A 48-bit authority prints in hex.
        QCOMPARE(Sid::fromString(QStringLiteral("S-1-0x123456789ABC-7"))->toString(),
                 QStringLiteral("S-1-0x123456789ABC-7"));
        for (const char* bad : {"", "S-1", "S-2-5-11", "X-1-5", "S-1-5-", "S-1-5-x",
                                "S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15-16", "S-1-5-99999999999"})
            QVERIFY2(!Sid::fromString(QString::fromLatin1(bad)), bad);
        QVERIFY(!Sid::fromBinary(QByteArray("\x01\x10", 2)));                        // too short
        QVERIFY(!Sid::fromBinary(QByteArray("\x01\x10\0\0\0\0\0\x05", 8)));          // 16 sub-authorities
        QVERIFY(!Sid::fromBinary(QByteArray("\x02\x00\0\0\0\0\0\x05", 8)));          // revision 2
        QVERIFY(!Sid::fromBinary(sidBytes(QStringLiteral("S-1-5-11")) + "x", true)); // bytes left over
    }

    // A descriptor Samba wrote: owner, group, the DACL's ACEs and their SDDL.
    void sambaDescriptor() {
        QString error;
        const auto sd = SecurityDescriptor::parse(QByteArray::fromBase64(sambaDescriptorBase64), &error);
        QVERIFY2(sd, qPrintable(error));
        QVERIFY(sd->owner && sd->group && sd->dacl);
        QVERIFY(!sd->sacl);
        QCOMPARE(sd->owner->rid(), 512U);
        QCOMPARE(sd->dacl->aces.size(), 5);
        const QString sddl = sd->toSddl();
        QVERIFY2(sddl.contains(QLatin1String("(A;;LCRPLORC;;;S-1-5-11)")), qPrintable(sddl));
        QVERIFY2(sddl.contains(QLatin1String("(OA;;CR;0e10c968-78fb-11d2-90d4-00c04f79dc55;;S-1-5-21-1000000001-"
                                             "1000000002-1000000003-1105)")),
                 qPrintable(sddl));
        QVERIFY2(sddl.contains(
                     QLatin1String("(A;;CCDCLCSWRPWPDTLOSDRCWDWO;;;S-1-5-21-2810287410-322569888-1260661093-512)")),
                 qPrintable(sddl));
        const QList<EffectiveRights> rights = effectiveRights(sd);
        QStringList enrollers;
        for (const EffectiveRights& r : rights)
            if (r.enroll)
                enrollers << r.sid.toString();
        QCOMPARE(enrollers, QStringList{QStringLiteral("S-1-5-21-1000000001-1000000002-1000000003-1105")});
    }

    // Every truncation and every single-byte change of a real descriptor: refused with a reason or parsed, never
    // a read outside the bytes (ASan watches).
    void hostileDescriptors() {
        const QByteArray good = QByteArray::fromBase64(sambaDescriptorBase64);
        int refused = 0;
        for (qsizetype n = 0; n < good.size(); ++n) {
            QString error;
            const QByteArray cut = good.left(n);
            if (!SecurityDescriptor::parse(cut, &error)) {
                QVERIFY(!error.isEmpty());
                ++refused;
            }
        }
        QVERIFY(refused > 0);
        QRandomGenerator rng(42);
        for (int i = 0; i < 5000; ++i) {
            QByteArray b = good;
            const int flips = 1 + int(rng.bounded(4));
            for (int f = 0; f < flips; ++f)
                b[int(rng.bounded(int(b.size())))] = char(rng.bounded(256));
            QString error;
            if (const auto sd = SecurityDescriptor::parse(b, &error); sd) {
                (void)sd->toSddl();
                (void)effectiveRights(sd);
            }
        }
        // Offsets and sizes that point anywhere.
        QByteArray liar = good;
        qToLittleEndian<quint32>(0xFFFFFFF0, liar.data() + 16);
        QString error;
        QVERIFY(!SecurityDescriptor::parse(liar, &error));
        QVERIFY2(error.contains(QLatin1String("outside")), qPrintable(error));
        liar = good;
        qToLittleEndian<quint32>(4, liar.data() + 16); // the DACL inside the header
        QVERIFY(!SecurityDescriptor::parse(liar, &error));
        QByteArray hugeCount =
            descriptor({ace(Ace::AccessAllowed, 0, rights::readProperty, QStringLiteral("S-1-5-11"))});
        qToLittleEndian<quint16>(0xFFFF, hugeCount.data() + 20 + 16 + 4); // ACE count, after the owner SID
        QVERIFY(!SecurityDescriptor::parse(hugeCount, &error));
        QVERIFY2(error.contains(QLatin1String("ACEs")), qPrintable(error));
        QVERIFY(!SecurityDescriptor::parse(QByteArray(19, '\x01'), &error));
        QVERIFY(!SecurityDescriptor::parse(QByteArray(), &error));
        // Not self-relative.
        QByteArray absolute = good;
        absolute[3] = 0;
        QVERIFY(!SecurityDescriptor::parse(absolute, &error));
    }

    // Rights: object ACEs for Enroll and AutoEnroll, extended rights without a GUID, full control, deny ACEs,
    // inherit-only ACEs, and no DACL at all.
    void effectiveRightsCases() {
        const QString users = domain + QStringLiteral("-513");
        const QString helpers = domain + QStringLiteral("-1200");
        const QString agent = domain + QStringLiteral("-1300");
        const QString svc = domain + QStringLiteral("-1105");
        const auto sd = SecurityDescriptor::parse(descriptor({
            ace(Ace::AccessDeniedObject, 0, rights::controlAccess, users, &enrollRight),
            ace(Ace::AccessAllowedObject, 0, rights::controlAccess, users, &enrollRight),
            ace(Ace::AccessAllowedObject, 0, rights::controlAccess, svc, &autoEnrollRight),
            ace(Ace::AccessAllowed, 0, rights::controlAccess | rights::readProperty, agent), // every extended right
            ace(Ace::AccessAllowed, Ace::InheritOnly, rights::fullControl, helpers),         // children only
            ace(Ace::AccessAllowed, 0, rights::writeOwner, helpers),
            ace(Ace::AccessAllowed, 0, rights::fullControl, QStringLiteral("S-1-5-32-544")),
        }));
        QVERIFY(sd);
        QHash<QString, EffectiveRights> by;
        for (const EffectiveRights& r : effectiveRights(sd))
            by.insert(r.sid.toString(), r);
        QVERIFY(!by.contains(users)); // denied Enroll, nothing else
        QVERIFY(by.value(svc).autoEnroll && !by.value(svc).enroll);
        QVERIFY(by.value(agent).enroll && by.value(agent).autoEnroll && !by.value(agent).canWrite());
        QCOMPARE(by.value(helpers).writes, QStringList{QStringLiteral("WriteOwner")});
        QVERIFY(by.value(QStringLiteral("S-1-5-32-544")).enroll);
        QVERIFY(by.value(QStringLiteral("S-1-5-32-544")).writes.contains(QStringLiteral("GenericAll")));
        QCOMPARE(by.value(agent).grantingAces.first().toSddl(), QStringLiteral("(A;;RPCR;;;%1)").arg(agent));

        // Order decides: an explicit allow before an inherited deny still grants (Windows stops at the first match);
        // a deny before the allow takes it away.
        const auto ordered = SecurityDescriptor::parse(descriptor({
            ace(Ace::AccessAllowedObject, 0, rights::controlAccess, users, &enrollRight),
            ace(Ace::AccessAllowed, 0, rights::writeDacl, users),
            ace(Ace::AccessDeniedObject, Ace::Inherited, rights::controlAccess, users, &enrollRight),
            ace(Ace::AccessDenied, Ace::Inherited, rights::writeDacl | rights::writeOwner, users),
            ace(Ace::AccessAllowed, Ace::Inherited, rights::writeOwner, users),
        }));
        QVERIFY(ordered);
        const QList<EffectiveRights> o = effectiveRights(ordered);
        QCOMPARE(o.size(), 1);
        QVERIFY(o.first().enroll);
        QCOMPARE(o.first().writes, QStringList{QStringLiteral("WriteDacl")});
        QCOMPARE(o.first().grantingAces.size(), 2);

        // No DACL: everyone may do everything.
        QByteArray nullDacl = descriptor({});
        qToLittleEndian<quint32>(0, nullDacl.data() + 16);
        const auto open = SecurityDescriptor::parse(nullDacl);
        QVERIFY(open && !open->dacl);
        const QList<EffectiveRights> everyone = effectiveRights(open);
        QCOMPARE(everyone.size(), 1);
        QCOMPARE(everyone.first().sid.toString(), QStringLiteral("S-1-1-0"));
        QVERIFY(everyone.first().enroll && everyone.first().canWrite());
        QVERIFY(DirectoryData::isBroadGroup(everyone.first().sid));
        QVERIFY(DirectoryData::isBroadGroup(*Sid::fromString(users)));
        QVERIFY(!DirectoryData::isBroadGroup(*Sid::fromString(svc)));
        DirectoryData dd;
        QVERIFY(dd.isPrivileged(*Sid::fromString(domain + QStringLiteral("-519"))));
        QVERIFY(!dd.isPrivileged(*Sid::fromString(helpers)));
        dd.domain.sid = *Sid::fromString(domain);
        QVERIFY(dd.isPrivileged(*Sid::fromString(domain + QStringLiteral("-512"))));
        QVERIFY(!dd.isPrivileged(*Sid::fromString(QStringLiteral("S-1-5-21-9-9-9-512")))); // another forest's admins
        QVERIFY(dd.isPrivileged(*Sid::fromString(QStringLiteral("S-1-5-21-9-9-9-519"))));  // the forest root's
    }

    void flagsAndTemplates() {
        QCOMPARE(certificateNameFlagNames(0x80000001),
                 (QStringList{QStringLiteral("CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT"),
                              QStringLiteral("CT_FLAG_SUBJECT_REQUIRE_DIRECTORY_PATH")}));
        QCOMPARE(enrollmentFlagNames(0x80008 | 0x100000),
                 (QStringList{QStringLiteral("CT_FLAG_PUBLISH_TO_DS"), QStringLiteral("CT_FLAG_NO_SECURITY_EXTENSION"),
                              QStringLiteral("0x00100000")}));
        QCOMPARE(privateKeyFlagNames(16842768),
                 (QStringList{QStringLiteral("CT_FLAG_EXPORTABLE_KEY"), QStringLiteral("server version 1"),
                              QStringLiteral("client version 1")}));
        LdapEntry e;
        e.dn =
            QStringLiteral("CN=V1,CN=Certificate Templates,CN=Public Key Services,CN=Services,CN=Configuration,DC=x");
        e.attributes[QStringLiteral("objectclass")] = {"top", "pKICertificateTemplate"};
        e.attributes[QStringLiteral("mspki-certificate-name-flag")] = {"-2147483647"}; // signed 0x80000001
        e.attributes[QStringLiteral("pkiexpirationperiod")] = {QByteArray::fromHex("004039872ee1feff")}; // 1 year
        e.attributes[QStringLiteral("pkioverlapperiod")] = {QByteArray("\x01\x02", 2)};                  // not 8 bytes
        e.attributes[QStringLiteral("ntsecuritydescriptor")] = {QByteArray("garbage")};
        const CertificateTemplate t = CertificateTemplate::fromEntry(e);
        QCOMPARE(t.name, QStringLiteral("V1"));
        QCOMPARE(t.schemaVersion, 1);
        QCOMPARE(t.nameFlags, 0x80000001U);
        QVERIFY(t.enrolleeSuppliesSubject());
        QVERIFY(t.validityDays && qAbs(*t.validityDays - 365.0) < 0.01);
        QVERIFY(!t.renewalDays);
        QVERIFY(t.allowsAuthentication()); // no EKU: any purpose
        QVERIFY(!t.securityDescriptor);
        QVERIFY(t.securityDescriptorProblem.contains(QLatin1String("could not be read")));
    }

    void accountsAndExpiry() {
        LdapEntry d;
        d.dn = QStringLiteral("DC=lab,DC=test");
        d.attributes[QStringLiteral("objectclass")] = {"domain", "domainDNS"};
        d.attributes[QStringLiteral("objectsid")] = {sidBytes(domain)};
        d.attributes[QStringLiteral("maxpwdage")] = {"-36288000000000"}; // 42 days
        LdapEntry u;
        u.dn = QStringLiteral("CN=svc,CN=Users,DC=lab,DC=test");
        u.attributes[QStringLiteral("objectclass")] = {"top", "person", "organizationalPerson", "user"};
        u.attributes[QStringLiteral("samaccountname")] = {"svc"};
        u.attributes[QStringLiteral("objectsid")] = {sidBytes(domain + QStringLiteral("-1105"))};
        u.attributes[QStringLiteral("useraccountcontrol")] = {"512"};
        // 2026-01-01T00:00:00Z as FILETIME
        const qint64 ft =
            (QDateTime(QDate(2026, 1, 1), QTime(0, 0), Qt::UTC).toSecsSinceEpoch() + 11644473600LL) * 10'000'000;
        u.attributes[QStringLiteral("pwdlastset")] = {QByteArray::number(ft)};
        u.attributes[QStringLiteral("accountexpires")] = {"9223372036854775807"};
        u.attributes[QStringLiteral("tokengroups")] = {sidBytes(domain + QStringLiteral("-513")),
                                                       sidBytes(domain + QStringLiteral("-512")), QByteArray("bad")};
        LdapEntry g;
        g.dn = QStringLiteral("CN=gmsa,CN=Managed Service Accounts,DC=lab,DC=test");
        g.attributes[QStringLiteral("objectclass")] = {"top", "user", "computer", "msDS-GroupManagedServiceAccount"};
        g.attributes[QStringLiteral("samaccountname")] = {"gmsa$"};
        g.attributes[QStringLiteral("objectsid")] = {sidBytes(domain + QStringLiteral("-1500"))};
        g.attributes[QStringLiteral("useraccountcontrol")] = {"4096"};
        g.attributes[QStringLiteral("pwdlastset")] = {"0"};
        const DirectoryData data = DirectoryData::fromEntries({d, u, g}, QStringLiteral("test"), {});
        QCOMPARE(data.accounts.size(), 2);
        const DirectoryAccount* a = data.findAccount(QStringLiteral("LAB\\svc"));
        QVERIFY(a);
        QCOMPARE(a->passwordExpires->toString(Qt::ISODate), QStringLiteral("2026-02-12T00:00:00Z"));
        QVERIFY(!a->accountExpires);
        QVERIFY(a->passwordExpired(QDateTime(QDate(2026, 3, 1), QTime(0, 0), Qt::UTC)));
        QVERIFY(!a->passwordExpired(QDateTime(QDate(2026, 2, 1), QTime(0, 0), Qt::UTC)));
        QCOMPARE(a->tokenGroups.size(), 2);
        QCOMPARE(a->groupNames, (QStringList{QStringLiteral("Domain Users"), QStringLiteral("Domain Admins")}));
        const DirectoryAccount* m = data.findAccount(QStringLiteral("gmsa@lab.test"));
        QVERIFY(m && m->gmsa && !m->computer);
        QVERIFY(!m->mustChangePassword && !m->passwordExpired(QDateTime::currentDateTimeUtc()));
    }

    // LDIF: what we write reads back the same, folded lines and base64 included; ldapsearch's own form reads; bad
    // input is refused with the line.
    void ldif() {
        LdapEntry e;
        e.dn = QStringLiteral("CN=Zoë Müller,CN=Users,DC=lab,DC=test");
        e.attributes[QStringLiteral("objectclass")] = {"top", "user"};
        e.attributes[QStringLiteral("description")] = {QByteArray(300, 'x'), " leading space", "ends with space "};
        e.attributes[QStringLiteral("objectsid")] = {sidBytes(domain + QStringLiteral("-1105"))};
        DirectoryData d =
            DirectoryData::fromEntries({e}, QStringLiteral("ldaps://dc"), QDateTime::currentDateTimeUtc());
        const QByteArray text = d.toLdif();
        for (const QByteArray& line : text.split('\n'))
            QVERIFY2(line.size() <= 76, line.constData());
        QString error;
        const auto back = parseLdif(text, &error);
        QVERIFY2(back, qPrintable(error));
        QCOMPARE(back->size(), 1);
        QCOMPARE(back->first().dn, e.dn);
        QCOMPARE(back->first().attributes, e.attributes);

        const QByteArray ldapsearch =
            "# extended LDIF\n#\ndn: CN=a,DC=x\nobjectClass: top\nmsPKI-Certificate-Name-F\n lag: 1\n"
            "nTSecurityDescriptor:: AQAEgA==\ncACertificate;binary:: AAE=\n\n# search result\n";
        const auto parsed = parseLdif(ldapsearch, &error);
        QVERIFY2(parsed, qPrintable(error));
        QCOMPARE(parsed->first().text(QStringLiteral("msPKI-Certificate-Name-Flag")), QStringLiteral("1"));
        QCOMPARE(parsed->first().value(QStringLiteral("cACertificate")), QByteArray("\x00\x01", 2));

        const struct {
            const char* text;
            const char* says;
        } bad[] = {
            {" continued\n", "continuation"},
            {"cn: x\n", "starts with dn"},
            {"dn: CN=a\nnocolon\n", "name: value"},
            {"dn: CN=a\ncn:: !!!\n", "base64"},
            {"dn: CN=a\njpegPhoto:< file:///etc/passwd\n", "not followed"},
            {"dn: CN=a\nchangetype: delete\n", "change records"},
        };
        for (const auto& b : bad) {
            QVERIFY2(!parseLdif(QByteArray(b.text), &error), b.text);
            QVERIFY2(error.contains(QLatin1String(b.says)), qPrintable(error));
        }
        QByteArray many;
        for (int i = 0; i < 11; ++i)
            many += "dn: CN=" + QByteArray::number(i) + "\n\n";
        QVERIFY(!parseLdif(many, &error, 10));
        QVERIFY(parseLdif(many, &error, 11));
    }
};

QTEST_GUILESS_MAIN(TestDirectoryModel)
#include "TestDirectoryModel.moc"
