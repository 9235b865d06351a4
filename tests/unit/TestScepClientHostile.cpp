// SPDX-License-Identifier: Apache-2.0
// A bad server answer gives a clear error, never a hang or a crash.
#include "AwaitResult.h"
#include "TestHttpServer.h"
#include "TestPki.h"

#include "pki/CertificateBuilder.h"
#include "scep/ScepClient.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QtTest>

using namespace ndes;
using namespace ndes::scep;
using namespace ndes::test;

namespace {

Result<CaCapabilities> caps(ScepClient& c) {
    return awaitResult<CaCapabilities>([&c](auto done) { c.getCaCaps(std::move(done)); }, 20000);
}

Result<CaCertificates> cacert(ScepClient& c) {
    return awaitResult<CaCertificates>([&c](auto done) { c.getCaCert(std::move(done)); }, 20000);
}

Result<QByteArray> pkiop(ScepClient& c, bool post) {
    return awaitResult<QByteArray>(
        [&c, post](auto done) { c.pkiOperation(QByteArray(300, 'x'), post, std::move(done)); }, 20000);
}

TestHttpResponse body(QByteArray b, int status = 200) {
    TestHttpResponse r;
    r.status = status;
    r.body = std::move(b);
    return r;
}

struct TlsIdentity {
    QSslCertificate cert;
    QSslKey key;
};

TlsIdentity tlsIdentity(const QStringList& ips, const QStringList& dns) {
    const pki::PrivateKey key = testKey(20);
    auto cert = pki::CertificateBuilder()
                    .setSubject(QStringLiteral("CN=ndes-test-tls"))
                    .setIpAddresses(ips)
                    .setDnsNames(dns)
                    .setExtendedKeyUsages({QStringLiteral("serverAuth")})
                    .setKeyUsage(0x80 | 0x20)
                    .selfSigned(key);
    return {QSslCertificate(cert->toPem()), QSslKey(key.toPem().bytes(), QSsl::Rsa, QSsl::Pem)};
}

} // namespace

class TestScepClientHostile : public QObject {
    Q_OBJECT
private slots:
    void garbageAndHtml() {
        TestHttpServer server([](const TestHttpRequest& req) {
            if (req.url.query().contains(QStringLiteral("GetCACaps")))
                return body("<html><body>IIS 8.5 Detailed Error - 404.0 - Not Found</body></html>");
            if (req.url.query().contains(QStringLiteral("GetCACert")))
                return body(QByteArray("\x30\x82\x05\x00garbage-garbage", 19));
            return body("<html>oops</html>");
        });
        ScepClient client(server.url(QStringLiteral("/certsrv/mscep/mscep.dll")));
        auto c = caps(client);
        QVERIFY(!c.ok());
        QCOMPARE(c.error().kind, ErrorKind::BadReply);
        QVERIFY(c.error().message.contains(QStringLiteral("HTML")));
        auto ca = cacert(client);
        QVERIFY(!ca.ok());
        QCOMPARE(ca.error().kind, ErrorKind::BadReply);
        auto op = pkiop(client, true);
        QVERIFY(!op.ok());
        QVERIFY(op.error().message.contains(QStringLiteral("HTML")));
    }
    void emptyReplies() {
        TestHttpServer server([](const TestHttpRequest&) { return body(QByteArray()); });
        ScepClient client(server.url(QStringLiteral("/scep")));
        auto ca = cacert(client);
        QVERIFY(!ca.ok());
        QVERIFY(ca.error().message.contains(QStringLiteral("empty")));
        auto op = pkiop(client, false);
        QVERIFY(!op.ok());
        QVERIFY(op.error().message.contains(QStringLiteral("empty")));
        // An empty capability list is legitimate (very old servers).
        QVERIFY(caps(client).ok());
    }
    void hugeBodiesAreCut_data() {
        QTest::addColumn<bool>("closeDelimited");
        QTest::newRow("with Content-Length") << false;
        QTest::newRow("until close") << true;
    }
    void hugeBodiesAreCut() {
        QFETCH(bool, closeDelimited);
        static const QByteArray fifty(50 * 1024 * 1024, 'A');
        TestHttpServer server([&](const TestHttpRequest&) {
            TestHttpResponse r = body(fifty);
            r.closeDelimited = closeDelimited;
            return r;
        });
        ScepClient client(server.url(QStringLiteral("/scep")));
        QElapsedTimer t;
        t.start();
        auto ca = cacert(client);
        QVERIFY(!ca.ok());
        QCOMPARE(ca.error().kind, ErrorKind::BadReply);
        QVERIFY2(ca.error().message.contains(QStringLiteral("larger than 8.0 MB")), qPrintable(ca.error().message));
    }
    void hangingServerTimesOut() {
        TestHttpServer server([](const TestHttpRequest&) {
            TestHttpResponse r;
            r.hang = true;
            return r;
        });
        ScepClientOptions o;
        o.timeoutMs = 500;
        ScepClient client(server.url(QStringLiteral("/scep")), o);
        QElapsedTimer t;
        t.start();
        auto c = caps(client);
        QVERIFY(!c.ok());
        QCOMPARE(c.error().kind, ErrorKind::Timeout);
        QVERIFY(t.elapsed() < 5000);
        QVERIFY(c.error().message.contains(QStringLiteral("0.5 seconds")));
    }
    void droppedConnection() {
        TestHttpServer server([](const TestHttpRequest&) {
            TestHttpResponse r;
            r.dropConnection = true;
            return r;
        });
        ScepClient client(server.url(QStringLiteral("/scep")));
        auto c = caps(client);
        QVERIFY(!c.ok());
        QCOMPARE(c.error().kind, ErrorKind::Network);
    }
    void httpStatusNamesTheNdesCause_data() {
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("hint");
        QTest::newRow("403") << 403 << QStringLiteral("RA certificate expired");
        QTest::newRow("500") << 500 << QStringLiteral("RA certificates or keys");
        QTest::newRow("503") << 503 << QStringLiteral("application pool is stopped");
        QTest::newRow("404") << 404 << QStringLiteral("/certsrv/mscep/mscep.dll");
    }
    void httpStatusNamesTheNdesCause() {
        QFETCH(int, status);
        QFETCH(QString, hint);
        TestHttpServer server([status](const TestHttpRequest&) { return body("Service Unavailable", status); });
        ScepClient client(server.url(QStringLiteral("/scep")));
        auto c = caps(client);
        QVERIFY(!c.ok());
        QCOMPARE(c.error().kind, ErrorKind::HttpStatus);
        QCOMPARE(c.error().httpStatus, status);
        QVERIFY2(c.error().message.contains(hint), qPrintable(c.error().message));
    }
    void redirects() {
        TestHttpServer server([](const TestHttpRequest& req) {
            TestHttpResponse r;
            if (req.url.path() == QLatin1String("/same")) {
                r.status = 302;
                r.headers.append(qMakePair(QByteArray("Location"), QByteArray("/scep?operation=GetCACaps")));
            } else if (req.url.path() == QLatin1String("/other")) {
                r.status = 302;
                r.headers.append(
                    qMakePair(QByteArray("Location"), QByteArray("http://localhost:1/scep?operation=GetCACaps")));
            } else if (req.url.path() == QLatin1String("/loop")) {
                r.status = 302;
                r.headers.append(qMakePair(QByteArray("Location"), QByteArray("/loop")));
            } else {
                r.body = "AES\nSHA-256\n";
            }
            return r;
        });
        ScepClient same(server.url(QStringLiteral("/same")));
        auto ok = caps(same);
        QVERIFY2(ok.ok(), qPrintable(ok.ok() ? QString() : ok.error().toString()));
        QVERIFY(ok->supportsAes());

        ScepClient other(server.url(QStringLiteral("/other")));
        auto refused = caps(other);
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().kind, ErrorKind::Network);
        QVERIFY(refused.error().message.contains(QStringLiteral("another host")));

        const int before = server.requestCount();
        ScepClient loop(server.url(QStringLiteral("/loop")));
        auto looped = caps(loop);
        QVERIFY(!looped.ok());
        QVERIFY(looped.error().message.contains(QStringLiteral("loop")));
        QVERIFY(server.requestCount() - before <= 5); // the request and a few redirects: bounded, never a loop
    }
    void tlsIsVerified() {
        const TlsIdentity id = tlsIdentity({QStringLiteral("127.0.0.1")}, {});
        TestHttpServer server([](const TestHttpRequest&) { return body("AES\n"); }, id.cert, id.key);
        ScepClient untrusted(server.url(QStringLiteral("/scep")));
        auto refused = caps(untrusted);
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().kind, ErrorKind::Tls);
        QVERIFY(refused.error().message.contains(QStringLiteral("--tls-ca")));

        ScepClientOptions o;
        o.extraTlsCaCertificates = {id.cert};
        ScepClient trusted(server.url(QStringLiteral("/scep")), o);
        auto ok = caps(trusted);
        QVERIFY2(ok.ok(), qPrintable(ok.ok() ? QString() : ok.error().toString()));
    }
    void tlsNameMismatch() {
        const TlsIdentity id = tlsIdentity({}, {QStringLiteral("ndes.example.com")});
        TestHttpServer server([](const TestHttpRequest&) { return body("AES\n"); }, id.cert, id.key);
        ScepClientOptions o;
        o.extraTlsCaCertificates = {id.cert};
        ScepClient client(server.url(QStringLiteral("/scep")), o);
        auto c = caps(client);
        QVERIFY(!c.ok());
        QCOMPARE(c.error().kind, ErrorKind::Tls);
        QVERIFY2(c.error().message.contains(QStringLiteral("host name"), Qt::CaseInsensitive),
                 qPrintable(c.error().message));
    }
    void httpsToHttpRedirectIsRefused() {
        TestHttpServer plain([](const TestHttpRequest&) { return body("AES\n"); });
        const TlsIdentity id = tlsIdentity({QStringLiteral("127.0.0.1")}, {});
        const QByteArray target = plain.url(QStringLiteral("/scep")).toEncoded() + "?operation=GetCACaps";
        TestHttpServer tls(
            [target](const TestHttpRequest&) {
                TestHttpResponse r;
                r.status = 301;
                r.headers.append(qMakePair(QByteArray("Location"), QByteArray(target)));
                return r;
            },
            id.cert, id.key);
        ScepClientOptions o;
        o.extraTlsCaCertificates = {id.cert};
        ScepClient client(tls.url(QStringLiteral("/scep")), o);
        auto c = caps(client);
        QVERIFY(!c.ok());
        QCOMPARE(c.error().kind, ErrorKind::Network);
        QVERIFY(c.error().message.contains(QStringLiteral("plain HTTP")));
        QCOMPARE(plain.requestCount(), 0);
    }
    void ndesctlExitCodes_data() {
        QTest::addColumn<QString>("mode");
        QTest::addColumn<QString>("command");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("stderrHas");
        QTest::newRow("html caps -> 1") << QStringLiteral("html") << QStringLiteral("caps") << 1
                                        << QStringLiteral("HTML");
        QTest::newRow("garbage cacert -> 1")
            << QStringLiteral("garbage") << QStringLiteral("cacert") << 1 << QStringLiteral("neither");
        QTest::newRow("503 -> 1") << QStringLiteral("503") << QStringLiteral("caps") << 1 << QStringLiteral("HTTP 503");
        QTest::newRow("hang -> 3") << QStringLiteral("hang") << QStringLiteral("caps") << 3
                                   << QStringLiteral("did not answer");
        QTest::newRow("huge -> 1") << QStringLiteral("huge") << QStringLiteral("cacert") << 1
                                   << QStringLiteral("larger than");
    }
    void ndesctlExitCodes() {
        QFETCH(QString, mode);
        QFETCH(QString, command);
        QFETCH(int, exitCode);
        QFETCH(QString, stderrHas);
        static const QByteArray big(20 * 1024 * 1024, 'B');
        TestHttpServer server([mode](const TestHttpRequest&) {
            TestHttpResponse r;
            if (mode == QLatin1String("html"))
                r.body = "<html>Network Device Enrollment Service</html>";
            else if (mode == QLatin1String("garbage"))
                r.body = QByteArray("\x01\x02garbage", 9);
            else if (mode == QLatin1String("503"))
                r.status = 503;
            else if (mode == QLatin1String("hang"))
                r.hang = true;
            else
                r.body = big;
            return r;
        });
        QProcess ctl;
        ctl.start(qEnvironmentVariable("NDESCTL"),
                  {command, QStringLiteral("--url"), server.url(QStringLiteral("/scep")).toString(),
                   QStringLiteral("--timeout"), QStringLiteral("1"), QStringLiteral("--json")});
        QTRY_VERIFY_WITH_TIMEOUT(ctl.state() == QProcess::NotRunning, 20000);
        QCOMPARE(ctl.exitStatus(), QProcess::NormalExit);
        QCOMPARE(ctl.exitCode(), exitCode);
        const QString err = QString::fromUtf8(ctl.readAllStandardError());
        QVERIFY2(err.contains(stderrHas), qPrintable(err));
        const QJsonDocument doc = QJsonDocument::fromJson(ctl.readAllStandardOutput());
        QVERIFY(doc.object().contains(QStringLiteral("error")));
    }
    void tlsErrorExitCode() {
        const TlsIdentity id = tlsIdentity({QStringLiteral("127.0.0.1")}, {});
        TestHttpServer server([](const TestHttpRequest&) { return body("AES\n"); }, id.cert, id.key);
        QProcess ctl;
        ctl.start(qEnvironmentVariable("NDESCTL"),
                  {QStringLiteral("caps"), QStringLiteral("--url"), server.url(QStringLiteral("/scep")).toString()});
        QTRY_VERIFY_WITH_TIMEOUT(ctl.state() == QProcess::NotRunning, 20000);
        const QString err = QString::fromUtf8(ctl.readAllStandardError());
        QVERIFY2(ctl.exitCode() == 3, qPrintable(err));
        QVERIFY2(err.contains(QStringLiteral("TLS")), qPrintable(err));
    }
};

QTEST_GUILESS_MAIN(TestScepClientHostile)
#include "TestScepClientHostile.moc"
