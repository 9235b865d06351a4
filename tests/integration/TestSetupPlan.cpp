// SPDX-License-Identifier: Apache-2.0
// Issue 8, first step: the setup plan (versioned JSON), every validation rule with a passing and a failing plan,
// the .reg writer (real MSCEP layout, UTF-16LE, hostile values), and the end-to-end proof: the .reg the plan writes
// loads into ndes-lab, which then behaves as planned.
#include "NdesLabProcess.h"
#include "SecretScan.h"
#include "ndes/MscepSettings.h"
#include "ndes/RegistryExport.h"
#include "setup/RegWriter.h"
#include "setup/ScriptWriter.h"
#include "setup/SetupPlan.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <functional>

using namespace ndes;
using namespace ndes::setup;
using ndes::test::NdesLabProcess;

namespace {

QString examplePath() {
    return QStringLiteral(NDES_SOURCE_DIR "/docs/examples/plan.json");
}

SetupPlan example() {
    auto p = SetupPlan::load(examplePath());
    if (!p)
        qFatal("example plan: %s", qPrintable(p.error().message));
    return *p;
}

bool hasIssue(const QList<PlanIssue>& issues, const QString& code, PlanIssue::Severity* severity = nullptr) {
    for (const PlanIssue& i : issues)
        if (i.code == code) {
            if (severity)
                *severity = i.severity;
            return true;
        }
    return false;
}

using Mutation = std::function<void(SetupPlan&)>;

struct Ctl {
    int exitCode = -1;
    QByteArray out, err;
};

Ctl ndesctl(const QStringList& args, const QString& emptyChallengeVar = {}) {
    QProcess p;
    if (!emptyChallengeVar.isEmpty()) {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(emptyChallengeVar, QString());
        p.setProcessEnvironment(env);
    }
    p.start(qEnvironmentVariable("NDESCTL"), args);
    p.waitForFinished(60000);
    return {p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError()};
}

} // namespace

Q_DECLARE_METATYPE(Mutation)

class TestSetupPlan : public QObject {
    Q_OBJECT
private slots:
    void exampleIsClean() {
        const SetupPlan p = example();
        const QList<PlanIssue> issues = validate(p);
        QStringList all;
        for (const PlanIssue& i : issues)
            all << i.code + QStringLiteral(": ") + i.message;
        QVERIFY2(issues.isEmpty(), qPrintable(all.join(QLatin1Char('\n'))));
        QCOMPARE(p.caHost(), QStringLiteral("ca01.corp.example"));
        QCOMPARE(p.caName(), QStringLiteral("Corp Issuing CA 1"));
    }

    void jsonRoundTripAndRefusals() {
        const SetupPlan p = example();
        auto back = SetupPlan::fromJson(p.toJsonBytes());
        QVERIFY(back);
        QCOMPARE(back->toJsonBytes(), p.toJsonBytes());
        QVERIFY(!p.toJsonBytes().contains("\"password\": \"") ||
                p.toJsonBytes().contains("\"password\": \"generate\""));

        QJsonObject o = p.toJson();
        o.insert(QStringLiteral("version"), 2);
        auto v2 = SetupPlan::fromJson(QJsonDocument(o).toJson());
        QVERIFY(!v2);
        QVERIFY(v2.error().message.contains(QLatin1String("version 2")));
        QVERIFY(!SetupPlan::fromJson("[]"));
        QVERIFY(!SetupPlan::fromJson("{\"format\": \"something else\", \"version\": 1}"));
        QVERIFY(!SetupPlan::fromJson(QByteArray(2 * 1024 * 1024, ' ')));
        QJsonObject reg = o.value(QStringLiteral("registry")).toObject();
        reg.insert(QStringLiteral("passwordMax"), QStringLiteral("five"));
        o.insert(QStringLiteral("version"), 1);
        o.insert(QStringLiteral("registry"), reg);
        auto typed = SetupPlan::fromJson(QJsonDocument(o).toJson());
        QVERIFY(!typed);
        QVERIFY2(typed.error().message.contains(QLatin1String("registry.passwordMax must be a whole number")),
                 qPrintable(typed.error().message));
        QJsonObject acct = p.toJson().value(QStringLiteral("serviceAccount")).toObject();
        acct.insert(QStringLiteral("password"), QStringLiteral("Secret123!"));
        QJsonObject withPassword = p.toJson();
        withPassword.insert(QStringLiteral("serviceAccount"), acct);
        QVERIFY(!SetupPlan::fromJson(QJsonDocument(withPassword).toJson())); // a plan never holds a password
        QTemporaryDir dir;
        QVERIFY(p.save(dir.filePath(QStringLiteral("plan.json"))));
        QCOMPARE(QFile(dir.filePath(QStringLiteral("plan.json"))).permissions() & QFileDevice::ReadOther,
                 QFileDevice::Permissions());
    }

    // Each rule: the example passes it; the mutated plan fails it, with the expected severity.
    void rules_data() {
        QTest::addColumn<Mutation>("mutate");
        QTest::addColumn<QString>("code");
        QTest::addColumn<bool>("isError");
        auto row = [](const char* name, Mutation m, const char* code, bool isError) {
            QTest::newRow(name) << m << QString::fromLatin1(code) << isError;
        };
        row(
            "sAMAccountName over 20", [](SetupPlan& p) { p.accountName = QStringLiteral("svc-ndes-production-01"); },
            "account-name-length", true);
        row(
            "sAMAccountName characters", [](SetupPlan& p) { p.accountName = QStringLiteral("svc ndes"); },
            "account-name-characters", true);
        row(
            "UPN syntax", [](SetupPlan& p) { p.accountUpn = QStringLiteral("svc-ndes"); }, "account-upn", true);
        row(
            "OU DN syntax", [](SetupPlan& p) { p.accountOu = QStringLiteral("Service Accounts/corp.example"); },
            "account-ou", true);
        row(
            "OU without DC", [](SetupPlan& p) { p.accountOu = QStringLiteral("OU=Service Accounts"); }, "account-ou",
            true);
        row(
            "renewal not shorter than validity", [](SetupPlan& p) { p.renewalDays = p.validityDays; }, "renewal-period",
            true);
        row(
            "key size under 2048", [](SetupPlan& p) { p.minimumKeySize = 1024; }, "key-size", true);
        row(
            "RA key under 2048", [](SetupPlan& p) { p.raEncryptionKeyLength = 1024; }, "ra-key-size", true);
        row(
            "EKU not an OID", [](SetupPlan& p) { p.ekus = {QStringLiteral("Client Authentication")}; }, "eku-oid",
            true);
        row(
            "EKU against purpose",
            [](SetupPlan& p) {
                p.purpose = SetupPlan::Purpose::Encryption;
                p.encryptionTemplate = p.templateName;
            },
            "eku-purpose", true);
        row(
            "template name differs in case", [](SetupPlan& p) { p.generalPurposeTemplate = p.templateName.toLower(); },
            "template-case", true);
        // Issue 15, item 3: the same case-only mismatch in the other two values was not caught.
        row(
            "signature template differs in case", [](SetupPlan& p) { p.signatureTemplate = p.templateName.toLower(); },
            "template-case", true);
        row(
            "encryption template differs in case",
            [](SetupPlan& p) { p.encryptionTemplate = p.templateName.toUpper(); }, "template-case", true);
        row(
            "template name differs", [](SetupPlan& p) { p.generalPurposeTemplate = QStringLiteral("NDES-Router"); },
            "template-mismatch", true);
        row(
            "all templates left at the default",
            [](SetupPlan& p) {
                p.signatureTemplate = p.encryptionTemplate = p.generalPurposeTemplate =
                    QString::fromLatin1(SetupPlan::defaultTemplate);
            },
            "template-default", true);
        row(
            "NDES on the CA", [](SetupPlan& p) { p.ndesHost = QStringLiteral("ca01.corp.example"); }, "ndes-on-ca",
            false);
        row(
            "EnforcePassword 0 without Intune", [](SetupPlan& p) { p.enforcePassword = false; }, "no-password", false);
        row(
            "PasswordValidity over 30", [](SetupPlan& p) { p.passwordValidity = 60; }, "password-validity-long", false);
        row(
            "PasswordMax 0", [](SetupPlan& p) { p.passwordMax = 0; }, "password-max", true);
        row(
            "HTTP without TLS", [](SetupPlan& p) { p.https = false; }, "no-tls", false);
        row(
            "CA config form", [](SetupPlan& p) { p.caConfig = QStringLiteral("Corp Issuing CA 1"); }, "ca-config",
            true);
        row(
            "CA config two backslashes", [](SetupPlan& p) { p.caConfig = QStringLiteral("ca01\\x\\y"); }, "ca-config",
            true);
        row(
            "CA config with a quote",
            [](SetupPlan& p) { p.caConfig = QStringLiteral("ca01.corp.example\\Corp CA\" -SetCATemplates +SubCA \""); },
            "ca-config-quote", true);
        row(
            "CA config with a right-to-left override",
            [](SetupPlan& p) { p.caConfig = QStringLiteral("ca01.corp.example\\Corp \u202E1 AC"); }, "ca-config", true);
        row(
            "NetBIOS over 15", [](SetupPlan& p) { p.domainNetbios = QStringLiteral("CORPORATIONEXAMPLE"); },
            "domain-netbios", true);
        row(
            "TLS thumbprint", [](SetupPlan& p) { p.tlsThumbprint = QStringLiteral("3A1F9C"); }, "tls-thumbprint", true);
        row(
            "IIS limit low", [](SetupPlan& p) { p.maxQueryString = 2048; }, "limit-low", false);
        row(
            "RA on a KSP",
            [](SetupPlan& p) { p.raSigningCsp = QStringLiteral("Microsoft Software Key Storage Provider"); }, "ra-csp",
            true);
        row(
            "country code", [](SetupPlan& p) { p.raCountry = QStringLiteral("Germany"); }, "ra-country", true);
        row(
            "SHA1", [](SetupPlan& p) { p.hashAlgorithm = QStringLiteral("SHA1"); }, "hash-sha1", false);
        row(
            "template name with a space",
            [](SetupPlan& p) {
                p.templateName = QStringLiteral("NDES Device");
                p.signatureTemplate = p.encryptionTemplate = p.generalPurposeTemplate = p.templateName;
            },
            "template-name", true);
        row(
            "subject built from AD", [](SetupPlan& p) { p.subjectInRequest = false; }, "template-subject-from-ad",
            true);
        row(
            "SAN flag off", [](SetupPlan& p) { p.sanFromRequest = false; }, "template-san-anyway", false);
        row(
            "no base template", [](SetupPlan& p) { p.baseTemplate = QStringLiteral(" "); }, "template-base", true);
        row(
            "pool identity form", [](SetupPlan& p) { p.appPoolIdentity = QStringLiteral("svc-ndes"); }, "pool-identity",
            true);
        row(
            "pool identity not the service account",
            [](SetupPlan& p) { p.appPoolIdentity = QStringLiteral("CORP\\svc-other"); }, "pool-identity-other", false);
    }
    void poolIdentityOfTheServiceAccountIsFine() {
        SetupPlan p = example();
        p.appPoolIdentity = QStringLiteral("corp\\SVC-NDES"); // the service account, written differently
        QVERIFY(!hasIssue(validate(p), QStringLiteral("pool-identity")));
        QVERIFY(!hasIssue(validate(p), QStringLiteral("pool-identity-other")));
    }
    void rules() {
        QFETCH(Mutation, mutate);
        QFETCH(QString, code);
        QFETCH(bool, isError);
        const SetupPlan good = example();
        QVERIFY2(!hasIssue(validate(good), code), "the example plan should pass this rule");
        SetupPlan bad = good;
        mutate(bad);
        PlanIssue::Severity severity{};
        const QList<PlanIssue> issues = validate(bad);
        QVERIFY2(hasIssue(issues, code, &severity), qPrintable(code));
        QCOMPARE(severity == PlanIssue::Severity::Error, isError);
        QCOMPARE(hasErrors(issues), isError);
        for (const PlanIssue& i : issues)
            QVERIFY(!i.message.isEmpty() && !i.field.isEmpty());
    }
    void intuneMakesNoPasswordAcceptable() {
        SetupPlan p = example();
        p.enforcePassword = false;
        p.intune = true;
        QVERIFY(!hasIssue(validate(p), QStringLiteral("no-password")));
    }

    void regFileHasTheRealLayout() {
        const SetupPlan p = example();
        const QByteArray file = RegWriter::file(p);
        QVERIFY(file.startsWith("\xFF\xFE"));
        const QString text = RegWriter::text(p);
        QVERIFY(text.startsWith(QLatin1String("Windows Registry Editor Version 5.00\r\n\r\n")));
        QVERIFY(text.contains(QLatin1String("[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Cryptography\\MSCEP]\r\n"
                                            "\"SignatureTemplate\"=\"NDES-NetworkDevice\"")));
        QVERIFY(text.contains(
            QLatin1String("[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Cryptography\\MSCEP\\PasswordMax]\r\n"
                          "\"PasswordMax\"=dword:00000014")));
        QVERIFY(!text.contains(QLatin1String("PasswordCacheMax")));
        // Read back by the same parser NDES Console uses on real exports: every value where NDES reads it.
        auto reg = service::RegistryExport::parse(file);
        QVERIFY2(reg, qPrintable(reg ? QString() : reg.error().message));
        auto s = service::MscepSettings::fromRegistry(*reg);
        QVERIFY(s);
        QVERIFY2(s->warnings.isEmpty(), qPrintable(s->warnings.join(QLatin1Char('\n'))));
        QCOMPARE(*s->generalPurposeTemplate, p.templateName);
        QCOMPARE(*s->caConfiguration, p.caConfig);
        QCOMPARE(*s->passwordMax, quint32(20));
        QCOMPARE(*s->passwordValidity, quint32(30));
        QCOMPARE(*s->enforcePassword, true);
        QCOMPARE(*s->hashAlgorithm, QStringLiteral("SHA256"));
        QCOMPARE(*s->caCapabilitiesAlgorithms, p.caCapabilitiesAlgorithms);
    }

    void hostileValuesCannotBreakTheRegFile() {
        SetupPlan p = example();
        p.caConfig = QStringLiteral("ca01\\Evil \"CA\"\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Evil]\r\n\"x\"=\"y");
        p.signatureTemplate = QStringLiteral("a\\\"b");
        auto reg = service::RegistryExport::parse(RegWriter::file(p));
        QVERIFY2(reg, qPrintable(reg ? QString() : reg.error().message));
        QVERIFY(!reg->find(QStringLiteral("HKEY_LOCAL_MACHINE\\SOFTWARE\\Evil"))); // no injected key
        auto s = service::MscepSettings::fromRegistry(*reg);
        QVERIFY(s);
        QCOMPARE(*s->caConfiguration, p.caConfig); // the value, whole
        QCOMPARE(*s->signatureTemplate, p.signatureTemplate);
        QVERIFY(hasIssue(validate(p), QStringLiteral("ca-config"))); // and validation refuses it anyway
    }

    // The end-to-end proof: ndes-lab started with the plan's .reg has the plan's templates, PasswordMax,
    // PasswordValidity and EnforcePassword.
    void labBehavesAsPlanned() {
        SetupPlan p = example();
        p.passwordMax = 2;
        p.passwordValidity = 7;
        QTemporaryDir dir;
        const QString regPath = dir.filePath(QStringLiteral("mscep.reg"));
        {
            QFile f(regPath);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(RegWriter::file(p));
        }
        QFile users(dir.filePath(QStringLiteral("users.txt")));
        QVERIFY(users.open(QIODevice::WriteOnly));
        users.write("LAB\\helpdesk:Plan-Pass-1:enroll\n");
        users.close();
        users.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        NdesLabProcess lab;
        QString error;
        QVERIFY2(lab.start({QStringLiteral("--config"), regPath, QStringLiteral("--users"), users.fileName()}, &error),
                 qPrintable(error));
        QVERIFY2(!lab.stderrText().contains(QLatin1String("warning")), qPrintable(lab.stderrText()));
        auto page = [&] {
            int status = 0;
            const QByteArray raw = ndes::test::curl({QStringLiteral("--ntlm"), QStringLiteral("-u"),
                                                     QStringLiteral("LAB\\helpdesk:Plan-Pass-1"), lab.adminUrl()},
                                                    &status);
            return status == 200 ? ndes::test::decodeUtf16Le(raw) : QString();
        };
        const QString first = page();
        QVERIFY2(first.contains(QLatin1String("expire within 7 minutes")),
                 qPrintable(ndes::test::withoutChallengePassword(first).left(400)));
        QVERIFY(page().contains(QLatin1String("challenge password is")));
        const QString third = page(); // PasswordMax 2: the cache is full
        QVERIFY2(!third.contains(QLatin1String("challenge password is")),
                 qPrintable(ndes::test::withoutChallengePassword(third).left(400)));
        QVERIFY(third.contains(QLatin1String("2")));

        // The template: ndesctl test enrolls through the lab and checks the issued certificate names it.
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        Ctl testRun;
        {
            QProcess t;
            env.insert(QStringLiteral("PLAN_PW"), QStringLiteral("Plan-Pass-1"));
            t.setProcessEnvironment(env);
            // A fresh lab with a bigger cache for the enrollment (the first one's is full by design).
            NdesLabProcess lab2;
            p.passwordMax = 5;
            QFile f(regPath);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(RegWriter::file(p));
            f.close();
            QVERIFY2(
                lab2.start({QStringLiteral("--config"), regPath, QStringLiteral("--users"), users.fileName()}, &error),
                qPrintable(error));
            t.start(qEnvironmentVariable("NDESCTL"),
                    {QStringLiteral("test"), QStringLiteral("--url"), lab2.scepUrl(), QStringLiteral("--admin-url"),
                     lab2.adminUrl(), QStringLiteral("--user"), QStringLiteral("LAB\\helpdesk"),
                     QStringLiteral("--password-env"), QStringLiteral("PLAN_PW"), QStringLiteral("--allow-http"),
                     QStringLiteral("--template"), p.templateName, QStringLiteral("--json")});
            QVERIFY(t.waitForFinished(60000));
            testRun = {t.exitCode(), t.readAllStandardOutput(), t.readAllStandardError()};
        }
        QVERIFY2(testRun.exitCode == 0, ndes::test::redacted(testRun.out, {"Plan-Pass-1"}).constData());
        // EnforcePassword 0 (with Intune): the lab enrolls without a password.
        p.enforcePassword = false;
        p.intune = true;
        QFile f(regPath);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(RegWriter::file(p));
        f.close();
        NdesLabProcess lab3;
        QVERIFY(lab3.start({QStringLiteral("--config"), regPath}, &error));
        const Ctl open = ndesctl({QStringLiteral("enroll"), QStringLiteral("--url"), lab3.scepUrl(),
                                  QStringLiteral("--subject"), QStringLiteral("CN=no-password-needed"),
                                  QStringLiteral("--key-out"), dir.filePath(QStringLiteral("k.pem")),
                                  QStringLiteral("--cert-out"), dir.filePath(QStringLiteral("c.pem")),
                                  QStringLiteral("--challenge-env"), QStringLiteral("NO_CHALLENGE")},
                                 QStringLiteral("NO_CHALLENGE")); // a device without a password
        QVERIFY2(open.exitCode == 0, open.err.constData());
    }

    // Every script parses with a real PowerShell parser (tree-sitter-powershell): no ERROR or MISSING node. With
    // hostile values in every text field, still none, and no value escapes its quotes to become a command.
    void scriptsParse_data() {
        QTest::addColumn<bool>("hostile");
        QTest::newRow("example") << false;
        QTest::newRow("hostile values") << true;
    }
    void scriptsParse() {
        QFETCH(bool, hostile);
        SetupPlan p = example();
        if (hostile) {
            const QString evil = QStringLiteral("x'; Invoke-Expression C:\\evil.ps1; '$(Stop-Computer)`\"\u2019; "
                                                "Stop-Computer; \u2018\nStop-Computer #> Stop-Computer <#");
            p.caConfig = QStringLiteral("ca01\\") + evil;
            p.signatureTemplate = p.encryptionTemplate = p.generalPurposeTemplate = evil;
            p.hashAlgorithm = evil;
            p.caCapabilitiesAlgorithms = {evil, QStringLiteral("AES")};
            p.tlsThumbprint = evil;
            p.ndesHost = evil;
            p.accountName = p.accountUpn = p.accountOu = p.domainNetbios = evil;
            p.raName = p.raCompany = p.raCountry = p.raSigningCsp = p.raEncryptionCsp = evil;
            p.passwordPolicy = SetupPlan::PasswordPolicy::Generate;
            p.templateName = p.templateDisplayName = p.baseTemplate = p.templateProvider = evil;
            p.ekus = {evil, QStringLiteral("1.3.6.1.5.5.7.3.2")};
            p.appPoolIdentity = evil;
        }
        QTemporaryDir dir;
        QStringList files;
        for (const GeneratedScript& s :
             ScriptWriter::scripts(p, QDateTime(QDate(2026, 11, 25), QTime(8, 0), Qt::UTC))) {
            QFile f(dir.filePath(s.fileName));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(ScriptWriter::fileBytes(s));
            files << f.fileName();
            QVERIFY(s.text.contains(QLatin1String("Set-StrictMode -Version Latest")));
            QVERIFY(s.text.contains(QLatin1String("$ErrorActionPreference = 'Stop'")));
            if (s.fileName != QLatin1String("verify.ps1") && s.fileName != QLatin1String("setup-all.ps1")) {
                QVERIFY(s.text.contains(QLatin1String("SupportsShouldProcess = $true")));
                QVERIFY(s.text.contains(QLatin1String("Start-Transcript")));
            }
        }
        const QString checker = qEnvironmentVariable("NDES_PS_SYNTAX");
        QVERIFY2(QFile::exists(checker),
                 "tools/ps-syntax is not installed (scripts/install-deps.sh runs npm ci there)");
        QProcess node;
        node.start(QStringLiteral("node"),
                   QStringList{checker, QStringLiteral("--forbid-command"), QStringLiteral("Invoke-Expression"),
                               QStringLiteral("--forbid-command"), QStringLiteral("Stop-Computer")} +
                       files);
        QVERIFY(node.waitForFinished(60000));
        const QByteArray report = node.readAllStandardOutput() + node.readAllStandardError();
        QVERIFY2(node.exitCode() == 0, report.constData());
        QCOMPARE(report.count(": ok"), files.size());
        // The checker does find what it looks for (it is not a test that cannot fail).
        QFile broken(dir.filePath(QStringLiteral("broken.ps1")));
        QVERIFY(broken.open(QIODevice::WriteOnly));
        broken.write(
            "$x = 'a'; Stop-Computer\nWrite-Host \"$nmae\"; Get-PlanNothing\n$h = @{}; $h[$typoKey] = 1; $n += "
            "1\nif ($x { 'unclosed'\n");
        broken.close();
        node.start(QStringLiteral("node"),
                   {checker, QStringLiteral("--forbid-command"), QStringLiteral("Stop-Computer"), broken.fileName()});
        QVERIFY(node.waitForFinished(60000));
        const QByteArray brokenReport = node.readAllStandardOutput();
        QCOMPARE(node.exitCode(), 1);
        QVERIFY(brokenReport.contains("forbidden command Stop-Computer"));
        QVERIFY(brokenReport.contains("syntax error") || brokenReport.contains("missing"));
        // Under Set-StrictMode -Version Latest a variable never set stops the script; a helper must be defined.
        QVERIFY(brokenReport.contains("variable $nmae is never set"));
        QVERIFY(brokenReport.contains("command Get-PlanNothing is not defined"));
        QVERIFY(brokenReport.contains("variable $typoKey is never set")); // an index is read, not set
        QVERIFY(brokenReport.contains("variable $n is never set"));       // += reads first
        QVERIFY(!brokenReport.contains("variable $h is never set"));
    }

    // Golden files: every writer's output for two plans (the example; an Intune plan with a quote and an ampersand in
    // the company name), read once as a Windows admin would and frozen. NDES_UPDATE_GOLDEN=1 rewrites them.
    void goldenFiles_data() {
        QTest::addColumn<QString>("planFile");
        QTest::addColumn<QString>("golden");
        QTest::newRow("example") << examplePath() << QStringLiteral("example");
        QTest::newRow("intune") << qEnvironmentVariable("NDES_TEST_DATA") + QStringLiteral("/setup/plan-intune.json")
                                << QStringLiteral("intune");
    }
    void goldenFiles() {
        QFETCH(QString, planFile);
        QFETCH(QString, golden);
        auto plan = SetupPlan::load(planFile);
        QVERIFY2(plan, qPrintable(plan ? QString() : plan.error().message));
        QVERIFY(!hasErrors(validate(*plan)));
        const QDateTime at(QDate(2026, 11, 25), QTime(9, 0), Qt::UTC);
        QList<QPair<QString, QByteArray>> files = {{QStringLiteral("mscep.reg"), RegWriter::file(*plan)}};
        for (const GeneratedScript& s : ScriptWriter::scripts(*plan, at))
            files.append({s.fileName, ScriptWriter::fileBytes(s)});
        const QString dir = qEnvironmentVariable("NDES_TEST_DATA") + QStringLiteral("/setup/golden-") + golden;
        const bool update = qEnvironmentVariableIntValue("NDES_UPDATE_GOLDEN") == 1;
        QStringList rewritten;
        for (const auto& [name, bytes] : files) {
            QFile f(dir + QLatin1Char('/') + name);
            if (update) {
                QDir().mkpath(dir);
                QVERIFY(f.open(QIODevice::WriteOnly));
                QCOMPARE(f.write(bytes), bytes.size());
                rewritten << f.fileName();
                continue;
            }
            QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable(f.fileName() + QStringLiteral(" is missing")));
            QVERIFY2(f.readAll() == bytes, qPrintable(name + QStringLiteral(" differs from ") + f.fileName()));
        }
        // Rewriting the golden files compares nothing: the run fails, so it can never pass as a test. Review the
        // diff (git diff tests/data/setup) and run again without NDES_UPDATE_GOLDEN.
        if (update)
            QFAIL(qPrintable(QStringLiteral("NDES_UPDATE_GOLDEN=1: rewrote %1 golden files, compared none:\n  %2")
                                 .arg(rewritten.size())
                                 .arg(rewritten.join(QStringLiteral("\n  ")))));
    }

    // The scripts are templates (core/setup/powershell) filled in one pass: no placeholder or template line is left,
    // and a value that looks like one stays the quoted literal it is.
    void templatesAreFilledOnce() {
        SetupPlan p = example();
        const QDateTime at = QDateTime::currentDateTimeUtc();
        for (const GeneratedScript& s : ScriptWriter::scripts(p, at)) {
            QVERIFY2(!s.text.contains(QLatin1String("{{")), qPrintable(s.fileName));
            for (const QString& line : s.text.split(QLatin1Char('\n')))
                QVERIFY2(!line.startsWith(QLatin1String("#if ")) && !line.startsWith(QLatin1String("#include ")) &&
                             !line.startsWith(QLatin1String("## ")) && line != QLatin1String("#endif"),
                         qPrintable(s.fileName + QStringLiteral(": ") + line));
        }
        p.templateDisplayName = QStringLiteral("{{caConfig}}");
        const QString s = ScriptWriter::templateScript(p, at);
        QVERIFY(s.contains(QLatin1String("$displayName = '{{caConfig}}'\n")));
        QVERIFY(s.contains(QLatin1String("'display name'                           = '{{caConfig}}'\n")));
    }

    void registryScriptSetsWhatNdesReads() {
        const QString s = ScriptWriter::registryScript(example(), QDateTime::currentDateTimeUtc());
        QVERIFY(s.contains(QLatin1String(
            "Set-PlanValue -Path $mscep -Name 'GeneralPurposeTemplate' -Value 'NDES-NetworkDevice' -Kind String")));
        QVERIFY(s.contains(
            QLatin1String("Set-PlanValue -Path \"$mscep\\PasswordMax\" -Name 'PasswordMax' -Value 20 -Kind DWord")));
        QVERIFY(s.contains(QLatin1String(
            "Set-PlanValue -Path \"$mscep\\PasswordValidity\" -Name 'PasswordValidity' -Value 30 -Kind DWord")));
        QVERIFY(s.contains(QLatin1String("-Value @('SHA-256', 'SHA-512', 'AES') -Kind MultiString")));
        QVERIFY(s.contains(QLatin1String("'PasswordCacheMax'"))); // the guides' misplaced values are removed
        QVERIFY(s.contains(QLatin1String("Restart-PlanScepPool")));
        const QString iis = ScriptWriter::iisScript(example(), QDateTime::currentDateTimeUtc());
        QVERIFY(iis.contains(QLatin1String("'maxUrl' = 65534; 'maxQueryString' = 65534")));
        QVERIFY(iis.contains(QLatin1String("reboot")));
        QVERIFY(iis.contains(QLatin1String("$thumbprint = '3A1F9C2E7B4D6A8F0E1C3B5D7F9A2C4E6B8D0F12'")));
    }

    void combinedScriptRunsEveryStep() {
        const QString s = ScriptWriter::combinedScript(example(), QDateTime::currentDateTimeUtc());
        qsizetype at = 0;
        for (const char* step : {"'01-service-account.ps1'", "'02-certificate-template.ps1'", "'03-ndes-role.ps1'",
                                 "'04-ndes-registry.ps1'", "'05-iis-httpsys.ps1'"}) {
            const qsizetype found = s.indexOf(QLatin1String(step));
            QVERIFY2(found > at, step); // present, in order
            at = found;
        }
        QVERIFY(!s.contains(QLatin1String("not generated yet")));
    }

    void templateScriptEncodesThePlan() {
        SetupPlan p = example();
        const QString s = ScriptWriter::templateScript(p, QDateTime::currentDateTimeUtc());
        // One byte[] (the comma stops PowerShell unrolling it into eight values), cast again where it is used.
        QVERIFY(s.contains(QLatin1String("return ,([System.BitConverter]::GetBytes(")));
        QVERIFY(s.contains(QLatin1String("$template.Put('pKIExpirationPeriod', [byte[]](ConvertTo-Period 365))")));
        QVERIFY(s.contains(QLatin1String("$template.Put('pKIOverlapPeriod', [byte[]](ConvertTo-Period 42))")));
        QVERIFY(s.contains(QLatin1String("$oidObject.DeleteTree()"))); // no orphan OID when the template fails
        QVERIFY(s.contains(QLatin1String("$template.Put('pKIKeyUsage', [byte[]](0xa0, 0x00))"))); // both uses
        QVERIFY(s.contains(QLatin1String("$template.Put('pKIDefaultKeySpec', 1)")));
        QVERIFY(s.contains(QLatin1String("$ekus = @('1.3.6.1.5.5.7.3.2', '1.3.6.1.5.5.7.3.1')")));
        QVERIFY(s.contains(QLatin1String("$template.Put('msPKI-Certificate-Name-Flag', 65537)")));
        QVERIFY(s.contains(QLatin1String("0e10c968-78fb-11d2-90d4-00c04f79dc55"))); // the Enroll extended right
        QVERIFY(s.contains(QLatin1String("'-SetCATemplates', ('+' + $templateName))")));
        p.purpose = SetupPlan::Purpose::Signature;
        const QString sig = ScriptWriter::templateScript(p, QDateTime::currentDateTimeUtc());
        QVERIFY(sig.contains(QLatin1String("[byte[]](0x80, 0x00)")));
        QVERIFY(sig.contains(QLatin1String("$template.Put('pKIDefaultKeySpec', 2)")));
    }

    // Step 01 sees to the CA's Request Certificates itself (0x200 in the CA's security descriptor), for the account
    // or a group it is in, and says when a Deny stands in the way; nothing is left as a printed manual check.
    void serviceAccountScriptHandlesTheCaRight() {
        const QString s = ScriptWriter::serviceAccountScript(example(), QDateTime::currentDateTimeUtc());
        QVERIFY(s.contains(QLatin1String("$caConfig = 'ca01.corp.example\\Corp Issuing CA 1'")));
        QVERIFY(s.contains(QLatin1String("$admin.GetConfigEntry($CaConfig, '', 'Security')")));
        QVERIFY(s.contains(QLatin1String("-band 0x200")));
        QVERIFY(s.contains(QLatin1String("$ca.Admin.SetConfigEntry($caConfig, '', 'Security', $bytes)")));
        QVERIFY(s.contains(QLatin1String("$PSCmdlet.ShouldProcess($caConfig, \"allow Request Certificates")));
        QVERIFY(s.contains(QLatin1String("tokenGroups")));
        QVERIFY(s.contains(QLatin1String("'S-1-5-11'"))); // Authenticated Users, who have it by default
        QVERIFY(s.contains(QLatin1String("$ca.Denied")));
        QVERIFY(!s.contains(QLatin1String("Check by hand on the CA")));
        // The LDAP search escapes the name (RFC 4515), so a name cannot widen it.
        QVERIFY(s.contains(QLatin1String("(sAMAccountName=' + (ConvertTo-LdapFilterValue $SamAccountName) + ')")));
    }

    // An existing template is compared with the plan, attribute by attribute, and its rights for the account are
    // checked and completed; a base template is found by its name or its display name ("Computer" is Machine).
    void templateScriptComparesAnExistingTemplate() {
        SetupPlan p = example();
        const QString s = ScriptWriter::templateScript(p, QDateTime::currentDateTimeUtc());
        QVERIFY(s.contains(QLatin1String("$differences = Get-PlanTemplateDifferences $template $planTemplate")));
        QVERIFY(s.contains(QLatin1String("'validity (days)'                        = 365")));
        QVERIFY(s.contains(QLatin1String("'subject and SAN from the request flags' = 65537")));
        QVERIFY(s.contains(QLatin1String("if ($existingName -cne $templateName) { throw")));
        QVERIFY(s.contains(QLatin1String("Find-PlanTemplate $container $baseName -OrDisplayName")));
        QVERIFY(s.contains(QLatin1String("$rights = Get-PlanTemplateRights $template (Get-PlanAccountSids $account)")));
        QVERIFY(
            s.contains(QLatin1String("Invoke-PlanNative 'certutil.exe' @('-config', $caConfig, '-SetCATemplates'")));
        QVERIFY(s.contains(QLatin1String("Start-Sleep -Seconds 20"))); // the CA may not see a new template at once
        p.sanFromRequest = false;
        const QString noSan = ScriptWriter::templateScript(p, QDateTime::currentDateTimeUtc());
        QVERIFY(noSan.contains(QLatin1String("$template.Put('msPKI-Certificate-Name-Flag', 1)")));
        p.exportableKey = true;
        QVERIFY(ScriptWriter::templateScript(p, QDateTime::currentDateTimeUtc())
                    .contains(QLatin1String("$template.Put('msPKI-Private-Key-Flag', 16)")));
    }

    // What a review of the scripts as Windows would run them found (nothing here can run them): native programs'
    // stderr under 'Stop', Get-LocalGroupMember on orphaned SIDs and translated group names, a second certificate
    // on 0.0.0.0:443, -WhatIf on a fresh server, a stopped pool, a rollback that deleted before importing, the
    // clipboard of a remote session, a just-created account not yet on every domain controller.
    void scriptsAvoidRunTimePitfalls() {
        SetupPlan p = example();
        p.passwordPolicy = SetupPlan::PasswordPolicy::Generate;
        const QDateTime at = QDateTime::currentDateTimeUtc();
        for (const GeneratedScript& s : ScriptWriter::scripts(p, at)) {
            QVERIFY2(!s.text.contains(QLatin1String("Get-LocalGroupMember")), qPrintable(s.fileName));
            QVERIFY2(!s.text.contains(QLatin1String("& reg.exe")), qPrintable(s.fileName));
            QVERIFY2(!s.text.contains(QLatin1String("& certutil.exe")), qPrintable(s.fileName));
            QVERIFY2(s.text.count(QLatin1String("Restart-WebAppPool")) <= 1, qPrintable(s.fileName)); // the helper
            QVERIFY2(!s.text.contains(QLatin1String("AddSslCertificate")), qPrintable(s.fileName));
        }
        const QString account = ScriptWriter::serviceAccountScript(p, at);
        QVERIFY(account.contains(QLatin1String("Install-WindowsFeature -Name 'RSAT-AD-PowerShell'")));
        QVERIFY(account.contains(QLatin1String("$server = (Get-ADDomain).PDCEmulator")));
        QVERIFY(account.contains(QLatin1String("New-ADUser -Server $server")));
        // The AD module reads the variable in the filter itself: the parser sees only a string here.
        QVERIFY(account.contains(QLatin1String("-Filter 'sAMAccountName -eq $accountName'")));
        QVERIFY(account.contains(QLatin1String("-PassThru")));
        QVERIFY(account.contains(QLatin1String("Test-Path -LiteralPath 'variable:PSSenderInfo'")));
        QVERIFY(account.contains(QLatin1String("Find-PlanLocalMember 'S-1-5-32-544' $sids")));
        QVERIFY(account.contains(QLatin1String("Add-LocalGroupMember -SID 'S-1-5-32-568' -Member $accountSid")));
        p.passwordPolicy = SetupPlan::PasswordPolicy::Prompt;
        const QString prompted = ScriptWriter::serviceAccountScript(p, at);
        QVERIFY(prompted.contains(QLatin1String("$secure = Read-PlanPassword")));
        QVERIFY(prompted.contains(QLatin1String("'The same password again'")));
        QVERIFY(!prompted.contains(QLatin1String("Set-Clipboard")));
        const QString registry = ScriptWriter::registryScript(p, at);
        QVERIFY(registry.contains(QLatin1String("if ($WhatIfPreference) { Write-Warning 'MSCEP does not exist yet")));
        const QString iis = ScriptWriter::iisScript(p, at);
        QVERIFY(iis.contains(QLatin1String(
            "if ($WhatIfPreference) { Write-Warning 'IIS or its PowerShell module is not installed yet")));
        const qsizetype removeOld =
            iis.indexOf(QLatin1String("Remove-Item -LiteralPath 'IIS:\\SslBindings\\0.0.0.0!443'"));
        QVERIFY(removeOld > 0);
        QVERIFY(iis.indexOf(QLatin1String("New-Item -Path 'IIS:\\SslBindings\\0.0.0.0!443'")) > removeOld);
        QVERIFY(iis.contains(QLatin1String("Start-WebAppPool -Name 'SCEP'")));
        for (const GeneratedScript& s : ScriptWriter::scripts(p, at)) {
            if (!s.text.contains(QLatin1String("Start-Transcript")))
                continue;
            // Under -WhatIf a transcript still starts, and only the one started here is stopped.
            QVERIFY2(s.text.contains(QLatin1String("-Append -WhatIf:$false -Confirm:$false")), qPrintable(s.fileName));
            QVERIFY2(s.text.contains(QLatin1String("if ($transcribing) { Stop-Transcript | Out-Null }")),
                     qPrintable(s.fileName));
        }
        // The account is looked up on the PDC emulator, where step 01 creates it.
        QVERIFY(ScriptWriter::templateScript(p, at).contains(QLatin1String("$domain.PdcRoleOwner.Name")));
        // Set-PlanValue says "changed" for a change made, or one -WhatIf would make; not for one declined at -Confirm.
        QVERIFY(registry.contains(QLatin1String("return ($done -or $WhatIfPreference)")));
        QVERIFY(registry.contains(QLatin1String("} elseif ($WhatIfPreference) {"))); // misplaced values too
        // The backup folder is never a junction someone made in its place; rules read by SID, not by name.
        QVERIFY(registry.contains(QLatin1String("[System.IO.FileAttributes]::ReparsePoint")));
        QVERIFY(registry.contains(
            QLatin1String("GetAccessRules($true, $false, [System.Security.Principal.SecurityIdentifier])")));
        // The backup: written into a folder only administrators may touch, trusted only when an administrator owns
        // it.
        QVERIFY(registry.contains(QLatin1String("Protect-PlanPath (Split-Path $backup)")));
        QVERIFY(registry.contains(QLatin1String("-not (Test-PlanTrustedFile $backup)")));
        QVERIFY(registry.contains(QLatin1String("if (Import-PlanWebAdministration) {")));
        QVERIFY(iis.contains(QLatin1String("if (-not (Import-PlanWebAdministration)) {")));
        const QString rollback = ScriptWriter::rollbackScript(p, at);
        QVERIFY(rollback.contains(QLatin1String("if (-not (Test-PlanTrustedFile $backup)) { throw")));
        QVERIFY(
            rollback.contains(QLatin1String("HKEY_LOCAL_MACHINE\\\\SOFTWARE\\\\Microsoft\\\\Cryptography\\\\MSCEP(")));
        QVERIFY(rollback.contains(QLatin1String("Get-FileHash"))); // nothing to do when the key is as backed up
        const qsizetype aside = rollback.indexOf(QLatin1String("Rename-Item -LiteralPath $mscep -NewName $aside"));
        QVERIFY(aside > 0);
        QVERIFY(rollback.indexOf(QLatin1String("Invoke-PlanNative 'reg.exe' @('import', $backup)")) > aside);
        QVERIFY(!rollback.contains(QLatin1String("Remove-Item -LiteralPath $mscep -Recurse\n        &")));
    }

    // verify.ps1 checks every step, each part on its own, and says which parts it could not check.
    void verifyScriptCoversEveryStep() {
        SetupPlan p = example();
        const QString s = ScriptWriter::verifyScript(p, QDateTime::currentDateTimeUtc());
        qsizetype at = 0;
        for (const char* part : {"== Step 01", "== Step 02", "== Step 03", "== Step 04", "== Step 05"}) {
            const qsizetype found = s.indexOf(QLatin1String(part));
            QVERIFY2(found > at, part);
            at = found;
        }
        for (const char* check :
             {"Get-PlanAccount $accountName", "userPrincipalName", "servicePrincipalName", "IIS_IUSRS",
              "Get-PlanCaEnroll $caConfig $sids", "Get-PlanTemplateDifferences $template $planTemplate",
              "Get-PlanTemplateRights $template $sids", "-CATemplates", "Find-PlanLocalMember 'S-1-5-32-568'",
              "Find-PlanLocalMember 'S-1-5-32-544' $sids", "ADCS-Device-Enrollment", "'1.3.6.1.4.1.311.20.2.1'",
              "'signing', 'DigitalSignature', 2048", "ConfigurationStatus",
              "Compare-PlanValue \"$mscep\\PasswordMax\" 'PasswordMax' 20", "maxQueryString",
              "$poolIdentity = 'CORP' + '\\' + 'svc-ndes'", "IIS:\\SslBindings", "Write-Result 'UNCHECKED'"})
            QVERIFY2(s.contains(QLatin1String(check)), check);
        QVERIFY(!s.contains(QLatin1String("ShouldProcess"))); // read-only
        QVERIFY(!s.contains(QLatin1String("Set-ItemProperty")));
        QVERIFY(!s.contains(QLatin1String("SetConfigEntry")));
        QVERIFY(!s.contains(QLatin1String("SetInfo")));
        QVERIFY(!s.contains(QLatin1String("CommitChanges")));
        p.appPoolIdentity = QStringLiteral("CORP\\svc-pool");
        QVERIFY(ScriptWriter::verifyScript(p, QDateTime::currentDateTimeUtc())
                    .contains(QLatin1String("$poolIdentity = 'CORP\\svc-pool'")));
        QVERIFY(ScriptWriter::iisScript(p, QDateTime::currentDateTimeUtc())
                    .contains(QLatin1String("$poolIdentity = 'CORP\\svc-pool'")));
    }

    void ndesctlPlan() {
        QTemporaryDir dir;
        const Ctl ok = ndesctl({QStringLiteral("plan"), QStringLiteral("--check"), examplePath()});
        QVERIFY2(ok.exitCode == 0, ok.err.constData());
        SetupPlan bad = example();
        bad.accountName = QStringLiteral("svc-ndes-production-01");
        bad.passwordValidity = 60;
        QVERIFY(bad.save(dir.filePath(QStringLiteral("bad.json"))));
        const Ctl refused = ndesctl({QStringLiteral("plan"), QStringLiteral("--check"),
                                     dir.filePath(QStringLiteral("bad.json")), QStringLiteral("--json")});
        QCOMPARE(refused.exitCode, 1);
        const QJsonObject doc = QJsonDocument::fromJson(refused.out).object();
        QCOMPARE(doc.value(QStringLiteral("ok")).toBool(), false);
        QVERIFY(refused.out.contains("account-name-length"));
        QVERIFY(refused.out.contains("password-validity-long"));
        const Ctl written = ndesctl({QStringLiteral("plan"), QStringLiteral("--in"), examplePath(),
                                     QStringLiteral("--out"), dir.filePath(QStringLiteral("out"))});
        QVERIFY2(written.exitCode == 0, written.err.constData());
        QFile reg(dir.filePath(QStringLiteral("out/mscep.reg")));
        QVERIFY(reg.open(QIODevice::ReadOnly));
        QCOMPARE(reg.readAll(), RegWriter::file(example()));
        for (const char* name :
             {"setup-all.ps1", "01-service-account.ps1", "02-certificate-template.ps1", "03-ndes-role.ps1",
              "04-ndes-registry.ps1", "05-iis-httpsys.ps1", "rollback.ps1", "verify.ps1"})
            QVERIFY2(QFile::exists(dir.filePath(QStringLiteral("out/") + QLatin1String(name))), name);
        const Ctl refusedOut =
            ndesctl({QStringLiteral("plan"), QStringLiteral("--in"), dir.filePath(QStringLiteral("bad.json")),
                     QStringLiteral("--out"), dir.filePath(QStringLiteral("out2"))});
        QCOMPARE(refusedOut.exitCode, 1); // errors: nothing written
        QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("out2/mscep.reg"))));
    }
};

QTEST_GUILESS_MAIN(TestSetupPlan)
#include "TestSetupPlan.moc"
