// SPDX-License-Identifier: Apache-2.0
// 500 concurrent enrollments against one ndes-lab server: all succeed, every password is used exactly once,
// no serial number repeats. Prints the throughput (a figure for docs/benchmarks.md, not an assertion).
#include "AwaitResult.h"
#include "NdesLabProcess.h"

#include "scep/ScepEnrollment.h"

#include <QElapsedTimer>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QSet>
#include <QtConcurrent/QtConcurrentRun>
#include <QtTest>

using namespace ndes;
using namespace ndes::test;

class TestNdesLabLoad : public QObject {
    Q_OBJECT
private slots:
    void fiveHundredConcurrentEnrollments() {
        const int n = qEnvironmentVariableIntValue("NDES_LOAD_ENROLLMENTS") > 0
                          ? qEnvironmentVariableIntValue("NDES_LOAD_ENROLLMENTS")
                          : 500;
        NdesLabProcess lab;
        QString error;
        QVERIFY2(lab.start({QStringLiteral("--password-max"), QString::number(n + 10)}, &error), qPrintable(error));

        // The passwords, fetched from the admin page (all at once).
        QNetworkAccessManager nam;
        QStringList passwords;
        const QRegularExpression re(QStringLiteral("challenge password is: <B> ([0-9A-F]+) </B>"));
        int fetched = 0;
        for (int i = 0; i < n; ++i) {
            QNetworkReply* r = nam.get(QNetworkRequest(QUrl(lab.adminUrl())));
            connect(r, &QNetworkReply::finished, this, [&, r] {
                const auto m = re.match(decodeUtf16Le(r->readAll()));
                if (m.hasMatch())
                    passwords << m.captured(1);
                ++fetched;
                r->deleteLater();
            });
        }
        QElapsedTimer wait;
        wait.start();
        while (fetched < n && wait.elapsed() < 60000)
            QTest::qWait(5);
        QCOMPARE(passwords.size(), n);
        QCOMPARE(QSet<QString>(passwords.begin(), passwords.end()).size(), n);

        // A pool of keys made beforehand, so the figure measures SCEP and the lab rather than prime searches.
        QList<QFuture<Result<pki::PrivateKey>>> keys;
        for (int i = 0; i < 50; ++i)
            keys << pki::PrivateKey::generateRsaAsync(2048);
        for (auto& k : keys)
            k.waitForFinished();

        std::vector<std::unique_ptr<scep::ScepClient>> clients;
        std::vector<std::unique_ptr<scep::ScepEnrollment>> runs;
        QList<std::optional<Result<scep::EnrollmentResult>>> results(n);
        int done = 0;
        QElapsedTimer t;
        t.start();
        for (int i = 0; i < n; ++i) {
            scep::EnrollmentRequest req;
            req.subject = QStringLiteral("CN=load-%1,O=Load").arg(i);
            req.challengePassword = SecretBytes(passwords[i].toLatin1());
            req.key = *keys[i % keys.size()].result();
            scep::ScepClientOptions options;
            options.timeoutMs = 180000; // a queue of 500 at one server: patience is part of the test
            clients.push_back(std::make_unique<scep::ScepClient>(QUrl(lab.scepUrl()), options));
            runs.push_back(std::make_unique<scep::ScepEnrollment>(clients.back().get()));
            runs.back()->start(std::move(req), [&results, &done, i](Result<scep::EnrollmentResult> r) {
                results[i].emplace(std::move(r));
                ++done;
            });
        }
        while (done < n && t.elapsed() < 300000)
            QTest::qWait(5);
        QCOMPARE(done, n);
        const double secs = t.elapsed() / 1000.0;

        QSet<QString> serials;
        for (int i = 0; i < n; ++i) {
            if (!results[i]->ok())
                QFAIL(qPrintable(QStringLiteral("enrollment %1: %2").arg(i).arg(results[i]->error().toString())));
            serials.insert((*results[i])->certificate.serialHex());
        }
        QCOMPARE(serials.size(), n);
        qInfo("%d concurrent enrollments against one ndes-lab server: %.2f s, %.1f enrollments/s", n, secs, n / secs);

        // Every password was used exactly once: a second use is refused.
        scep::ScepClient again{QUrl(lab.scepUrl())};
        scep::ScepEnrollment reuse(&again);
        scep::EnrollmentRequest req;
        req.subject = QStringLiteral("CN=reuse");
        req.challengePassword = SecretBytes(passwords.first().toLatin1());
        req.key = *keys.first().result();
        auto r = awaitResult<scep::EnrollmentResult>([&](auto cb) { reuse.start(std::move(req), std::move(cb)); });
        QVERIFY(!r.ok());
        QCOMPARE(r.error().failInfo, 2);
        QCOMPARE(lab.control(QStringLiteral("events")).count("<EventID>29</EventID>"), 1); // only the reuse
    }
};

QTEST_GUILESS_MAIN(TestNdesLabLoad)
#include "TestNdesLabLoad.moc"
