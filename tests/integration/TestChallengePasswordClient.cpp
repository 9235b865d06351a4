// SPDX-License-Identifier: Apache-2.0
// The console's own admin-page client (libcurl) against ndes-lab: NTLM, Kerberos from a plain kinit ticket,
// Basic; every error page; the UTF-16 variants; a server that answers 401 forever; TLS; and a real enrollment
// with the password right after.
#include "AwaitResult.h"
#include "NdesLabProcess.h"
#include "TestHttpServer.h"
#include "TestKdc.h"
#include "TestPki.h"

#include "ndes/ChallengePasswordClient.h"
#include "scep/ScepEnrollment.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <openssl/x509.h>

using namespace ndes;
using namespace ndes::service;
using namespace ndes::test;

namespace {
ChallengeRequest ntlm(const NdesLabProcess& lab, const QString& user = QStringLiteral("LAB\\alice"),
                      const QByteArray& pw = "Alice-Pa55") {
    ChallengeRequest r;
    r.adminUrl = QUrl(lab.adminUrl());
    r.allowHttp = true;
    r.auth = AdminAuth::Ntlm;
    r.user = user;
    r.password = SecretBytes(pw);
    return r;
}
} // namespace

class TestChallengePasswordClient : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_users;
    NdesLabProcess m_lab;

private slots:
    void initTestCase() {
        m_users = writeUsers(m_dir);
        QString error;
        QVERIFY2(m_lab.start({QStringLiteral("--users"), m_users, QStringLiteral("--basic"),
                              QStringLiteral("--password-max"), QStringLiteral("50")},
                             &error),
                 qPrintable(error));
    }

    void ntlmThenRealEnrollment() {
        auto pw = ChallengePasswordClient::fetch(ntlm(m_lab));
        QVERIFY2(pw.ok(), qPrintable(pw.ok() ? QString() : pw.error().toString()));
        QCOMPARE(pw->password.bytes().size(), 16);
        QCOMPARE(pw->validityMinutes, 60);
        QVERIFY(pw->caThumbprint.contains(QRegularExpression(QStringLiteral("^[0-9A-F]{8}( [0-9A-F]{8}){3}$"))));
        QCOMPARE(pw->server, QStringLiteral("127.0.0.1"));
        QVERIFY(pw->httpRequests <= 3);
        // The password works for a real enrollment right away.
        scep::ScepClient client{QUrl(m_lab.scepUrl())};
        scep::ScepEnrollment enrollment(&client);
        scep::EnrollmentRequest req;
        req.subject = QStringLiteral("CN=after-challenge");
        req.challengePassword = SecretBytes(pw->password.bytes());
        auto r = awaitResult<scep::EnrollmentResult>([&](auto cb) { enrollment.start(std::move(req), std::move(cb)); });
        QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().toString()));
    }

    void basicAndAsync() {
        ChallengeRequest r = ntlm(m_lab);
        r.auth = AdminAuth::Basic;
        QFuture<Result<ChallengePassword>> f = ChallengePasswordClient::fetchAsync(std::move(r));
        QTRY_VERIFY_WITH_TIMEOUT(f.isFinished(), 30000);
        QVERIFY(f.result().ok());
    }

    void kerberosFromAPlainKinitTicket() {
        TestKdc kdc;
        QString error;
        QVERIFY2(kdc.start(QStringLiteral("alice"), "Alice-Kerberos-1", &error), qPrintable(error));
        NdesLabProcess lab;
        lab.setEnvironment(kdc.environment());
        QVERIFY2(lab.start({QStringLiteral("--users"), m_users, QStringLiteral("--keytab"), kdc.keytabPath()}, &error),
                 qPrintable(error));
        // This process uses the test realm's configuration and ticket cache, as a user after kinit would.
        const QProcessEnvironment env = kdc.environment();
        for (const QString& k : {QStringLiteral("KRB5_CONFIG"), QStringLiteral("KRB5CCNAME")})
            qputenv(k.toLatin1().constData(), env.value(k).toLocal8Bit());
        ChallengeRequest r;
        r.adminUrl = QUrl(lab.adminUrl().replace(QStringLiteral("127.0.0.1"), QStringLiteral("localhost")));
        r.allowHttp = true;
        r.auth = AdminAuth::Negotiate;
        auto pw = ChallengePasswordClient::fetch(r);
        qunsetenv("KRB5CCNAME");
        qunsetenv("KRB5_CONFIG");
        QVERIFY2(pw.ok(), qPrintable(pw.ok() ? QString() : pw.error().toString() + lab.stderrText()));
        QCOMPARE(pw->password.bytes().size(), 16);
    }

    void errors_data() {
        QTest::addColumn<QString>("user");
        QTest::addColumn<QByteArray>("password");
        QTest::addColumn<QString>("fault");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("messageHas");
        QTest::newRow("wrong password") << QStringLiteral("LAB\\alice") << QByteArray("wrong") << QString()
                                        << QStringLiteral("unauthorized")
                                        << QStringLiteral("refused the credentials of LAB\\alice");
        QTest::newRow("no Enroll right") << QStringLiteral("LAB\\bob") << QByteArray("Bob-Pa55") << QString()
                                         << QStringLiteral("insufficient-permission")
                                         << QStringLiteral("Enroll permission");
        QTest::newRow("cache full") << QStringLiteral("LAB\\alice") << QByteArray("Alice-Pa55")
                                    << QStringLiteral("cache-full") << QStringLiteral("cache-full")
                                    << QStringLiteral("PasswordMax");
        QTest::newRow("app pool stopped")
            << QStringLiteral("LAB\\alice") << QByteArray("Alice-Pa55") << QStringLiteral("app-pool-stopped")
            << QStringLiteral("app-pool-stopped") << QStringLiteral("Start-WebAppPool SCEP");
        QTest::newRow("hang") << QStringLiteral("LAB\\alice") << QByteArray("Alice-Pa55") << QStringLiteral("hang")
                              << QStringLiteral("timeout") << QStringLiteral("did not answer");
    }
    void errors() {
        QFETCH(QString, user);
        QFETCH(QByteArray, password);
        QFETCH(QString, fault);
        QFETCH(QString, code);
        QFETCH(QString, messageHas);
        if (!fault.isEmpty())
            QVERIFY(!m_lab.control(QStringLiteral("fault?set=") + fault).isNull());
        ChallengeRequest r = ntlm(m_lab, user, password);
        r.timeoutMs = 1500;
        auto pw = ChallengePasswordClient::fetch(r);
        if (!fault.isEmpty())
            QVERIFY(!m_lab.control(QStringLiteral("fault?set=none")).isNull());
        QVERIFY(!pw.ok());
        QCOMPARE(pw.error().code, code);
        QVERIFY2(pw.error().message.contains(messageHas), qPrintable(pw.error().message));
        QVERIFY(!pw.error().message.contains(QString::fromLatin1(password)));
    }

    void utf16Variants_data() {
        QTest::addColumn<QString>("encoding");
        QTest::newRow("no BOM") << QStringLiteral("utf16le");
        QTest::newRow("BOM") << QStringLiteral("utf16le-bom");
        QTest::newRow("stray byte") << QStringLiteral("utf16le-stray");
        QTest::newRow("UTF-8") << QStringLiteral("utf8");
    }
    void utf16Variants() {
        QFETCH(QString, encoding);
        NdesLabProcess lab;
        QString error;
        QVERIFY(lab.start({QStringLiteral("--admin-encoding"), encoding}, &error));
        ChallengeRequest r;
        r.adminUrl = QUrl(lab.adminUrl());
        r.allowHttp = true;
        r.auth = AdminAuth::None;
        auto pw = ChallengePasswordClient::fetch(r);
        QVERIFY2(pw.ok(), qPrintable(pw.ok() ? QString() : pw.error().toString()));
        QCOMPARE(pw->password.bytes().size(), 16);
    }

    void unauthorizedForeverIsBounded() {
        TestHttpServer server([](const TestHttpRequest&) {
            TestHttpResponse r;
            r.status = 401;
            r.headers.append(qMakePair(QByteArray("WWW-Authenticate"), QByteArray("NTLM")));
            return r;
        });
        ChallengeRequest r;
        r.adminUrl = server.url(QStringLiteral("/certsrv/mscep_admin/"));
        r.allowHttp = true;
        r.user = QStringLiteral("LAB\\alice");
        r.password = SecretBytes(QByteArray("x"));
        auto pw = awaitResult<ChallengePassword>([&](auto done) {
            auto f = ChallengePasswordClient::fetchAsync(r);
            auto* w = new QFutureWatcher<Result<ChallengePassword>>(this);
            connect(w, &QFutureWatcherBase::finished, this, [w, done] {
                done(w->result());
                w->deleteLater();
            });
            w->setFuture(f);
        });
        QVERIFY(!pw.ok());
        QVERIFY(pw.error().code == QLatin1String("unauthorized") || pw.error().code == QLatin1String("auth-loop"));
        QVERIFY(server.requestCount() <= 4);
    }

    void tlsAndPlainHttp() {
        NdesLabProcess lab;
        QString error;
        QVERIFY(lab.start({QStringLiteral("--https")}, &error));
        ChallengeRequest r;
        r.adminUrl = QUrl(lab.adminUrl());
        r.auth = AdminAuth::None;
        auto untrusted = ChallengePasswordClient::fetch(r);
        QVERIFY(!untrusted.ok());
        QCOMPARE(untrusted.error().code, QStringLiteral("tls"));
        QFile root(lab.stateDir() + QStringLiteral("/root-ca.pem"));
        QVERIFY(root.open(QIODevice::ReadOnly));
        const QByteArray rootPem = root.readAll();
        r.extraCaPem = rootPem;
        QVERIFY(ChallengePasswordClient::fetch(r).ok());
        // Given CAs are trusted in addition to the system's, not instead: with the lab's root only in the system's
        // certificate directory (SSL_CERT_DIR, by subject hash as OpenSSL looks it up) and an unrelated CA given,
        // the page is still trusted.
        {
            QTemporaryDir systemDir;
            auto rootCert = pki::Certificate::fromPem(rootPem);
            QVERIFY(rootCert.ok());
            const QString hashed = systemDir.filePath(QStringLiteral("%1.0").arg(
                qulonglong(X509_subject_name_hash(rootCert->get())), 8, 16, QLatin1Char('0')));
            QFile link(hashed);
            QVERIFY(link.open(QIODevice::WriteOnly));
            link.write(rootPem);
            link.close();
            qputenv("SSL_CERT_DIR", QFile::encodeName(systemDir.path()));
            ChallengeRequest other = r;
            other.extraCaPem = ndes::test::NdesLikePki::create().root.toPem();
            const auto alsoTrusted = ChallengePasswordClient::fetch(other);
            qunsetenv("SSL_CERT_DIR");
            QVERIFY2(alsoTrusted.ok(), qPrintable(alsoTrusted.ok() ? QString() : alsoTrusted.error().toString()));
        }
        // Plain HTTP is refused unless the profile allows it.
        ChallengeRequest plain;
        plain.adminUrl = QUrl(m_lab.adminUrl());
        plain.auth = AdminAuth::None;
        auto refused = ChallengePasswordClient::fetch(plain);
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().code, QStringLiteral("http-not-allowed"));
    }

    void probeReportsTheOfferedAuthentication() {
        auto probe = ChallengePasswordClient::probe(QUrl(m_lab.adminUrl()), true);
        QVERIFY(probe.ok());
        QCOMPARE(probe->httpStatus, 401);
        QVERIFY(probe->offeredSchemes.contains(QStringLiteral("Negotiate")));
        QVERIFY(probe->offeredSchemes.contains(QStringLiteral("NTLM")));
        QVERIFY(!ChallengePasswordClient::probe(QUrl(m_lab.adminUrl()), false).ok()); // plain HTTP not allowed
        QVERIFY(!ChallengePasswordClient::probe(QUrl(QStringLiteral("http://127.0.0.1:1/x")), true).ok());
    }

    void ndesctlChallenge() {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("LAB_PW"), QStringLiteral("Alice-Pa55"));
        p.setProcessEnvironment(env);
        p.start(qEnvironmentVariable("NDESCTL"),
                {QStringLiteral("challenge"), QStringLiteral("--admin-url"), m_lab.adminUrl(), QStringLiteral("--user"),
                 QStringLiteral("LAB\\alice"), QStringLiteral("--password-env"), QStringLiteral("LAB_PW"),
                 QStringLiteral("--allow-http"), QStringLiteral("--json")});
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 0);
        const QJsonObject doc = QJsonDocument::fromJson(p.readAllStandardOutput()).object();
        QCOMPARE(doc.value(QStringLiteral("password")).toString().size(), 16);
        QCOMPARE(doc.value(QStringLiteral("validityMinutes")).toInt(), 60);
        QCOMPARE(doc.value(QStringLiteral("server")).toString(), QStringLiteral("127.0.0.1"));
        QVERIFY(!doc.value(QStringLiteral("caThumbprint")).toString().isEmpty());

        // NDES refuses: exit 1 with the error's name; plain HTTP without --allow-http: usage error.
        QProcess bob;
        env.insert(QStringLiteral("LAB_PW"), QStringLiteral("Bob-Pa55"));
        bob.setProcessEnvironment(env);
        bob.start(qEnvironmentVariable("NDESCTL"),
                  {QStringLiteral("challenge"), QStringLiteral("--admin-url"), m_lab.adminUrl(),
                   QStringLiteral("--user"), QStringLiteral("LAB\\bob"), QStringLiteral("--password-env"),
                   QStringLiteral("LAB_PW"), QStringLiteral("--allow-http"), QStringLiteral("--json")});
        QVERIFY(bob.waitForFinished(30000));
        QCOMPARE(bob.exitCode(), 1);
        QCOMPARE(
            QJsonDocument::fromJson(bob.readAllStandardOutput()).object().value(QStringLiteral("error")).toString(),
            QStringLiteral("insufficient-permission"));
        QProcess http;
        http.setProcessEnvironment(env);
        http.start(qEnvironmentVariable("NDESCTL"),
                   {QStringLiteral("challenge"), QStringLiteral("--admin-url"), m_lab.adminUrl(),
                    QStringLiteral("--user"), QStringLiteral("LAB\\bob"), QStringLiteral("--password-env"),
                    QStringLiteral("LAB_PW")});
        QVERIFY(http.waitForFinished(30000));
        QCOMPARE(http.exitCode(), 2);
        QVERIFY(http.readAllStandardError().contains("in clear"));
        QProcess argv;
        argv.start(qEnvironmentVariable("NDESCTL"),
                   {QStringLiteral("challenge"), QStringLiteral("--admin-url"), m_lab.adminUrl(),
                    QStringLiteral("--password"), QStringLiteral("Alice-Pa55")});
        QVERIFY(argv.waitForFinished(30000));
        QCOMPARE(argv.exitCode(), 2);
        QVERIFY(argv.readAllStandardError().contains("never taken on the command line"));
    }
};

QTEST_GUILESS_MAIN(TestChallengePasswordClient)
#include "TestChallengePasswordClient.moc"
