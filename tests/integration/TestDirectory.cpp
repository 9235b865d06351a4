// SPDX-License-Identifier: Apache-2.0
// core/directory and `ndesctl directory` / `ndesctl audit --directory` against a real Active Directory: a Samba AD
// domain controller provisioned fresh on loopback, seeded with a safe NDES template, a risky one, a writable one, an
// RA-like template open to Authenticated Users, and a disabled service account. What we read is cross-checked with
// ldapsearch (an independent client); the audit must find exactly the risky objects, each with its evidence.
#include "SambaDc.h"
#include "SecretScan.h"
#include "TestPki.h"

#include "audit/WindowsText.h"
#include "directory/Directory.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QStringDecoder>
#include <QTemporaryDir>
#include <QtTest>

#include <arpa/inet.h>
#include <atomic>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using namespace ndes;
using namespace ndes::directory;

namespace {

const char* const enrollGuid = "0e10c968-78fb-11d2-90d4-00c04f79dc55";

QByteArray utf16Password(const QByteArray& password) {
    const QString quoted = QLatin1Char('"') + QString::fromLatin1(password) + QLatin1Char('"');
    return QByteArray(reinterpret_cast<const char*>(quoted.utf16()), quoted.size() * 2).toBase64();
}

QByteArray periodBase64(qint64 days) {
    const qint64 v = -days * 864'000'000'000LL;
    QByteArray b(8, '\0');
    qToLittleEndian(v, b.data());
    return b.toBase64();
}

// A template record; `extraAces` SDDL after the admins' defaults.
QByteArray templateLdif(const QByteArray& name, int schema, quint32 nameFlag, quint32 enrollmentFlag,
                        const QByteArray& eku, const QByteArray& extraAces) {
    QByteArray r = "dn: CN=" + name + "," + test::SambaDc::templatesDn().toLatin1() + "\n";
    r += "objectClass: pKICertificateTemplate\ncn: " + name + "\ndisplayName: " + name + "\nflags: 131680\n";
    r += "revision: 100\nmsPKI-Template-Schema-Version: " + QByteArray::number(schema) + "\n";
    r +=
        "msPKI-Template-Minor-Revision: 1\nmsPKI-Certificate-Name-Flag: " + QByteArray::number(qint32(nameFlag)) + "\n";
    r += "msPKI-Enrollment-Flag: " + QByteArray::number(enrollmentFlag) + "\nmsPKI-Private-Key-Flag: 16842752\n";
    r += "msPKI-RA-Signature: 0\nmsPKI-Minimal-Key-Size: 2048\n";
    r += "msPKI-Cert-Template-OID: 1.3.6.1.4.1.311.21.8.7.7.7." + QByteArray::number(qHash(name) % 100000) + "\n";
    r += "pKIExtendedKeyUsage: " + eku + "\n";
    if (schema >= 2)
        r += "msPKI-Certificate-Application-Policy: " + eku + "\n";
    r += "pKIExpirationPeriod:: " + periodBase64(365) + "\npKIOverlapPeriod:: " + periodBase64(42) + "\n";
    r += "pKIDefaultCSPs: 1,Microsoft RSA SChannel Cryptographic Provider\n";
    r += "nTSecurityDescriptor: O:DAG:DAD:PAI(A;;RPLCLORC;;;AU)(A;;CCDCLCSWRPWPDTLOSDRCWDWO;;;DA)"
         "(A;;CCDCLCSWRPWPDTLOSDRCWDWO;;;EA)" +
         extraAces + "\n\n";
    return r;
}

} // namespace

class TestDirectory : public QObject {
    Q_OBJECT

private:
    test::SambaDc m_dc;
    QByteArray m_svcPassword;
    QByteArray m_caDer;

    LdapOptions adminOptions() const {
        LdapOptions o;
        o.url = QUrl(test::SambaDc::url());
        o.caFile = m_dc.caFile();
        o.bindDn = test::SambaDc::adminDn();
        o.password = SecretBytes(m_dc.adminPassword());
        o.connectTimeoutMs = 5000;
        o.operationTimeoutMs = 15000;
        return o;
    }

    struct Run {
        int code = -1;
        QByteArray out;
        QByteArray err;
    };
    Run ndesctl(const QStringList& args, const QProcessEnvironment& extra = {}, const QString& cwd = {}) const {
        QProcess p;
        if (!cwd.isEmpty())
            p.setWorkingDirectory(cwd);
        QProcessEnvironment env = m_dc.environment();
        env.insert(QStringLiteral("NDES_TEST_BIND_PW"), QString::fromLatin1(m_dc.adminPassword()));
        for (const QString& k : extra.keys())
            env.insert(k, extra.value(k));
        p.setProcessEnvironment(env);
        p.start(qEnvironmentVariable("NDESCTL"), args);
        Run r;
        if (!p.waitForFinished(120000)) {
            p.kill();
            p.waitForFinished();
            return r;
        }
        r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        r.out = p.readAllStandardOutput();
        r.err = p.readAllStandardError();
        const QString leak =
            test::whereSecretsAre(r.out + r.err, {{QStringLiteral("the bind password"), m_dc.adminPassword()}},
                                  QStringLiteral("ndesctl output"));
        if (!leak.isEmpty())
            qFatal("%s", qPrintable(leak));
        return r;
    }
    QStringList bindArgs() const {
        return {QStringLiteral("--bind-dn"),         test::SambaDc::adminDn(),   QStringLiteral("--password-env"),
                QStringLiteral("NDES_TEST_BIND_PW"), QStringLiteral("--tls-ca"), m_dc.caFile()};
    }

    // A snapshot folder: the real MSCEP.reg of a Windows Server NDES install with its three template values
    // pointing at the seeded templates, and the real applicationHost.config.
    QString snapshotFolder(QTemporaryDir& dir) const {
        const QString data = qEnvironmentVariable("NDES_TEST_DATA");
        QFile reg(data + QStringLiteral("/ndes-manual-installation/MSCEP.reg"));
        if (!reg.open(QIODevice::ReadOnly))
            return {};
        auto decode = QStringDecoder(QStringDecoder::Utf16LE);
        QString text = decode(reg.readAll().mid(2));
        text.replace(QStringLiteral("\"SignatureTemplate\"=\"IPSECIntermediateOffline\""),
                     QStringLiteral("\"SignatureTemplate\"=\"NDES-Writable\""));
        text.replace(QStringLiteral("\"EncryptionTemplate\"=\"IPSECIntermediateOffline\""),
                     QStringLiteral("\"EncryptionTemplate\"=\"NDES-Safe\""));
        text.replace(QStringLiteral("\"GeneralPurposeTemplate\"=\"IPSECIntermediateOffline\""),
                     QStringLiteral("\"GeneralPurposeTemplate\"=\"NDES-Risky\""));
        QFile out(dir.filePath(QStringLiteral("MSCEP.reg")));
        out.open(QIODevice::WriteOnly);
        out.write(audit::encodeWindowsText(text));
        out.close();
        QFile::copy(data + QStringLiteral("/ndes-manual-installation/ws2019/applicationHost.config"),
                    dir.filePath(QStringLiteral("applicationHost.config")));
        return dir.path();
    }

    // The (id, detail) of every finding from the directory checks.
    static QSet<QString> directoryFindings(const QJsonObject& report) {
        static const QRegularExpression ids(QStringLiteral("^(template-|ra-template-|svc-(unusable|password-expiry|"
                                                           "privileged|no-spn|not-gmsa))"));
        QSet<QString> out;
        for (const QJsonValue& v : report.value(QStringLiteral("findings")).toArray()) {
            const QJsonObject f = v.toObject();
            const QString id = f.value(QStringLiteral("id")).toString();
            if (ids.match(id).hasMatch() && id != QLatin1String("templates-default"))
                out << id + QStringLiteral(": ") + f.value(QStringLiteral("detail")).toString();
        }
        return out;
    }

private slots:
    void initTestCase() {
        m_svcPassword = "Svc-" + QByteArray::number(QRandomGenerator::system()->generate64(), 36) + "-7aA!";
        const test::NdesLikePki pki = test::NdesLikePki::create();
        m_caDer = pki.root.toDer();
        const QByteArray enroll = QByteArray("(OA;;CR;") + enrollGuid + ";;";
        QByteArray seed;
        seed += "dn: CN=PKI-Helpers,CN=Users,DC=lab,DC=test\nobjectClass: group\nsAMAccountName: PKI-Helpers\n\n";
        seed += "dn: CN=svc-ndes,CN=Users,DC=lab,DC=test\nobjectClass: user\nsAMAccountName: svc-ndes\n"
                "userPrincipalName: svc-ndes@lab.test\nservicePrincipalName: HTTP/ndes1.lab.test\n"
                "unicodePwd:: " +
                utf16Password(m_svcPassword) + "\nuserAccountControl: 514\n\n";
        seed += "dn: CN=svc-old,CN=Users,DC=lab,DC=test\nobjectClass: user\nsAMAccountName: svc-old\n"
                "unicodePwd:: " +
                utf16Password(m_svcPassword) + "\nuserAccountControl: 512\n\n";
        // Kerberos to LDAP at 127.0.0.1 asks for ldap/127.0.0.1: the DC's account carries that name too.
        seed += "dn: CN=DC1,OU=Domain Controllers,DC=lab,DC=test\nchangetype: modify\nadd: servicePrincipalName\n"
                "servicePrincipalName: ldap/127.0.0.1\n-\n\n";
        seed += templateLdif("NDES-Safe", 2, 0x1, 0, "1.3.6.1.5.5.7.3.2", enroll + "@SID:svc-ndes@)");
        seed += templateLdif("NDES-Risky", 2, 0x1, 0, "1.3.6.1.5.5.7.3.2", enroll + "DU)");
        seed += templateLdif("NDES-Writable", 2, 0x40000000, 0, "1.3.6.1.5.5.7.3.2",
                             enroll + "@SID:svc-ndes@)(A;;WPWD;;;@SID:PKI-Helpers@)");
        seed += templateLdif("RA-Agent", 2, 0x40000000, 0, "1.3.6.1.4.1.311.20.2.1", enroll + "AU)");
        seed += "dn: CN=Lab CA," + test::SambaDc::servicesDn().toLatin1() +
                "\nobjectClass: pKIEnrollmentService\ncn: Lab CA\ndNSHostName: ca1.lab.test\n"
                "certificateTemplates: NDES-Safe\ncertificateTemplates: ndes-risky\n"
                "certificateTemplates: RA-Agent\ncACertificate:: " +
                m_caDer.toBase64() + "\n\n";
        QString error;
        QVERIFY2(m_dc.start(seed, &error), qPrintable(error));
    }

    void cleanupTestCase() { m_dc.stop(); }

    // Templates, their flags and who may do what; the CA's published list; the accounts' state.
    void readsWhatAdHolds() {
        QString error;
        const auto ldap = LdapConnection::open(adminOptions(), &error);
        QVERIFY2(ldap, qPrintable(error));
        QCOMPARE(ldap->defaultNamingContext(), test::SambaDc::baseDn());
        qInfo("Who am I: %s", qPrintable(ldap->whoAmI().isEmpty() ? QStringLiteral("(not answered)") : ldap->whoAmI()));
        DirectoryRequest request;
        request.accounts = {QStringLiteral("LAB\\svc-ndes"), QStringLiteral("svc-old")};
        const auto d = readDirectory(*ldap, request, &error);
        QVERIFY2(d, qPrintable(error));
        QCOMPARE(d->templates.size(), 4);
        QCOMPARE(d->domain.sid.toString(), test::SambaDc::domainSid());
        QVERIFY(d->domain.maxPasswordAgeSeconds);
        QCOMPARE(*d->domain.maxPasswordAgeSeconds, 42LL * 86400); // Samba's default

        const CertificateTemplate* safe = d->findTemplate(QStringLiteral("NDES-Safe"), Qt::CaseSensitive);
        QVERIFY(safe);
        QVERIFY2(safe->securityDescriptor, qPrintable(safe->securityDescriptorProblem));
        QCOMPARE(safe->schemaVersion, 2);
        QVERIFY(safe->enrolleeSuppliesSubject());
        QCOMPARE(certificateNameFlagNames(safe->nameFlags),
                 QStringList{QStringLiteral("CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT")});
        QCOMPARE(safe->effectiveEkus(), QStringList{QStringLiteral("1.3.6.1.5.5.7.3.2")});
        QVERIFY(safe->validityDays && qFuzzyCompare(*safe->validityDays, 365.0));
        QVERIFY(safe->renewalDays && qFuzzyCompare(*safe->renewalDays, 42.0));
        QCOMPARE(safe->minimumKeySize, 2048);
        const DirectoryAccount* svc = d->findAccount(QStringLiteral("svc-ndes"));
        QVERIFY(svc);
        QStringList enrollers, writers;
        for (const EffectiveRights& r : safe->rights) {
            if (r.enroll)
                enrollers << r.name;
            if (r.canWrite() && !d->isPrivileged(r.sid))
                writers << r.name;
        }
        enrollers.sort();
        // Enroll: the service account only (the admins' ACEs hold every right but the extended ones).
        QCOMPARE(enrollers, QStringList{QStringLiteral("LAB\\svc-ndes")});
        QVERIFY2(writers.isEmpty(), qPrintable(writers.join(QLatin1Char(','))));

        const CertificateTemplate* risky = d->findTemplate(QStringLiteral("NDES-Risky"), Qt::CaseSensitive);
        QVERIFY(risky);
        bool domainUsersEnroll = false;
        for (const EffectiveRights& r : risky->rights)
            if (r.enroll && r.sid.toString() == test::SambaDc::domainSid() + QStringLiteral("-513")) {
                domainUsersEnroll = true;
                QCOMPARE(r.name, QStringLiteral("LAB\\Domain Users"));
                QCOMPARE(r.grantingAces.size(), 1);
                QVERIFY(r.grantingAces.first().objectType);
                QCOMPARE(r.grantingAces.first().objectType->toString(QUuid::WithoutBraces), QLatin1String(enrollGuid));
            }
        QVERIFY(domainUsersEnroll);

        const CertificateTemplate* writable = d->findTemplate(QStringLiteral("NDES-Writable"), Qt::CaseSensitive);
        QVERIFY(writable);
        QStringList helperRights;
        for (const EffectiveRights& r : writable->rights)
            if (r.name == QLatin1String("LAB\\PKI-Helpers"))
                helperRights = r.writes;
        QCOMPARE(helperRights, (QStringList{QStringLiteral("WriteDacl"), QStringLiteral("WriteProperty (all)")}));
        QVERIFY(d->findTemplate(QStringLiteral("RA-Agent"), Qt::CaseSensitive)->isEnrollmentAgent());

        QCOMPARE(d->services.size(), 1);
        QCOMPARE(d->services[0].name, QStringLiteral("Lab CA"));
        QCOMPARE(d->services[0].hostName, QStringLiteral("ca1.lab.test"));
        QCOMPARE(d->services[0].templates,
                 (QStringList{QStringLiteral("NDES-Safe"), QStringLiteral("ndes-risky"), QStringLiteral("RA-Agent")}));
        QCOMPARE(d->services[0].caCertificates.size(), 1);
        QCOMPARE(d->services[0].caCertificates[0].toDer(), m_caDer);

        QVERIFY(!svc->enabled); // the disabled service account the issue asks for
        QVERIFY(!svc->locked);
        QCOMPARE(svc->spns, QStringList{QStringLiteral("HTTP/ndes1.lab.test")});
        QVERIFY(svc->passwordLastSet && svc->passwordExpires);
        QCOMPARE(svc->passwordLastSet->secsTo(*svc->passwordExpires), 42LL * 86400);
        QVERIFY(svc->groupNames.contains(QStringLiteral("LAB\\Domain Users")));
        const DirectoryAccount* old = d->findAccount(QStringLiteral("svc-old"));
        QVERIFY(old);
        QVERIFY(old->enabled);
        QVERIFY(!old->gmsa);
        QVERIFY(old->spns.isEmpty());

        // The same bytes as an independent client reads: ldapsearch with the SD_FLAGS control (owner, group, DACL).
        const QByteArray ldif =
            m_dc.ldapsearch({QStringLiteral("-b"), risky->dn, QStringLiteral("-s"), QStringLiteral("base"),
                             QStringLiteral("-E"), QStringLiteral("!1.2.840.113556.1.4.801=::MAMCAQc="),
                             QStringLiteral("nTSecurityDescriptor"), QStringLiteral("msPKI-Certificate-Name-Flag")},
                            &error);
        QVERIFY2(!ldif.isEmpty(), qPrintable(error));
        const auto entries = parseLdif(ldif, &error);
        QVERIFY2(entries && entries->size() == 1, qPrintable(error));
        QCOMPARE(entries->first().value(QStringLiteral("nTSecurityDescriptor")), risky->securityDescriptor ? [&] {
            for (const LdapEntry& e : d->entries)
                if (e.dn == risky->dn)
                    return e.value(QStringLiteral("nTSecurityDescriptor"));
            return QByteArray();
        }() : QByteArray());
        QCOMPARE(entries->first().text(QStringLiteral("msPKI-Certificate-Name-Flag")), QStringLiteral("1"));
        const QByteArray account =
            m_dc.ldapsearch({QStringLiteral("-b"), test::SambaDc::baseDn(), QStringLiteral("(sAMAccountName=svc-ndes)"),
                             QStringLiteral("pwdLastSet"), QStringLiteral("userAccountControl")},
                            &error);
        const auto accountEntries = parseLdif(account, &error);
        QVERIFY2(accountEntries && !accountEntries->isEmpty(), qPrintable(error));
        const qint64 pwdLastSet = accountEntries->first().integer(QStringLiteral("pwdLastSet")).value_or(0);
        QCOMPARE(svc->passwordLastSet->toSecsSinceEpoch(), pwdLastSet / 10'000'000 - 11644473600LL);
        // A subtree search from the domain root meets Samba's referral to ldaps://lab.test: skipped, never followed.
        QVERIFY(ldap->referralsSkipped() > 0);
    }

    // The audit finds exactly the risky objects, each with its evidence; the same from an LDIF export.
    void auditFindsTheRiskyObjects() {
        QTemporaryDir dir;
        const QString folder = snapshotFolder(dir);
        QVERIFY(!folder.isEmpty());
        // 60 days on: svc-ndes's password (42 days) has expired by then.
        const QString at = QDateTime::currentDateTimeUtc().addDays(60).toString(Qt::ISODate);
        QStringList args{QStringLiteral("audit"),         QStringLiteral("--in"), folder, QStringLiteral("--account"),
                         QStringLiteral("LAB\\svc-ndes"), QStringLiteral("--at"), at,     QStringLiteral("--json"),
                         QStringLiteral("--directory"),   test::SambaDc::url()};
        args << bindArgs();
        const Run live = ndesctl(args);
        QVERIFY2(live.code == 2, live.err.constData());
        const QJsonObject report = QJsonDocument::fromJson(live.out).object();
        QCOMPARE(report.value(QStringLiteral("snapshot")).toObject().value(QStringLiteral("directory")).toString(),
                 test::SambaDc::url());
        const QSet<QString> found = directoryFindings(report);
        const QSet<QString> expected{
            QStringLiteral("template-esc1: NDES-Risky (GeneralPurposeTemplate): the enrollee supplies the subject, it "
                           "allows authentication, needs no approval and no RA signature, and LAB\\Domain Users may "
                           "enroll: they can request a certificate as any user."),
            QStringLiteral(
                "template-otp-leak: LAB\\Domain Users has Enroll on NDES-Risky (GeneralPurposeTemplate): any "
                "of its members can open mscep_admin and take one-time passwords."),
            QStringLiteral("template-writable: LAB\\PKI-Helpers may change NDES-Writable, the NDES template "
                           "(SignatureTemplate): WriteDacl, WriteProperty (all)."),
            QStringLiteral("ra-template-esc3: RA-Agent issues Certificate Request Agent certificates without approval, "
                           "and Authenticated Users may enroll."),
            QStringLiteral(
                "template-not-published: NDES-Risky (GeneralPurposeTemplate) is published only as ndes-risky "
                "(Lab CA): the case differs, and NDES fails with event 31 (0x80094800)."),
            QStringLiteral("template-not-published: NDES-Writable (SignatureTemplate) is not published by Lab CA."),
            QStringLiteral("svc-unusable: svc-ndes is disabled."),
            QStringLiteral("svc-unusable: The password of svc-ndes expired on %1.").arg([&] {
                QString e;
                const QByteArray l =
                    m_dc.ldapsearch({QStringLiteral("-b"), test::SambaDc::baseDn(),
                                     QStringLiteral("(sAMAccountName=svc-ndes)"), QStringLiteral("pwdLastSet")},
                                    &e);
                const auto x = parseLdif(l, &e);
                const qint64 ft = x && !x->isEmpty() ? x->first().integer(QStringLiteral("pwdLastSet")).value_or(0) : 0;
                return QDateTime::fromSecsSinceEpoch(ft / 10'000'000 - 11644473600LL + 42LL * 86400, Qt::UTC)
                    .toString(Qt::ISODate);
            }()),
            QStringLiteral("svc-not-gmsa: svc-ndes is a user account, not a group managed service account."),
        };
        if (found != expected) {
            qWarning() << "found but not expected:" << (found - expected);
            qWarning() << "expected but not found:" << (expected - found);
        }
        QCOMPARE(found, expected);
        // Evidence: the flag and the ACE of ESC1, as an auditor can compare with dsacls.
        for (const QJsonValue& v : report.value(QStringLiteral("findings")).toArray()) {
            const QJsonObject f = v.toObject();
            if (f.value(QStringLiteral("id")).toString() != QLatin1String("template-esc1"))
                continue;
            const QByteArray evidence = QJsonDocument(f.value(QStringLiteral("evidence")).toArray()).toJson();
            QVERIFY2(evidence.contains("CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT"), evidence.constData());
            QVERIFY2(evidence.contains(QStringLiteral("(OA;;CR;%1;;%2-513)")
                                           .arg(QLatin1String(enrollGuid), test::SambaDc::domainSid())
                                           .toUtf8()),
                     evidence.constData());
            QVERIFY2(evidence.contains("Client Authentication (1.3.6.1.5.5.7.3.2)"), evidence.constData());
        }
        // The passed list names the directory checks that ran and found nothing.
        const QJsonArray passed = report.value(QStringLiteral("passed")).toArray();
        for (const char* id : {"template-eku", "template-schema-v1-subject", "template-no-security-ext",
                               "template-publish-to-ad", "svc-privileged", "svc-password-expiry", "svc-no-spn"})
            QVERIFY2(passed.contains(QLatin1String(id)), id);

        // An auditor without LDAP access: the same objects exported as LDIF give the same findings.
        QTemporaryDir out;
        const QString ldif = out.filePath(QStringLiteral("ad.ldif"));
        QStringList exportArgs{QStringLiteral("directory"), QStringLiteral("export"),       QStringLiteral("--url"),
                               test::SambaDc::url(),        QStringLiteral("--out"),        ldif,
                               QStringLiteral("--account"), QStringLiteral("LAB\\svc-ndes")};
        exportArgs << bindArgs();
        const Run exported = ndesctl(exportArgs);
        QVERIFY2(exported.code == 0, exported.err.constData());
        const Run offline =
            ndesctl({QStringLiteral("audit"), QStringLiteral("--in"), folder, QStringLiteral("--account"),
                     QStringLiteral("LAB\\svc-ndes"), QStringLiteral("--at"), at, QStringLiteral("--json"),
                     QStringLiteral("--directory-ldif"), ldif});
        QVERIFY2(offline.code == 2, offline.err.constData());
        QCOMPARE(directoryFindings(QJsonDocument::fromJson(offline.out).object()), expected);
    }

    void ndesctlDirectory() {
        QStringList args{QStringLiteral("directory"),  QStringLiteral("who-can-enroll"),
                         QStringLiteral("NDES-Risky"), QStringLiteral("--url"),
                         test::SambaDc::url(),         QStringLiteral("--json")};
        args << bindArgs();
        Run r = ndesctl(args);
        QVERIFY2(r.code == 0, r.err.constData());
        const QJsonArray principals =
            QJsonDocument::fromJson(r.out).object().value(QStringLiteral("principals")).toArray();
        QStringList broad;
        for (const QJsonValue& v : principals)
            if (v.toObject().value(QStringLiteral("broad")).toBool())
                broad << v.toObject().value(QStringLiteral("name")).toString();
        QCOMPARE(broad, QStringList{QStringLiteral("LAB\\Domain Users")});

        args = QStringList{QStringLiteral("directory"), QStringLiteral("account"), QStringLiteral("svc-ndes"),
                           QStringLiteral("--url"), test::SambaDc::url()};
        args << bindArgs();
        r = ndesctl(args);
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY2(r.out.contains("enabled: no"), r.out.constData());

        args = QStringList{QStringLiteral("directory"), QStringLiteral("account"), QStringLiteral("nobody-here"),
                           QStringLiteral("--url"), test::SambaDc::url()};
        args << bindArgs();
        r = ndesctl(args);
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("No account nobody-here"), r.err.constData());

        args = QStringList{QStringLiteral("directory"), QStringLiteral("services"), QStringLiteral("--url"),
                           test::SambaDc::url()};
        args << bindArgs();
        r = ndesctl(args);
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY2(r.out.contains("publishes: NDES-Safe, ndes-risky, RA-Agent"), r.out.constData());
    }

    // StartTLS on ldap://; a wrong password, no trusted CA, a name the certificate does not carry: each a clear error.
    void tlsAndBindFailures() {
        QString error;
        LdapOptions o = adminOptions();
        o.url = QUrl(QStringLiteral("ldap://127.0.0.1"));
        auto ldap = LdapConnection::open(o, &error);
        QVERIFY2(ldap, qPrintable(error));

        o = adminOptions();
        o.password = SecretBytes(QByteArray("wrong-password"));
        QVERIFY(!LdapConnection::open(o, &error));
        QVERIFY2(error.contains(QLatin1String("refused the credentials")), qPrintable(error));

        o = adminOptions();
        o.caFile.clear(); // the system's CAs do not know this DC's CA
        QVERIFY(!LdapConnection::open(o, &error));
        QVERIFY2(error.contains(QLatin1String("TLS")) && error.contains(QLatin1String("--tls-ca")), qPrintable(error));

        o = adminOptions();
        o.url = QUrl(QStringLiteral("ldaps://localhost")); // the certificate names 127.0.0.1 and dc1.lab.test only
        QVERIFY(!LdapConnection::open(o, &error));
        QVERIFY2(error.contains(QLatin1String("TLS handshake failed")), qPrintable(error));

        o = adminOptions();
        o.password = SecretBytes();
        QVERIFY(!LdapConnection::open(o, &error));
        QVERIFY2(error.contains(QLatin1String("anonymous")), qPrintable(error));

        o = adminOptions();
        o.url = QUrl(QStringLiteral("http://127.0.0.1"));
        QVERIFY(!LdapConnection::open(o, &error));
        QVERIFY2(error.contains(QLatin1String("ldaps://")), qPrintable(error));
    }

    // libldap's own configuration (ldap.conf, ~/.ldaprc, ./ldaprc, LDAPTLS_*) cannot widen what is trusted: a fresh
    // ndesctl, with the DC's CA offered through every one of them and certificate checks switched off there, still
    // refuses a DC the system's CAs do not know.
    void libldapConfigurationIgnored() {
        QTemporaryDir cwd;
        QFile rc(cwd.filePath(QStringLiteral("ldaprc")));
        QVERIFY(rc.open(QIODevice::WriteOnly));
        rc.write("TLS_REQCERT never\nTLS_CACERT " + m_dc.caFile().toUtf8() + "\n");
        rc.close();
        QFile::copy(rc.fileName(), cwd.filePath(QStringLiteral(".ldaprc")));
        QProcessEnvironment extra;
        extra.insert(QStringLiteral("LDAPTLS_CACERT"), m_dc.caFile());
        extra.insert(QStringLiteral("LDAPTLS_CACERTDIR"), QFileInfo(m_dc.caFile()).absolutePath());
        extra.insert(QStringLiteral("LDAPTLS_REQCERT"), QStringLiteral("never"));
        extra.insert(QStringLiteral("LDAPRC"), rc.fileName());
        extra.insert(QStringLiteral("HOME"), cwd.path());
        const Run r = ndesctl({QStringLiteral("directory"), QStringLiteral("templates"), QStringLiteral("--url"),
                               test::SambaDc::url(), QStringLiteral("--bind-dn"), test::SambaDc::adminDn(),
                               QStringLiteral("--password-env"), QStringLiteral("NDES_TEST_BIND_PW")},
                              extra, cwd.path());
        QCOMPARE(r.code, 3);
        QVERIFY2(r.err.contains("TLS handshake failed"), r.err.constData());
    }

    // A bound on what one search may return; a search outside the naming contexts; both clear errors.
    void boundsAndReferrals() {
        QString error;
        LdapOptions o = adminOptions();
        o.maxEntries = 2;
        auto ldap = LdapConnection::open(o, &error);
        QVERIFY2(ldap, qPrintable(error));
        QVERIFY(!readDirectory(*ldap, {}, &error));
        QVERIFY2(error.contains(QLatin1String("more than 2 entries")), qPrintable(error));

        ldap = LdapConnection::open(adminOptions(), &error);
        QVERIFY2(ldap, qPrintable(error));
        QElapsedTimer t;
        t.start();
        QVERIFY(!ldap->search(QStringLiteral("DC=elsewhere,DC=example"), LdapConnection::Scope::Subtree,
                              QStringLiteral("(objectClass=*)"), {}, &error));
        QVERIFY2(!error.isEmpty(), "no reason given");
        QVERIFY(t.elapsed() < 10000);
        // Paging: 4 templates in pages of 1 come back whole.
        o = adminOptions();
        o.pageSize = 1;
        ldap = LdapConnection::open(o, &error);
        QVERIFY2(ldap, qPrintable(error));
        const auto paged =
            ldap->search(test::SambaDc::templatesDn(), LdapConnection::Scope::OneLevel,
                         QStringLiteral("(objectClass=pKICertificateTemplate)"), {QStringLiteral("cn")}, &error);
        QVERIFY2(paged, qPrintable(error));
        QCOMPARE(paged->size(), 4);
    }

    // Servers that are not what they claim: silent after accepting, garbage, closing at once.
    void hostileServers_data() {
        QTest::addColumn<int>("mode");
        QTest::newRow("never answers") << 0;
        QTest::newRow("garbage") << 1;
        QTest::newRow("closes at once") << 2;
    }
    void hostileServers() {
        QFETCH(int, mode);
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        QVERIFY(fd >= 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = 0;
        QVERIFY(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
        QVERIFY(::listen(fd, 4) == 0);
        socklen_t len = sizeof addr;
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
        const int port = ntohs(addr.sin_port);
        std::atomic<bool> stop{false};
        std::thread server([fd, mode, &stop] {
            QList<int> clients;
            while (!stop) {
                timeval tv{0, 100000};
                fd_set set;
                FD_ZERO(&set);
                FD_SET(fd, &set);
                if (::select(fd + 1, &set, nullptr, nullptr, &tv) <= 0)
                    continue;
                const int c = ::accept(fd, nullptr, nullptr);
                if (c < 0)
                    continue;
                if (mode == 1) {
                    QByteArray junk(4096, '\0');
                    for (char& ch : junk)
                        ch = char(QRandomGenerator::global()->bounded(256));
                    (void)::write(c, junk.constData(), size_t(junk.size()));
                }
                if (mode == 2)
                    ::close(c);
                else
                    clients << c;
            }
            for (int c : clients)
                ::close(c);
        });
        for (const char* scheme : {"ldaps", "ldap"}) {
            LdapOptions o = adminOptions();
            o.url = QUrl(QStringLiteral("%1://127.0.0.1:%2").arg(QLatin1String(scheme)).arg(port));
            o.connectTimeoutMs = 2000;
            o.operationTimeoutMs = 3000;
            QString error;
            QElapsedTimer t;
            t.start();
            QVERIFY(!LdapConnection::open(o, &error));
            QVERIFY2(t.elapsed() < 9000, qPrintable(QStringLiteral("%1 ms").arg(t.elapsed())));
            QVERIFY2(error.contains(QLatin1String("127.0.0.1")), qPrintable(error));
            qInfo("%s, %s: %s (%lld ms)", QTest::currentDataTag(), scheme, qPrintable(error), t.elapsed());
        }
        stop = true;
        server.join();
        ::close(fd);
    }

    // Kerberos: a ticket from the Samba KDC, SASL GSSAPI over LDAPS, no password given to the program.
    void kerberosBind() {
        QString error;
        const auto kinit = m_dc.run(QStringLiteral("kinit"), {QStringLiteral("Administrator@LAB.TEST")},
                                    m_dc.adminPassword() + '\n', &error);
        QVERIFY2(kinit, qPrintable(error));
        const Run r = ndesctl({QStringLiteral("directory"), QStringLiteral("templates"), QStringLiteral("--url"),
                               test::SambaDc::url(), QStringLiteral("--kerberos"), QStringLiteral("--tls-ca"),
                               m_dc.caFile(), QStringLiteral("--json")});
        QVERIFY2(r.code == 0, r.err.constData());
        QCOMPARE(QJsonDocument::fromJson(r.out).object().value(QStringLiteral("templates")).toArray().size(), 4);
        QVERIFY2(r.err.isEmpty() || !r.err.contains("error"), r.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestDirectory)
#include "TestDirectory.moc"
