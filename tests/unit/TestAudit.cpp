// SPDX-License-Identifier: Apache-2.0
// The configuration audit: on real files from Windows servers first (tests/data: a regedit export of MSCEP,
// applicationHost.config of Server 2019/2022 before and after NDES, IIS logs of an NDES test server), then every
// check with a fixture where it fires, one where it does not, and one where its evidence is missing.
#include "TestPki.h"
#include "audit/Audit.h"
#include "audit/AuditReport.h"
#include "audit/Catalogue.h"
#include "audit/Drift.h"
#include "audit/WindowsText.h"
#include "audit/ZipReader.h"
#include "iis/W3cLog.h"

#include <QBuffer>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <functional>

using namespace ndes;
using namespace ndes::audit;

namespace {
QString data(const QString& rel) {
    return qEnvironmentVariable("NDES_TEST_DATA") + QLatin1Char('/') + rel;
}

QByteArray utf16(const QString& text) {
    return encodeWindowsText(text); // with a BOM, as regedit and secedit write
}

const QString mscepKey = QStringLiteral("HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Cryptography\\MSCEP");
const QString svcSid = QStringLiteral("S-1-5-21-1004336348-1177238915-682003330-1105");

const QString w3cHeader = QStringLiteral(
    "#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n#Date: 2026-12-01 00:00:00\r\n"
    "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) "
    "sc-status sc-substatus sc-win32-status time-taken\r\n");

// A snapshot folder built file by file.
class Fixture {
public:
    Fixture() { QVERIFY(m_dir.isValid()); }
    [[nodiscard]] QString path() const { return m_dir.path(); }

    void file(const QString& name, const QByteArray& bytes) {
        const QString p = m_dir.filePath(name);
        QDir().mkpath(QFileInfo(p).absolutePath());
        QFile f(p);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(bytes);
    }
    void copy(const QString& from, const QString& name) {
        QFile f(from);
        QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable(from));
        file(name, f.readAll());
    }
    // A regedit export: UTF-16LE with a BOM, CRLF.
    void reg(const QString& name, QString body) {
        body.replace(QStringLiteral("\r\n"), QStringLiteral("\n")).replace(QLatin1Char('\n'), QStringLiteral("\r\n"));
        file(name, utf16(QStringLiteral("Windows Registry Editor Version 5.00\r\n\r\n") + body));
    }
    void json(const QString& name, const QJsonObject& o) { file(name, QJsonDocument(o).toJson()); }
    void cert(const QString& store, const pki::Certificate& c, QJsonObject info = {}) {
        const QString thumb = pki::Certificate::hex(c.sha1());
        file(QStringLiteral("certificates/%1/%2.cer").arg(store, thumb), c.toDer());
        info.insert(QStringLiteral("kind"), QStringLiteral("certificate-info"));
        info.insert(QStringLiteral("store"), store);
        info.insert(QStringLiteral("thumbprint"), thumb);
        json(QStringLiteral("certificates/%1/%2.json").arg(store, thumb), info);
    }

private:
    QTemporaryDir m_dir;
};

// A well-configured NDES, as the parts of a collector snapshot; each scenario changes one thing.
struct Server {
    // MSCEP
    QString templates = QStringLiteral("NdesDevice");
    QString extraMscepValues; // lines under [MSCEP]
    QString extraKeys;        // more keys
    int enforcePassword = 1;  // -1: absent
    int useSinglePassword = 0;
    int passwordMax = 5;
    int passwordValidity = 30;                        // -1: absent
    QString hashAlgorithm = QStringLiteral("SHA256"); // empty: absent
    QString caConfig = QStringLiteral("ca01.corp.example\\Corp Issuing CA");
    bool withMscep = true;
    // IIS
    bool withIis = true;
    bool https = true;
    QString adminAnonymous = QStringLiteral("false");
    QString adminProviders = QStringLiteral("<add value=\"Negotiate\" />");
    QString adminSslFlags = QStringLiteral("Ssl");
    QString maxUrl = QStringLiteral("65534");
    QString poolIdentity = QStringLiteral("identityType=\"SpecificUser\" userName=\"CORP\\svc-ndes\"");
    // HTTP.sys
    int maxFieldLength = 65534;
    // Certificates
    bool withCerts = true;
    int raDays = 700;
    bool raExportable = false;
    QString raProvider = QStringLiteral("Microsoft Strong Cryptographic Provider");
    QString raSddl = QStringLiteral("O:BAG:SYD:PAI(A;;FA;;;SY)(A;;FA;;;BA)(A;;0x120089;;;%1)").arg(svcSid);
    bool intermediateInRoot = false;
    bool tlsSelfSigned = false;
    // Host, groups, rights
    QStringList features = {QStringLiteral("Web-Server"), QStringLiteral("ADCS-Device-Enrollment")};
    int domainRole = 3;
    QStringList admins = {QStringLiteral("CORP\\Domain Admins"), QStringLiteral("NDES01\\Administrator")};
    QStringList iisUsers = {QStringLiteral("CORP\\svc-ndes")};
    // Logs: one good SCEP request
    QString iisLog = w3cHeader + QStringLiteral("2026-12-01 09:00:00 10.0.0.5 GET /certsrv/mscep/mscep.dll "
                                                "operation=GetCACaps&message=x 443 - 10.0.0.9 sscep - 200 0 0 15\r\n");
    bool withManifest = false;

    void write(Fixture& f) const {
        if (withMscep) {
            QString r =
                QStringLiteral("[%1]\n\"SignatureTemplate\"=\"%2\"\n\"EncryptionTemplate\"=\"%2\"\n"
                               "\"GeneralPurposeTemplate\"=\"%2\"\n%3\n[%1\\CAInfo]\n\"Configuration\"=\"%4\"\n\n")
                    .arg(mscepKey, templates, extraMscepValues,
                         QString(caConfig).replace(QStringLiteral("\\"), QStringLiteral("\\\\")));
            auto dword = [&r](const char* name, int v) {
                if (v >= 0)
                    r += QStringLiteral("[%1\\%2]\n\"%2\"=dword:%3\n\n")
                             .arg(mscepKey, QLatin1String(name))
                             .arg(v, 8, 16, QLatin1Char('0'));
            };
            dword("EnforcePassword", enforcePassword);
            dword("UseSinglePassword", useSinglePassword);
            dword("PasswordMax", passwordMax);
            dword("PasswordValidity", passwordValidity);
            if (!hashAlgorithm.isEmpty())
                r += QStringLiteral("[%1\\HashAlgorithm]\n\"HashAlgorithm\"=\"%2\"\n\n").arg(mscepKey, hashAlgorithm);
            r += extraKeys;
            f.reg(QStringLiteral("registry/mscep.reg"), r);
            f.reg(QStringLiteral("registry/http-parameters.reg"),
                  QStringLiteral("[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\HTTP\\Parameters]\n"
                                 "\"MaxFieldLength\"=dword:%1\n\"MaxRequestBytes\"=dword:0000fffe\n")
                      .arg(maxFieldLength, 8, 16, QLatin1Char('0')));
        }
        if (withIis)
            f.file(QStringLiteral("iis/applicationHost.config"), appHost().toUtf8());
        if (withCerts) {
            static const test::NdesLikePki good = test::NdesLikePki::create(700);
            static const test::NdesLikePki expiring = test::NdesLikePki::create(10);
            static const test::NdesLikePki expired = test::NdesLikePki::create(-5);
            const test::NdesLikePki& pki = raDays < 0 ? expired : raDays < 30 ? expiring : good;
            const QJsonObject info{{QStringLiteral("hasPrivateKey"), true},
                                   {QStringLiteral("keyProvider"), raProvider},
                                   {QStringLiteral("keyExportable"), raExportable},
                                   {QStringLiteral("keyFileSddl"), raSddl}};
            f.cert(QStringLiteral("My"), pki.raSign, info);
            f.cert(QStringLiteral("My"), pki.raEnc, info);
            f.cert(QStringLiteral("Root"), pki.root);
            if (intermediateInRoot)
                f.cert(QStringLiteral("Root"), pki.issuing);
            // Issued once per kind, as a server keeps its certificate between two collections.
            static const pki::Certificate selfSignedTls =
                test::issue(test::testKey(7), QStringLiteral("CN=ndes01.corp.example"), pki::Certificate(),
                            test::testKey(7), 0, {QStringLiteral("1.3.6.1.5.5.7.3.1")});
            static const pki::Certificate issuedTls =
                test::issue(test::testKey(7), QStringLiteral("CN=ndes01.corp.example"), good.issuing, good.issuingKey,
                            0, {QStringLiteral("1.3.6.1.5.5.7.3.1")});
            const pki::Certificate tls = tlsSelfSigned ? selfSignedTls : issuedTls;
            f.cert(QStringLiteral("My"), tls, {{QStringLiteral("hasPrivateKey"), true}});
            f.file(QStringLiteral("sslcert.txt"),
                   QStringLiteral("\nSSL Certificate bindings:\n-------------------------\n\n"
                                  "    IP:port                      : 0.0.0.0:443\n"
                                  "    Certificate Hash             : %1\n"
                                  "    Application ID               : {4dc3e181-e14b-4a21-b022-59fc669b0914}\n"
                                  "    Certificate Store Name       : My\n\n")
                       .arg(pki::Certificate::hex(tls.sha1()).toLower())
                       .toUtf8());
        }
        f.json(QStringLiteral("host.json"),
               {{QStringLiteral("kind"), QStringLiteral("host")},
                {QStringLiteral("computerName"), QStringLiteral("NDES01")},
                {QStringLiteral("fqdn"), QStringLiteral("ndes01.corp.example")},
                {QStringLiteral("domainRole"), domainRole},
                {QStringLiteral("installedFeatures"), QJsonArray::fromStringList(features)},
                {QStringLiteral("scepPoolIdentity"), QStringLiteral("CORP\\svc-ndes")},
                {QStringLiteral("scepPoolIdentitySid"), svcSid}});
        auto members = [](const QStringList& names) {
            QJsonArray a;
            for (const QString& n : names)
                a.append(
                    QJsonObject{{QStringLiteral("name"), n}, {QStringLiteral("sid"), QStringLiteral("S-1-5-21-9")}});
            return a;
        };
        f.json(QStringLiteral("local-groups.json"),
               {{QStringLiteral("kind"), QStringLiteral("local-groups")},
                {QStringLiteral("groups"), QJsonObject{{QStringLiteral("Administrators"), members(admins)},
                                                       {QStringLiteral("IIS_IUSRS"), members(iisUsers)}}}});
        f.file(QStringLiteral("user-rights.inf"),
               utf16(QStringLiteral("[Unicode]\r\nUnicode=yes\r\n[Privilege Rights]\r\n"
                                    "SeImpersonatePrivilege = *S-1-5-19,*S-1-5-20,*S-1-5-32-544,*S-1-5-6\r\n"
                                    "SeBatchLogonRight = *S-1-5-32-544,*S-1-5-32-551,*S-1-5-32-559,IIS_IUSRS\r\n"
                                    "[Version]\r\nsignature=\"$CHICAGO$\"\r\nRevision=1\r\n")));
        if (!iisLog.isEmpty())
            f.file(QStringLiteral("iis-logs/u_ex261201.log"), iisLog.toUtf8());
    }

    [[nodiscard]] QString appHost() const {
        return QStringLiteral(
                   "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<configuration>\n"
                   "  <system.applicationHost>\n    <applicationPools>\n      <add name=\"DefaultAppPool\" />\n"
                   "      <add name=\"SCEP\" managedPipelineMode=\"Classic\">\n        <processModel %1 />\n"
                   "      </add>\n    </applicationPools>\n    <sites>\n      <site name=\"Default Web Site\" "
                   "id=\"1\">\n"
                   "        <application path=\"/\"><virtualDirectory path=\"/\" physicalPath=\"x\" /></application>\n"
                   "        <application path=\"/CertSrv/mscep_admin\" applicationPool=\"SCEP\" />\n"
                   "        <application path=\"/CertSrv/mscep\" applicationPool=\"SCEP\" />\n"
                   "        <bindings>\n          <binding protocol=\"http\" bindingInformation=\"*:80:\" />\n%2"
                   "        </bindings>\n      </site>\n    </sites>\n  </system.applicationHost>\n"
                   "  <system.webServer>\n    <security>\n      <authentication>\n"
                   "        <anonymousAuthentication enabled=\"true\" userName=\"IUSR\" />\n"
                   "        <windowsAuthentication enabled=\"false\" />\n      </authentication>\n"
                   "      <requestFiltering><requestLimits maxUrl=\"%3\" maxQueryString=\"65534\" "
                   "/></requestFiltering>\n"
                   "    </security>\n  </system.webServer>\n"
                   "  <location path=\"Default Web Site/CertSrv/mscep_admin\">\n    <system.webServer>\n"
                   "      <security>\n        <access sslFlags=\"%4\" />\n        <authentication>\n"
                   "          <windowsAuthentication enabled=\"true\">\n            <providers>\n"
                   "              <clear />\n              %5\n            </providers>\n"
                   "          </windowsAuthentication>\n          <anonymousAuthentication enabled=\"%6\" />\n"
                   "        </authentication>\n      </security>\n    </system.webServer>\n  </location>\n"
                   "</configuration>\n")
            .arg(poolIdentity,
                 https ? QStringLiteral("          <binding protocol=\"https\" bindingInformation=\"*:443:\" />\n")
                       : QString(),
                 maxUrl, adminSslFlags, adminProviders, adminAnonymous);
    }
};

AuditResult auditOf(const QString& folder) {
    auto cat = Catalogue::builtIn();
    if (!cat)
        qFatal("catalogue: %s", qPrintable(cat.error().message));
    auto snap = Snapshot::load(folder);
    if (!snap) {
        qWarning("snapshot: %s", qPrintable(snap.error().message));
        return {};
    }
    AuditOptions o;
    o.now = QDateTime::currentDateTimeUtc();
    return runAudit(*cat, *snap, o);
}

AuditResult auditOf(const Server& s) {
    Fixture f;
    s.write(f);
    return auditOf(f.path());
}

QStringList fired(const AuditResult& r) {
    QStringList ids;
    for (const Finding& f : r.findings)
        if (!ids.contains(f.id))
            ids << f.id;
    return ids;
}

QStringList notCheckedIds(const AuditResult& r) {
    QStringList ids;
    for (const NotChecked& n : r.notChecked)
        ids << n.id;
    return ids;
}

QString explain(const AuditResult& r) {
    QStringList lines;
    for (const Finding& f : r.findings)
        lines << QStringLiteral("%1: %2").arg(f.id, f.detail);
    for (const NotChecked& n : r.notChecked)
        lines << QStringLiteral("not checked %1: %2").arg(n.id, n.why);
    return lines.join(QLatin1Char('\n'));
}

// Writes a zip with Python's zipfile (as Windows PowerShell 5.1's Compress-Archive does: deflated, '\\' in names).
// ENTRIES: name -> content; names starting with "link:" become symbolic links; "lie:" entries get a central
// directory that claims 10 bytes (a zip bomb's header).
bool makeZip(const QString& zip, const QList<std::pair<QString, QByteArray>>& entries) {
    static const char* script = R"(
import sys, zipfile, struct
out = sys.argv[1]
pairs = sys.argv[2:]
lie = []
with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as z:
    for i in range(0, len(pairs), 2):
        name, path = pairs[i], pairs[i + 1]
        data = open(path, 'rb').read()
        if name.startswith('link:'):
            info = zipfile.ZipInfo(name[5:])
            info.create_system = 3
            info.external_attr = (0o120777 << 16)
            z.writestr(info, data)
        elif name.startswith('lie:'):
            lie.append(name[4:])
            z.writestr(name[4:], data)
        else:
            z.writestr(name, data)
b = bytearray(open(out, 'rb').read())
for name in lie:
    at = b.find(b'PK\x01\x02' + b'', 0)
    while at >= 0:
        n = struct.unpack('<H', b[at + 28:at + 30])[0]
        if b[at + 46:at + 46 + n] == name.encode():
            b[at + 24:at + 28] = struct.pack('<I', 10)
        at = b.find(b'PK\x01\x02', at + 4)
open(out, 'wb').write(bytes(b))
)";
    QTemporaryDir tmp;
    QStringList args{QStringLiteral("-c"), QString::fromLatin1(script), zip};
    int i = 0;
    for (const auto& [name, content] : entries) {
        const QString path = tmp.filePath(QString::number(i++));
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly))
            return false;
        f.write(content);
        f.close();
        args << name << path;
    }
    QProcess py;
    py.start(QStringLiteral("python3"), args);
    if (!py.waitForFinished(60000) || py.exitCode() != 0) {
        qWarning("python3: %s", py.readAllStandardError().constData());
        return false;
    }
    return true;
}

QList<std::pair<QString, QByteArray>> filesOf(const QString& folder, bool backslashes) {
    QList<std::pair<QString, QByteArray>> out;
    QDirIterator it(folder, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString p = it.next();
        QFile f(p);
        f.open(QIODevice::ReadOnly);
        QString name = QDir(folder).relativeFilePath(p);
        if (backslashes)
            name.replace(QLatin1Char('/'), QLatin1Char('\\'));
        out.append({name, f.readAll()});
    }
    return out;
}

void writeManifest(Fixture& f) {
    QJsonArray files;
    QDirIterator it(f.path(), QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString p = it.next();
        QFile x(p);
        x.open(QIODevice::ReadOnly);
        files.append(QJsonObject{
            {QStringLiteral("name"), QDir(f.path()).relativeFilePath(p)},
            {QStringLiteral("sha256"),
             QString::fromLatin1(QCryptographicHash::hash(x.readAll(), QCryptographicHash::Sha256).toHex())}});
    }
    f.json(QStringLiteral("manifest.json"), {{QStringLiteral("kind"), QStringLiteral("ndes-snapshot-manifest")},
                                             {QStringLiteral("format"), 1},
                                             {QStringLiteral("collectorVersion"), QStringLiteral("1.0.0")},
                                             {QStringLiteral("host"), QStringLiteral("NDES01")},
                                             {QStringLiteral("collectedAt"), QStringLiteral("2026-12-01T10:00:00Z")},
                                             {QStringLiteral("files"), files}});
}
} // namespace

class TestAudit : public QObject {
    Q_OBJECT
private slots:
    void catalogueAndCodeAgree() {
        auto cat = Catalogue::builtIn();
        QVERIFY2(cat.ok(), qPrintable(cat.ok() ? QString() : cat.error().message));
        QVERIFY(!cat->version().isEmpty());
        const QStringList code = evaluatorIds();
        for (const QString& id : code)
            QVERIFY2(cat->find(id), qPrintable(QStringLiteral("evaluator %1 has no catalogue entry").arg(id)));
        for (const CheckDefinition& d : cat->checks())
            QVERIFY2(code.contains(d.id) || d.needs.contains(QLatin1String("directory")),
                     qPrintable(QStringLiteral("%1 has no evaluator and is not a directory check").arg(d.id)));
        // The issue's list, every one evaluated.
        for (const char* id : {"mscep-missing",
                               "templates-default",
                               "mscep-flat-value",
                               "mscep-unknown-value",
                               "password-max-looks-like-minutes",
                               "enforce-password-off",
                               "enforce-password-absent",
                               "single-password",
                               "password-validity-long",
                               "hash-sha1",
                               "policy-cert",
                               "ra-missing",
                               "ra-expired",
                               "ra-expiring",
                               "ra-key-exportable",
                               "ra-key-acl",
                               "ra-csp",
                               "no-https",
                               "tls-cert",
                               "admin-page-anonymous",
                               "admin-page-ntlm-over-http",
                               "request-limits",
                               "root-store-intermediate",
                               "apppool-identity",
                               "svc-local-admin",
                               "svc-not-iis-iusrs",
                               "ndes-on-ca",
                               "ndes-errors-recent",
                               "iis-scep-errors"})
            QVERIFY2(code.contains(QLatin1String(id)), id);
    }
    void badCataloguesAreRefused_data() {
        QTest::addColumn<QByteArray>("json");
        QTest::newRow("not json") << QByteArray("nope");
        QTest::newRow("format 2") << QByteArray(R"({"format":2,"version":"x","checks":[]})");
        QTest::newRow("no checks") << QByteArray(R"({"format":1,"version":"x","checks":[]})");
        QTest::newRow("bad severity") << QByteArray(
            R"({"format":1,"version":"x","checks":[{"id":"a","severity":"urgent","title":"t","why":"w","remedy":"r"}]})");
        QTest::newRow("unknown source") << QByteArray(
            R"({"format":1,"version":"x","checks":[{"id":"a","severity":"low","title":"t","why":"w","remedy":"r","sources":["X"]}]})");
        QTest::newRow("twice") << QByteArray(
            R"({"format":1,"version":"x","checks":[{"id":"a","severity":"low","title":"t","why":"w","remedy":"r"},{"id":"a","severity":"low","title":"t","why":"w","remedy":"r"}]})");
    }
    void badCataloguesAreRefused() {
        QFETCH(QByteArray, json);
        QVERIFY(!Catalogue::fromJson(json).ok());
    }

    // ---- real files ----
    void realMscepExport() {
        Fixture f;
        f.copy(data(QStringLiteral("ndes-manual-installation/MSCEP.reg")), QStringLiteral("MSCEP.reg"));
        const AuditResult r = auditOf(f.path());
        const QStringList ids = fired(r);
        QVERIFY2(ids.contains(QLatin1String("templates-default")), qPrintable(explain(r)));
        QVERIFY2(ids.contains(QLatin1String("hash-sha1")), qPrintable(explain(r)));
        QVERIFY2(ids.contains(QLatin1String("password-validity-long")), qPrintable(explain(r)));
        QVERIFY2(!ids.contains(QLatin1String("mscep-flat-value")), qPrintable(explain(r)));
        QVERIFY2(!ids.contains(QLatin1String("mscep-unknown-value")), qPrintable(explain(r)));
        QVERIFY2(!ids.contains(QLatin1String("enforce-password-absent")), qPrintable(explain(r)));
        QVERIFY(r.passed.contains(QLatin1String("enforce-password-off")));
        QVERIFY(r.passed.contains(QLatin1String("single-password")));
        // Evidence points at the line regedit wrote.
        for (const Finding& x : r.findings)
            if (x.id == QLatin1String("password-validity-long")) {
                QCOMPARE(x.evidence.size(), 1);
                QCOMPARE(x.evidence[0].source, QStringLiteral("MSCEP.reg"));
                QVERIFY2(x.evidence[0].path.contains(QLatin1String("PasswordValidity")),
                         qPrintable(x.evidence[0].path));
                QVERIFY2(x.evidence[0].value.startsWith(QLatin1String("60")), qPrintable(x.evidence[0].value));
            }
        // The registry findings' remedy is the setup wizard's step 04 for the settings seen, each finding put right.
        for (const Finding& x : r.findings) {
            if (x.id == QLatin1String("templates-default")) {
                QVERIFY(x.remedyScript.isEmpty()); // which template is right is the admin's choice
                continue;
            }
            if (x.id != QLatin1String("hash-sha1") && x.id != QLatin1String("password-validity-long"))
                continue;
            QVERIFY2(x.remedyScript.contains(QLatin1String("-Name 'HashAlgorithm' -Value 'SHA256'")),
                     qPrintable(x.remedyScript));
            QVERIFY(x.remedyScript.contains(QLatin1String("-Name 'PasswordValidity' -Value 30 ")));
            QVERIFY(x.remedyScript.contains(QLatin1String("-Name 'PasswordMax' -Value 5 ")));
            QVERIFY(
                x.remedyScript.contains(QLatin1String("-Name 'SignatureTemplate' -Value 'IPSECIntermediateOffline'")));
            QVERIFY(x.remedyScript.contains(QLatin1String("'CA03.intra.adcslabor.de\\ADCS Labor Issuing CA 2'")));
            QVERIFY(x.remedyScript.contains(QLatin1String("SupportsShouldProcess")));
        }
        // Without IIS or certificates, those checks say why they did not run.
        QVERIFY(notCheckedIds(r).contains(QLatin1String("no-https")));
        QVERIFY(notCheckedIds(r).contains(QLatin1String("ra-expired")));
    }
    void realApplicationHostConfig_data() {
        QTest::addColumn<QString>("file");
        QTest::newRow("ws2022") << QStringLiteral("ndes-manual-installation/ws2022/applicationHost.config");
        QTest::newRow("ws2019") << QStringLiteral("ndes-manual-installation/ws2019/applicationHost.config");
    }
    void realApplicationHostConfig() {
        QFETCH(QString, file);
        Fixture f;
        f.copy(data(file), QStringLiteral("applicationHost.config"));
        const AuditResult r = auditOf(f.path());
        const QStringList ids = fired(r);
        QVERIFY2(ids.contains(QLatin1String("no-https")), qPrintable(explain(r)));
        QVERIFY2(r.passed.contains(QLatin1String("admin-page-anonymous")), qPrintable(explain(r)));
        QVERIFY2(!ids.contains(QLatin1String("ndes-not-installed")), qPrintable(explain(r)));
        // NTLM on the admin page, plain HTTP only, no Extended Protection.
        QVERIFY2(ids.contains(QLatin1String("admin-page-ntlm-over-http")), qPrintable(explain(r)));
        // The real pool runs as ApplicationPoolIdentity.
        QVERIFY2(ids.contains(QLatin1String("apppool-identity")), qPrintable(explain(r)));
        // maxQueryString 65536 is set; maxUrl is IIS's default 4096.
        bool maxUrl = false;
        for (const Finding& x : r.findings)
            if (x.id == QLatin1String("request-limits"))
                for (const Evidence& e : x.evidence) {
                    maxUrl |= e.path.contains(QLatin1String("maxUrl"));
                    QVERIFY2(!e.path.contains(QLatin1String("maxQueryString")), qPrintable(e.path));
                }
        QVERIFY2(maxUrl, qPrintable(explain(r)));
    }
    void realOriginalConfigsSayNotInstalled_data() {
        QTest::addColumn<QString>("file");
        QTest::newRow("ws2022") << QStringLiteral("ndes-manual-installation/ws2022/applicationHost.config.original");
        QTest::newRow("ws2019") << QStringLiteral("ndes-manual-installation/ws2019/applicationHost.config.original");
    }
    void realOriginalConfigsSayNotInstalled() {
        QFETCH(QString, file);
        Fixture f;
        f.copy(data(file), QStringLiteral("applicationHost.config"));
        const AuditResult r = auditOf(f.path());
        QVERIFY2(fired(r) == QStringList{QStringLiteral("ndes-not-installed")}, qPrintable(explain(r)));
        QVERIFY(notCheckedIds(r).contains(QLatin1String("no-https")));
    }
    void realConfigurationStatus() {
        Fixture f;
        f.copy(data(QStringLiteral("ndes-manual-installation/ConfigurationStatus.reg")), QStringLiteral("role.reg"));
        const AuditResult r = auditOf(f.path());
        QVERIFY2(r.passed.contains(QLatin1String("ndes-not-installed")), qPrintable(explain(r)));
    }
    void realIisLogs() {
        Fixture f;
        f.copy(data(QStringLiteral("iis-logs/u_ex240411.log")), QStringLiteral("logs/a.log"));
        f.copy(data(QStringLiteral("iis-logs/u_ex240412.log")), QStringLiteral("logs/b.log"));
        const AuditResult r = auditOf(f.path());
        QCOMPARE(r.files.size(), 2);
        for (const SnapshotFile& x : r.files)
            QCOMPARE(x.kind, QStringLiteral("iis-log"));
        const QStringList ids = fired(r);
        // Count the failures independently: every SCEP line (mscep paths) with status >= 400, except plain GETs of
        // mscep.dll answered 403.
        qint64 expected = 0;
        for (const char* name : {"iis-logs/u_ex240411.log", "iis-logs/u_ex240412.log"}) {
            QFile log(data(QLatin1String(name)));
            QVERIFY(log.open(QIODevice::ReadOnly));
            QList<QByteArray> fields;
            while (!log.atEnd()) {
                const QByteArray line = log.readLine().trimmed();
                if (line.startsWith("#Fields:")) {
                    fields = line.mid(8).trimmed().split(' ');
                    continue;
                }
                if (line.startsWith('#') || line.isEmpty())
                    continue;
                const QList<QByteArray> v = line.split(' ');
                if (v.size() != fields.size())
                    continue;
                const QByteArray stem = v[fields.indexOf("cs-uri-stem")].toLower();
                const int status = v[fields.indexOf("sc-status")].toInt();
                if (!stem.contains("/mscep") && !stem.contains("/certificateregistrationsvc"))
                    continue;
                if (status < 400)
                    continue;
                if (status == 403 && v[fields.indexOf("cs-uri-query")] == "-" &&
                    v[fields.indexOf("cs-method")] == "GET" && stem.endsWith("mscep.dll"))
                    continue;
                ++expected;
            }
        }
        qint64 counted = 0;
        for (const Finding& x : r.findings)
            if (x.id == QLatin1String("iis-scep-errors"))
                for (const Evidence& e : x.evidence) {
                    const auto m = QRegularExpression(QStringLiteral("first of (\\d+)")).match(e.path);
                    QVERIFY(m.hasMatch());
                    counted += m.captured(1).toLongLong();
                }
        QCOMPARE(counted, expected);
        QCOMPARE(ids.contains(QLatin1String("iis-scep-errors")), expected > 0);
    }
    void w3cReaderFollowsHeaderBlocks() {
        const QByteArray log = "#Software: Microsoft Internet Information Services 10.0\r\n"
                               "#Fields: date time cs-uri-stem sc-status\r\n"
                               "2026-12-01 00:00:01 /a 200\r\n"
                               "#Software: Microsoft Internet Information Services 10.0\r\n"
                               "#Fields: date time sc-status cs-uri-stem cs(User-Agent)\r\n"
                               "2026-12-01 00:00:02 500 /certsrv/mscep/mscep.dll Mozilla/5.0+(X)\r\n"
                               "broken line\r\n"
                               "2026-12-01 00:00:03 404 /b -";
        QBuffer b;
        b.setData(log);
        QVERIFY(b.open(QIODevice::ReadOnly));
        QStringList seen;
        auto summary = iis::W3cLogReader::read(b, [&seen](const iis::W3cLine& l) {
            seen << QStringLiteral("%1 %2 %3")
                        .arg(l.text("cs-uri-stem"))
                        .arg(l.number("sc-status"))
                        .arg(l.text("cs(user-agent)"));
            return true;
        });
        QVERIFY(summary.ok());
        QCOMPARE(seen,
                 (QStringList{QStringLiteral("/a 200 "), QStringLiteral("/certsrv/mscep/mscep.dll 500 Mozilla/5.0 (X)"),
                              QStringLiteral("/b 404 ")}));
        QCOMPARE(summary->skipped, 1);
        QCOMPARE(summary->headerBlocks, 2);
    }

    // ---- the guide's registry ----
    void guideRegistryMistakes() {
        // What the widely copied guide's commands write: reg add ...\MSCEP /v EnforcePassword /t REG_DWORD /d 0,
        // /v PasswordMax /d 60 ("minutes"), /v PasswordCacheMax /d 100, /v PasswordValidity /d 60.
        Fixture f;
        f.reg(QStringLiteral("mscep.reg"),
              QStringLiteral("[%1]\n\"SignatureTemplate\"=\"NdesDevice\"\n\"EncryptionTemplate\"=\"NdesDevice\"\n"
                             "\"GeneralPurposeTemplate\"=\"NdesDevice\"\n\"EnforcePassword\"=dword:00000000\n"
                             "\"PasswordMax\"=dword:0000003c\n\"PasswordCacheMax\"=dword:00000064\n"
                             "\"PasswordValidity\"=dword:0000003c\n\n"
                             "[%1\\EnforcePassword]\n\"EnforcePassword\"=dword:00000001\n\n"
                             "[%1\\PasswordMax]\n\"PasswordMax\"=dword:00000005\n")
                  .arg(mscepKey));
        const AuditResult r = auditOf(f.path());
        const QStringList ids = fired(r);
        QVERIFY2(ids.contains(QLatin1String("mscep-flat-value")), qPrintable(explain(r)));
        QVERIFY2(ids.contains(QLatin1String("mscep-unknown-value")), qPrintable(explain(r)));
        QVERIFY2(ids.contains(QLatin1String("password-max-looks-like-minutes")), qPrintable(explain(r)));
        // NDES ignores the flat EnforcePassword 0: the subkey's 1 counts, so no enforce-password-off.
        QVERIFY2(!ids.contains(QLatin1String("enforce-password-off")), qPrintable(explain(r)));
        int flat = 0;
        for (const Finding& x : r.findings)
            flat += x.id == QLatin1String("mscep-flat-value") ? 1 : 0;
        QCOMPARE(flat, 3); // EnforcePassword, PasswordMax, PasswordValidity
    }

    // ---- every check: fires, passes, not checked ----
    void everyCheck_data() {
        QTest::addColumn<QString>("id");
        QTest::addColumn<std::function<void(Server&)>>("breakIt");
        auto row = [](const char* id, std::function<void(Server&)> f) {
            QTest::newRow(id) << QString::fromLatin1(id) << f;
        };
        row("mscep-missing", [](Server& s) {
            s.withMscep = false;
            s.withManifest = true;
        });
        row("templates-default", [](Server& s) { s.templates = QStringLiteral("IPSECIntermediateOffline"); });
        row("mscep-flat-value",
            [](Server& s) { s.extraMscepValues = QStringLiteral("\"UseSinglePassword\"=dword:00000000"); });
        row("mscep-unknown-value",
            [](Server& s) { s.extraMscepValues = QStringLiteral("\"PasswordCacheMax\"=dword:00000064"); });
        row("password-max-looks-like-minutes", [](Server& s) { s.passwordMax = 60; });
        row("enforce-password-off", [](Server& s) { s.enforcePassword = 0; });
        row("enforce-password-absent", [](Server& s) { s.enforcePassword = -1; });
        row("single-password", [](Server& s) { s.useSinglePassword = 1; });
        row("password-validity-long", [](Server& s) { s.passwordValidity = 120; });
        row("hash-sha1", [](Server& s) { s.hashAlgorithm.clear(); });
        row("ra-missing", [](Server&) {}); // the RA certificates are removed below
        row("ra-expired", [](Server& s) { s.raDays = -5; });
        row("ra-expiring", [](Server& s) { s.raDays = 10; });
        row("ra-key-exportable", [](Server& s) { s.raExportable = true; });
        row("ra-key-acl", [](Server& s) { s.raSddl += QStringLiteral("(A;;FR;;;AU)"); });
        row("ra-csp", [](Server& s) { s.raProvider = QStringLiteral("Microsoft Software Key Storage Provider"); });
        row("no-https", [](Server& s) { s.https = false; });
        row("tls-cert", [](Server& s) { s.tlsSelfSigned = true; });
        row("admin-page-anonymous", [](Server& s) { s.adminAnonymous = QStringLiteral("true"); });
        row("admin-page-ntlm-over-http", [](Server& s) {
            s.adminProviders = QStringLiteral("<add value=\"NTLM\" />");
            s.adminSslFlags = QStringLiteral("None");
        });
        row("request-limits", [](Server& s) { s.maxFieldLength = 16384; });
        row("root-store-intermediate", [](Server& s) { s.intermediateInRoot = true; });
        row("apppool-identity",
            [](Server& s) { s.poolIdentity = QStringLiteral("identityType=\"ApplicationPoolIdentity\""); });
        row("svc-local-admin", [](Server& s) { s.admins << QStringLiteral("CORP\\svc-ndes"); });
        row("svc-not-iis-iusrs", [](Server& s) { s.iisUsers.clear(); });
        row("ndes-on-ca", [](Server& s) { s.features << QStringLiteral("ADCS-Cert-Authority"); });
        row("ndes-on-dc", [](Server& s) { s.domainRole = 5; });
        row("iis-scep-errors", [](Server& s) {
            s.iisLog =
                w3cHeader + QStringLiteral("2026-12-01 10:00:00 10.0.0.5 GET /certsrv/mscep/mscep.dll "
                                           "operation=GetCACert&message=x 443 - 10.0.0.9 sscep - 500 0 1346 15\r\n");
        });
    }
    void everyCheck() {
        QFETCH(QString, id);
        QFETCH(std::function<void(Server&)>, breakIt);
        // The well-configured server passes this check.
        const AuditResult good = auditOf(Server());
        QVERIFY2(good.passed.contains(id), qPrintable(explain(good)));
        // Broken, it fires.
        Server bad;
        breakIt(bad);
        if (id == QLatin1String("ra-missing")) {
            // Only the TLS certificate left in the Personal store.
            Fixture f;
            bad.write(f);
            // Remove the RA certificates by their info (the RA ones carry keyFileSddl).
            QDir my(f.path() + QStringLiteral("/certificates/My"));
            for (const QString& json : my.entryList({QStringLiteral("*.json")})) {
                QFile c(my.filePath(json));
                QVERIFY(c.open(QIODevice::ReadOnly));
                if (c.readAll().contains("keyFileSddl")) {
                    c.close();
                    QVERIFY(QFile::remove(my.filePath(json)));
                    QVERIFY(QFile::remove(
                        my.filePath(QString(json).replace(QLatin1String(".json"), QLatin1String(".cer")))));
                }
            }
            const AuditResult r = auditOf(f.path());
            QVERIFY2(fired(r).contains(id), qPrintable(explain(r)));
            return;
        }
        if (id == QLatin1String("mscep-missing")) {
            Fixture f;
            bad.write(f);
            f.json(QStringLiteral("manifest.json"), {{QStringLiteral("kind"), QStringLiteral("ndes-snapshot-manifest")},
                                                     {QStringLiteral("format"), 1},
                                                     {QStringLiteral("absentKeys"), QJsonArray{mscepKey}}});
            const AuditResult r = auditOf(f.path());
            QVERIFY2(fired(r).contains(id), qPrintable(explain(r)));
            return;
        }
        const AuditResult r = auditOf(bad);
        QVERIFY2(fired(r).contains(id), qPrintable(explain(r)));
        for (const Finding& x : r.findings)
            if (x.id == id) {
                QVERIFY2(!x.evidence.isEmpty(), qPrintable(id));
                QVERIFY(!x.detail.isEmpty());
                QVERIFY(!x.remedy.isEmpty());
            }
    }

    void raKeyAclReadsTheRights_data() {
        QTest::addColumn<QString>("extraAces");
        QTest::addColumn<bool>("fires");
        QTest::newRow("Everyone may read the data (CC)") << QStringLiteral("(A;;CCLO;;;WD)") << true;
        QTest::newRow("Authenticated Users, generic read") << QStringLiteral("(A;;GR;;;AU)") << true;
        QTest::newRow("Users may change the permissions (WD)") << QStringLiteral("(A;;WD;;;BU)") << true;
        QTest::newRow("a conditional allow entry")
            << QStringLiteral("(XA;;FR;;;AU;(WIN://SYSAPPID Contains \"x\"))") << true;
        QTest::newRow("a hex mask with read data") << QStringLiteral("(A;;0x1;;;S-1-5-21-1-2-3-4000)") << true;
        QTest::newRow("another application pool") << QStringLiteral("(A;;FR;;;S-1-5-82-1-2-3-4-5)") << true;
        QTest::newRow("the SCEP pool itself") << QStringLiteral("(A;;FR;;;S-1-5-82-9-9-9-9-9)") << false;
        QTest::newRow("a deny entry") << QStringLiteral("(D;;FA;;;WD)") << false;
        QTest::newRow("read attributes only") << QStringLiteral("(A;;0x80;;;WD)") << false;
    }
    void raKeyAclReadsTheRights() {
        QFETCH(QString, extraAces);
        QFETCH(bool, fires);
        Fixture f;
        Server s;
        s.raSddl += extraAces;
        s.write(f);
        // The collector resolves IIS AppPool\SCEP to its SID.
        QFile host(f.path() + QStringLiteral("/host.json"));
        QVERIFY(host.open(QIODevice::ReadOnly));
        QJsonObject o = QJsonDocument::fromJson(host.readAll()).object();
        host.close();
        o.insert(QStringLiteral("scepPoolSid"), QStringLiteral("S-1-5-82-9-9-9-9-9"));
        f.json(QStringLiteral("host.json"), o);
        const AuditResult r = auditOf(f.path());
        QCOMPARE(fired(r).contains(QLatin1String("ra-key-acl")), fires);
        if (!fires)
            QVERIFY2(r.passed.contains(QLatin1String("ra-key-acl")), qPrintable(explain(r)));
    }

    // The Intune connector's (or NDESPolicy's) client certificate, named by thumbprint in its registry key.
    void policyModuleCertificate_data() {
        QTest::addColumn<QString>("which");
        QTest::addColumn<QString>("expected");
        QTest::newRow("self-signed") << QStringLiteral("self-signed") << QStringLiteral("fires");
        QTest::newRow("not in the store") << QStringLiteral("absent") << QStringLiteral("fires");
        QTest::newRow("a good client certificate") << QStringLiteral("good") << QStringLiteral("passes");
        QTest::newRow("no thumbprint in the key") << QStringLiteral("none") << QStringLiteral("not checked");
    }
    void policyModuleCertificate() {
        QFETCH(QString, which);
        QFETCH(QString, expected);
        static const test::NdesLikePki pki = test::NdesLikePki::create(700);
        static const pki::Certificate selfSigned =
            test::issue(test::testKey(8), QStringLiteral("CN=NDES01 connector"), pki::Certificate(), test::testKey(8),
                        0, {QStringLiteral("1.3.6.1.5.5.7.3.2")});
        static const pki::Certificate good =
            test::issue(test::testKey(8), QStringLiteral("CN=NDES01 connector"), pki.issuing, pki.issuingKey, 0,
                        {QStringLiteral("1.3.6.1.5.5.7.3.2")});
        const pki::Certificate& named = which == QLatin1String("good") ? good : selfSigned;
        Fixture f;
        Server s;
        const QString thumb = which == QLatin1String("absent")
                                  ? QStringLiteral("00112233445566778899AABBCCDDEEFF00112233")
                                  : pki::Certificate::hex(named.sha1());
        s.extraKeys =
            which == QLatin1String("none")
                ? QStringLiteral("[%1\\Modules\\NDESPolicy]\n\"Policy\"=\"NDESPolicy.Policy\"\n\n").arg(mscepKey)
                : QStringLiteral("[%1\\Modules\\NDESPolicy]\n\"NDESCertThumbprint\"=\"%2\"\n\n").arg(mscepKey, thumb);
        s.write(f);
        if (which != QLatin1String("absent"))
            f.cert(QStringLiteral("My"), named, {{QStringLiteral("hasPrivateKey"), true}});
        const AuditResult r = auditOf(f.path());
        if (expected == QLatin1String("fires"))
            QVERIFY2(fired(r).contains(QLatin1String("policy-cert")), qPrintable(explain(r)));
        else if (expected == QLatin1String("passes"))
            QVERIFY2(r.passed.contains(QLatin1String("policy-cert")), qPrintable(explain(r)));
        else
            QVERIFY2(notCheckedIds(r).contains(QLatin1String("policy-cert")), qPrintable(explain(r)));
        // Without a policy module there is nothing to check: the good server passes.
        QVERIFY(auditOf(Server()).passed.contains(QLatin1String("policy-cert")));
    }
    void withoutEvidenceNothingPasses() {
        // A folder with nothing NDES-related: every check is "not checked" with a reason, none passed.
        Fixture f;
        f.file(QStringLiteral("readme.txt"), "unrelated");
        const AuditResult r = auditOf(f.path());
        QVERIFY2(r.findings.isEmpty(), qPrintable(explain(r)));
        QVERIFY2(r.passed.isEmpty(), qPrintable(r.passed.join(QLatin1Char(','))));
        auto cat = Catalogue::builtIn();
        QCOMPARE(r.notChecked.size(), cat->checks().size());
        for (const NotChecked& n : r.notChecked)
            QVERIFY2(!n.why.isEmpty(), qPrintable(n.id));
    }
    void evidenceWithoutDetailsIsNotChecked() {
        // RA certificates without the collector's key facts: the key checks cannot run.
        Fixture f;
        const test::NdesLikePki pki = test::NdesLikePki::create(700);
        f.file(QStringLiteral("ra-sign.cer"), pki.raSign.toDer());
        f.file(QStringLiteral("ra-enc.pem"), pki.raEnc.toPem());
        const AuditResult r = auditOf(f.path());
        QVERIFY2(r.passed.contains(QLatin1String("ra-missing")), qPrintable(explain(r)));
        QVERIFY2(r.passed.contains(QLatin1String("ra-expired")), qPrintable(explain(r)));
        for (const char* id : {"ra-key-exportable", "ra-key-acl", "ra-csp", "root-store-intermediate", "tls-cert"})
            QVERIFY2(notCheckedIds(r).contains(QLatin1String(id)), id);
    }

    // ---- manifest ----
    void manifestHashes() {
        Fixture f;
        Server().write(f);
        QJsonArray files;
        QDirIterator it(f.path(), QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString p = it.next();
            QFile x(p);
            QVERIFY(x.open(QIODevice::ReadOnly));
            files.append(QJsonObject{
                {QStringLiteral("name"), QDir(f.path()).relativeFilePath(p)},
                {QStringLiteral("sha256"),
                 QString::fromLatin1(QCryptographicHash::hash(x.readAll(), QCryptographicHash::Sha256).toHex())}});
        }
        QJsonObject manifest{{QStringLiteral("kind"), QStringLiteral("ndes-snapshot-manifest")},
                             {QStringLiteral("format"), 1},
                             {QStringLiteral("collectorVersion"), QStringLiteral("1.0.0")},
                             {QStringLiteral("host"), QStringLiteral("NDES01")},
                             {QStringLiteral("collectedAt"), QStringLiteral("2026-12-01T10:00:00Z")},
                             {QStringLiteral("collectedBy"), QStringLiteral("CORP\\auditor")},
                             {QStringLiteral("files"), files}};
        f.json(QStringLiteral("manifest.json"), manifest);
        AuditResult r = auditOf(f.path());
        QVERIFY2(r.passed.contains(QLatin1String("evidence-altered")), qPrintable(explain(r)));
        QCOMPARE(r.host, QStringLiteral("NDES01"));
        QCOMPARE(r.collectedAt, QDateTime(QDate(2026, 12, 1), QTime(10, 0), Qt::UTC));
        // Change one byte of the IIS configuration.
        QFile cfg(f.path() + QStringLiteral("/iis/applicationHost.config"));
        QVERIFY(cfg.open(QIODevice::Append));
        cfg.write("\n");
        cfg.close();
        f.file(QStringLiteral("added.txt"), "x");
        r = auditOf(f.path());
        QStringList details;
        for (const Finding& x : r.findings)
            if (x.id == QLatin1String("evidence-altered")) {
                QCOMPARE(x.severity, Severity::Critical);
                details << x.detail;
            }
        QCOMPARE(details.size(), 2);
        QVERIFY(details.join(QLatin1Char(' ')).contains(QLatin1String("iis/applicationHost.config")));
        QVERIFY(details.join(QLatin1Char(' ')).contains(QLatin1String("added.txt")));
        QCOMPARE(r.findings.first().severity, Severity::Critical); // worst first
    }
    void unknownManifestFormat() {
        Fixture f;
        Server().write(f);
        f.json(QStringLiteral("manifest.json"),
               {{QStringLiteral("kind"), QStringLiteral("ndes-snapshot-manifest")}, {QStringLiteral("format"), 7}});
        const AuditResult r = auditOf(f.path());
        QVERIFY2(notCheckedIds(r).contains(QLatin1String("evidence-altered")), qPrintable(explain(r)));
        QVERIFY2(r.problems.join(QLatin1Char(' ')).contains(QLatin1String("format 7")),
                 qPrintable(r.problems.join(QLatin1Char('\n'))));
    }

    // ---- hostile input ----
    void hostileFiles() {
        Fixture f;
        Server().write(f);
        // An XML bomb dressed as applicationHost.config.
        f.file(QStringLiteral("bomb/applicationHost.config"),
               "<?xml version=\"1.0\"?><!DOCTYPE configuration [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b "
               "\"&a;&a;&a;&a;&a;&a;&a;&a;\">"
               "<!ENTITY c "
               "\"&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]><configuration><system.applicationHost>&c;</system.applicationHost>"
               "</configuration>");
        // UTF-16 with an odd length.
        QByteArray odd =
            utf16(QStringLiteral("[Unicode]\r\n[Privilege Rights]\r\nSeImpersonatePrivilege = *S-1-5-6\r\n"));
        odd.append('\x41');
        f.file(QStringLiteral("odd/rights.inf"), odd);
        // A registry export that is cut in the middle of a key.
        f.file(QStringLiteral("cut.reg"),
               utf16(QStringLiteral("Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFT")));
        // A symbolic link to a file outside the snapshot.
        QVERIFY(QFile::link(QStringLiteral("/etc/passwd"), f.path() + QStringLiteral("/passwd.reg")));
        // A 2 GB file (sparse: no disk used).
        {
            QFile big(f.path() + QStringLiteral("/huge.log"));
            QVERIFY(big.open(QIODevice::WriteOnly));
            QVERIFY(big.resize(qint64(2) * 1024 * 1024 * 1024));
        }
        // Garbage JSON and a binary blob.
        f.file(QStringLiteral("x.json"), "{\"kind\": \"local-groups\", \"groups\": [1,2,");
        f.file(QStringLiteral("blob.bin"), QByteArray(4096, '\x30'));
        const QStringList before = QDir(f.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden);
        const AuditResult r = auditOf(f.path());
        const QString problems = r.problems.join(QLatin1Char('\n'));
        QVERIFY2(problems.contains(QLatin1String("bomb/applicationHost.config")) &&
                     problems.contains(QLatin1String("DTD")),
                 qPrintable(problems));
        QVERIFY2(problems.contains(QLatin1String("odd/rights.inf")) && problems.contains(QLatin1String("odd number")),
                 qPrintable(problems));
        QVERIFY2(problems.contains(QLatin1String("passwd.reg")) && problems.contains(QLatin1String("symbolic link")),
                 qPrintable(problems));
        QVERIFY2(problems.contains(QLatin1String("huge.log")) && problems.contains(QLatin1String("limit")),
                 qPrintable(problems));
        QVERIFY2(problems.contains(QLatin1String("cut.reg")), qPrintable(problems));
        // The good evidence is still audited: the real applicationHost.config is used, not the bomb.
        QVERIFY2(r.passed.contains(QLatin1String("no-https")), qPrintable(explain(r)));
        // Nothing was written into the snapshot.
        QCOMPARE(QDir(f.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden), before);
    }
    void notAFolder() {
        QVERIFY(!Snapshot::load(QStringLiteral("/nonexistent/ndes")).ok());
        QTemporaryDir empty;
        auto s = Snapshot::load(empty.path());
        QVERIFY(!s.ok());
        QVERIFY(s.error().message.contains(QLatin1String("no file")));
    }

    // ---- the collector's zip ----
    void zipSnapshotReadsLikeItsFolder() {
        Fixture f;
        Server s;
        s.https = false;
        s.write(f);
        writeManifest(f);
        QTemporaryDir out;
        const QString zip = out.filePath(QStringLiteral("NDES01-20261201T100000Z.zip"));
        QVERIFY(makeZip(zip, filesOf(f.path(), true)));
        const AuditResult fromFolder = auditOf(f.path());
        const AuditResult fromZip = auditOf(zip);
        QVERIFY2(fromZip.problems.isEmpty(), qPrintable(fromZip.problems.join(QLatin1Char('\n'))));
        QCOMPARE(fired(fromZip), fired(fromFolder));
        QCOMPARE(fromZip.passed, fromFolder.passed);
        QVERIFY(fromZip.passed.contains(QLatin1String("evidence-altered")));
        QVERIFY(fired(fromZip).contains(QLatin1String("no-https")));
        // The same files, with the same hashes, under '/' names.
        QCOMPARE(fromZip.files.size(), fromFolder.files.size());
        // A zip of the snapshot's parent folder: the manifest one level down still matches.
        const QString nested = out.filePath(QStringLiteral("nested.zip"));
        auto entries = filesOf(f.path(), false);
        for (auto& e : entries)
            e.first.prepend(QStringLiteral("NDES01-20261201T100000Z/"));
        QVERIFY(makeZip(nested, entries));
        const AuditResult n = auditOf(nested);
        QVERIFY2(n.passed.contains(QLatin1String("evidence-altered")), qPrintable(explain(n)));
    }
    void hostileZip() {
        Fixture f;
        Server().write(f);
        QTemporaryDir out;
        const QString zip = out.filePath(QStringLiteral("hostile.zip"));
        auto entries = filesOf(f.path(), true);
        entries << std::pair{QStringLiteral("../../zip-slip-evil.txt"), QByteArray("escaped")}
                << std::pair{QStringLiteral("..\\..\\zip-slip-evil2.txt"), QByteArray("escaped")}
                << std::pair{QStringLiteral("/tmp/zip-slip-abs.txt"), QByteArray("escaped")}
                << std::pair{QStringLiteral("C:\\Windows\\evil.txt"), QByteArray("escaped")}
                << std::pair{QStringLiteral("link:passwd.reg"), QByteArray("/etc/passwd")}
                << std::pair{QStringLiteral("lie:bomb.log"), QByteArray(4 * 1024 * 1024, '\0')};
        QVERIFY(makeZip(zip, entries));
        auto snap = Snapshot::load(zip);
        QVERIFY2(snap.ok(), qPrintable(snap.ok() ? QString() : snap.error().message));
        const QString problems = snap->problems().join(QLatin1Char('\n'));
        QCOMPARE(problems.count(QLatin1String("leads outside")), 4);
        QVERIFY2(problems.contains(QLatin1String("passwd.reg")) && problems.contains(QLatin1String("symbolic link")),
                 qPrintable(problems));
        QVERIFY2(problems.contains(QLatin1String("bomb.log")) && problems.contains(QLatin1String("zip bomb")),
                 qPrintable(problems));
        for (const QString& p :
             {out.filePath(QStringLiteral("zip-slip-evil.txt")), QStringLiteral("/tmp/zip-slip-evil.txt"),
              QStringLiteral("/zip-slip-evil.txt"), QStringLiteral("/tmp/zip-slip-abs.txt"),
              QDir::tempPath() + QStringLiteral("/zip-slip-evil2.txt")})
            QVERIFY2(!QFile::exists(p), qPrintable(p));
        for (const SnapshotFile& x : snap->files())
            QVERIFY2(!x.name.contains(QLatin1String("bomb")) || x.kind == QLatin1String("unreadable"),
                     qPrintable(x.name));
        // The good entries are still audited.
        auto cat = Catalogue::builtIn();
        const AuditResult r = runAudit(*cat, *snap);
        QVERIFY2(r.passed.contains(QLatin1String("no-https")), qPrintable(explain(r)));
        // Its temporary folder goes with it.
        const QString root = snap->root();
        QVERIFY(QFileInfo::exists(root));
        snap = makeError(ErrorKind::Internal, QString());
        QVERIFY(!QFileInfo::exists(root));
    }
    void zipLimitsAndDamage() {
        QTemporaryDir out;
        const QString zip = out.filePath(QStringLiteral("big.zip"));
        QVERIFY(makeZip(zip, {{QStringLiteral("zeros.log"), QByteArray(8 * 1024 * 1024, '\0')},
                              {QStringLiteral("mscep.reg"), QByteArray("x")}}));
        Snapshot::Limits small;
        small.maxFileBytes = 1024 * 1024;
        auto snap = Snapshot::load(zip, small);
        QVERIFY(snap.ok());
        QVERIFY2(snap->problems().join(QLatin1Char(' ')).contains(QLatin1String("over the limit")),
                 qPrintable(snap->problems().join(QLatin1Char(' '))));
        // Cut short: no central directory.
        QFile z(zip);
        QVERIFY(z.open(QIODevice::ReadOnly));
        const QByteArray bytes = z.readAll();
        z.close();
        const QString cut = out.filePath(QStringLiteral("cut.zip"));
        QFile c(cut);
        QVERIFY(c.open(QIODevice::WriteOnly));
        c.write(bytes.left(bytes.size() / 2));
        c.close();
        auto bad = Snapshot::load(cut);
        QVERIFY(!bad.ok());
        QVERIFY2(bad.error().message.contains(QLatin1String("cut short")), qPrintable(bad.error().message));
        QVERIFY(!ZipReader::safeName(QStringLiteral("a/../../b")).size());
        QCOMPARE(ZipReader::safeName(QStringLiteral("registry\\mscep.reg")), QStringLiteral("registry/mscep.reg"));
        QCOMPARE(ZipReader::safeName(QStringLiteral("./a//b")), QStringLiteral("a/b"));
    }

    // ---- drift ----
    void driftBetweenSnapshots() {
        Fixture fa;
        Fixture fb;
        Fixture fc;
        Server a;
        a.write(fa);
        Server b;
        b.passwordValidity = 120;
        b.https = false;
        b.admins << QStringLiteral("CORP\\svc-ndes");
        b.write(fb);
        a.write(fc); // the same settings, written again (new TLS certificate: same key, same content)
        auto sa = Snapshot::load(fa.path());
        auto sb = Snapshot::load(fb.path());
        auto sc = Snapshot::load(fc.path());
        QVERIFY(sa.ok() && sb.ok() && sc.ok());
        const DriftReport same = compareSnapshots(*sa, *sc);
        QVERIFY2(same.differences.isEmpty(),
                 qPrintable(same.differences.isEmpty() ? QString() : same.differences[0].setting));
        QVERIFY(same.same > 30);
        const DriftReport r = compareSnapshots(*sa, *sb);
        QStringList settings;
        for (const DriftItem& d : r.differences)
            settings << d.area + QLatin1Char(':') + d.setting;
        QCOMPARE(settings, (QStringList{QStringLiteral("groups:administrators"),
                                        QStringLiteral("iis:site Default Web Site bindings"),
                                        QStringLiteral("registry:MSCEP\\PasswordValidity\\PasswordValidity")}));
        for (const DriftItem& d : r.differences)
            if (d.area == QLatin1String("registry")) {
                QCOMPARE(d.a, QStringLiteral("30"));
                QCOMPARE(d.b, QStringLiteral("120"));
            }
        // Evidence only one side has is named, not reported setting by setting.
        Fixture fd;
        fd.copy(data(QStringLiteral("ndes-manual-installation/MSCEP.reg")), QStringLiteral("MSCEP.reg"));
        auto sd = Snapshot::load(fd.path());
        const DriftReport partial = compareSnapshots(*sa, *sd);
        QVERIFY(partial.notSeen.join(QLatin1Char(' ')).contains(QLatin1String("iis: only in the first")));
        for (const DriftItem& d : partial.differences)
            QCOMPARE(d.area, QStringLiteral("registry"));
    }
    void driftOfRealConfigs() {
        // Server 2019 and 2022 after the same NDES setup: the NDES parts are alike.
        Fixture a;
        Fixture b;
        a.copy(data(QStringLiteral("ndes-manual-installation/ws2019/applicationHost.config")),
               QStringLiteral("a.config"));
        b.copy(data(QStringLiteral("ndes-manual-installation/ws2022/applicationHost.config")),
               QStringLiteral("b.config"));
        const DriftReport r = compareSnapshots(*Snapshot::load(a.path()), *Snapshot::load(b.path()));
        for (const DriftItem& d : r.differences)
            QVERIFY2(!d.setting.contains(QLatin1String("mscep")),
                     qPrintable(d.setting + QStringLiteral(": ") + d.a + QStringLiteral(" / ") + d.b));
        // Before and after NDES: the SCEP pool and applications appear.
        Fixture before;
        before.copy(data(QStringLiteral("ndes-manual-installation/ws2022/applicationHost.config.original")),
                    QStringLiteral("a.config"));
        const DriftReport setup = compareSnapshots(*Snapshot::load(before.path()), *Snapshot::load(b.path()));
        QStringList added;
        for (const DriftItem& d : setup.differences)
            if (d.a == QLatin1String("(absent)"))
                added << d.setting;
        QVERIFY2(added.contains(QLatin1String("pool SCEP identity")), qPrintable(added.join(QLatin1Char('\n'))));
        QVERIFY2(added.contains(QLatin1String("Default Web Site/CertSrv/mscep_admin anonymous")),
                 qPrintable(added.join(QLatin1Char('\n'))));
    }

    // ---- reports ----
    void reports() {
        Server s;
        s.https = false;
        s.adminAnonymous = QStringLiteral("true");
        s.extraMscepValues = QStringLiteral("\"HashAlgorithm\"=\"=HYPERLINK(\\\"http://evil\\\")<script>\"");
        Fixture f;
        s.write(f);
        const AuditResult r = auditOf(f.path());
        QVERIFY(!r.findings.isEmpty());
        // JSON: the documented shape.
        const QJsonObject j = QJsonDocument::fromJson(AuditReport::json(r)).object();
        QVERIFY(!j.value(QStringLiteral("catalogueVersion")).toString().isEmpty());
        const QJsonObject snap = j.value(QStringLiteral("snapshot")).toObject();
        QVERIFY(snap.contains(QStringLiteral("host")) && snap.contains(QStringLiteral("collectedAt")));
        const QJsonArray files = snap.value(QStringLiteral("files")).toArray();
        QCOMPARE(files.size(), r.files.size());
        QCOMPARE(files[0].toObject().value(QStringLiteral("sha256")).toString().size(), 64);
        const QJsonObject first = j.value(QStringLiteral("findings")).toArray()[0].toObject();
        for (const char* key : {"id", "severity", "title", "evidence", "remedy"})
            QVERIFY2(first.contains(QLatin1String(key)), key);
        const QJsonObject ev = first.value(QStringLiteral("evidence")).toArray()[0].toObject();
        for (const char* key : {"source", "path", "value"})
            QVERIFY2(ev.contains(QLatin1String(key)), key);
        QVERIFY(j.value(QStringLiteral("notChecked")).isArray());
        // CSV: a value a spreadsheet would run is quoted as text.
        const QByteArray csv = AuditReport::csv(r);
        QVERIFY(csv.startsWith("\xEF\xBB\xBF"
                               "severity,id,"));
        QVERIFY2(!csv.contains(",=HYPERLINK"), csv.constData());
        QVERIFY(csv.contains("'=HYPERLINK"));
        // HTML: self-contained, escaped.
        const QString html = AuditReport::html(r, QDateTime::currentDateTimeUtc());
        QVERIFY(!html.contains(QLatin1String("<script>")));
        QVERIFY(html.contains(QLatin1String("&lt;script&gt;")));
        QVERIFY(!html.contains(QLatin1String("src=")));
        QVERIFY(html.contains(r.catalogueVersion));
        for (const SnapshotFile& x : r.files)
            QVERIFY(html.contains(x.sha256));
        QTemporaryDir out;
        QVERIFY(AuditReport::write(r, out.filePath(QStringLiteral("r.html")), QDateTime::currentDateTimeUtc()).ok());
        QCOMPARE(QFile(out.filePath(QStringLiteral("r.html"))).permissions() & (QFile::ReadOther | QFile::ReadGroup),
                 QFileDevice::Permissions());
        QVERIFY(!AuditReport::write(r, out.filePath(QStringLiteral("r.docx")), QDateTime::currentDateTimeUtc()).ok());
    }
};

QTEST_GUILESS_MAIN(TestAudit)
#include "TestAudit.moc"
