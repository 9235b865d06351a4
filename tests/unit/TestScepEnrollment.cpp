// SPDX-License-Identifier: Apache-2.0
// The enrollment flow (caps, cacert, RA choice, PKCSReq, CertPoll while PENDING) against a scripted NDES-like
// server made of our own server-side message code. micromdm scepserver (the real peer, see the integration
// test) never answers PENDING and has no RA certificates, so these paths are exercised here.
#include "AwaitResult.h"
#include "TestHttpServer.h"
#include "TestPki.h"

#include "pki/CertificateBuilder.h"
#include "pki/Oids.h"
#include "pki/Pkcs7CertsOnly.h"
#include "scep/CertRep.h"
#include "scep/PkiRequest.h"
#include "scep/ScepEnrollment.h"

#include <QElapsedTimer>
#include <QUrlQuery>
#include <QtTest>

using namespace ndes;
using namespace ndes::pki;
using namespace ndes::scep;
using namespace ndes::test;

namespace {

struct FakeNdes {
    NdesLikePki pki;
    QByteArray caps = "POSTPKIOperation\nRenewal\nSHA-256\nAES\n";
    int pendingAnswers = 0;
    QList<Certificate> caCertOverride; // GetCACert answers these instead (a hostile server's list)
    Certificate replySigner;           // signs CertReps instead of the RA (with replySignerKey)
    PrivateKey replySignerKey;
    Certificate issuer; // issues the certificate instead of the issuing CA (with issuerKey)
    PrivateKey issuerKey;
    PrivateKey decryptKey; // the key PKIOperation is decrypted with (default: the RA's)
    Certificate decryptCert;
    QByteArray seenChallenge; // what the server could read of the challenge password
    QStringList methods;
    QList<MessageType> types;
    QString lastError;

    TestHttpResponse handle(const TestHttpRequest& req) {
        TestHttpResponse r;
        const QUrlQuery q(req.url);
        const QString op = q.queryItemValue(QStringLiteral("operation"));
        if (op == QLatin1String("GetCACaps")) {
            r.body = caps;
        } else if (op == QLatin1String("GetCACert") || op == QLatin1String("GetNextCACert")) {
            r.headers.append(qMakePair(QByteArray("Content-Type"), QByteArray("application/x-x509-ca-ra-cert")));
            r.body = *Pkcs7CertsOnly::build(caCertOverride.isEmpty()
                                                ? QList<Certificate>{pki.raEnc, pki.root, pki.raSign, pki.issuing}
                                                : caCertOverride);
        } else if (op == QLatin1String("PKIOperation")) {
            methods << QString::fromLatin1(req.method);
            const QByteArray msg =
                req.method == "POST" ? req.body
                                     : QByteArray::fromBase64(
                                           q.queryItemValue(QStringLiteral("message"), QUrl::FullyDecoded).toLatin1());
            auto parsed = PkiRequest::parse(msg, decryptKey.isNull() ? pki.raEncKey : decryptKey,
                                            decryptCert.isNull() ? pki.raEnc : decryptCert);
            if (!parsed) {
                lastError = parsed.error().toString();
                r.status = 500;
                return r;
            }
            if (parsed->type != MessageType::CertPoll)
                seenChallenge = parsed->csr.challengePassword().bytes();
            types << parsed->type;
            CertRep::BuildParams b;
            b.transactionId = parsed->transactionId;
            b.recipientNonce = parsed->senderNonce;
            b.senderNonce = PkiRequest::newNonce();
            b.signer = replySigner.isNull() ? pki.raSign : replySigner;
            b.signerKey = replySigner.isNull() ? pki.raSignKey : replySignerKey;
            b.extraCertificates = {b.signer};
            b.recipient = parsed->signer;
            if (parsed->type != MessageType::CertPoll)
                m_csr = parsed->csr;
            if (pendingAnswers > 0) {
                --pendingAnswers;
                b.status = PkiStatus::Pending;
            } else {
                b.status = PkiStatus::Success;
            }
            if (b.status == PkiStatus::Success) {
                auto cert = CertificateBuilder()
                                .setSubjectName(m_csr.subjectName())
                                .build(m_csr.publicKey(),
                                       !issuer.isNull()       ? issuerKey
                                       : replySigner.isNull() ? pki.issuingKey
                                                              : replySignerKey,
                                       !issuer.isNull()       ? issuer
                                       : replySigner.isNull() ? pki.issuing
                                                              : replySigner);
                b.issued = {*cert};
            }
            r.headers.append(qMakePair(QByteArray("Content-Type"), QByteArray("application/x-pki-message")));
            r.body = *CertRep::build(b);
        } else {
            r.status = 404;
        }
        return r;
    }

private:
    CertificateRequest m_csr;
};

// A FakeNdes behind a loopback HTTP server, and a client for it.
struct Scripted {
    FakeNdes ndes;
    TestHttpServer server{[this](const TestHttpRequest& r) {
        return ndes.handle(r);
    }};
    ScepClient client{server.url(QStringLiteral("/certsrv/mscep/mscep.dll"))};
    explicit Scripted(int raDays = 730) { ndes.pki = NdesLikePki::create(raDays); }
};

Result<EnrollmentResult> enroll(ScepClient& client, EnrollmentRequest req) {
    ScepEnrollment e(&client);
    return awaitResult<EnrollmentResult>([&](auto done) { e.start(std::move(req), std::move(done)); });
}

EnrollmentRequest request() {
    EnrollmentRequest r;
    r.subject = QStringLiteral("CN=switch-01,O=Example");
    r.dnsNames = {QStringLiteral("switch-01.example.com")};
    r.challengePassword = SecretBytes(QByteArray("8CE317021F690069"));
    r.pollIntervalMs = 50;
    r.maxPolls = 5;
    return r;
}

} // namespace

class TestScepEnrollment : public QObject {
    Q_OBJECT
private slots:
    void pendingThenIssued() {
        Scripted ndesServer;
        FakeNdes& ndes = ndesServer.ndes;
        ndes.pendingAnswers = 2;
        ScepClient& client = ndesServer.client;
        auto r = enroll(client, request());
        QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().toString() + ndes.lastError));
        QCOMPARE(r->polls, 2);
        QCOMPARE(ndes.types, (QList<MessageType>{MessageType::PKCSReq, MessageType::CertPoll, MessageType::CertPoll}));
        QCOMPARE(r->certificate.subject(), QStringLiteral("CN=switch-01,O=Example"));
        QVERIFY(r->key.matches(r->certificate.publicKey()));
        QVERIFY(r->recipient == ndes.pki.raEnc);
        QCOMPARE(r->method, QStringLiteral("POST"));
        QCOMPARE(r->cipher, QStringLiteral("AES-128-CBC"));
        QCOMPARE(r->digest, QStringLiteral("SHA-256"));
        // Plain HTTP, no pin: the only warning says the RA is not authenticated.
        QCOMPARE(r->warnings.size(), 1);
        QVERIFY(r->warnings.first().contains(QStringLiteral("not authenticated")));
    }
    void pendingForeverIsBounded() {
        Scripted ndesServer;
        FakeNdes& ndes = ndesServer.ndes;
        ndes.pendingAnswers = 1000;
        ScepClient& client = ndesServer.client;
        auto req = request();
        req.maxPolls = 3;
        auto r = enroll(client, std::move(req));
        QVERIFY(!r.ok());
        QCOMPARE(r.error().kind, ErrorKind::ScepFailure);
        QVERIFY(r.error().message.contains(QStringLiteral("PENDING")));
        QCOMPARE(ndes.types.size(), 4);
    }
    void getWhenPostIsNotOfferedAndWeakWarning() {
        Scripted ndesServer;
        FakeNdes& ndes = ndesServer.ndes;
        ndes.caps = "Renewal\nSHA-1\nDES3\n";
        ScepClient& client = ndesServer.client;
        auto r = enroll(client, request());
        QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().toString() + ndes.lastError));
        QCOMPARE(ndes.methods, QStringList{QStringLiteral("GET")});
        QCOMPARE(r->cipher, QStringLiteral("DES-EDE3-CBC"));
        QCOMPARE(r->digest, QStringLiteral("SHA-1"));
        QVERIFY(r->warnings.join(QLatin1Char(' ')).contains(QStringLiteral("AES")));
    }
    void expiredRaStopsBeforeSending() {
        Scripted ndesServer(-3);
        FakeNdes& ndes = ndesServer.ndes;
        ScepClient& client = ndesServer.client;
        auto r = enroll(client, request());
        QVERIFY(!r.ok());
        QVERIFY(r.error().message.contains(QStringLiteral("expired")));
        QVERIFY(ndes.types.isEmpty());
    }
    void getNextCaCert() {
        Scripted ndesServer;
        FakeNdes& ndes = ndesServer.ndes;
        ScepClient& client = ndesServer.client;
        auto next = awaitResult<CaCertificates>([&](auto done) { client.getNextCaCert(std::move(done)); });
        QVERIFY(next.ok());
        QCOMPARE(next->certificates().size(), 4);
        QVERIFY(next->issuingCa() == ndes.pki.issuing);
    }
    void caPin() {
        Scripted ndesServer;
        FakeNdes& ndes = ndesServer.ndes;
        ScepClient& client = ndesServer.client;
        auto req = request();
        req.caSha256Pin = QByteArray(32, '\x11');
        auto r = enroll(client, std::move(req));
        QVERIFY(!r.ok());
        QCOMPARE(r.error().kind, ErrorKind::Verification);
        auto req2 = request();
        req2.caSha256Pin = ndes.pki.root.sha256();
        QVERIFY(enroll(client, std::move(req2)).ok());
    }
    // The probe from the security review: the pinned CA is in GetCACert, next to an RA certificate the attacker
    // made. The request must not be encrypted to it: nothing is sent, and the attacker reads no password.
    void pinDoesNotTrustAForeignRa_data() {
        QTest::addColumn<QString>("anchor");
        QTest::newRow("sha256 pin") << QStringLiteral("pin");
        QTest::newRow("admin page thumbprint") << QStringLiteral("admin-page");
    }
    void pinDoesNotTrustAForeignRa() {
        QFETCH(QString, anchor);
        Scripted ndesServer;
        FakeNdes& ndes = ndesServer.ndes;
        const PrivateKey attackerKey = testKey(7);
        const Certificate attackerRa = *CertificateBuilder()
                                            .setSubject(QStringLiteral("CN=NDES01-MSCEP-RA,O=NDES Console Tests"))
                                            .setKeyUsage(static_cast<quint32>(KeyUsage::KeyEncipherment))
                                            .setExtendedKeyUsages({QString::fromLatin1(oid::certificateRequestAgent)})
                                            .selfSigned(attackerKey);
        ndes.caCertOverride = {attackerRa, ndes.pki.root, ndes.pki.raSign, ndes.pki.issuing};
        ndes.decryptKey = attackerKey;
        ndes.decryptCert = attackerRa;
        ScepClient& client = ndesServer.client;
        auto req = request();
        if (anchor == QLatin1String("pin"))
            req.caSha256Pin = ndes.pki.root.sha256();
        else
            req.adminPageCaMd5 = ndes.pki.issuing.md5();
        auto r = enroll(client, std::move(req));
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, QStringLiteral("ra-untrusted"));
        QVERIFY2(r.error().message.contains(QStringLiteral("nothing was sent")), qPrintable(r.error().message));
        QVERIFY2(ndes.methods.isEmpty(), "a PKIOperation reached the hostile server");
        QVERIFY(ndes.seenChallenge.isEmpty());
    }
    // With the pin, the reply's signer must chain to the pinned CA too: a self-made CA certificate in the same
    // unauthenticated GetCACert answer is no anchor.
    void pinDoesNotTrustAForeignReplySigner() {
        Scripted ndesServer;
        FakeNdes& ndes = ndesServer.ndes;
        const PrivateKey foreignKey = testKey(8);
        const Certificate foreignCa = *CertificateBuilder()
                                           .setSubject(QStringLiteral("CN=Someone Else's CA"))
                                           .setCa(true)
                                           .setKeyUsage(static_cast<quint32>(KeyUsage::KeyCertSign) |
                                                        static_cast<quint32>(KeyUsage::DigitalSignature))
                                           .selfSigned(foreignKey);
        ndes.caCertOverride = {ndes.pki.raEnc, ndes.pki.root, ndes.pki.raSign, ndes.pki.issuing, foreignCa};
        ndes.replySigner = foreignCa;
        ndes.replySignerKey = foreignKey;
        ScepClient& client = ndesServer.client;
        auto req = request();
        req.caSha256Pin = ndes.pki.root.sha256();
        auto r = enroll(client, std::move(req));
        QVERIFY(!r.ok());
        QCOMPARE(r.error().kind, ErrorKind::Verification);
        QVERIFY2(r.error().message.contains(QStringLiteral("signer")), qPrintable(r.error().message));
    }
    // The reviewer's bypass: any certificate the pinned CA issued chains to it. A device's certificate (key
    // encipherment, no Certificate Request Agent EKU) must not receive the request, nor sign the reply.
    void pinDoesNotTrustADeviceCertificateOfTheCa() {
        Scripted ndesServer;
        FakeNdes& ndes = ndesServer.ndes;
        const PrivateKey deviceKey = testKey(10);
        const Certificate device =
            issue(deviceKey, QStringLiteral("CN=attacker-device"), ndes.pki.issuing, ndes.pki.issuingKey,
                  static_cast<quint32>(KeyUsage::DigitalSignature) | static_cast<quint32>(KeyUsage::KeyEncipherment),
                  {QStringLiteral("1.3.6.1.5.5.7.3.1")});
        ndes.caCertOverride = {device, ndes.pki.root, ndes.pki.raSign, ndes.pki.issuing};
        ndes.decryptKey = deviceKey;
        ndes.decryptCert = device;
        ScepClient& client = ndesServer.client;
        auto req = request();
        req.caSha256Pin = ndes.pki.root.sha256();
        auto r = enroll(client, std::move(req));
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, QStringLiteral("ra-untrusted"));
        QVERIFY(ndes.methods.isEmpty());
        QVERIFY(ndes.seenChallenge.isEmpty());

        // The same device certificate signing the reply (and "issuing" the certificate).
        Scripted forgerServer;
        FakeNdes& forger = forgerServer.ndes;
        forger.pki = ndes.pki;
        forger.replySigner = device;
        forger.replySignerKey = deviceKey;
        ScepClient& client2 = forgerServer.client;
        auto req2 = request();
        req2.caSha256Pin = forger.pki.root.sha256();
        auto r2 = enroll(client2, std::move(req2));
        QVERIFY(!r2.ok());
        QCOMPARE(r2.error().code, QStringLiteral("ra-untrusted"));
    }
    // Signed by the real RA, but the certificate inside does not come from the pinned CA: refused.
    void pinnedEnrollmentRefusesAForeignIssuedCertificate() {
        Scripted ndesServer;
        FakeNdes& ndes = ndesServer.ndes;
        ndes.issuerKey = testKey(11);
        ndes.issuer = *CertificateBuilder()
                           .setSubject(QStringLiteral("CN=Elsewhere CA"))
                           .setCa(true)
                           .setKeyUsage(static_cast<quint32>(KeyUsage::KeyCertSign))
                           .selfSigned(ndes.issuerKey);
        ScepClient& client = ndesServer.client;
        auto req = request();
        req.caSha256Pin = ndes.pki.root.sha256();
        auto r = enroll(client, std::move(req));
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, QStringLiteral("certificate-untrusted"));
    }
    // The admin page names the CA it works for; a GetCACert answer without that CA stops the run before the
    // password goes anywhere.
    void adminPageThumbprintMismatchStops() {
        Scripted ndesServer;
        FakeNdes& ndes = ndesServer.ndes;
        ScepClient& client = ndesServer.client;
        auto req = request();
        req.adminPageCaMd5 = QByteArray(16, '\x42');
        auto r = enroll(client, std::move(req));
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, QStringLiteral("ca-thumbprint-mismatch"));
        QVERIFY(ndes.methods.isEmpty());
        auto ok = request();
        ok.adminPageCaMd5 = ndes.pki.issuing.md5();
        auto r2 = enroll(client, std::move(ok));
        QVERIFY2(r2.ok(), qPrintable(r2.ok() ? QString() : r2.error().toString()));
        QCOMPARE(r2->anchorSource, QStringLiteral("admin-page"));
    }
    // Over plain HTTP without a pin nothing authenticates the RA: said before the request goes out.
    void unpinnedHttpIsSaidPlainly() {
        Scripted ndesServer;
        FakeNdes& ndes = ndesServer.ndes;
        ScepClient& client = ndesServer.client;
        ScepEnrollment e(&client);
        QStringList warned;
        connect(&e, &ScepEnrollment::warning, [&](const QString& w) { warned << w; });
        auto r = awaitResult<EnrollmentResult>([&](auto done) { e.start(request(), std::move(done)); });
        QVERIFY(r.ok());
        QCOMPARE(warned.size(), 1);
        QVERIFY(warned.first().contains(QStringLiteral("not authenticated")));
        QVERIFY(r->warnings.contains(warned.first()));
        auto pinned = request();
        pinned.caSha256Pin = ndes.pki.root.sha256();
        auto r2 = enroll(client, std::move(pinned));
        QVERIFY(r2.ok());
        for (const QString& w : r2->warnings)
            QVERIFY2(!w.contains(QStringLiteral("not authenticated")), qPrintable(w));
    }
};

QTEST_GUILESS_MAIN(TestScepEnrollment)
#include "TestScepEnrollment.moc"
