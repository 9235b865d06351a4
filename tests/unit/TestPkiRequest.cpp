// SPDX-License-Identifier: Apache-2.0
#include "TestPki.h"

#include "pki/CertificateBuilder.h"
#include "scep/PkiRequest.h"

#include <QtTest>

using namespace ndes;
using namespace ndes::pki;
using namespace ndes::scep;

class TestPkiRequest : public QObject {
    Q_OBJECT
private:
    PkiRequest::BuildParams params(const test::NdesLikePki& p, MessageType type) {
        const PrivateKey key = test::testKey(1);
        CertificateRequestSpec spec;
        spec.subject = QStringLiteral("CN=router7");
        spec.challengePassword = "0123456789ABCDEF";
        PkiRequest::BuildParams b;
        b.type = type;
        b.csr = *CertificateRequest::create(spec, key);
        b.signer = *CertificateBuilder().setSubject(QStringLiteral("CN=router7")).selfSigned(key);
        b.signerKey = key;
        b.recipient = p.raEnc;
        b.transactionId = PkiRequest::transactionIdFor(key);
        b.senderNonce = PkiRequest::newNonce();
        return b;
    }
private slots:
    void roundTrip_data() {
        QTest::addColumn<int>("type");
        QTest::addColumn<int>("cipher");
        QTest::addColumn<int>("digest");
        QTest::newRow("PKCSReq AES SHA-256") << 19 << int(ContentCipher::Aes128Cbc) << int(DigestChoice::Sha256);
        QTest::newRow("PKCSReq DES3 SHA-1") << 19 << int(ContentCipher::Des3Cbc) << int(DigestChoice::Sha1);
        QTest::newRow("RenewalReq") << 17 << int(ContentCipher::Aes128Cbc) << int(DigestChoice::Sha512);
        QTest::newRow("CertPoll") << 20 << int(ContentCipher::Aes128Cbc) << int(DigestChoice::Sha256);
    }
    void roundTrip() {
        QFETCH(int, type);
        QFETCH(int, cipher);
        QFETCH(int, digest);
        const auto p = test::NdesLikePki::create();
        auto b = params(p, MessageType(type));
        b.cipher = ContentCipher(cipher);
        b.digest = DigestChoice(digest);
        if (b.type == MessageType::CertPoll) {
            unsigned char* buf = nullptr;
            int n = i2d_X509_NAME(X509_get_subject_name(p.issuing.get()), &buf);
            b.pollIssuerDer = QByteArray(reinterpret_cast<char*>(buf), n);
            OPENSSL_free(buf);
            buf = nullptr;
            n = i2d_X509_NAME(X509_get_subject_name(b.signer.get()), &buf);
            b.pollSubjectDer = QByteArray(reinterpret_cast<char*>(buf), n);
            OPENSSL_free(buf);
        }
        auto der = PkiRequest::build(b);
        QVERIFY2(der.ok(), qPrintable(der.ok() ? QString() : der.error().toString()));
        auto req = PkiRequest::parse(*der, p.raEncKey, p.raEnc);
        QVERIFY2(req.ok(), qPrintable(req.ok() ? QString() : req.error().toString()));
        QCOMPARE(int(req->type), type);
        QCOMPARE(req->transactionId, b.transactionId);
        QCOMPARE(req->senderNonce, b.senderNonce);
        QVERIFY(req->signer == b.signer);
        if (b.type == MessageType::CertPoll) {
            QCOMPARE(req->pollIssuerDer, b.pollIssuerDer);
            QCOMPARE(req->pollSubjectDer, b.pollSubjectDer);
        } else {
            QCOMPARE(req->csr.subject(), QStringLiteral("CN=router7"));
            QCOMPARE(req->csr.challengePassword().bytes(), QByteArray("0123456789ABCDEF"));
        }
    }
    void encryptedToTheSigningRaCannotBeRead() {
        // What NDES logs as event 18: the client picked the wrong RA certificate.
        const auto p = test::NdesLikePki::create();
        auto b = params(p, MessageType::PKCSReq);
        b.recipient = p.raSign;
        auto der = PkiRequest::build(b);
        QVERIFY(der.ok());
        auto req = PkiRequest::parse(*der, p.raEncKey, p.raEnc);
        QVERIFY(!req.ok());
    }
    void transactionIdIsStableHexOfTheKey() {
        const QString a = PkiRequest::transactionIdFor(test::testKey(1));
        QCOMPARE(a.size(), 64);
        QCOMPARE(a, PkiRequest::transactionIdFor(test::testKey(1)));
        QVERIFY(a != PkiRequest::transactionIdFor(test::testKey(2)));
        QCOMPARE(PkiRequest::newNonce().size(), 16);
        QVERIFY(PkiRequest::newNonce() != PkiRequest::newNonce());
    }
    void hostile() {
        const auto p = test::NdesLikePki::create();
        for (const QByteArray& bad : {QByteArray(), QByteArray("garbage"), QByteArray("\x30\x80", 2)})
            QVERIFY(!PkiRequest::parse(bad, p.raEncKey, p.raEnc).ok());
    }
};

QTEST_GUILESS_MAIN(TestPkiRequest)
#include "TestPkiRequest.moc"
