// SPDX-License-Identifier: Apache-2.0
// ndesctl audit and ndesctl collector, as a user runs them: on the real files from Windows servers, with the
// exit codes and JSON the README documents; the collector it saves is read-only by construction (the PowerShell
// parser holds it to an allow-list) and frozen as a golden file.
#include "NdesLabProcess.h"
#include "RunProgram.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

namespace {
QString data(const QString& rel) {
    return qEnvironmentVariable("NDES_TEST_DATA") + QLatin1Char('/') + rel;
}

using Run = ndes::test::ProgramRun;
using ndes::test::runProgram;

Run ndesctl(const QStringList& args) {
    return runProgram(qEnvironmentVariable("NDESCTL"), args);
}

QStringList findingIds(const QByteArray& json) {
    QStringList ids;
    for (const QJsonValue& v : QJsonDocument::fromJson(json).object().value(QStringLiteral("findings")).toArray())
        ids << v.toObject().value(QStringLiteral("id")).toString();
    return ids;
}

QStringList passedIds(const QByteArray& json) {
    QStringList ids;
    for (const QJsonValue& v : QJsonDocument::fromJson(json).object().value(QStringLiteral("passed")).toArray())
        ids << v.toString();
    return ids;
}

// The allow-list of the collector: commands that read, and the few that write inside its output folder.
const QStringList allowedCommands = {
    QStringLiteral("Set-StrictMode"),       QStringLiteral("New-Item"),        QStringLiteral("Join-Path"),
    QStringLiteral("Split-Path"),           QStringLiteral("Test-Path"),       QStringLiteral("Out-Null"),
    QStringLiteral("New-Object"),           QStringLiteral("Set-Content"),     QStringLiteral("ConvertTo-Json"),
    QStringLiteral("Write-Host"),           QStringLiteral("Write-Warning"),   QStringLiteral("Get-Item"),
    QStringLiteral("Get-ItemProperty"),     QStringLiteral("Copy-Item"),       QStringLiteral("Get-Acl"),
    QStringLiteral("Get-ChildItem"),        QStringLiteral("Get-CimInstance"), QStringLiteral("Get-Command"),
    QStringLiteral("Get-WindowsFeature"),   QStringLiteral("Where-Object"),    QStringLiteral("ForEach-Object"),
    QStringLiteral("Get-Module"),           QStringLiteral("Import-Module"),   QStringLiteral("Get-LocalGroup"),
    QStringLiteral("Get-LocalGroupMember"), QStringLiteral("Get-Service"),     QStringLiteral("Get-FileHash"),
    QStringLiteral("Sort-Object"),          QStringLiteral("Select-Object"),   QStringLiteral("Get-Date"),
    QStringLiteral("Compress-Archive"),     QStringLiteral("Remove-Item"),     QStringLiteral("reg.exe"),
    QStringLiteral("secedit.exe"),          QStringLiteral("netsh.exe"),       QStringLiteral("wevtutil.exe")};

QStringList readOnlyRules() {
    QStringList a;
    for (const QString& c : allowedCommands)
        a << QStringLiteral("--allow-command") << c;
    a << QStringLiteral("--native-verb") << QStringLiteral("reg.exe=export")      //
      << QStringLiteral("--native-verb") << QStringLiteral("secedit.exe=/export") //
      << QStringLiteral("--native-verb") << QStringLiteral("netsh.exe=http")      //
      << QStringLiteral("--native-verb") << QStringLiteral("wevtutil.exe=epl|el");
    // What writes, and the parameter that names where: it must be an output variable.
    for (const char* w : {"Set-Content=LiteralPath", "Copy-Item=Destination", "New-Item=Path",
                          "Compress-Archive=DestinationPath", "Remove-Item=LiteralPath", "reg.exe=*", "secedit.exe=*"})
        a << QStringLiteral("--write-command") << QLatin1String(w);
    a << QStringLiteral("--write-native") << QStringLiteral("wevtutil.exe=epl");
    // The .NET methods and types it may use: reading, strings, lists, the private folder's rights.
    for (const char* m : {"Add",
                          "AddAccessRule",
                          "CreateDirectory",
                          "EndsWith",
                          "GetEnumerator",
                          "GetFullPath",
                          "GetRSAPrivateKey",
                          "IsPathRooted",
                          "ReadAllLines",
                          "ReadAllText",
                          "Replace",
                          "SetAccessRuleProtection",
                          "StartsWith",
                          "Substring",
                          "ToLowerInvariant",
                          "ToString",
                          "ToUniversalTime",
                          "Translate",
                          "Trim",
                          "WriteAllBytes",
                          "WriteAllLines",
                          "WriteAllText"})
        a << QStringLiteral("--allow-method") << QLatin1String(m);
    for (const char* t : {"System.Collections.Generic.List[string]", "System.Security.AccessControl.DirectorySecurity",
                          "System.Security.AccessControl.FileSystemAccessRule", "System.Security.Principal.NTAccount",
                          "System.Security.Principal.SecurityIdentifier", "System.Text.UTF8Encoding"})
        a << QStringLiteral("--allow-type") << QLatin1String(t);
    a << QStringLiteral("--allow-module") << QStringLiteral("WebAdministration");
    a << QStringLiteral("--output-var") << QStringLiteral("dest=Get-CollectorPath")          //
      << QStringLiteral("--output-var") << QStringLiteral("root=Join-Path $base")            //
      << QStringLiteral("--output-var") << QStringLiteral("zipFolder=Join-Path $base")       //
      << QStringLiteral("--output-var") << QStringLiteral("zip=Join-Path $zipFolder")        //
      << QStringLiteral("--output-var") << QStringLiteral("parent=Split-Path -Parent $full") //
      << QStringLiteral("--output-var") << QStringLiteral("OutputFolder=(parameter)");
    return a;
}

QByteArray psCheck(const QString& file) {
    QProcess node;
    node.start(QStringLiteral("node"),
               QStringList{qEnvironmentVariable("NDES_PS_SYNTAX")} + readOnlyRules() + QStringList{file});
    if (!node.waitForFinished(60000))
        return "timeout";
    return QByteArray::number(node.exitCode()) + '\n' + node.readAllStandardOutput() + node.readAllStandardError();
}
} // namespace

class TestAuditCli : public QObject {
    Q_OBJECT
private slots:
    void collectorIsSavedAsWindowsReadsIt() {
        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("Collect-NdesSnapshot.ps1"));
        const Run r = ndesctl({QStringLiteral("collector"), QStringLiteral("--out"), out});
        QVERIFY2(r.code == 0, r.err.constData());
        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray bytes = f.readAll();
        QVERIFY(bytes.startsWith("\xEF\xBB\xBF"));
        QCOMPARE(bytes.count("\r\n"), bytes.count('\n'));
        // Golden: a change to the collector is a reviewed change (NDES_UPDATE_GOLDEN=1 rewrites, and fails).
        QFile golden(data(QStringLiteral("audit/golden/Collect-NdesSnapshot.ps1")));
        if (qEnvironmentVariableIntValue("NDES_UPDATE_GOLDEN") == 1) {
            QDir().mkpath(QFileInfo(golden).absolutePath());
            QVERIFY(golden.open(QIODevice::WriteOnly));
            golden.write(bytes);
            QFAIL("NDES_UPDATE_GOLDEN=1: rewrote the collector's golden file, compared nothing");
        }
        QVERIFY2(golden.open(QIODevice::ReadOnly), qPrintable(golden.fileName()));
        QVERIFY2(golden.readAll() == bytes, "the collector differs from tests/data/audit/golden");
    }
    void collectorIsReadOnly() {
        QVERIFY2(QFile::exists(qEnvironmentVariable("NDES_PS_SYNTAX")),
                 "tools/ps-syntax is not installed (scripts/install-deps.sh runs npm ci there)");
        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("c.ps1"));
        QCOMPARE(ndesctl({QStringLiteral("collector"), QStringLiteral("--out"), out}).code, 0);
        const QByteArray report = psCheck(out);
        QVERIFY2(report.startsWith("0\n") && report.contains(": ok"), report.constData());
        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(f.readAll());
        // It never exports a key, reads a password, or keeps EncryptedPassword's data.
        for (const char* never : {"Export-PfxCertificate", ".Export(", "ExportParameters", "ExportCspBlob",
                                  "ConvertFrom-SecureString", "GetNetworkCredential"})
            QVERIFY2(!text.contains(QLatin1String(never)), never);
        QVERIFY(text.contains(QLatin1String("'^\"EncryptedPassword\"='")));
    }
    void readOnlyRulesCatchWrites_data() {
        QTest::addColumn<QString>("line");
        QTest::addColumn<QString>("expected");
        QTest::newRow("a command off the list") << QStringLiteral("Clear-Content -LiteralPath C:\\Windows\\x")
                                                << QStringLiteral("Clear-Content is not on the allow-list");
        QTest::newRow("a delete elsewhere") << QStringLiteral("Remove-Item -LiteralPath C:\\Windows\\x")
                                            << QStringLiteral("Remove-Item writes to a path that is not an output");
        QTest::newRow("reg add") << QStringLiteral("& reg.exe add HKLM\\SOFTWARE\\x /f")
                                 << QStringLiteral("is not an allowed use of reg.exe");
        QTest::newRow("write elsewhere") << QStringLiteral("Set-Content -LiteralPath C:\\evil.txt -Value 1")
                                         << QStringLiteral("writes to a path that is not an output variable");
        QTest::newRow(".NET write elsewhere") << QStringLiteral("[System.IO.File]::WriteAllText('C:\\evil.txt', 'x')")
                                              << QStringLiteral(".NET WriteAllText writes to a path");
        QTest::newRow("dest from elsewhere") << QStringLiteral("$dest = 'C:\\Windows\\System32\\x.dll'")
                                             << QStringLiteral("$dest is assigned something other than");
        QTest::newRow("service change") << QStringLiteral("Stop-Service W3SVC")
                                        << QStringLiteral("Stop-Service is not on");
    }
    void readOnlyRulesCatchWrites() {
        QFETCH(QString, line);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("c.ps1"));
        QCOMPARE(ndesctl({QStringLiteral("collector"), QStringLiteral("--out"), out}).code, 0);
        QFile f(out);
        QVERIFY(f.open(QIODevice::Append));
        f.write("\r\n" + line.toUtf8() + "\r\n");
        f.close();
        const QByteArray report = psCheck(out);
        QVERIFY2(report.startsWith("1\n") && report.contains(expected.toUtf8()), report.constData());
    }

    void auditOfRealFiles() {
        QTemporaryDir in;
        QVERIFY(QFile::copy(data(QStringLiteral("ndes-manual-installation/MSCEP.reg")),
                            in.filePath(QStringLiteral("MSCEP.reg"))));
        QVERIFY(QFile::copy(data(QStringLiteral("ndes-manual-installation/ws2022/applicationHost.config")),
                            in.filePath(QStringLiteral("applicationHost.config"))));
        QVERIFY(QFile::copy(data(QStringLiteral("iis-logs/u_ex240411.log")),
                            in.filePath(QStringLiteral("u_ex240411.log"))));
        Run r = ndesctl({QStringLiteral("audit"), QStringLiteral("--in"), in.path(), QStringLiteral("--json")});
        // no-https and admin-page-ntlm-over-http are high: exit 2 at the default --fail-on high.
        QVERIFY2(r.code == 2, r.err.constData());
        const QJsonObject j = QJsonDocument::fromJson(r.out).object();
        QVERIFY(!j.value(QStringLiteral("catalogueVersion")).toString().isEmpty());
        QCOMPARE(j.value(QStringLiteral("snapshot")).toObject().value(QStringLiteral("files")).toArray().size(), 3);
        QStringList ids;
        for (const QJsonValue& v : j.value(QStringLiteral("findings")).toArray())
            ids << v.toObject().value(QStringLiteral("id")).toString();
        for (const char* id : {"no-https", "templates-default", "hash-sha1", "password-validity-long"})
            QVERIFY2(ids.contains(QLatin1String(id)), qPrintable(ids.join(QLatin1Char(','))));
        QVERIFY(!ids.contains(QLatin1String("admin-page-anonymous")));
        // The registry remedy script parses as PowerShell, with every variable set (StrictMode).
        QString remedy;
        for (const QJsonValue& v : j.value(QStringLiteral("findings")).toArray())
            if (v.toObject().value(QStringLiteral("id")) == QLatin1String("hash-sha1"))
                remedy = v.toObject().value(QStringLiteral("remedyScript")).toString();
        QVERIFY(remedy.contains(QLatin1String("HashAlgorithm")));
        QTemporaryDir scripts;
        QFile ps(scripts.filePath(QStringLiteral("remedy.ps1")));
        QVERIFY(ps.open(QIODevice::WriteOnly));
        ps.write(remedy.toUtf8());
        ps.close();
        QProcess node;
        node.start(QStringLiteral("node"), {qEnvironmentVariable("NDES_PS_SYNTAX"), QStringLiteral("--forbid-command"),
                                            QStringLiteral("Invoke-Expression"), ps.fileName()});
        QVERIFY(node.waitForFinished(60000));
        QVERIFY2(node.exitCode() == 0, node.readAllStandardOutput().constData());
        // --fail-on critical: the worst is high, so 1.
        r = ndesctl({QStringLiteral("audit"), QStringLiteral("--in"), in.path(), QStringLiteral("--fail-on"),
                     QStringLiteral("critical")});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.out.contains("[HIGH] no-https"), r.out.constData());
        QVERIFY(r.out.contains("Not checked:"));
        // Reports, owner-only.
        QTemporaryDir out;
        r = ndesctl({QStringLiteral("audit"), QStringLiteral("--in"), in.path(), QStringLiteral("--html"),
                     out.filePath(QStringLiteral("r.html")), QStringLiteral("--csv"),
                     out.filePath(QStringLiteral("r.csv")), QStringLiteral("--json-out"),
                     out.filePath(QStringLiteral("r.json"))});
        QCOMPARE(r.code, 2);
        // PDF: Qt's own writer, A4, the fonts embedded (no display needed).
        r = ndesctl({QStringLiteral("audit"), QStringLiteral("--in"), in.path(), QStringLiteral("--pdf"),
                     out.filePath(QStringLiteral("r.pdf"))});
        QVERIFY2(r.code == 2, r.err.constData());
        QFile pdf(out.filePath(QStringLiteral("r.pdf")));
        QVERIFY(pdf.open(QIODevice::ReadOnly));
        const QByteArray pdfBytes = pdf.readAll();
        QVERIFY(pdfBytes.startsWith("%PDF-"));
        QVERIFY2(pdfBytes.contains("/FontFile2"), "the PDF's fonts are not embedded");
        QVERIFY(pdfBytes.contains("/MediaBox [0 0 595")); // A4
        for (const char* name : {"r.html", "r.csv", "r.json", "r.pdf"}) {
            QFileInfo fi(out.filePath(QLatin1String(name)));
            QVERIFY2(fi.exists() && fi.size() > 500, name);
            QCOMPARE(fi.permissions() & (QFile::ReadOther | QFile::ReadGroup), QFileDevice::Permissions());
        }
    }

    // ndes-lab writes a snapshot of itself in the collector's format: its settings, RA certificates and faults become
    // findings, as they would on Windows.
    void labSnapshotEndToEnd() {
        QTemporaryDir dir;
        const QString state = dir.filePath(QStringLiteral("state"));
        QFile users(dir.filePath(QStringLiteral("users")));
        QVERIFY(users.open(QIODevice::WriteOnly));
        users.write("LAB\\helpdesk:not-a-real-secret:enroll\n");
        users.close();
        QVERIFY(users.setPermissions(QFile::ReadOwner | QFile::WriteOwner));
        const QString lab = qEnvironmentVariable("NDES_LAB");
        const QStringList hardened{QStringLiteral("--state"),
                                   state,
                                   QStringLiteral("--https"),
                                   QStringLiteral("--users"),
                                   users.fileName(),
                                   QStringLiteral("--password-validity"),
                                   QStringLiteral("30"),
                                   QStringLiteral("--signature-template"),
                                   QStringLiteral("NdesDevice"),
                                   QStringLiteral("--encryption-template"),
                                   QStringLiteral("NdesDevice"),
                                   QStringLiteral("--general-template"),
                                   QStringLiteral("NdesDevice")};
        // A well-set lab: nothing at medium or above.
        const QString clean = dir.filePath(QStringLiteral("clean"));
        Run r = runProgram(lab, QStringList{QStringLiteral("snapshot"), QStringLiteral("--out"), clean} + hardened);
        QVERIFY2(r.code == 0, r.err.constData());
        r = ndesctl({QStringLiteral("audit"), QStringLiteral("--snapshot"), clean, QStringLiteral("--json")});
        QVERIFY2(r.code == 0, r.out.constData());
        const QStringList passed = passedIds(r.out);
        for (const char* id : {"evidence-altered", "ra-missing", "ra-expired", "ra-expiring", "ra-key-exportable",
                               "ra-key-acl", "ra-csp", "no-https", "tls-cert", "admin-page-anonymous",
                               "admin-page-ntlm-over-http", "request-limits", "apppool-identity", "svc-local-admin",
                               "svc-not-iis-iusrs", "templates-default", "hash-sha1", "ndes-errors-recent"})
            QVERIFY2(passed.contains(QLatin1String(id)), id);
        // Faults and settings turn into findings.
        const QString broken = dir.filePath(QStringLiteral("broken"));
        r = runProgram(lab, QStringList{QStringLiteral("snapshot"), QStringLiteral("--out"), broken} + hardened +
                                QStringList{QStringLiteral("--fault"), QStringLiteral("ra-expired"),
                                            QStringLiteral("--single-password"), QStringLiteral("--password-max"),
                                            QStringLiteral("60")});
        QVERIFY2(r.code == 0, r.err.constData());
        r = ndesctl({QStringLiteral("audit"), QStringLiteral("--snapshot"), broken, QStringLiteral("--json")});
        QCOMPARE(r.code, 2);
        const QStringList ids = findingIds(r.out);
        for (const char* id :
             {"ra-expired", "single-password", "password-max-looks-like-minutes", "ndes-errors-recent"})
            QVERIFY2(ids.contains(QLatin1String(id)), qPrintable(ids.join(QLatin1Char(','))));
        // Drift: the same lab before and after the faults.
        r = ndesctl({QStringLiteral("audit"), QStringLiteral("--compare"), clean, broken, QStringLiteral("--json")});
        QCOMPARE(r.code, 1);
        QStringList changed;
        for (const QJsonValue& v :
             QJsonDocument::fromJson(r.out).object().value(QStringLiteral("differences")).toArray())
            changed << v.toObject().value(QStringLiteral("setting")).toString();
        QVERIFY2(changed.contains(QLatin1String("MSCEP\\UseSinglePassword\\UseSinglePassword")),
                 qPrintable(changed.join(QLatin1Char(','))));
        QVERIFY2(changed.contains(QLatin1String("My: RA EnrollmentAgentOffline")),
                 qPrintable(changed.join(QLatin1Char(','))));
        QCOMPARE(ndesctl({QStringLiteral("audit"), QStringLiteral("--compare"), clean, clean}).code, 0);
        QCOMPARE(ndesctl({QStringLiteral("audit"), QStringLiteral("--compare"), clean}).code, 3);
        // Evidence changed after collection is itself a finding.
        QFile reg(clean + QStringLiteral("/registry/mscep.reg"));
        QVERIFY(reg.open(QIODevice::Append));
        reg.write(QByteArray("\r\0\n\0", 4));
        reg.close();
        r = ndesctl({QStringLiteral("audit"), QStringLiteral("--snapshot"), clean, QStringLiteral("--json")});
        QCOMPARE(r.code, 2);
        QCOMPARE(QJsonDocument::fromJson(r.out)
                     .object()
                     .value(QStringLiteral("findings"))
                     .toArray()[0]
                     .toObject()
                     .value(QStringLiteral("id")),
                 QJsonValue(QStringLiteral("evidence-altered")));
        // The snapshot never holds a key or the users' passwords.
        QDirIterator it(broken, QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            QFile f(it.next());
            QVERIFY(f.open(QIODevice::ReadOnly));
            const QByteArray bytes = f.readAll();
            QVERIFY2(!bytes.contains("PRIVATE KEY") && !bytes.contains("not-a-real-secret"), qPrintable(f.fileName()));
        }
        // An existing, non-empty folder is refused.
        r = runProgram(lab, QStringList{QStringLiteral("snapshot"), QStringLiteral("--out"), broken} + hardened);
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.contains("not empty"));
    }

    // --url: the live, read-only probe of ndesctl check, alone or beside a snapshot; its RA certificates stand in for a
    // snapshot that has none.
    void liveLook() {
        QTemporaryDir dir;
        ndes::test::NdesLabProcess lab;
        QString error;
        QVERIFY2(lab.start({QStringLiteral("--state"), dir.filePath(QStringLiteral("state")), QStringLiteral("--fault"),
                            QStringLiteral("ra-expired")},
                           &error),
                 qPrintable(error));
        Run r = ndesctl({QStringLiteral("audit"), QStringLiteral("--url"), lab.scepUrl(), QStringLiteral("--json")});
        QVERIFY2(r.code == 2, r.err.constData());
        const QJsonObject j = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(j.value(QStringLiteral("snapshot")).toObject().value(QStringLiteral("live")).toString(),
                 lab.scepUrl());
        QCOMPARE(j.value(QStringLiteral("snapshot")).toObject().value(QStringLiteral("host")).toString(),
                 QStringLiteral("127.0.0.1"));
        const QStringList ids = findingIds(r.out);
        QVERIFY2(ids.contains(QLatin1String("ra-expired")) && ids.contains(QLatin1String("live-critical")),
                 qPrintable(ids.join(QLatin1Char(','))));
        for (const QJsonValue& v : j.value(QStringLiteral("findings")).toArray())
            if (v.toObject().value(QStringLiteral("id")) == QLatin1String("ra-expired"))
                QVERIFY(v.toObject()
                            .value(QStringLiteral("evidence"))
                            .toArray()[0]
                            .toObject()
                            .value(QStringLiteral("source"))
                            .toString()
                            .startsWith(QLatin1String("live: ")));
        lab.stop();
        // An unreachable server is a live finding, not a crash or a hang.
        r = ndesctl({QStringLiteral("audit"), QStringLiteral("--url"), lab.scepUrl(), QStringLiteral("--timeout"),
                     QStringLiteral("3"), QStringLiteral("--json")});
        QCOMPARE(r.code, 2);
        QVERIFY2(findingIds(r.out).contains(QLatin1String("live-critical")), r.out.constData());
    }
    void auditThatCannotRun_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("no input") << QStringList{} << QStringLiteral("--snapshot ZIP|DIR");
        QTest::newRow("bad url") << QStringList{QStringLiteral("--url"), QStringLiteral("ftp://x")}
                                 << QStringLiteral("is not an http:// or https:// URL");
        QTest::newRow("missing") << QStringList{QStringLiteral("--in"), QStringLiteral("/nonexistent/x")}
                                 << QStringLiteral("does not exist");
        QTest::newRow("a file") << QStringList{QStringLiteral("--in"),
                                               data(QStringLiteral("ndes-manual-installation/MSCEP.reg"))}
                                << QStringLiteral("is not a folder");
        QTest::newRow("bad fail-on") << QStringList{QStringLiteral("--in"), QStringLiteral("/tmp"),
                                                    QStringLiteral("--fail-on"), QStringLiteral("urgent")}
                                     << QStringLiteral("--fail-on");
        QTest::newRow("report type") << QStringList{QStringLiteral("--in"),
                                                    data(QStringLiteral("ndes-manual-installation")),
                                                    QStringLiteral("--catalogue"), QStringLiteral("/nonexistent.json")}
                                     << QStringLiteral("catalogue");
    }
    void auditThatCannotRun() {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const Run r = ndesctl(QStringList{QStringLiteral("audit")} + args);
        QCOMPARE(r.code, 3);
        QVERIFY2(r.err.contains(message.toUtf8()), r.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestAuditCli)
#include "TestAuditCli.moc"
