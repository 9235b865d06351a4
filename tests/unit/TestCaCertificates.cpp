// SPDX-License-Identifier: Apache-2.0
#include "TestPki.h"

#include "pki/CertificateBuilder.h"
#include "pki/Oids.h"
#include "pki/Pkcs7CertsOnly.h"
#include "scep/CaCertificates.h"

#include <QtTest>

using namespace ndes;
using namespace ndes::pki;
using namespace ndes::scep;

class TestCaCertificates : public QObject {
    Q_OBJECT
private slots:
    void ndesOrderIsClassifiedWithoutDependingOnOrder_data() {
        QTest::addColumn<QList<int>>("order");
        QTest::newRow("as real NDES sends: enc RA, root, sign RA, issuing") << QList<int>{3, 0, 2, 1};
        QTest::newRow("chain first") << QList<int>{0, 1, 2, 3};
        QTest::newRow("sign RA first") << QList<int>{2, 3, 1, 0};
    }
    void ndesOrderIsClassifiedWithoutDependingOnOrder() {
        QFETCH(QList<int>, order);
        const auto p = test::NdesLikePki::create();
        const QList<Certificate> all{p.root, p.issuing, p.raSign, p.raEnc};
        QList<Certificate> sent;
        for (int i : order)
            sent << all[i];
        auto certs =
            CaCertificates::parse(*Pkcs7CertsOnly::build(sent), QStringLiteral("application/x-x509-ca-ra-cert"));
        QVERIFY(certs.ok());
        QCOMPARE(certs->certificates().size(), 4);
        QCOMPARE(certs->caCertificates().size(), 2);
        QCOMPARE(certs->raCertificates().size(), 2);
        QVERIFY(certs->issuingCa() == p.issuing);
        auto recipient = certs->encryptionRecipient();
        QVERIFY(recipient.ok());
        QVERIFY(*recipient == p.raEnc); // never the signing RA, never all of them
        QVERIFY(certs->possibleSigners().contains(p.raSign));
        QVERIFY(!certs->possibleSigners().contains(p.raEnc));
        for (const auto& rc : certs->certificates()) {
            if (rc.certificate == p.raEnc)
                QCOMPARE(roleName(rc.role), QStringLiteral("ra-encryption"));
            else if (rc.certificate == p.raSign)
                QCOMPARE(roleName(rc.role), QStringLiteral("ra-signing"));
            else
                QCOMPARE(roleName(rc.role), QStringLiteral("ca"));
        }
    }
    void singleCaAnswersItself() {
        const auto p = test::NdesLikePki::create();
        auto certs = CaCertificates::parse(p.root.toDer(), QStringLiteral("application/x-x509-ca-cert"));
        QVERIFY(certs.ok());
        QVERIFY(!certs->hasRa());
        QVERIFY(*certs->encryptionRecipient() == p.root);
        auto pem = CaCertificates::parse(p.root.toPem());
        QVERIFY(pem.ok());
        QCOMPARE(pem->certificates().size(), 1);
    }
    void dataEnciphermentIsSecondChoice() {
        const auto p = test::NdesLikePki::create();
        const Certificate dataEnc = test::issue(test::testKey(8), QStringLiteral("CN=RA-data"), p.issuing, p.issuingKey,
                                                static_cast<quint32>(KeyUsage::DataEncipherment));
        auto certs = CaCertificates::fromList({p.raSign, dataEnc, p.issuing});
        QVERIFY(*certs.encryptionRecipient() == dataEnc);
        auto withEnc = CaCertificates::fromList({p.raSign, dataEnc, p.raEnc, p.issuing});
        QVERIFY(*withEnc.encryptionRecipient() == p.raEnc);
    }
    void noUsableRaIsAnError() {
        const auto p = test::NdesLikePki::create();
        auto certs = CaCertificates::fromList({p.raSign, p.issuing, p.root});
        auto r = certs.encryptionRecipient();
        QVERIFY(!r.ok());
        QVERIFY(r.error().message.contains(QStringLiteral("CEP Encryption")));
    }
    void hostile_data() {
        QTest::addColumn<QByteArray>("body");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("html") << QByteArray("<HTML><BODY>Network Device Enrollment Service</BODY></HTML>");
        QTest::newRow("garbage") << QByteArray("\x01\x02\x03garbage", 10);
        QTest::newRow("pem without cert") << QByteArray("-----BEGIN NOTHING-----\n-----END NOTHING-----\n");
        QTest::newRow("truncated pkcs7") << QByteArray("\x30\x80\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02", 13);
    }
    void hostile() {
        QFETCH(QByteArray, body);
        auto certs = CaCertificates::parse(body);
        QVERIFY(!certs.ok());
        QCOMPARE(certs.error().kind, ErrorKind::BadReply);
    }
};

QTEST_GUILESS_MAIN(TestCaCertificates)
#include "TestCaCertificates.moc"
