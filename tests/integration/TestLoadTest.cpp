// SPDX-License-Identifier: Apache-2.0
// `ndesctl load` and the LoadTest core against ndes-lab: 200 concurrent enrollments with passwords from the admin
// page, percentiles and throughput reported; errors counted by kind; non-loopback targets refused.
#include "NdesLabProcess.h"
#include "ndes/LoadTest.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QtTest>

using namespace ndes;
using namespace ndes::service;
using ndes::test::NdesLabProcess;

namespace {

struct CtlRun {
    int exitCode = -1;
    QByteArray out;
    QString err;
};

CtlRun ndesctl(const QStringList& args) {
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("NDES_TEST_PASSWORD"), QStringLiteral("Alice-Pa55"));
    p.setProcessEnvironment(env);
    p.start(QString::fromLocal8Bit(qgetenv("NDESCTL")), args);
    CtlRun r;
    if (!p.waitForFinished(280000)) {
        p.kill();
        p.waitForFinished();
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

} // namespace

class TestLoadTest : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    NdesLabProcess m_lab;

    // A load test as LAB\alice against the lab, awaited.
    LoadTestResult run(const char* password, int concurrency, int requests) {
        LoadTest test;
        QSignalSpy done(&test, &LoadTest::finished);
        LoadTestOptions o;
        o.scepUrl = QUrl(m_lab.scepUrl());
        o.adminUrls = {QUrl(m_lab.adminUrl())};
        o.user = QStringLiteral("LAB\\alice");
        o.password = SecretBytes(QByteArray(password));
        o.allowHttp = true;
        o.concurrency = concurrency;
        o.requests = requests;
        test.start(std::move(o));
        if (!done.wait(60000))
            return {};
        return done.first().first().value<LoadTestResult>();
    }

private slots:
    void initTestCase() {
        QString error;
        QVERIFY2(m_lab.start({QStringLiteral("--users"), ndes::test::writeUsers(m_dir),
                              QStringLiteral("--password-max"), QStringLiteral("100000")},
                             &error),
                 qPrintable(error));
    }

    void concurrentEnrollmentsWithPercentiles() {
        const QString n = qEnvironmentVariableIsSet("NDES_LOAD_REQUESTS") ? qEnvironmentVariable("NDES_LOAD_REQUESTS")
                                                                          : QStringLiteral("200");
        const CtlRun run = ndesctl(
            {QStringLiteral("load"), QStringLiteral("--url"), m_lab.scepUrl(), QStringLiteral("--admin-url"),
             m_lab.adminUrl(), QStringLiteral("--user"), QStringLiteral("LAB\\alice"), QStringLiteral("--password-env"),
             QStringLiteral("NDES_TEST_PASSWORD"), QStringLiteral("--allow-http"), QStringLiteral("--concurrency"), n,
             QStringLiteral("--requests"), n, QStringLiteral("--json")});
        QVERIFY2(run.exitCode == 0, run.out.constData());
        const QJsonObject doc = QJsonDocument::fromJson(run.out).object();
        QCOMPARE(doc.value(QStringLiteral("requests")).toInt(), n.toInt());
        QCOMPARE(doc.value(QStringLiteral("succeeded")).toInt(), n.toInt());
        QCOMPARE(doc.value(QStringLiteral("failed")).toInt(), 0);
        const QJsonObject lat = doc.value(QStringLiteral("latencyMs")).toObject();
        QVERIFY(lat.value(QStringLiteral("p50")).toInteger() > 0);
        QVERIFY(lat.value(QStringLiteral("p50")).toInteger() <= lat.value(QStringLiteral("p90")).toInteger());
        QVERIFY(lat.value(QStringLiteral("p90")).toInteger() <= lat.value(QStringLiteral("p99")).toInteger());
        QVERIFY(lat.value(QStringLiteral("p99")).toInteger() <= lat.value(QStringLiteral("max")).toInteger());
        int completed = 0;
        for (const QJsonValue& v : doc.value(QStringLiteral("completedPerSecond")).toArray())
            completed += v.toInt();
        QCOMPARE(completed, n.toInt());
        QVERIFY(doc.value(QStringLiteral("perSecond")).toDouble() > 0);
        qInfo("%s enrollments, %s in flight: %.1f/s, p50 %lld ms, p90 %lld ms, p99 %lld ms", qPrintable(n),
              qPrintable(n), doc.value(QStringLiteral("perSecond")).toDouble(),
              lat.value(QStringLiteral("p50")).toInteger(), lat.value(QStringLiteral("p90")).toInteger(),
              lat.value(QStringLiteral("p99")).toInteger());
        QVERIFY(!run.out.contains("Alice-Pa55"));
    }

    void errorsAreCountedByKind() {
        // Failures are counted by kind, never hidden: a full password cache, then a template the CA refuses.
        for (const auto& [fault, kind] :
             {std::pair{"cache-full", "challenge-cache-full"}, std::pair{"template-missing", "scep-failure"}}) {
            QVERIFY(!m_lab.control(QStringLiteral("fault?set=") + QLatin1String(fault)).isNull());
            const LoadTestResult r = run("Alice-Pa55", 3, 5);
            QVERIFY(!m_lab.control(QStringLiteral("fault?set=none")).isNull());
            QCOMPARE(r.succeeded, 0);
            QCOMPARE(r.failed, 5);
            QCOMPARE(r.errorsByKind.value(QLatin1String(kind)), 5);
        }
    }

    // A wrong password must not be sent again and again until AD locks the account: the first challenge is
    // fetched alone, and the run stops at the first "unauthorized".
    void aWrongPasswordStopsTheRunAtTheFirstRefusal() {
        const LoadTestResult r = run("not-alices-password", 10, 50);
        QCOMPARE(r.stoppedBecause, QStringLiteral("unauthorized"));
        QCOMPARE(r.failed + r.succeeded, 1); // one sign-in tried, 49 never started
        QCOMPARE(r.errorsByKind.value(QStringLiteral("challenge-unauthorized")), 1);
        QVERIFY(!r.cancelled);
        QCOMPARE(r.toJson().value(QStringLiteral("stoppedBecause")).toString(), QStringLiteral("unauthorized"));
    }

    void nonLoopbackTargetsNeedConsent_data() {
        QTest::addColumn<QString>("url");
        QTest::addColumn<bool>("allowed");
        QTest::newRow("127.0.0.1") << QStringLiteral("http://127.0.0.1:8080/certsrv/mscep/mscep.dll") << true;
        QTest::newRow("127.9.9.9") << QStringLiteral("http://127.9.9.9/certsrv/mscep/mscep.dll") << true;
        QTest::newRow("::1") << QStringLiteral("http://[::1]:8080/certsrv/mscep/mscep.dll") << true;
        QTest::newRow("localhost") << QStringLiteral("http://localhost/certsrv/mscep/mscep.dll") << true;
        QTest::newRow("a name") << QStringLiteral("https://ndes.corp.example/certsrv/mscep/mscep.dll") << false;
        QTest::newRow("a private address") << QStringLiteral("https://10.0.0.5/certsrv/mscep/mscep.dll") << false;
        QTest::newRow("localhost lookalike") << QStringLiteral("https://localhost.evil.example/x") << false;
    }
    void nonLoopbackTargetsNeedConsent() {
        QFETCH(QString, url);
        QFETCH(bool, allowed);
        LoadTestOptions o;
        o.scepUrl = QUrl(url);
        QCOMPARE(bool(LoadTest::check(o)), allowed);
        o.iOwnThisServer = true;
        QVERIFY(LoadTest::check(o));
        // Admin pages too.
        LoadTestOptions a;
        a.scepUrl = QUrl(QStringLiteral("http://127.0.0.1/certsrv/mscep/mscep.dll"));
        a.adminUrls = {QUrl(url)};
        QCOMPARE(bool(LoadTest::check(a)), allowed);
        if (!allowed) {
            const CtlRun run = ndesctl({QStringLiteral("load"), QStringLiteral("--url"), url,
                                        QStringLiteral("--requests"), QStringLiteral("1")});
            QCOMPARE(run.exitCode, 2);
            QVERIFY(run.err.contains(QStringLiteral("--i-own-this-server")));
        }
    }

    void percentilesAreNearestRank() {
        QList<qint64> d;
        for (int i = 1; i <= 100; ++i)
            d << i;
        QCOMPARE(LoadTestResult::percentile(d, 50), 50);
        QCOMPARE(LoadTestResult::percentile(d, 90), 90);
        QCOMPARE(LoadTestResult::percentile(d, 99), 99);
        QCOMPARE(LoadTestResult::percentile({7}, 99), 7);
        QCOMPARE(LoadTestResult::percentile({}, 50), 0);
    }
};

QTEST_GUILESS_MAIN(TestLoadTest)
#include "TestLoadTest.moc"
