// SPDX-License-Identifier: Apache-2.0
#include "TestPki.h"

#include "pki/CmsEnvelopedData.h"
#include "pki/CmsSignedData.h"
#include "pki/LegacyProvider.h"
#include "pki/Oids.h"
#include "pki/Pkcs7CertsOnly.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using namespace ndes;
using namespace ndes::pki;

class TestCms : public QObject {
    Q_OBJECT
private slots:
    void envelopedRoundTrip_data() {
        QTest::addColumn<int>("cipher");
        QTest::newRow("AES-128") << int(ContentCipher::Aes128Cbc);
        QTest::newRow("AES-256") << int(ContentCipher::Aes256Cbc);
        QTest::newRow("DES3") << int(ContentCipher::Des3Cbc);
    }
    void envelopedRoundTrip() {
        QFETCH(int, cipher);
        const auto p = test::NdesLikePki::create();
        auto der = CmsEnvelopedData::encrypt("inner content", {p.raEnc}, ContentCipher(cipher));
        QVERIFY(der.ok());
        QVERIFY(!CmsEnvelopedData::contentCipherOid(*der).isEmpty());
        auto plain = CmsEnvelopedData::decrypt(*der, p.raEncKey, p.raEnc);
        QVERIFY2(plain.ok(), qPrintable(plain.ok() ? QString() : plain.error().toString()));
        QCOMPARE(*plain, QByteArray("inner content"));
        // Another recipient cannot read it.
        auto wrong = CmsEnvelopedData::decrypt(*der, p.raSignKey, p.raSign);
        QVERIFY(!wrong.ok());
        QCOMPARE(wrong.error().kind, ErrorKind::Verification);
    }
    void legacyDesLoadsTheLegacyProviderAndReportsIt() {
        const auto p = test::NdesLikePki::create();
        QVERIFY(!LegacyProvider::isLoaded());
        auto der = CmsEnvelopedData::encrypt("old peer", {p.raEnc}, ContentCipher::DesCbc);
        QVERIFY(der.ok());
        QVERIFY(LegacyProvider::isLoaded());
        QCOMPARE(CmsEnvelopedData::contentCipherOid(*der), QStringLiteral("1.3.14.3.2.7"));
        auto plain = CmsEnvelopedData::decrypt(*der, p.raEncKey, p.raEnc);
        QVERIFY(plain.ok());
        QCOMPARE(LegacyProvider::reasons().size(), 2);
    }
    void opensslDecryptsOurEnvelope() {
        const auto p = test::NdesLikePki::create();
        auto der = CmsEnvelopedData::encrypt("for openssl", {p.raEnc}, ContentCipher::Aes128Cbc);
        QVERIFY(der.ok());
        QTemporaryDir dir;
        auto write = [&](const QString& name, const QByteArray& data) {
            QFile f(dir.filePath(name));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(data);
        };
        write(QStringLiteral("env.der"), *der);
        write(QStringLiteral("ra.pem"), p.raEnc.toPem());
        write(QStringLiteral("ra.key"), p.raEncKey.toPem().bytes());
        QProcess openssl;
        openssl.start(QStringLiteral("openssl"),
                      {QStringLiteral("cms"), QStringLiteral("-decrypt"), QStringLiteral("-inform"),
                       QStringLiteral("DER"), QStringLiteral("-in"), dir.filePath(QStringLiteral("env.der")),
                       QStringLiteral("-recip"), dir.filePath(QStringLiteral("ra.pem")), QStringLiteral("-inkey"),
                       dir.filePath(QStringLiteral("ra.key"))});
        QVERIFY(openssl.waitForFinished(10000));
        QCOMPARE(openssl.readAllStandardOutput(), QByteArray("for openssl"));
    }
    void signedWithAttributes() {
        const auto p = test::NdesLikePki::create();
        const QList<SignedAttribute> attrs = {
            {oid::scepMessageType, V_ASN1_PRINTABLESTRING, "19"},
            {oid::scepSenderNonce, V_ASN1_OCTET_STRING, QByteArray(16, '\x5a')},
        };
        auto der = CmsSignedData::sign("payload", p.raSign, p.raSignKey, EVP_sha256(), attrs, {p.issuing});
        QVERIFY(der.ok());
        auto sd = CmsSignedData::parse(*der);
        QVERIFY(sd.ok());
        QCOMPARE(sd->content(), QByteArray("payload"));
        QCOMPARE(sd->signerCount(), 1);
        QCOMPARE(sd->digestAlgorithm(), QStringLiteral("SHA256"));
        QCOMPARE(sd->certificates().size(), 2);
        auto signer = sd->verifySignature();
        QVERIFY(signer.ok());
        QVERIFY(*signer == p.raSign);
        QCOMPARE(sd->attribute(oid::scepMessageType, V_ASN1_PRINTABLESTRING).value_or(QByteArray()), QByteArray("19"));
        QCOMPARE(sd->attribute(oid::scepSenderNonce, V_ASN1_OCTET_STRING).value_or(QByteArray()),
                 QByteArray(16, '\x5a'));
        QVERIFY(!sd->attribute(oid::scepPkiStatus, V_ASN1_PRINTABLESTRING).has_value());
        // Wrong type asked: not returned.
        QVERIFY(!sd->attribute(oid::scepMessageType, V_ASN1_OCTET_STRING).has_value());

        QByteArray tampered = *der;
        tampered[tampered.size() - 1] = char(tampered.at(tampered.size() - 1) ^ 0x01); // inside the RSA signature
        auto bad = CmsSignedData::parse(tampered);
        QVERIFY(bad.ok());
        QVERIFY(!bad->verifySignature().ok());
    }
    void certsOnlyRoundTripAndOpenssl() {
        const auto p = test::NdesLikePki::create();
        auto der = Pkcs7CertsOnly::build({p.raEnc, p.root, p.raSign, p.issuing});
        QVERIFY(der.ok());
        auto certs = Pkcs7CertsOnly::parse(*der);
        QVERIFY(certs.ok());
        QCOMPARE(certs->size(), 4);
        QProcess openssl;
        openssl.start(QStringLiteral("openssl"),
                      {QStringLiteral("pkcs7"), QStringLiteral("-inform"), QStringLiteral("DER"),
                       QStringLiteral("-print_certs"), QStringLiteral("-noout")});
        openssl.write(*der);
        openssl.closeWriteChannel();
        QVERIFY(openssl.waitForFinished(10000));
        QCOMPARE(openssl.readAllStandardOutput().count("subject="), 4);
    }
    void hostilePkcs7_data() {
        QTest::addColumn<QByteArray>("der");
        const auto p = test::NdesLikePki::create();
        const QByteArray good = *Pkcs7CertsOnly::build({p.root});
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("garbage") << QByteArray("garbage garbage garbage");
        QTest::newRow("truncated") << good.left(good.size() - 40);
        QTest::newRow("one byte") << QByteArray("\x30", 1);
        QTest::newRow("html") << QByteArray("<html>403 - Forbidden</html>");
        QTest::newRow("no certs") << *Pkcs7CertsOnly::build({});
        QTest::newRow("certificate not pkcs7") << p.root.toDer();
    }
    void hostilePkcs7() {
        QFETCH(QByteArray, der);
        auto certs = Pkcs7CertsOnly::parse(der);
        QVERIFY(!certs.ok());
        QCOMPARE(certs.error().kind, ErrorKind::BadReply);
        QVERIFY(!CmsSignedData::parse(der).ok() || CmsSignedData::parse(der)->signerCount() == 0);
        QVERIFY(!CmsEnvelopedData::decrypt(der, test::testKey(1), Certificate()).ok());
    }
};

QTEST_GUILESS_MAIN(TestCms)
#include "TestCms.moc"
