// SPDX-License-Identifier: Apache-2.0
// The enrollment flow (caps, cacert, RA choice, PKCSReq, CertPoll while PENDING) against a scripted NDES-like
// server made of our own server-side message code. micromdm scepserver (the real peer, see the integration
// test) never answers PENDING and has no RA certificates, so these paths are exercised here.
#include "AwaitResult.h"
#include "TestHttpServer.h"
#include "TestPki.h"

#include "pki/CertificateBuilder.h"
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
            r.body = *Pkcs7CertsOnly::build({pki.raEnc, pki.root, pki.raSign, pki.issuing});
        } else if (op == QLatin1String("PKIOperation")) {
            methods << QString::fromLatin1(req.method);
            const QByteArray msg =
                req.method == "POST" ? req.body
                                     : QByteArray::fromBase64(
                                           q.queryItemValue(QStringLiteral("message"), QUrl::FullyDecoded).toLatin1());
            auto parsed = PkiRequest::parse(msg, pki.raEncKey, pki.raEnc);
            if (!parsed) {
                lastError = parsed.error().toString();
                r.status = 500;
                return r;
            }
            types << parsed->type;
            CertRep::BuildParams b;
            b.transactionId = parsed->transactionId;
            b.recipientNonce = parsed->senderNonce;
            b.senderNonce = PkiRequest::newNonce();
            b.signer = pki.raSign;
            b.signerKey = pki.raSignKey;
            b.extraCertificates = {pki.raSign};
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
                                .build(m_csr.publicKey(), pki.issuingKey, pki.issuing);
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
        FakeNdes ndes;
        ndes.pki = NdesLikePki::create();
        ndes.pendingAnswers = 2;
        TestHttpServer server([&](const TestHttpRequest& r) { return ndes.handle(r); });
        ScepClient client(server.url(QStringLiteral("/certsrv/mscep/mscep.dll")));
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
        QVERIFY(r->warnings.isEmpty());
    }
    void pendingForeverIsBounded() {
        FakeNdes ndes;
        ndes.pki = NdesLikePki::create();
        ndes.pendingAnswers = 1000;
        TestHttpServer server([&](const TestHttpRequest& r) { return ndes.handle(r); });
        ScepClient client(server.url(QStringLiteral("/scep")));
        auto req = request();
        req.maxPolls = 3;
        auto r = enroll(client, std::move(req));
        QVERIFY(!r.ok());
        QCOMPARE(r.error().kind, ErrorKind::ScepFailure);
        QVERIFY(r.error().message.contains(QStringLiteral("PENDING")));
        QCOMPARE(ndes.types.size(), 4);
    }
    void getWhenPostIsNotOfferedAndWeakWarning() {
        FakeNdes ndes;
        ndes.pki = NdesLikePki::create();
        ndes.caps = "Renewal\nSHA-1\nDES3\n";
        TestHttpServer server([&](const TestHttpRequest& r) { return ndes.handle(r); });
        ScepClient client(server.url(QStringLiteral("/scep")));
        auto r = enroll(client, request());
        QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().toString() + ndes.lastError));
        QCOMPARE(ndes.methods, QStringList{QStringLiteral("GET")});
        QCOMPARE(r->cipher, QStringLiteral("DES-EDE3-CBC"));
        QCOMPARE(r->digest, QStringLiteral("SHA-1"));
        QVERIFY(r->warnings.join(QLatin1Char(' ')).contains(QStringLiteral("AES")));
    }
    void expiredRaStopsBeforeSending() {
        FakeNdes ndes;
        ndes.pki = NdesLikePki::create(-3);
        TestHttpServer server([&](const TestHttpRequest& r) { return ndes.handle(r); });
        ScepClient client(server.url(QStringLiteral("/scep")));
        auto r = enroll(client, request());
        QVERIFY(!r.ok());
        QVERIFY(r.error().message.contains(QStringLiteral("expired")));
        QVERIFY(ndes.types.isEmpty());
    }
    void getNextCaCert() {
        FakeNdes ndes;
        ndes.pki = NdesLikePki::create();
        TestHttpServer server([&](const TestHttpRequest& r) { return ndes.handle(r); });
        ScepClient client(server.url(QStringLiteral("/scep")));
        auto next = awaitResult<CaCertificates>([&](auto done) { client.getNextCaCert(std::move(done)); });
        QVERIFY(next.ok());
        QCOMPARE(next->certificates().size(), 4);
        QVERIFY(next->issuingCa() == ndes.pki.issuing);
    }
    void caPin() {
        FakeNdes ndes;
        ndes.pki = NdesLikePki::create();
        TestHttpServer server([&](const TestHttpRequest& r) { return ndes.handle(r); });
        ScepClient client(server.url(QStringLiteral("/scep")));
        auto req = request();
        req.caSha256Pin = QByteArray(32, '\x11');
        auto r = enroll(client, std::move(req));
        QVERIFY(!r.ok());
        QCOMPARE(r.error().kind, ErrorKind::Verification);
        auto req2 = request();
        req2.caSha256Pin = ndes.pki.root.sha256();
        QVERIFY(enroll(client, std::move(req2)).ok());
    }
};

QTEST_GUILESS_MAIN(TestScepEnrollment)
#include "TestScepEnrollment.moc"
