// SPDX-License-Identifier: Apache-2.0
// The hostile-RA probe of the security review, end to end: ndesctl enroll --ca-sha256 against a loopback server
// that stands between the client and a real ndes-lab and answers GetCACert with the lab's CA certificates plus an
// RA certificate of its own (as anyone in the path of plain-HTTP SCEP can). With the pin, ndesctl must refuse
// before a byte of the request is sent; the same proxy passing the lab's answer untouched must let it enroll.
#include "NdesLabProcess.h"
#include "TestHttpServer.h"
#include "TestPki.h"

#include "pki/CertificateBuilder.h"
#include "pki/Oids.h"
#include "pki/Pkcs7CertsOnly.h"
#include "scep/CaCertificates.h"
#include "scep/PkiRequest.h"

#include <QEventLoop>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTimer>
#include <QUrlQuery>
#include <QtTest>

using namespace ndes;
using namespace ndes::pki;
using namespace ndes::scep;
using namespace ndes::test;

namespace {

struct Run {
    int exitCode = -1;
    QString err;
};

// ndesctl runs while this process serves the proxy, so it is awaited in an event loop, not with waitForFinished.
Run ndesctl(const QStringList& args, const QByteArray& challenge) {
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("NDES_CHALLENGE"), QString::fromLatin1(challenge));
    p.setProcessEnvironment(env);
    QEventLoop loop;
    QObject::connect(&p, &QProcess::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(60000, &loop, &QEventLoop::quit);
    p.start(qEnvironmentVariable("NDESCTL"), args);
    loop.exec();
    if (p.state() != QProcess::NotRunning) {
        p.kill();
        p.waitForFinished(5000);
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardError())};
}

} // namespace

class TestHostileRa : public QObject {
    Q_OBJECT
private:
    NdesLabProcess m_lab;
    QTemporaryDir m_dir;
    QList<Certificate> m_labCerts;
    CaCertificates m_roles;
    PrivateKey m_attackerKey;
    Certificate m_attackerRa;

    struct Proxy {
        bool hostile = false;
        int pkiOperations = 0;
        QByteArray decryptedChallenge; // what the attacker read
    };

    TestHttpResponse serve(Proxy& proxy, const TestHttpRequest& req) {
        const QString op = QUrlQuery(req.url).queryItemValue(QStringLiteral("operation"));
        TestHttpResponse r;
        if (proxy.hostile && op == QLatin1String("GetCACert")) {
            // The pinned root and the lab's issuing CA and signing RA, but the encryption RA is the attacker's.
            QList<Certificate> list{m_attackerRa};
            for (const RoledCertificate& rc : m_roles.certificates())
                if (rc.role != CertificateRole::RaEncryption)
                    list << rc.certificate;
            r.headers.append({QByteArray("Content-Type"), QByteArray("application/x-x509-ca-ra-cert")});
            r.body = *Pkcs7CertsOnly::build(list);
            return r;
        }
        QStringList args{QStringLiteral("-X"), QString::fromLatin1(req.method),
                         m_lab.scepUrl() + QLatin1Char('?') + req.url.query(QUrl::FullyEncoded)};
        if (op == QLatin1String("PKIOperation")) {
            ++proxy.pkiOperations;
            if (proxy.hostile) {
                auto parsed = PkiRequest::parse(req.body, m_attackerKey, m_attackerRa);
                if (parsed)
                    proxy.decryptedChallenge = parsed->csr.challengePassword().bytes();
                r.status = 500;
                return r;
            }
            QFile body(m_dir.filePath(QStringLiteral("request.der")));
            if (!body.open(QIODevice::WriteOnly) || body.write(req.body) != req.body.size())
                r.status = 599;
            body.close();
            args << QStringLiteral("--data-binary") << QLatin1Char('@') + body.fileName() << QStringLiteral("-H")
                 << QStringLiteral("Content-Type: application/x-pki-message");
        }
        int status = 0;
        r.body = curl(args, &status);
        r.status = status;
        return r;
    }

    QStringList enrollArgs(const QUrl& url, const QString& name) const {
        return {QStringLiteral("enroll"),
                QStringLiteral("--url"),
                url.toString(),
                QStringLiteral("--subject"),
                QStringLiteral("CN=%1-%2").arg(name).arg(QCoreApplication::applicationPid()),
                QStringLiteral("--key-out"),
                m_dir.filePath(name + QStringLiteral(".key")),
                QStringLiteral("--cert-out"),
                m_dir.filePath(name + QStringLiteral(".pem")),
                QStringLiteral("--challenge-env"),
                QStringLiteral("NDES_CHALLENGE")};
    }

    QString rootPin() const {
        for (const Certificate& c : m_roles.caCertificates())
            if (c.isSelfSigned())
                return QString::fromLatin1(c.sha256().toHex());
        return {};
    }

private slots:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        QString error;
        QVERIFY2(m_lab.start({QStringLiteral("--no-enforce-password")}, &error), qPrintable(error));
        int status = 0;
        const QByteArray body = curl({m_lab.scepUrl() + QStringLiteral("?operation=GetCACert")}, &status);
        QCOMPARE(status, 200);
        auto parsed = CaCertificates::parse(body);
        QVERIFY(parsed.ok());
        m_roles = *parsed;
        QVERIFY(m_roles.hasRa());
        m_attackerKey = testKey(9);
        m_attackerRa = *CertificateBuilder()
                            .setSubject(m_roles.raCertificates().first().subject())
                            .setKeyUsage(static_cast<quint32>(KeyUsage::KeyEncipherment))
                            .setExtendedKeyUsages({QString::fromLatin1(oid::certificateRequestAgent)})
                            .selfSigned(m_attackerKey);
        QVERIFY(!rootPin().isEmpty());
    }
    void cleanupTestCase() { m_lab.stop(); }

    void pinnedEnrollRefusesAForeignRaAndSendsNothing() {
        Proxy proxy;
        proxy.hostile = true;
        TestHttpServer server([&](const TestHttpRequest& r) { return serve(proxy, r); });
        const Run r =
            ndesctl(enrollArgs(server.url(QStringLiteral("/certsrv/mscep/mscep.dll")), QStringLiteral("pinned")) +
                        QStringList{QStringLiteral("--ca-sha256"), rootPin()},
                    "hostile-probe-secret");
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QStringLiteral("does not chain")), qPrintable(r.err));
        QCOMPARE(proxy.pkiOperations, 0);
        QVERIFY(proxy.decryptedChallenge.isEmpty());
        QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("pinned.key"))));
    }

    // Without a pin over plain HTTP nothing can tell the RA is foreign: the password does leak (this is what the
    // pin is for), and ndesctl says so before it sends the request.
    void unpinnedEnrollOverHttpWarnsThatTheRaIsNotAuthenticated() {
        Proxy proxy;
        proxy.hostile = true;
        TestHttpServer server([&](const TestHttpRequest& r) { return serve(proxy, r); });
        const Run r =
            ndesctl(enrollArgs(server.url(QStringLiteral("/certsrv/mscep/mscep.dll")), QStringLiteral("unpinned")),
                    "hostile-probe-secret");
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains(QStringLiteral("not authenticated")), qPrintable(r.err));
        QCOMPARE(proxy.pkiOperations, 1);
        QCOMPARE(proxy.decryptedChallenge, QByteArray("hostile-probe-secret"));
    }

    // The same proxy, honest: the pinned enrollment goes through to the real lab.
    void pinnedEnrollThroughAnHonestPathSucceeds() {
        Proxy proxy;
        TestHttpServer server([&](const TestHttpRequest& r) { return serve(proxy, r); });
        const Run r =
            ndesctl(enrollArgs(server.url(QStringLiteral("/certsrv/mscep/mscep.dll")), QStringLiteral("honest")) +
                        QStringList{QStringLiteral("--ca-sha256"), rootPin()},
                    "any-password");
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(!r.err.contains(QStringLiteral("not authenticated")), qPrintable(r.err));
        QCOMPARE(proxy.pkiOperations, 1);
        QVERIFY(QFile::exists(m_dir.filePath(QStringLiteral("honest.pem"))));
    }

    // The review's second probe: the attacker's "RA" is an ordinary device certificate the real CA issued (the one
    // the honest run above got, with its key). It chains to the pinned root, yet must receive nothing.
    void pinnedEnrollRefusesADeviceCertificateOfTheSameCa() {
        QFile keyFile(m_dir.filePath(QStringLiteral("honest.key")));
        QFile certFile(m_dir.filePath(QStringLiteral("honest.pem")));
        QVERIFY(keyFile.open(QIODevice::ReadOnly) && certFile.open(QIODevice::ReadOnly));
        QByteArray keyPem = keyFile.readAll();
        auto key = PrivateKey::fromPem(keyPem);
        auto cert = Certificate::fromPem(certFile.readAll());
        QVERIFY(key.ok() && cert.ok());
        m_attackerKey = *key;
        m_attackerRa = *cert;
        QVERIFY(!m_attackerRa.isCa());
        Proxy proxy;
        proxy.hostile = true;
        TestHttpServer server([&](const TestHttpRequest& r) { return serve(proxy, r); });
        const Run r =
            ndesctl(enrollArgs(server.url(QStringLiteral("/certsrv/mscep/mscep.dll")), QStringLiteral("device-as-ra")) +
                        QStringList{QStringLiteral("--ca-sha256"), rootPin()},
                    "hostile-probe-secret");
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QStringLiteral("not an RA certificate")), qPrintable(r.err));
        QCOMPARE(proxy.pkiOperations, 0);
        QVERIFY(proxy.decryptedChallenge.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestHostileRa)
#include "TestHostileRa.moc"
