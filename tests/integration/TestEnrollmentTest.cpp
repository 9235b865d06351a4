// SPDX-License-Identifier: Apache-2.0
// The end-to-end enrollment test and its diagnosis against real peers: ndes-lab with each fault (the right cause
// must come first), and micromdm scepserver (a full run passes).
#include "NdesLabProcess.h"
#include "ScepServerProcess.h"
#include "SecretScan.h"
#include "ndes/Diagnosis.h"
#include "ndes/EnrollmentTest.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QtTest>

using namespace ndes;
using namespace ndes::service;
using ndes::test::NdesLabProcess;
using ndes::test::redacted;

namespace {

struct CtlRun {
    int exitCode = -1;
    QByteArray out;
    QString err;
};

CtlRun ndesctl(const QStringList& args, const QByteArray& password = "Alice-Pa55") {
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("NDES_TEST_PASSWORD"), QString::fromLatin1(password));
    p.setProcessEnvironment(env);
    p.start(QString::fromLocal8Bit(qgetenv("NDESCTL")), args);
    CtlRun r;
    if (!p.waitForFinished(120000)) {
        p.kill();
        p.waitForFinished();
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

QStringList testArgs(const NdesLabProcess& lab, const QStringList& extra = {}) {
    return QStringList{QStringLiteral("test"),
                       QStringLiteral("--url"),
                       lab.scepUrl(),
                       QStringLiteral("--admin-url"),
                       lab.adminUrl(),
                       QStringLiteral("--user"),
                       QStringLiteral("LAB\\alice"),
                       QStringLiteral("--password-env"),
                       QStringLiteral("NDES_TEST_PASSWORD"),
                       QStringLiteral("--allow-http"),
                       QStringLiteral("--json")} +
           extra;
}

} // namespace

class TestEnrollmentTest : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    NdesLabProcess m_lab;

private slots:
    void initTestCase() {
        QString error;
        QVERIFY2(m_lab.start({QStringLiteral("--users"), ndes::test::writeUsers(m_dir), QStringLiteral("--events-xml"),
                              m_dir.filePath(QStringLiteral("events.xml"))},
                             &error),
                 qPrintable(error));
    }

    void cleanup() { QVERIFY(!m_lab.control(QStringLiteral("fault?set=none")).isNull()); }

    void passingRunRecordsEveryStepWithoutSecrets() {
        const CtlRun run = ndesctl(testArgs(
            m_lab, {QStringLiteral("--renew"), QStringLiteral("--san-dns"), QStringLiteral("router1.lab.example")}));
        QCOMPARE(run.exitCode, 0);
        const QJsonObject doc = QJsonDocument::fromJson(run.out).object();
        QCOMPARE(doc.value(QStringLiteral("ok")).toBool(), true);
        QStringList ids;
        for (const QJsonValue& s : doc.value(QStringLiteral("steps")).toArray()) {
            ids << s.toObject().value(QStringLiteral("id")).toString();
            QCOMPARE(s.toObject().value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
            QVERIFY(s.toObject().value(QStringLiteral("ms")).toInteger() >= 0);
        }
        QCOMPARE(ids, (QStringList{QStringLiteral("challenge"), QStringLiteral("caps"), QStringLiteral("cacert"),
                                   QStringLiteral("key"), QStringLiteral("request"), QStringLiteral("verify"),
                                   QStringLiteral("renew")}));
        QVERIFY(doc.value(QStringLiteral("diagnosis")).toArray().isEmpty());
        QVERIFY(doc.value(QStringLiteral("certificate"))
                    .toObject()
                    .value(QStringLiteral("subject"))
                    .toString()
                    .startsWith(QStringLiteral("CN=ndes-console-test-")));
        // No secret anywhere: not the account's password, not the challenge.
        QVERIFY(!run.out.contains("Alice-Pa55"));
        QVERIFY(!run.err.contains(QStringLiteral("Alice-Pa55")));
        QVERIFY(!run.out.contains("challenge password is:"));
    }

    void eachFaultRanksItsCauseFirst_data() {
        QTest::addColumn<QString>("fault");
        QTest::addColumn<QByteArray>("password");
        QTest::addColumn<QString>("cause");
        QTest::addColumn<bool>("ok");
        QTest::newRow("ra-expired") << QStringLiteral("ra-expired") << QByteArray("Alice-Pa55")
                                    << QStringLiteral("ra-expired") << false;
        QTest::newRow("template-missing") << QStringLiteral("template-missing") << QByteArray("Alice-Pa55")
                                          << QStringLiteral("template-not-available") << false;
        QTest::newRow("app-pool-stopped") << QStringLiteral("app-pool-stopped") << QByteArray("Alice-Pa55")
                                          << QStringLiteral("app-pool-stopped") << false;
        QTest::newRow("cache-full") << QStringLiteral("cache-full") << QByteArray("Alice-Pa55")
                                    << QStringLiteral("cache-full") << false;
        QTest::newRow("wrong credentials")
            << QString() << QByteArray("not-her-password") << QStringLiteral("admin-credentials") << false;
        QTest::newRow("slow") << QStringLiteral("slow:2500") << QByteArray("Alice-Pa55")
                              << QStringLiteral("server-slow") << true;
    }
    void eachFaultRanksItsCauseFirst() {
        QFETCH(QString, fault);
        QFETCH(QByteArray, password);
        QFETCH(QString, cause);
        QFETCH(bool, ok);
        if (!fault.isEmpty())
            QVERIFY(!m_lab.control(QStringLiteral("fault?set=") + fault).isNull());
        const CtlRun run = ndesctl(testArgs(m_lab), password);
        QCOMPARE(run.exitCode, ok ? 0 : 1);
        const QJsonObject doc = QJsonDocument::fromJson(run.out).object();
        QCOMPARE(doc.value(QStringLiteral("ok")).toBool(), ok);
        const QJsonArray diagnosis = doc.value(QStringLiteral("diagnosis")).toArray();
        // The output goes into failure messages before the check below: the password as ***.
        QVERIFY2(!diagnosis.isEmpty(), redacted(run.out + run.err.toUtf8(), {password}).constData());
        const QJsonObject first = diagnosis.first().toObject();
        QVERIFY2(first.value(QStringLiteral("id")).toString() == cause, redacted(run.out, {password}).constData());
        for (const char* key : {"id", "title", "confidence", "confirm", "fix"})
            QVERIFY2(first.contains(QLatin1String(key)), key);
        QVERIFY(first.value(QStringLiteral("confidence")).toDouble() > 0.5);
        QVERIFY(!run.out.contains(password));
    }

    void eventsFromTheServerAreEvidence() {
        QVERIFY(!m_lab.control(QStringLiteral("fault?set=template-missing")).isNull());
        const CtlRun run =
            ndesctl(testArgs(m_lab, {QStringLiteral("--events-xml"), m_dir.filePath(QStringLiteral("events.xml"))}));
        QCOMPARE(run.exitCode, 1);
        const QJsonObject doc = QJsonDocument::fromJson(run.out).object();
        QVERIFY2(
            doc.value(QStringLiteral("observed")).toObject().value(QStringLiteral("eventIds")).toArray().contains(31),
            run.out.constData());
        const QJsonObject first = doc.value(QStringLiteral("diagnosis")).toArray().first().toObject();
        QCOMPARE(first.value(QStringLiteral("id")).toString(), QStringLiteral("template-not-available"));
        QVERIFY(first.value(QStringLiteral("confidence")).toDouble() >= 0.95); // the event confirms it

        // The same file through `ndesctl events`: one JSON object per line, explained from the catalogue.
        const CtlRun ev = ndesctl({QStringLiteral("events"), m_dir.filePath(QStringLiteral("events.xml")),
                                   QStringLiteral("--id"), QStringLiteral("31"), QStringLiteral("--provider"),
                                   QStringLiteral("NetworkDeviceEnrollmentService"), QStringLiteral("--json")});
        QCOMPARE(ev.exitCode, 0);
        const QList<QByteArray> lines = ev.out.trimmed().split('\n');
        QVERIFY(!lines.isEmpty());
        for (const QByteArray& line : lines) {
            const QJsonObject e = QJsonDocument::fromJson(line).object();
            QCOMPARE(e.value(QStringLiteral("id")).toInt(), 31);
            QVERIFY(e.value(QStringLiteral("meaning")).toString().contains(QStringLiteral("cannot submit")));
            QVERIFY(!e.value(QStringLiteral("time")).toString().isEmpty());
        }
        const CtlRun none =
            ndesctl({QStringLiteral("events"), m_dir.filePath(QStringLiteral("events.xml")), QStringLiteral("--since"),
                     QStringLiteral("2099-01-01T00:00:00Z"), QStringLiteral("--json")});
        QCOMPARE(none.exitCode, 0);
        QVERIFY(none.out.trimmed().isEmpty());
        QCOMPARE(ndesctl({QStringLiteral("events"), QStringLiteral("--id"), QStringLiteral("x"), QStringLiteral("f")})
                     .exitCode,
                 2);
        // EVTX too: a real System log, filtered by ID; dirty but whole (every record its chunks announce is read).
        const CtlRun evtx = ndesctl({QStringLiteral("events"),
                                     qEnvironmentVariable("NDES_TEST_DATA") + QStringLiteral("/evtx/system.evtx"),
                                     QStringLiteral("--id"), QStringLiteral("6009"), QStringLiteral("--json")});
        QCOMPARE(evtx.exitCode, 0);
        const QList<QByteArray> evtxLines = evtx.out.trimmed().split('\n');
        QVERIFY(evtxLines.size() >= 1);
        QCOMPARE(QJsonDocument::fromJson(evtxLines.first()).object().value(QStringLiteral("provider")).toString(),
                 QStringLiteral("EventLog"));
        QVERIFY(evtx.err.contains(QLatin1String("not closed cleanly")));
        // A log Windows wrote only partly: exit 1, what could be read shown, the loss counted.
        const CtlRun partly = ndesctl({QStringLiteral("events"),
                                       qEnvironmentVariable("NDES_TEST_DATA") +
                                           QStringLiteral("/evtx/Microsoft-Windows-HelloForBusiness-Operational.evtx"),
                                       QStringLiteral("--json")});
        QCOMPARE(partly.exitCode, 1);
        QCOMPARE(partly.out.trimmed().split('\n').size(), 6);
        QVERIFY(partly.err.contains(QLatin1String("14 record(s) could not be read")));
        QCOMPARE(ndesctl({QStringLiteral("events"),
                          qEnvironmentVariable("NDES_TEST_DATA") + QStringLiteral("/evtx/LICENSE-MIT")})
                     .exitCode,
                 1);
    }

    void inProcessStepsAreReportedAsTheyHappen() {
        EnrollmentTest test;
        QList<TestStep> seen;
        connect(&test, &EnrollmentTest::stepChanged, this, [&seen](const TestStep& s) { seen << s; });
        QSignalSpy done(&test, &EnrollmentTest::finished);
        EnrollmentTestOptions o;
        o.scepUrl = QUrl(m_lab.scepUrl());
        o.adminUrl = QUrl(m_lab.adminUrl());
        o.user = QStringLiteral("LAB\\alice");
        o.password = SecretBytes(QByteArray("Alice-Pa55"));
        o.allowHttp = true;
        o.expectedTemplate = QStringLiteral("NotTheTemplate");
        test.start(std::move(o));
        QVERIFY(done.wait(60000));
        const auto report = done.first().first().value<EnrollmentTestReport>();
        // Issued, but from another template than expected: the verify step fails and says so.
        QVERIFY(!report.ok);
        QCOMPARE(report.steps.last().id, QStringLiteral("verify"));
        QVERIFY(report.steps.last().detail.contains(QStringLiteral("NotTheTemplate")));
        QVERIFY(!report.certificate.isNull());
        // Each step was announced running, then ended.
        QCOMPARE(seen.first().status, TestStep::Status::Running);
        QVERIFY(seen.size() >= 2 * report.steps.size());
        auto diagnosis = Diagnosis::builtIn();
        QVERIFY(diagnosis);
        QCOMPARE(diagnosis->diagnose(report.observed).first().id, QStringLiteral("certificate-unexpected"));
    }

    void fullRunAgainstScepserverPasses() {
        ndes::test::ScepServerProcess server;
        QString error;
        if (!server.start(QStringLiteral("scep-static-secret"), &error))
            QFAIL(qPrintable(error));
        const CtlRun run =
            ndesctl({QStringLiteral("test"), QStringLiteral("--url"), server.url().toString(),
                     QStringLiteral("--challenge-env"), QStringLiteral("NDES_TEST_PASSWORD"), QStringLiteral("--json")},
                    "scep-static-secret");
        QVERIFY2(run.exitCode == 0, run.out.constData());
        const QJsonObject doc = QJsonDocument::fromJson(run.out).object();
        QVERIFY(doc.value(QStringLiteral("ok")).toBool());
        // A wrong static challenge: scepserver refuses, and the password is the first suspect (none was fetched).
        const CtlRun bad =
            ndesctl({QStringLiteral("test"), QStringLiteral("--url"), server.url().toString(),
                     QStringLiteral("--challenge-env"), QStringLiteral("NDES_TEST_PASSWORD"), QStringLiteral("--json")},
                    "wrong");
        QCOMPARE(bad.exitCode, 1);
        QCOMPARE(QJsonDocument::fromJson(bad.out)
                     .object()
                     .value(QStringLiteral("diagnosis"))
                     .toArray()
                     .first()
                     .toObject()
                     .value(QStringLiteral("id"))
                     .toString(),
                 QStringLiteral("password-used-or-expired"));
    }
};

QTEST_GUILESS_MAIN(TestEnrollmentTest)
#include "TestEnrollmentTest.moc"
