// SPDX-License-Identifier: Apache-2.0
// The health probe and `ndesctl check` against ndes-lab: every state the Overview shows, as a real server
// produces it (expiring and expired RA, stopped app pool, weak capabilities, TLS name mismatch, stale CRL).
#include "NdesLabProcess.h"
#include "ScopedClock.h"
#include "TestHttpServer.h"
#include "inventory/Inventory.h"
#include "ndes/ChallengePasswordClient.h"
#include "ndes/HealthProbe.h"
#include "util/Clock.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QtTest>

using namespace ndes;
using namespace ndes::service;
using ndes::test::NdesLabProcess;

namespace {

HealthReport probe(const HealthTarget& target, const HealthOptions& options = {}) {
    HealthProbe p(target, options);
    QSignalSpy spy(&p, &HealthProbe::finished);
    p.start();
    if (!spy.wait(60000))
        return {};
    return spy.first().first().value<HealthReport>();
}

HealthTarget labTarget(const NdesLabProcess& lab, int server = 0) {
    HealthTarget t;
    t.name = QStringLiteral("lab%1").arg(server);
    t.scepUrl = QUrl(lab.scepUrl(server));
    t.adminUrl = QUrl(lab.adminUrl(server));
    t.allowHttp = true;
    return t;
}

QStringList codes(const HealthReport& r) {
    QStringList out;
    for (const HealthReason& reason : r.reasons)
        out << reason.code;
    return out;
}

struct CtlRun {
    int exitCode = -1;
    QString out;
    QString err;
};

CtlRun ndesctl(const QStringList& args) {
    QProcess p;
    p.start(QString::fromLocal8Bit(qgetenv("NDESCTL")), args);
    CtlRun r;
    if (!p.waitForFinished(120000)) {
        p.kill();
        p.waitForFinished();
        r.err = QStringLiteral("ndesctl did not finish");
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

} // namespace

class TestHealthProbe : public QObject {
    Q_OBJECT

private slots:
    void healthyLabIsOkWithEveryStepAndCertificate() {
        NdesLabProcess lab;
        QString error;
        QTemporaryDir dir;
        QVERIFY2(lab.start({QStringLiteral("--users"), ndes::test::writeUsers(dir)}, &error), qPrintable(error));
        const HealthReport r = probe(labTarget(lab));
        QCOMPARE(healthStatusName(r.status), QStringLiteral("ok"));
        QVERIFY2(r.reasons.isEmpty(), qPrintable(codes(r).join(QLatin1Char(','))));
        for (const char* step : {"caps", "cacert", "crl", "admin"})
            QVERIFY2(r.stepMs(QLatin1String(step)) >= 0, step);
        QStringList roles;
        for (const ExpiryItem& e : r.expiries)
            roles << expiryRoleName(e.role);
        roles.sort();
        QCOMPARE(roles, (QStringList{QStringLiteral("ca"), QStringLiteral("ca"), QStringLiteral("crl"),
                                     QStringLiteral("ra-encryption"), QStringLiteral("ra-signing")}));
        QVERIFY(r.capabilities.contains(QStringLiteral("AES")));
        QCOMPARE(r.toJson().value(QStringLiteral("status")).toString(), QStringLiteral("ok"));

        // The same lab without accounts hands out passwords to anyone: a warning that says so.
        NdesLabProcess open;
        QVERIFY2(open.start({}, &error), qPrintable(error));
        QCOMPARE(codes(probe(labTarget(open))), QStringList{QStringLiteral("admin-open")});
        // Each visit of an open admin page issues a password: probes in the same hour must not fill NDES's cache (5
        // by default) and lock the helpdesk out. Six more probes, then a helpdesk request still gets a password.
        for (int i = 0; i < 6; ++i) {
            const HealthReport again = probe(labTarget(open));
            QCOMPARE(codes(again), QStringList{QStringLiteral("admin-open")});
            bool notAsked = false;
            for (const ProbeStep& s : again.steps)
                notAsked = notAsked || (s.name == QLatin1String("admin") && s.detail.contains(u"not asked again"));
            QVERIFY(notAsked);
        }
        ChallengeRequest helpdesk;
        helpdesk.adminUrl = QUrl(open.adminUrl());
        helpdesk.auth = AdminAuth::None;
        helpdesk.allowHttp = true;
        const auto fetched = ChallengePasswordClient::fetch(helpdesk);
        QVERIFY2(fetched, fetched ? "" : qPrintable(fetched.error().message));

        const CtlRun run = ndesctl({QStringLiteral("check"), QStringLiteral("--url"), lab.scepUrl()});
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.out.startsWith(QStringLiteral("NDES OK - 1 server(s): 1 ok")), qPrintable(run.out));
    }

    void raExpiringIn20DaysIsWarning() {
        NdesLabProcess lab;
        QString error;
        QVERIFY2(lab.start({QStringLiteral("--ra-days"), QStringLiteral("20")}, &error), qPrintable(error));
        const HealthReport r = probe(labTarget(lab));
        QCOMPARE(r.status, HealthStatus::Warning);
        QVERIFY(codes(r).contains(QStringLiteral("ra-expiring")));
        const CtlRun run = ndesctl({QStringLiteral("check"), QStringLiteral("--url"), lab.scepUrl()});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.out.startsWith(QStringLiteral("NDES WARNING")), qPrintable(run.out));
        QVERIFY(run.out.section(QLatin1Char('\n'), 0, 0).contains(QStringLiteral("ra_days_left_min=19")));
        // A lower warning threshold makes the same server OK.
        const CtlRun relaxed = ndesctl({QStringLiteral("check"), QStringLiteral("--url"), lab.scepUrl(),
                                        QStringLiteral("--warn-days"), QStringLiteral("10")});
        QCOMPARE(relaxed.exitCode, 0);
    }

    void raExpiredIsCriticalAndEnrollmentFails() {
        NdesLabProcess lab;
        QString error;
        QVERIFY2(lab.start({QStringLiteral("--ra-days"), QStringLiteral("-5"), QStringLiteral("--no-enforce-password")},
                           &error),
                 qPrintable(error));
        const HealthReport r = probe(labTarget(lab));
        QCOMPARE(r.status, HealthStatus::Critical);
        QVERIFY2(codes(r).contains(QStringLiteral("ra-expired")), qPrintable(codes(r).join(QLatin1Char(','))));
        QVERIFY(r.headline().contains(QStringLiteral("all enrollment through this server stops")));
        const CtlRun run = ndesctl({QStringLiteral("check"), QStringLiteral("--url"), lab.scepUrl()});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.out.startsWith(QStringLiteral("NDES CRITICAL")), qPrintable(run.out));

        QTemporaryDir out;
        const CtlRun enroll =
            ndesctl({QStringLiteral("enroll"), QStringLiteral("--url"), lab.scepUrl(), QStringLiteral("--subject"),
                     QStringLiteral("CN=device1"), QStringLiteral("--key-out"), out.filePath(QStringLiteral("k.pem")),
                     QStringLiteral("--cert-out"), out.filePath(QStringLiteral("c.pem"))});
        QVERIFY2(enroll.exitCode != 0, qPrintable(enroll.out));
    }

    void raExpiredFaultShowsExpiredCertificates() {
        NdesLabProcess lab;
        QString error;
        QVERIFY2(lab.start({QStringLiteral("--fault"), QStringLiteral("ra-expired")}, &error), qPrintable(error));
        const HealthReport r = probe(labTarget(lab));
        QCOMPARE(r.status, HealthStatus::Critical);
        QVERIFY(codes(r).contains(QStringLiteral("ra-expired")));
    }

    void appPoolStoppedIsCriticalWithThatReason() {
        NdesLabProcess lab;
        QString error;
        QVERIFY2(lab.start({QStringLiteral("--fault"), QStringLiteral("app-pool-stopped")}, &error), qPrintable(error));
        const HealthReport r = probe(labTarget(lab));
        QCOMPARE(r.status, HealthStatus::Critical);
        QCOMPARE(r.reasons.first().code, QStringLiteral("app-pool-stopped"));
        QVERIFY(r.reasons.first().message.contains(QStringLiteral("Start-WebAppPool")));
        // Reported once, not again for GetCACert and the admin page.
        QCOMPARE(codes(r).count(QStringLiteral("app-pool-stopped")), 1);
        QVERIFY(!codes(r).contains(QStringLiteral("cacert-failed")));
        const CtlRun run = ndesctl({QStringLiteral("check"), QStringLiteral("--url"), lab.scepUrl()});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.out.section(QLatin1Char('\n'), 0, 0).contains(QStringLiteral("application pool is stopped")),
                 qPrintable(run.out));
    }

    void weakCapabilitiesAreFlagged() {
        NdesLabProcess lab;
        QString error;
        QVERIFY2(lab.start({QStringLiteral("--caps"), QStringLiteral("DES3,SHA-1")}, &error), qPrintable(error));
        const HealthReport r = probe(labTarget(lab));
        QCOMPARE(r.status, HealthStatus::Warning);
        QVERIFY(codes(r).contains(QStringLiteral("weak-caps")));
        QVERIFY(codes(r).contains(QStringLiteral("no-post")));

        NdesLabProcess noSha;
        QVERIFY2(noSha.start({QStringLiteral("--caps"), QStringLiteral("POSTPKIOperation,AES,SHA-1")}, &error),
                 qPrintable(error));
        const HealthReport r2 = probe(labTarget(noSha));
        QCOMPARE(codes(r2), (QStringList{QStringLiteral("no-sha256"), QStringLiteral("admin-open")}));
        QVERIFY(!codes(r2).contains(QStringLiteral("weak-caps")));
    }

    void tlsNameMismatchIsFlaggedAndTheRestStillRead() {
        NdesLabProcess lab;
        QString error;
        QVERIFY2(lab.start({QStringLiteral("--https"), QStringLiteral("--tls-name"), QStringLiteral("wrong.example")},
                           &error),
                 qPrintable(error));
        HealthTarget t = labTarget(lab);
        QFile chain(lab.chainPemPath());
        QVERIFY(chain.open(QIODevice::ReadOnly));
        t.extraTlsCaCertificates = QSslCertificate::fromData(chain.readAll());
        t.adminUrl.clear();
        const HealthReport r = probe(t);
        QCOMPARE(r.status, HealthStatus::Critical);
        QCOMPARE(codes(r), QStringList{QStringLiteral("tls-name-mismatch")});
        QVERIFY(r.reasons.first().message.contains(QStringLiteral("wrong.example")));
        int ra = 0;
        for (const ExpiryItem& e : r.expiries)
            ra += e.role == ExpiryRole::RaSigning || e.role == ExpiryRole::RaEncryption ? 1 : 0;
        QCOMPARE(ra, 2);

        // With the right name in the certificate (the default), the same trust gives OK.
        NdesLabProcess good;
        QVERIFY2(good.start({QStringLiteral("--https")}, &error), qPrintable(error));
        HealthTarget g = labTarget(good);
        QFile chain2(good.chainPemPath());
        QVERIFY(chain2.open(QIODevice::ReadOnly));
        g.extraTlsCaCertificates = QSslCertificate::fromData(chain2.readAll());
        g.adminUrl.clear();
        const HealthReport ok = probe(g);
        QVERIFY2(ok.status == HealthStatus::Ok, qPrintable(codes(ok).join(QLatin1Char(','))));
        bool tlsItem = false;
        for (const ExpiryItem& e : ok.expiries)
            tlsItem = tlsItem || (e.role == ExpiryRole::Tls && e.daysLeft >= 363);
        QVERIFY(tlsItem);
    }

    void expiredTlsCertificateIsCritical() {
        NdesLabProcess lab;
        QString error;
        QVERIFY2(lab.start({QStringLiteral("--https"), QStringLiteral("--tls-days"), QStringLiteral("-3")}, &error),
                 qPrintable(error));
        HealthTarget t = labTarget(lab);
        QFile chain(lab.chainPemPath());
        QVERIFY(chain.open(QIODevice::ReadOnly));
        t.extraTlsCaCertificates = QSslCertificate::fromData(chain.readAll());
        t.adminUrl.clear();
        const HealthReport r = probe(t);
        QCOMPARE(r.status, HealthStatus::Critical);
        QVERIFY2(codes(r).contains(QStringLiteral("tls-expired")), qPrintable(codes(r).join(QLatin1Char(','))));
    }

    void staleCrlIsFlagged() {
        NdesLabProcess lab;
        QString error;
        QVERIFY2(lab.start({QStringLiteral("--fault"), QStringLiteral("stale-crl")}, &error), qPrintable(error));
        const HealthReport r = probe(labTarget(lab));
        QCOMPARE(r.status, HealthStatus::Critical);
        QCOMPARE(codes(r), (QStringList{QStringLiteral("crl-stale"), QStringLiteral("admin-open")}));
        // Republished: fresh again, without restarting anything.
        QVERIFY(!lab.control(QStringLiteral("fault?set=-stale-crl")).isNull());
        QCOMPARE(probe(labTarget(lab)).status, HealthStatus::Warning); // admin-open only
        const CtlRun noCrl =
            ndesctl({QStringLiteral("check"), QStringLiteral("--url"), lab.scepUrl(), QStringLiteral("--no-crl")});
        QCOMPARE(noCrl.exitCode, 0);
    }

    void thresholdsAtTheirExactBoundariesWithAFixedClock() {
        NdesLabProcess lab;
        QString error;
        QVERIFY2(lab.start({}, &error), qPrintable(error));
        HealthTarget t = labTarget(lab);
        t.adminUrl.clear();
        HealthOptions o;
        o.checkCrl = false;
        QDateTime raNotAfter;
        for (const ExpiryItem& e : probe(t, o).expiries)
            if (e.role == ExpiryRole::RaSigning)
                raNotAfter = e.notAfter;
        QVERIFY(raNotAfter.isValid());
        struct Case {
            qint64 secsBefore;
            HealthStatus status;
        };
        const Case cases[] = {
            {31 * 86400, HealthStatus::Ok},     {30 * 86400, HealthStatus::Warning},
            {8 * 86400, HealthStatus::Warning}, {7 * 86400, HealthStatus::Critical},
            {0, HealthStatus::Critical},        {-1, HealthStatus::Critical},
        };
        for (const Case& c : cases) {
            const HealthReport r = [&] {
                test::ScopedClock clock(raNotAfter.addSecs(-c.secsBefore));
                return probe(t, o);
            }();
            QVERIFY2(r.status == c.status,
                     qPrintable(QStringLiteral("%1 s before notAfter: %2 (%3)")
                                    .arg(c.secsBefore)
                                    .arg(healthStatusName(r.status), codes(r).join(QLatin1Char(',')))));
            if (c.secsBefore < 0)
                QVERIFY(codes(r).contains(QStringLiteral("ra-expired")));
        }
    }

    void unreachableAndHangingServersEndInTime() {
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost));
        const quint16 port = closed.serverPort();
        closed.close();
        HealthTarget t;
        t.scepUrl = QUrl(QStringLiteral("http://127.0.0.1:%1/certsrv/mscep/mscep.dll").arg(port));
        const HealthReport r = probe(t);
        QCOMPARE(r.status, HealthStatus::Unreachable);
        const CtlRun run = ndesctl({QStringLiteral("check"), QStringLiteral("--url"), t.scepUrl.toString()});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.out.contains(QStringLiteral("1 unreachable")), qPrintable(run.out));

        NdesLabProcess lab;
        QString error;
        QVERIFY2(lab.start({QStringLiteral("--fault"), QStringLiteral("hang")}, &error), qPrintable(error));
        HealthOptions quick;
        quick.timeoutMs = 1000;
        QElapsedTimer timer;
        timer.start();
        const HealthReport hung = probe(labTarget(lab), quick);
        QCOMPARE(hung.status, HealthStatus::Unreachable);
        QVERIFY(timer.elapsed() < 10000);
    }

    void garbageAnswersAreCriticalNotCrashes() {
        ndes::test::TestHttpServer server([](const ndes::test::TestHttpRequest&) {
            ndes::test::TestHttpResponse resp;
            resp.headers = {{"Content-Type", "text/html"}};
            resp.body = QByteArray("<html><body>Welcome to IIS</body></html>");
            return resp;
        });
        HealthTarget t;
        t.scepUrl = QUrl(server.url(QStringLiteral("/certsrv/mscep/mscep.dll")));
        const HealthReport r = probe(t);
        QCOMPARE(r.status, HealthStatus::Critical);
        QVERIFY(codes(r).contains(QStringLiteral("caps-failed")));
    }

    void inventoryJsonAndUnknown() {
        NdesLabProcess lab;
        QString error;
        QVERIFY2(lab.start({QStringLiteral("--servers"), QStringLiteral("3"), QStringLiteral("--ra-days"),
                            QStringLiteral("20")},
                           &error),
                 qPrintable(error));
        QTemporaryDir dir;
        inventory::Inventory inv;
        for (int i = 0; i < 3; ++i) {
            inventory::ServerProfile p;
            p.name = QStringLiteral("NDES %1").arg(i + 1);
            p.scepUrl = QUrl(lab.scepUrl(i));
            p.adminUrl = QUrl(lab.adminUrl(i));
            p.allowHttp = true;
            p.auth = AdminAuth::None;
            QVERIFY(inv.upsert(p));
        }
        const QString file = dir.filePath(QStringLiteral("inventory.json"));
        QVERIFY(inv.save(file));
        const CtlRun run =
            ndesctl({QStringLiteral("check"), QStringLiteral("--inventory"), file, QStringLiteral("--json")});
        QCOMPARE(run.exitCode, 1);
        const QJsonObject doc = QJsonDocument::fromJson(run.out.toUtf8()).object();
        QCOMPARE(doc.value(QStringLiteral("status")).toString(), QStringLiteral("WARNING"));
        const QJsonArray servers = doc.value(QStringLiteral("servers")).toArray();
        QCOMPARE(servers.size(), 3);
        QCOMPARE(servers.at(0).toObject().value(QStringLiteral("server")).toString(), QStringLiteral("NDES 1"));
        QVERIFY(!servers.at(0).toObject().value(QStringLiteral("certificates")).toArray().isEmpty());

        for (const QStringList& bad :
             {QStringList{QStringLiteral("check")},
              QStringList{QStringLiteral("check"), QStringLiteral("--inventory"), dir.filePath(QStringLiteral("none"))},
              QStringList{QStringLiteral("check"), QStringLiteral("--url"), QStringLiteral("ftp://x")},
              QStringList{QStringLiteral("check"), QStringLiteral("--url"), lab.scepUrl(),
                          QStringLiteral("--warn-days"), QStringLiteral("3"), QStringLiteral("--crit-days"),
                          QStringLiteral("9")}}) {
            const CtlRun u = ndesctl(bad);
            QCOMPARE(u.exitCode, 3);
            QVERIFY2(u.out.startsWith(QStringLiteral("NDES UNKNOWN - ")), qPrintable(u.out));
        }
    }

    void monitorBoundsConcurrencyAndReportsEveryServer() {
        NdesLabProcess lab;
        QString error;
        QVERIFY2(lab.start({QStringLiteral("--servers"), QStringLiteral("12")}, &error), qPrintable(error));
        QList<HealthTarget> targets;
        for (int i = 0; i < 12; ++i) {
            targets << labTarget(lab, i);
            targets.last().adminUrl.clear();
        }
        HealthMonitor monitor;
        monitor.setConcurrency(4);
        QSignalSpy done(&monitor, &HealthMonitor::roundFinished);
        QSignalSpy progress(&monitor, &HealthMonitor::progress);
        int maxRunning = 0;
        connect(&monitor, &HealthMonitor::progress, this,
                [&] { maxRunning = qMax(maxRunning, monitor.probesInFlight()); });
        monitor.probeAll(targets);
        maxRunning = monitor.probesInFlight();
        QVERIFY(done.wait(60000));
        const auto reports = done.first().first().value<QList<HealthReport>>();
        QCOMPARE(reports.size(), 12);
        QCOMPARE(progress.size(), 12);
        QCOMPARE(maxRunning, 4);
        for (const HealthReport& r : reports)
            QCOMPARE(r.status, HealthStatus::Ok);
        QCOMPARE(monitoringExitCode(reports), 0);
    }
};

QTEST_GUILESS_MAIN(TestHealthProbe)
#include "TestHealthProbe.moc"
