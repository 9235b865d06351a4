// SPDX-License-Identifier: Apache-2.0
// core/directory and `ndesctl directory` / `ndesctl audit --directory` against a real Active Directory: a Samba AD
// domain controller provisioned fresh on loopback, seeded with a safe NDES template, a risky one, a writable one, an
// RA-like template open to Authenticated Users, and a disabled service account. What we read is cross-checked with
// ldapsearch (an independent client); the audit must find exactly the risky objects, each with its evidence.
#include "SambaDc.h"
#include "SecretScan.h"
#include "TestPki.h"

#include "ScopedClock.h"
#include "audit/WindowsText.h"
#include "directory/AdApply.h"
#include "directory/Directory.h"
#include "directory/SecurityDescriptor.h"
#include "inventory/Inventory.h"
#include "ndes/HealthProbe.h"
#include "setup/SetupPlan.h"
#include "util/Access.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QSignalSpy>
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
    QString m_error;

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

    // docs/examples/plan.json pointed at the lab domain: an account and a template of these names, NDES on host.
    static setup::SetupPlan labPlan(const QString& host, const QString& account, const QString& templateName) {
        auto loaded = setup::SetupPlan::load(qEnvironmentVariable("NDES_TEST_DATA") +
                                             QStringLiteral("/../../docs/examples/plan.json"));
        if (!loaded)
            qFatal("docs/examples/plan.json: %s", qPrintable(loaded.error().message));
        setup::SetupPlan plan = *loaded;
        plan.domainDns = QStringLiteral("lab.test");
        plan.domainNetbios = QStringLiteral("LAB");
        plan.caConfig = QStringLiteral("ca1.lab.test\\Lab CA");
        plan.ndesHost = host + QStringLiteral(".lab.test");
        plan.accountName = account;
        plan.accountOu = QStringLiteral("OU=Service Accounts,DC=lab,DC=test");
        plan.templateName = templateName;
        plan.templateDisplayName = QString(templateName).replace(QLatin1Char('-'), QLatin1Char(' '));
        plan.signatureTemplate = plan.encryptionTemplate = plan.generalPurposeTemplate = templateName;
        return plan;
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

    // The dashboard's AD rows: a server profile that names its directory gets the CA certificate published there and
    // the service account's password expiry in its health report, with the same thresholds; the disabled account is a
    // reason; a missing account and a refused bind are warnings that say what to do. The SCEP server is unreachable
    // here: AD is read all the same (an expired service account is often why).
    void dashboardRows() {
        inventory::ServerProfile p;
        p.id = QStringLiteral("p1");
        p.name = QStringLiteral("NDES 1");
        p.scepUrl = QUrl(QStringLiteral("http://127.0.0.1:1/certsrv/mscep/mscep.dll"));
        p.allowHttp = true;
        p.auth = service::AdminAuth::None;
        p.directoryUrl = QUrl(test::SambaDc::url());
        p.directoryBindDn = test::SambaDc::adminDn();
        p.directoryCaFile = m_dc.caFile();
        p.serviceAccount = QStringLiteral("LAB\\svc-ndes");
        QVERIFY2(p.problems().isEmpty(), qPrintable(p.problems().join(QLatin1Char(' '))));
        const pki::Certificate ca = pki::Certificate::fromDer(m_caDer).value();

        const auto probe = [&](const inventory::ServerProfile& profile, const QByteArray& password) {
            service::HealthOptions options;
            options.checkCrl = false;
            QStringList keysAsked;
            options.directoryPassword = [password, &keysAsked](const QString& key,
                                                               std::function<void(Result<SecretBytes>)> done) {
                keysAsked << key;
                done(SecretBytes(password));
            };
            service::HealthProbe healthProbe(profile.healthTarget(), options);
            QSignalSpy finished(&healthProbe, &service::HealthProbe::finished);
            healthProbe.start();
            if (!finished.wait(60000))
                return service::HealthReport{};
            if (keysAsked != QStringList{QStringLiteral("directory/p1")})
                qWarning("keys asked: %s", qPrintable(keysAsked.join(QLatin1Char(','))));
            return finished.first().first().value<service::HealthReport>();
        };
        const auto reasonCodes = [](const service::HealthReport& r) {
            QStringList codes;
            for (const service::HealthReason& reason : r.reasons)
                codes << reason.code;
            return codes;
        };

        // 40 days on: the password (42 days from now, the domain's maximum age) has two days left or fewer.
        {
            const test::ScopedClock clock(QDateTime::currentDateTimeUtc().addDays(40));
            const service::HealthReport r = probe(p, m_dc.adminPassword());
            QVERIFY(r.checkedAt.isValid());
            const auto step = std::find_if(r.steps.begin(), r.steps.end(), [](const service::ProbeStep& s) {
                return s.name == QLatin1String("directory");
            });
            QVERIFY(step != r.steps.end());
            QVERIFY2(step->ok, qPrintable(step->detail));
            QVERIFY2(step->detail.contains(QStringLiteral("1 CA certificate")), qPrintable(step->detail));
            QList<service::ExpiryItem> ad;
            for (const service::ExpiryItem& e : r.expiries)
                if (e.role == service::ExpiryRole::DirectoryCa || e.role == service::ExpiryRole::ServiceAccount)
                    ad << e;
            QCOMPARE(ad.size(), 2);
            QCOMPARE(ad[0].role, service::ExpiryRole::DirectoryCa);
            QCOMPARE(ad[0].notAfter, ca.notAfter());
            QVERIFY(ad[0].subject.contains(QStringLiteral("Lab CA")));
            QCOMPARE(ad[1].role, service::ExpiryRole::ServiceAccount);
            QCOMPARE(ad[1].subject, QStringLiteral("LAB\\svc-ndes (password)"));
            QVERIFY2(ad[1].daysLeft >= 1 && ad[1].daysLeft <= 2, qPrintable(QString::number(ad[1].daysLeft)));
            QCOMPARE(ad[1].status, service::ExpiryStatus::Critical);
            // The expiry against what ldapsearch says pwdLastSet is, plus the domain's 42 days.
            const QByteArray ldif =
                m_dc.ldapsearch({QStringLiteral("-b"), test::SambaDc::baseDn(),
                                 QStringLiteral("(sAMAccountName=svc-ndes)"), QStringLiteral("pwdLastSet")},
                                &m_error);
            const auto entries = parseLdif(ldif, &m_error);
            QVERIFY2(entries && !entries->isEmpty(), qPrintable(m_error));
            const qint64 ft = entries->first().integer(QStringLiteral("pwdLastSet")).value_or(0);
            QCOMPARE(ad[1].notAfter.toSecsSinceEpoch(), ft / 10'000'000 - 11644473600LL + 42LL * 86400);
            const QStringList codes = reasonCodes(r);
            QVERIFY2(codes.contains(QStringLiteral("service-account-unusable")), qPrintable(codes.join(u',')));
            QVERIFY2(codes.contains(QStringLiteral("service-account-expiring")), qPrintable(codes.join(u',')));
            QVERIFY(!codes.contains(QStringLiteral("directory-unreadable")));
            // In JSON (ndesctl check, the export) the rows carry their role names.
            const QByteArray json = QJsonDocument(r.toJson()).toJson();
            QVERIFY(json.contains("\"service-account\"") && json.contains("\"directory-ca\""));
            QVERIFY(!json.contains(m_dc.adminPassword()));
        }
        // An account the directory does not hold; then a refused bind: warnings, the rest of the report intact.
        inventory::ServerProfile missing = p;
        missing.serviceAccount = QStringLiteral("LAB\\svc-gone");
        service::HealthReport r = probe(missing, m_dc.adminPassword());
        QVERIFY(reasonCodes(r).contains(QStringLiteral("directory-unreadable")));
        QVERIFY(std::any_of(r.reasons.begin(), r.reasons.end(), [](const service::HealthReason& reason) {
            return reason.message.contains(QStringLiteral("svc-gone")) &&
                   reason.message.contains(QStringLiteral("not in Active Directory"));
        }));
        r = probe(p, "wrong-" + m_dc.adminPassword());
        QVERIFY(reasonCodes(r).contains(QStringLiteral("directory-unreadable")));
        QVERIFY(reasonCodes(r).contains(QStringLiteral("unreachable"))); // the SCEP part still reported
        QVERIFY(std::none_of(r.expiries.begin(), r.expiries.end(), [](const service::ExpiryItem& e) {
            return e.role == service::ExpiryRole::ServiceAccount;
        }));
        qInfo("refused bind: %s", qPrintable(r.reasons.last().message));

        // ndesctl check reads the same from an inventory file, the password from the variable named.
        QTemporaryDir dir;
        inventory::Inventory inv;
        QVERIFY(inv.upsert(p).ok());
        const QString path = dir.filePath(QStringLiteral("inventory.json"));
        QVERIFY(inv.save(path).ok());
        {
            QFile saved(path);
            QVERIFY(saved.open(QIODevice::ReadOnly));
            QVERIFY(!saved.readAll().contains(m_dc.adminPassword()));
        }
        const Run run =
            ndesctl({QStringLiteral("check"), QStringLiteral("--inventory"), path, QStringLiteral("--no-crl"),
                     QStringLiteral("--timeout"), QStringLiteral("5"), QStringLiteral("--directory-password-env"),
                     QStringLiteral("NDES_TEST_BIND_PW"), QStringLiteral("--json")});
        QCOMPARE(run.code, 2); // the SCEP server is unreachable: critical
        QStringList roles;
        const QJsonArray servers = QJsonDocument::fromJson(run.out).object().value(QStringLiteral("servers")).toArray();
        QVERIFY2(!servers.isEmpty(), run.out.constData());
        for (const QJsonValue& e : servers.first().toObject().value(QStringLiteral("certificates")).toArray())
            roles << e.toObject().value(QStringLiteral("role")).toString();
        roles.sort();
        QVERIFY2(roles == (QStringList{QStringLiteral("directory-ca"), QStringLiteral("service-account")}),
                 (run.out + run.err).constData());
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

    // The wizard's AD part applied over LDAPS: blocked with reasons while the forest lacks what it needs; a preview
    // that writes nothing; the apply (account with a generated password, SPN, OID, template from "Computer", Read and
    // Enroll, published on the CA) read back with ldapsearch; a second apply that changes nothing; an existing,
    // different template reported and left alone; a template name differing in case refused.
    void applyPlan() {
        auto loaded = setup::SetupPlan::load(qEnvironmentVariable("NDES_TEST_DATA") +
                                             QStringLiteral("/../../docs/examples/plan.json"));
        QVERIFY2(loaded, loaded ? "" : qPrintable(loaded.error().message));
        setup::SetupPlan plan = *loaded;
        plan.domainDns = QStringLiteral("lab.test");
        plan.domainNetbios = QStringLiteral("LAB");
        plan.caConfig = QStringLiteral("ca1.lab.test\\Lab CA");
        plan.ndesHost = QStringLiteral("ndes2.lab.test");
        plan.accountName = QStringLiteral("svc-scep");
        plan.accountUpn = QStringLiteral("svc-scep@lab.test");
        plan.accountOu = QStringLiteral("OU=Service Accounts,DC=lab,DC=test");
        plan.passwordPolicy = setup::SetupPlan::PasswordPolicy::Generate;
        plan.templateName = QStringLiteral("NDES-Device");
        plan.templateDisplayName = QStringLiteral("NDES Device");
        plan.signatureTemplate = plan.encryptionTemplate = plan.generalPurposeTemplate = plan.templateName;
        QVERIFY2(!setup::hasErrors(setup::validate(plan)), "the test's plan is valid");
        QTemporaryDir dir;
        const QString planPath = dir.filePath(QStringLiteral("plan.json"));
        QVERIFY(plan.save(planPath).ok());
        const QStringList apply = QStringList{QStringLiteral("plan"), QStringLiteral("--in"), planPath,
                                              QStringLiteral("--apply-ad"), test::SambaDc::url()} +
                                  bindArgs();
        const auto ldapsearch = [this](const QString& base, const QString& filter, const QStringList& attributes,
                                       const QStringList& extra = {}) {
            QString error;
            const QByteArray ldif = m_dc.ldapsearch(
                QStringList{QStringLiteral("-b"), base} + extra + QStringList{filter} + attributes, &error);
            auto entries = parseLdif(ldif, &error);
            if (!entries)
                qWarning("ldapsearch: %s", qPrintable(error));
            return entries.value_or(QList<LdapEntry>{});
        };
        const auto modify = [this](const QByteArray& ldif) {
            QString error;
            const auto r =
                m_dc.run(QStringLiteral("ldapmodify"),
                         {QStringLiteral("-H"), test::SambaDc::url(), QStringLiteral("-x"), QStringLiteral("-D"),
                          test::SambaDc::adminDn(), QStringLiteral("-y"), m_dc.adminPasswordFile()},
                         ldif, &error);
            if (!r)
                qWarning("ldapmodify: %s", qPrintable(error));
            return r.has_value();
        };

        // A forest without AD CS's OID arc and without the Computer template: nothing can be applied, and why.
        Run r = ndesctl(apply + QStringList{QStringLiteral("--json")});
        QCOMPARE(r.code, 1);
        QJsonObject preview = QJsonDocument::fromJson(r.out).object().value(QStringLiteral("preview")).toObject();
        const QString blockers = preview.value(QStringLiteral("blockers")).toVariant().toStringList().join(u'|');
        QVERIFY2(blockers.contains(QStringLiteral("base template Computer")), qPrintable(blockers));
        QVERIFY2(blockers.contains(QStringLiteral("OID arc")), qPrintable(blockers));
        QVERIFY2(blockers.contains(QStringLiteral("OU=Service Accounts")), qPrintable(blockers));

        // What AD CS and an admin would have there: the arc, the Computer template (cn Machine), the OU.
        const QString pks = QStringLiteral("CN=Public Key Services,CN=Services,") + test::SambaDc::configDn();
        const QString arc = QStringLiteral("1.3.6.1.4.1.311.21.8.1234567.2345678.3456789.4567890.5678901.17");
        QVERIFY(modify("dn: CN=OID," + pks.toUtf8() +
                       "\nchangetype: modify\nadd: msPKI-Cert-Template-OID\n"
                       "msPKI-Cert-Template-OID: " +
                       arc.toUtf8() +
                       "\n-\n\n"
                       "dn: OU=Service Accounts,DC=lab,DC=test\nchangetype: add\nobjectClass: organizationalUnit\n\n"
                       "dn: CN=Machine," +
                       test::SambaDc::templatesDn().toUtf8() +
                       "\nchangetype: add\nobjectClass: pKICertificateTemplate\ndisplayName: Computer\nflags: 131680\n"
                       "pKIMaxIssuingDepth: 0\npKICriticalExtensions: 2.5.29.15\nmsPKI-RA-Signature: 0\n"
                       "msPKI-Enrollment-Flag: 0\nmsPKI-Template-Schema-Version: 1\n\n"));

        // The preview lists every change and writes none.
        r = ndesctl(apply + QStringList{QStringLiteral("--json")});
        QVERIFY2(r.code == 0, r.out.constData());
        preview = QJsonDocument::fromJson(r.out).object().value(QStringLiteral("preview")).toObject();
        QStringList summaries;
        for (const QJsonValue& c : preview.value(QStringLiteral("changes")).toArray())
            summaries << c.toObject().value(QStringLiteral("summary")).toString();
        QCOMPARE(summaries.size(), 5);
        QVERIFY(summaries[0].startsWith(QStringLiteral("Create the service account LAB\\svc-scep")));
        QVERIFY(summaries[1].startsWith(QStringLiteral("Register the template's OID ") + arc + QLatin1Char('.')));
        QVERIFY(
            summaries[2].startsWith(QStringLiteral("Create the template NDES-Device (\"NDES Device\") from Machine")));
        QCOMPARE(summaries[3], QStringLiteral("Allow Read and Enroll on the template NDES-Device for LAB\\svc-scep"));
        QVERIFY(summaries[4].startsWith(QStringLiteral("Publish NDES-Device on the CA Lab CA")));
        QVERIFY(!r.out.contains("unicodePwd:: ") && r.out.contains("unicodePwd: (generated when applied"));
        QVERIFY(ldapsearch(test::SambaDc::baseDn(), QStringLiteral("(sAMAccountName=svc-scep)"), {QStringLiteral("dn")})
                    .isEmpty());
        QVERIFY(ldapsearch(test::SambaDc::templatesDn(), QStringLiteral("(cn=NDES-Device)"), {QStringLiteral("dn")})
                    .isEmpty());

        // Apply, with a generated password shown once.
        r = ndesctl(apply + QStringList{QStringLiteral("--commit")});
        QVERIFY2(r.code == 0, (r.out + r.err).constData());
        QVERIFY2(r.out.contains("Read back: AD now holds what the plan needs."), r.out.constData());
        const QString text = QString::fromUtf8(r.out);
        const qsizetype shown = text.indexOf(QStringLiteral("password vault now"));
        QVERIFY(shown > 0);
        const QByteArray generated = text.mid(shown).section(QLatin1Char('\n'), 1, 1).trimmed().toUtf8();
        QCOMPARE(generated.size(), 24);
        QCOMPARE(r.out.count(generated), 1); // once
        {
            LdapOptions asAccount = adminOptions();
            asAccount.bindDn = QStringLiteral("svc-scep@lab.test");
            asAccount.password = SecretBytes(generated);
            QString error;
            QVERIFY2(LdapConnection::open(asAccount, &error), qPrintable(error)); // the password works
        }
        // Read back with ldapsearch: the account, the template as the PowerShell writes it, the CA's list, the DACL.
        const QList<LdapEntry> account =
            ldapsearch(test::SambaDc::baseDn(), QStringLiteral("(sAMAccountName=svc-scep)"),
                       {QStringLiteral("servicePrincipalName"), QStringLiteral("userAccountControl"),
                        QStringLiteral("objectSid"), QStringLiteral("userPrincipalName")});
        QCOMPARE(account.size(), 1);
        QCOMPARE(account[0].dn, QStringLiteral("CN=svc-scep,OU=Service Accounts,DC=lab,DC=test"));
        QCOMPARE(account[0].texts(QStringLiteral("servicePrincipalName")),
                 QStringList{QStringLiteral("HTTP/ndes2.lab.test")});
        QCOMPARE(account[0].integer(QStringLiteral("userAccountControl")).value_or(0), 512);
        QCOMPARE(account[0].text(QStringLiteral("userPrincipalName")), QStringLiteral("svc-scep@lab.test"));
        const QList<LdapEntry> tpl =
            ldapsearch(test::SambaDc::templatesDn(), QStringLiteral("(cn=NDES-Device)"), {},
                       {QStringLiteral("-E"), QStringLiteral("!1.2.840.113556.1.4.801=::MAMCAQQ=")});
        QCOMPARE(tpl.size(), 1);
        const LdapEntry& t = tpl[0];
        QCOMPARE(t.text(QStringLiteral("displayName")), QStringLiteral("NDES Device"));
        QCOMPARE(t.text(QStringLiteral("flags")), QStringLiteral("131680")); // from the base
        QCOMPARE(t.text(QStringLiteral("pKICriticalExtensions")), QStringLiteral("2.5.29.15"));
        QCOMPARE(t.text(QStringLiteral("msPKI-Template-Schema-Version")), QStringLiteral("2"));
        QCOMPARE(t.text(QStringLiteral("revision")), QStringLiteral("100"));
        QVERIFY(t.text(QStringLiteral("msPKI-Cert-Template-OID")).startsWith(arc + QLatin1Char('.')));
        QCOMPARE(t.value(QStringLiteral("pKIExpirationPeriod")).toHex(), QByteArray("004039872ee1feff")); // 365 days
        QCOMPARE(t.value(QStringLiteral("pKIOverlapPeriod")).toHex(), QByteArray("0080a60affdeffff"));    // 42 days
        QCOMPARE(t.value(QStringLiteral("pKIKeyUsage")).toHex(), QByteArray("a000"));
        QCOMPARE(t.text(QStringLiteral("pKIDefaultKeySpec")), QStringLiteral("1"));
        QCOMPARE(t.text(QStringLiteral("msPKI-Minimal-Key-Size")), QStringLiteral("2048"));
        QCOMPARE(t.text(QStringLiteral("pKIDefaultCSPs")), QStringLiteral("1,Microsoft Strong Cryptographic Provider"));
        QStringList ekus = t.texts(QStringLiteral("pKIExtendedKeyUsage"));
        ekus.sort();
        QCOMPARE(ekus, (QStringList{QStringLiteral("1.3.6.1.5.5.7.3.1"), QStringLiteral("1.3.6.1.5.5.7.3.2")}));
        QCOMPARE(t.text(QStringLiteral("msPKI-Certificate-Name-Flag")), QStringLiteral("65537"));
        QCOMPARE(t.text(QStringLiteral("msPKI-Private-Key-Flag")), QStringLiteral("0"));
        const QList<LdapEntry> oid =
            ldapsearch(QStringLiteral("CN=OID,") + pks, QStringLiteral("(displayName=NDES Device)"),
                       {QStringLiteral("msPKI-Cert-Template-OID"), QStringLiteral("flags")});
        QCOMPARE(oid.size(), 1);
        QCOMPARE(oid[0].text(QStringLiteral("msPKI-Cert-Template-OID")),
                 t.text(QStringLiteral("msPKI-Cert-Template-OID")));
        const auto sid = Sid::fromBinary(account[0].value(QStringLiteral("objectSid")));
        QVERIFY(sid);
        const auto sd = SecurityDescriptor::parse(t.value(QStringLiteral("nTSecurityDescriptor")));
        QVERIFY(sd && sd->dacl);
        const QString sddl = sd->toSddl();
        QVERIFY2(sddl.contains(QStringLiteral("(A;;LCRPLORC;;;%1)").arg(sid->toString())), qPrintable(sddl));
        QVERIFY2(
            sddl.contains(QStringLiteral("(OA;;CR;0e10c968-78fb-11d2-90d4-00c04f79dc55;;%1)").arg(sid->toString())),
            qPrintable(sddl));
        const QList<LdapEntry> ca = ldapsearch(test::SambaDc::servicesDn(), QStringLiteral("(cn=Lab CA)"),
                                               {QStringLiteral("certificateTemplates")});
        QCOMPARE(ca.size(), 1);
        QVERIFY(ca[0].texts(QStringLiteral("certificateTemplates")).contains(QStringLiteral("NDES-Device")));
        QVERIFY(ca[0].texts(QStringLiteral("certificateTemplates")).contains(QStringLiteral("RA-Agent"))); // kept

        // Again: nothing to change, and it says so.
        r = ndesctl(apply + QStringList{QStringLiteral("--commit")});
        QVERIFY2(r.code == 0, r.out.constData());
        QVERIFY2(r.out.contains("Nothing to change") && r.out.contains("Nothing applied: nothing to change."),
                 r.out.constData());

        // The same name with other values: reported, the template left as it is.
        plan.validityDays = 730;
        plan.minimumKeySize = 4096;
        QVERIFY(plan.save(planPath).ok());
        r = ndesctl(apply + QStringList{QStringLiteral("--commit"), QStringLiteral("--json")});
        QVERIFY2(r.code == 0, r.out.constData());
        const QJsonObject differs = QJsonDocument::fromJson(r.out).object();
        const QString diffs = differs.value(QStringLiteral("preview"))
                                  .toObject()
                                  .value(QStringLiteral("differences"))
                                  .toVariant()
                                  .toStringList()
                                  .join(u'|');
        QVERIFY2(diffs.contains(QStringLiteral("validity (days) is 365, the plan has 730")), qPrintable(diffs));
        QVERIFY2(diffs.contains(QStringLiteral("minimum key size is 2048, the plan has 4096")), qPrintable(diffs));
        QVERIFY(
            differs.value(QStringLiteral("preview")).toObject().value(QStringLiteral("changes")).toArray().isEmpty());
        const QList<LdapEntry> unchanged =
            ldapsearch(test::SambaDc::templatesDn(), QStringLiteral("(cn=NDES-Device)"),
                       {QStringLiteral("pKIExpirationPeriod"), QStringLiteral("msPKI-Minimal-Key-Size")});
        QCOMPARE(unchanged.value(0).value(QStringLiteral("pKIExpirationPeriod")).toHex(),
                 QByteArray("004039872ee1feff"));
        QCOMPARE(unchanged.value(0).text(QStringLiteral("msPKI-Minimal-Key-Size")), QStringLiteral("2048"));

        // A name that differs only in case: AD would match it, NDES and the CA would not. Refused.
        plan = *loaded;
        plan.caConfig = QStringLiteral("ca1.lab.test\\Lab CA");
        plan.accountName = QStringLiteral("svc-scep");
        plan.accountOu = QStringLiteral("OU=Service Accounts,DC=lab,DC=test");
        plan.templateName = QStringLiteral("ndes-device");
        plan.signatureTemplate = plan.encryptionTemplate = plan.generalPurposeTemplate = plan.templateName;
        QVERIFY(plan.save(planPath).ok());
        r = ndesctl(apply + QStringList{QStringLiteral("--commit")});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.out.contains("A template named NDES-Device exists"), r.out.constData());
    }

    // An existing template is never changed, its permissions neither: a new account that would need Enroll on it
    // is told so, and no change touches the template.
    void existingTemplateKeepsItsPermissions() {
        QString error;
        auto ldap = LdapConnection::open(adminOptions(), &error);
        QVERIFY2(ldap, qPrintable(error));
        // NDES-Device was made by applyPlan.
        const auto planned = planDirectoryChanges(
            *ldap, labPlan(QStringLiteral("ndes4"), QStringLiteral("svc-other"), QStringLiteral("NDES-Device")),
            &error);
        QVERIFY2(planned, qPrintable(error));
        for (const AdChange& c : planned->changes)
            QVERIFY2(!c.dn.contains(QStringLiteral("CN=NDES-Device,")), qPrintable(c.summary));
        QVERIFY2(planned->differences.join(QLatin1Char(' ')).contains(QStringLiteral("will need Read and Enroll")),
                 qPrintable(planned->differences.join(QLatin1Char('\n'))));
    }

    // Last, since auditor mode cannot be left: a plan with changes to make is refused in the core, and the
    // directory is left as it was.
    void auditorModeAppliesNothing() {
        QString error;
        auto ldap = LdapConnection::open(adminOptions(), &error);
        QVERIFY2(ldap, qPrintable(error));
        const auto planned = planDirectoryChanges(
            *ldap,
            labPlan(QStringLiteral("ndes3"), QStringLiteral("svc-auditor-test"), QStringLiteral("NDES-Auditor-Test")),
            &error);
        QVERIFY2(planned, qPrintable(error));
        QVERIFY(!planned->nothingToDo());
        Access::enterReadOnly(QStringLiteral("started with --auditor"));
        const AdApplyResult r = applyDirectoryChanges(*ldap, *planned, SecretBytes(QByteArray("Unused-Pa55word!")));
        QVERIFY(!r.ok);
        QVERIFY2(r.error.contains(QStringLiteral("auditor")), qPrintable(r.error));
        QVERIFY(r.log.isEmpty());
        const QByteArray account =
            m_dc.ldapsearch({QStringLiteral("-b"), test::SambaDc::baseDn(),
                             QStringLiteral("(sAMAccountName=svc-auditor-test)"), QStringLiteral("dn")},
                            &error);
        QVERIFY2(!account.contains("dn:") && error.isEmpty(), account.constData());
        const QByteArray tpl = m_dc.ldapsearch({QStringLiteral("-b"), test::SambaDc::templatesDn(),
                                                QStringLiteral("(cn=NDES-Auditor-Test)"), QStringLiteral("dn")},
                                               &error);
        QVERIFY2(!tpl.contains("dn:") && error.isEmpty(), tpl.constData());
        // The same search finds what exists (so the two above could have failed).
        QVERIFY(m_dc.ldapsearch({QStringLiteral("-b"), test::SambaDc::templatesDn(), QStringLiteral("(cn=NDES-Device)"),
                                 QStringLiteral("dn")},
                                &error)
                    .contains("dn:"));
    }
};

QTEST_GUILESS_MAIN(TestDirectory)
#include "TestDirectory.moc"
