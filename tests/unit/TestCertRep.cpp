// SPDX-License-Identifier: Apache-2.0
#include "TestPki.h"

#include "pki/CertificateBuilder.h"
#include "scep/CertRep.h"
#include "scep/PkiRequest.h"

#include <QtTest>

using namespace ndes;
using namespace ndes::pki;
using namespace ndes::scep;

// The client-side checks of a CertRep (RFC 8894 section 3.3.2 and NDES-FACTS): each must refuse.
class TestCertRep : public QObject {
    Q_OBJECT
private:
    test::NdesLikePki m_pki;
    PrivateKey m_deviceKey;
    Certificate m_selfSigned;
    Certificate m_issued;
    QString m_tid;
    QByteArray m_nonce;

    CertRep::BuildParams success() {
        CertRep::BuildParams b;
        b.status = PkiStatus::Success;
        b.transactionId = m_tid;
        b.recipientNonce = m_nonce;
        b.senderNonce = PkiRequest::newNonce();
        b.issued = {m_issued};
        b.recipient = m_selfSigned;
        b.signer = m_pki.raSign;
        b.signerKey = m_pki.raSignKey;
        b.extraCertificates = {m_pki.raSign};
        return b;
    }
    CertRep::Expectations expectations() {
        CertRep::Expectations e;
        e.transactionId = m_tid;
        e.senderNonce = m_nonce;
        e.trustAnchors = {m_pki.root, m_pki.issuing};
        e.intermediates = {m_pki.raSign, m_pki.raEnc};
        e.decryptionKey = m_deviceKey;
        e.decryptionCertificate = m_selfSigned;
        e.requestedPublicKey = m_deviceKey.get();
        e.now = QDateTime::currentDateTimeUtc();
        return e;
    }
    Result<CertRep> verify(const CertRep::BuildParams& b, const CertRep::Expectations& e) {
        auto der = CertRep::build(b);
        if (!der)
            return der.error();
        return CertRep::parseAndVerify(*der, e);
    }

private slots:
    void initTestCase() {
        m_pki = test::NdesLikePki::create();
        m_deviceKey = test::testKey(1);
        m_selfSigned = *CertificateBuilder().setSubject(QStringLiteral("CN=device")).selfSigned(m_deviceKey);
        m_issued = test::issue(m_deviceKey, QStringLiteral("CN=device"), m_pki.issuing, m_pki.issuingKey);
        m_tid = PkiRequest::transactionIdFor(m_deviceKey);
        m_nonce = PkiRequest::newNonce();
    }
    void successIsAccepted() {
        auto rep = verify(success(), expectations());
        QVERIFY2(rep.ok(), qPrintable(rep.ok() ? QString() : rep.error().toString()));
        QCOMPARE(rep->status, PkiStatus::Success);
        QVERIFY(rep->issued == m_issued);
        QVERIFY(rep->signer == m_pki.raSign);
        QCOMPARE(rep->transactionId, m_tid);
    }
    void failureCarriesFailInfo_data() {
        QTest::addColumn<int>("failInfo");
        for (int i = 0; i <= 4; ++i)
            QTest::newRow(qPrintable(failInfoName(i))) << i;
    }
    void failureCarriesFailInfo() {
        QFETCH(int, failInfo);
        auto b = success();
        b.status = PkiStatus::Failure;
        b.failInfo = FailInfo(failInfo);
        auto rep = verify(b, expectations());
        QVERIFY(rep.ok());
        QCOMPARE(rep->status, PkiStatus::Failure);
        QCOMPARE(rep->failInfo, failInfo);
        QVERIFY(rep->issued.isNull());
    }
    void pendingHasNoContent() {
        auto b = success();
        b.status = PkiStatus::Pending;
        auto rep = verify(b, expectations());
        QVERIFY(rep.ok());
        QCOMPARE(rep->status, PkiStatus::Pending);
    }
    void wrongRecipientNonceIsRefused() {
        auto b = success();
        b.recipientNonce = PkiRequest::newNonce();
        auto rep = verify(b, expectations());
        QVERIFY(!rep.ok());
        QCOMPARE(rep.error().kind, ErrorKind::Verification);
        QVERIFY(rep.error().message.contains(QStringLiteral("recipientNonce")));
    }
    void otherTransactionIsRefused() {
        auto b = success();
        b.transactionId = PkiRequest::transactionIdFor(test::testKey(2));
        auto rep = verify(b, expectations());
        QVERIFY(!rep.ok());
        QVERIFY(rep.error().message.contains(QStringLiteral("transaction")));
    }
    void badSignatureIsRefused() {
        auto der = CertRep::build(success());
        QVERIFY(der.ok());
        QByteArray tampered = *der;
        tampered[tampered.size() - 2] = char(tampered.at(tampered.size() - 2) ^ 0x40);
        auto rep = CertRep::parseAndVerify(tampered, expectations());
        QVERIFY(!rep.ok());
        QCOMPARE(rep.error().kind, ErrorKind::Verification);
        QVERIFY(rep.error().message.contains(QStringLiteral("signature")));
    }
    void signerOutsideTheCaIsRefused() {
        const PrivateKey rogueKey = test::testKey(5);
        const Certificate rogue =
            *CertificateBuilder().setSubject(m_pki.raSign.subject()).setKeyUsage(0x80).selfSigned(rogueKey);
        auto b = success();
        b.signer = rogue;
        b.signerKey = rogueKey;
        b.extraCertificates = {rogue};
        auto rep = verify(b, expectations());
        QVERIFY(!rep.ok());
        QCOMPARE(rep.error().kind, ErrorKind::Verification);
        QVERIFY(rep.error().message.contains(QStringLiteral("not trusted")));
    }
    void expiredRaSignerIsRefused() {
        auto e = expectations();
        e.now = e.now.addDays(800);
        auto rep = verify(success(), e);
        QVERIFY(!rep.ok());
        QVERIFY(rep.error().message.contains(QStringLiteral("expired")));
    }
    void certificateWithAnotherKeyIsRefused() {
        auto b = success();
        b.issued = {test::issue(test::testKey(3), QStringLiteral("CN=device"), m_pki.issuing, m_pki.issuingKey)};
        auto rep = verify(b, expectations());
        QVERIFY(!rep.ok());
        QVERIFY(rep.error().message.contains(QStringLiteral("public key")));
    }
    void encryptedForSomeoneElseIsRefused() {
        auto b = success();
        b.recipient = *CertificateBuilder().setSubject(QStringLiteral("CN=other")).selfSigned(test::testKey(4));
        auto rep = verify(b, expectations());
        QVERIFY(!rep.ok());
    }
    void notACertRep() {
        // A request is not a reply.
        PkiRequest::BuildParams r;
        r.type = MessageType::PKCSReq;
        r.csr = *CertificateRequest::create({QStringLiteral("CN=x"), {}, {}, {}, 0}, m_deviceKey);
        r.signer = m_selfSigned;
        r.signerKey = m_deviceKey;
        r.recipient = m_pki.raEnc;
        r.transactionId = m_tid;
        r.senderNonce = m_nonce;
        auto der = PkiRequest::build(r);
        auto rep = CertRep::parseAndVerify(*der, expectations());
        QVERIFY(!rep.ok());
        QCOMPARE(rep.error().kind, ErrorKind::BadReply);
    }
    void hostile_data() {
        QTest::addColumn<QByteArray>("der");
        const QByteArray good = *CertRep::build(success());
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("garbage") << QByteArray("garbage");
        QTest::newRow("html") << QByteArray("<html><body>500 Internal Server Error</body></html>");
        QTest::newRow("truncated") << good.left(good.size() / 3);
        QTest::newRow("certificate") << m_issued.toDer();
    }
    void hostile() {
        QFETCH(QByteArray, der);
        auto rep = CertRep::parseAndVerify(der, expectations());
        QVERIFY(!rep.ok());
        QVERIFY(!rep.error().message.isEmpty());
        QVERIFY(!CertRep::parseUnverified(der).ok());
    }
};

QTEST_GUILESS_MAIN(TestCertRep)
#include "TestCertRep.moc"
