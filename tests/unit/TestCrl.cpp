// SPDX-License-Identifier: Apache-2.0
// CRLs as a CA publishes them, and CDP URLs as certificates carry them: what the health probe reads.
#include "TestPki.h"
#include "pki/CertificateBuilder.h"
#include "pki/Crl.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using namespace ndes;
using namespace ndes::pki;

class TestCrl : public QObject {
    Q_OBJECT

private slots:
    void buildParseAndVerify() {
        const auto pki = test::NdesLikePki::create();
        const QDateTime now = QDateTime::currentDateTimeUtc();
        Crl::BuildParams params;
        params.thisUpdate = now.addSecs(-3600);
        params.nextUpdate = now.addDays(7);
        params.crlNumber = 42;
        params.revokedSerials = {QByteArray::fromHex(pki.raSign.serialHex().toLatin1())};
        auto crl = Crl::build(pki.issuing, pki.issuingKey, params);
        QVERIFY(crl);
        QCOMPARE(crl->issuer(), pki.issuing.subject());
        QCOMPARE(crl->thisUpdate().toSecsSinceEpoch(), params.thisUpdate.toSecsSinceEpoch());
        QCOMPARE(crl->nextUpdate().toSecsSinceEpoch(), params.nextUpdate.toSecsSinceEpoch());
        QCOMPARE(crl->revokedCount(), 1);
        QVERIFY(crl->isRevoked(pki.raSign));
        QVERIFY(!crl->isRevoked(pki.raEnc));
        QVERIFY(crl->isSignedBy(pki.issuing));
        QVERIFY(!crl->isSignedBy(pki.root)); // other name, other key

        // DER round trip, and OpenSSL's own tool reads what we wrote and verifies it.
        auto again = Crl::parse(crl->toDer());
        QVERIFY(again);
        QCOMPARE(again->toDer(), crl->toDer());
        QTemporaryDir dir;
        QFile der(dir.filePath(QStringLiteral("c.crl")));
        QVERIFY(der.open(QIODevice::WriteOnly));
        der.write(crl->toDer());
        der.close();
        QFile ca(dir.filePath(QStringLiteral("ca.pem")));
        QVERIFY(ca.open(QIODevice::WriteOnly));
        ca.write(pki.issuing.toPem());
        ca.close();
        QProcess openssl;
        openssl.start(QStringLiteral("openssl"),
                      {QStringLiteral("crl"), QStringLiteral("-inform"), QStringLiteral("DER"), QStringLiteral("-in"),
                       der.fileName(), QStringLiteral("-CAfile"), ca.fileName(), QStringLiteral("-noout"),
                       QStringLiteral("-text")});
        QVERIFY(openssl.waitForFinished(10000));
        const QByteArray text = openssl.readAllStandardOutput() + openssl.readAllStandardError();
        QVERIFY2(text.contains("verify OK"), text.constData());
        QVERIFY2(text.contains("42"), text.constData());

        // PEM as some web servers publish it.
        QProcess toPem;
        toPem.start(QStringLiteral("openssl"), {QStringLiteral("crl"), QStringLiteral("-inform"), QStringLiteral("DER"),
                                                QStringLiteral("-in"), der.fileName()});
        QVERIFY(toPem.waitForFinished(10000));
        auto fromPem = Crl::parse(toPem.readAllStandardOutput());
        QVERIFY(fromPem);
        QCOMPARE(fromPem->toDer(), crl->toDer());
    }

    void noNextUpdateIsInvalidNotACrash() {
        const auto pki = test::NdesLikePki::create();
        Crl::BuildParams params;
        params.thisUpdate = QDateTime::currentDateTimeUtc();
        auto crl = Crl::build(pki.issuing, pki.issuingKey, params);
        QVERIFY(crl);
        QVERIFY(!crl->nextUpdate().isValid());
    }

    void hostileInputIsRefusedCleanly_data() {
        QTest::addColumn<QByteArray>("data");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("html") << QByteArray("<html><body>404 Not Found</body></html>");
        QTest::newRow("a certificate") << test::NdesLikePki::create().root.toDer();
        QTest::newRow("truncated sequence") << QByteArray::fromHex("3082ffff3082");
        QTest::newRow("huge length") << QByteArray::fromHex("3084ffffffff");
        QTest::newRow("pem armour, garbage inside")
            << QByteArray("-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n");
        QTest::newRow("65 MB") << QByteArray(65 * 1024 * 1024, '\x30');
    }
    void hostileInputIsRefusedCleanly() {
        QFETCH(QByteArray, data);
        auto crl = Crl::parse(data);
        QVERIFY(!crl);
        QVERIFY(!crl.error().message.isEmpty());
    }

    void cdpUrlsAreRead() {
        const auto key = test::testKey(1);
        auto cert = CertificateBuilder()
                        .setSubject(QStringLiteral("CN=with cdp"))
                        .setCrlDistributionPoint(QStringLiteral("http://pki.example.com/CertEnroll/Issuing%20CA.crl"))
                        .selfSigned(key);
        QVERIFY(cert);
        QCOMPARE(cert->crlDistributionPoints(),
                 QStringList{QStringLiteral("http://pki.example.com/CertEnroll/Issuing%20CA.crl")});
        auto none = CertificateBuilder().setSubject(QStringLiteral("CN=no cdp")).selfSigned(key);
        QVERIFY(none);
        QVERIFY(none->crlDistributionPoints().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestCrl)
#include "TestCrl.moc"
