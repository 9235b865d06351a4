// SPDX-License-Identifier: Apache-2.0
#include "TestPki.h"

#include "pki/CertificateRequest.h"

#include <QProcess>
#include <QtTest>

using namespace ndes;
using namespace ndes::pki;

class TestCertificateRequest : public QObject {
    Q_OBJECT
private slots:
    void carriesEverythingAsked() {
        const PrivateKey key = test::testKey(1);
        CertificateRequestSpec spec;
        spec.subject = QStringLiteral("CN=phone-42,OU=Devices,O=Example");
        spec.dnsNames = {QStringLiteral("phone-42.example.com")};
        spec.ipAddresses = {QStringLiteral("10.1.2.3")};
        spec.challengePassword = "8CE317021F690069";
        spec.keyUsage = 0x80 | 0x20;
        auto req = CertificateRequest::create(spec, key);
        QVERIFY2(req.ok(), qPrintable(req.ok() ? QString() : req.error().toString()));
        QVERIFY(req->verifySelfSignature());
        QCOMPARE(req->subject(), QStringLiteral("CN=phone-42,OU=Devices,O=Example"));
        QCOMPARE(req->dnsNames(), QStringList{QStringLiteral("phone-42.example.com")});
        QCOMPARE(req->ipAddresses(), QStringList{QStringLiteral("10.1.2.3")});
        QCOMPARE(req->challengePassword().bytes(), QByteArray("8CE317021F690069"));
        QCOMPARE(req->keyUsage(), quint32(0xA0));
        QVERIFY(key.matches(req->publicKey()));

        auto back = CertificateRequest::fromDer(req->toDer());
        QVERIFY(back.ok());
        QCOMPARE(back->challengePassword().bytes(), QByteArray("8CE317021F690069"));

        // An independent parser agrees.
        QProcess openssl;
        openssl.start(QStringLiteral("openssl"), {QStringLiteral("req"), QStringLiteral("-noout"),
                                                  QStringLiteral("-text"), QStringLiteral("-verify")});
        openssl.write(req->toPem());
        openssl.closeWriteChannel();
        QVERIFY(openssl.waitForFinished(10000));
        const QString out = QString::fromLatin1(openssl.readAllStandardOutput() + openssl.readAllStandardError());
        QVERIFY2(out.contains(QStringLiteral("verify OK")) ||
                     out.contains(QStringLiteral("Certificate request self-signature verify OK")),
                 qPrintable(out));
        QVERIFY(out.contains(QStringLiteral("challengePassword")));
        QVERIFY(out.contains(QStringLiteral("DNS:phone-42.example.com")));
        QVERIFY(out.contains(QStringLiteral("IP Address:10.1.2.3")));
    }
    void noChallengeNoSans() {
        CertificateRequestSpec spec;
        spec.subject = QStringLiteral("CN=plain");
        auto req = CertificateRequest::create(spec, test::testKey(1));
        QVERIFY(req.ok());
        QVERIFY(req->challengePassword().isEmpty());
        QVERIFY(req->dnsNames().isEmpty());
        QCOMPARE(req->keyUsage(), quint32(0));
    }
    void refusesBadInput_data() {
        QTest::addColumn<QString>("subject");
        QTest::addColumn<QStringList>("dns");
        QTest::addColumn<QStringList>("ips");
        QTest::newRow("no subject") << QString() << QStringList() << QStringList();
        QTest::newRow("bad ip") << QStringLiteral("CN=x") << QStringList() << QStringList{QStringLiteral("10.1.2")};
        QTest::newRow("dns with comma") << QStringLiteral("CN=x") << QStringList{QStringLiteral("a,DNS:b")}
                                        << QStringList();
        QTest::newRow("empty dns") << QStringLiteral("CN=x") << QStringList{QStringLiteral(" ")} << QStringList();
    }
    void refusesBadInput() {
        QFETCH(QString, subject);
        QFETCH(QStringList, dns);
        QFETCH(QStringList, ips);
        CertificateRequestSpec spec{subject, dns, ips, {}, 0};
        auto req = CertificateRequest::create(spec, test::testKey(1));
        QVERIFY(!req.ok());
        QCOMPARE(req.error().kind, ErrorKind::Usage);
    }
    void hostileDer() {
        QVERIFY(!CertificateRequest::fromDer(QByteArray()).ok());
        QVERIFY(!CertificateRequest::fromDer(QByteArray("\x30\x03\x02\x01", 4)).ok());
        QVERIFY(!CertificateRequest::fromPem(QByteArray("-----BEGIN CERTIFICATE REQUEST-----\n!!\n")).ok());
    }
};

QTEST_GUILESS_MAIN(TestCertificateRequest)
#include "TestCertificateRequest.moc"
