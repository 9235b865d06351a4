// SPDX-License-Identifier: Apache-2.0
#include "TestPki.h"

#include "pki/Certificate.h"
#include "pki/CertificateBuilder.h"
#include "pki/DistinguishedName.h"
#include "pki/Oids.h"

#include <QCryptographicHash>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using namespace ndes;
using namespace ndes::pki;

class TestCertificate : public QObject {
    Q_OBJECT
private slots:
    void distinguishedNames_data() {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("printed");
        QTest::newRow("rfc4514") << QStringLiteral("CN=router1,O=Example,C=US")
                                 << QStringLiteral("CN=router1,O=Example,C=US");
        QTest::newRow("spaces") << QStringLiteral(" CN = router1 , O = Example ")
                                << QStringLiteral("CN=router1,O=Example");
        QTest::newRow("slash form") << QStringLiteral("/C=US/O=Example/CN=router1")
                                    << QStringLiteral("CN=router1,O=Example,C=US");
        QTest::newRow("escaped comma") << QStringLiteral("CN=Smith\\, John,O=Example")
                                       << QStringLiteral("CN=Smith\\, John,O=Example");
        QTest::newRow("utf8") << QStringLiteral("CN=Gerät-1,O=Müller") << QStringLiteral("CN=Gerät-1,O=Müller");
    }
    void distinguishedNames() {
        QFETCH(QString, input);
        QFETCH(QString, printed);
        auto name = DistinguishedName::parse(input);
        QVERIFY2(name.ok(), qPrintable(name.ok() ? QString() : name.error().message));
        QCOMPARE(DistinguishedName::toString(name->get()), printed);
    }
    void badDistinguishedNames_data() {
        QTest::addColumn<QString>("input");
        QTest::newRow("empty") << QString();
        QTest::newRow("no equals") << QStringLiteral("router1");
        QTest::newRow("unknown type") << QStringLiteral("XYZ=1");
        QTest::newRow("empty value") << QStringLiteral("CN=");
    }
    void badDistinguishedNames() {
        QFETCH(QString, input);
        auto name = DistinguishedName::parse(input);
        QVERIFY(!name.ok());
        QCOMPARE(name.error().kind, ErrorKind::Usage);
    }

    void raCertificateFields() {
        const auto pki = test::NdesLikePki::create();
        const Certificate& ra = pki.raEnc;
        QCOMPARE(ra.subject(), QStringLiteral("CN=NDES01-MSCEP-RA,O=NDES Console Tests"));
        QCOMPARE(ra.issuer(), pki.issuing.subject());
        QCOMPARE(ra.commonName(), QStringLiteral("NDES01-MSCEP-RA"));
        QVERIFY(ra.hasKeyUsage(KeyUsage::KeyEncipherment));
        QVERIFY(!ra.hasKeyUsage(KeyUsage::DigitalSignature));
        QCOMPARE(ra.keyUsageNames(), QStringList{QStringLiteral("keyEncipherment")});
        QVERIFY(ra.hasExtendedKeyUsage(oid::certificateRequestAgent));
        QCOMPARE(ra.templateName(), QStringLiteral("CEPEncryption"));
        QVERIFY(!ra.isCa());
        QVERIFY(!ra.isSelfSigned());
        QVERIFY(pki.root.isCa());
        QVERIFY(pki.root.isSelfSigned());
        QCOMPARE(ra.publicKeyBits(), 2048);
        QVERIFY(ra.notBefore() < ra.notAfter());
        QCOMPARE(ra.daysLeft(QDateTime::currentDateTimeUtc()), qint64(729));
    }

    void thumbprintsMatchAnIndependentHash() {
        const auto pki = test::NdesLikePki::create();
        const QByteArray der = pki.raSign.toDer();
        QCOMPARE(pki.raSign.sha1(), QCryptographicHash::hash(der, QCryptographicHash::Sha1));
        QCOMPARE(pki.raSign.sha256(), QCryptographicHash::hash(der, QCryptographicHash::Sha256));
        QCOMPARE(pki.raSign.md5(), QCryptographicHash::hash(der, QCryptographicHash::Md5));
        QCOMPARE(Certificate::hex(QByteArray::fromHex("0aff")), QStringLiteral("0AFF"));
    }

    void sansTemplateInfoAndSerial() {
        const auto key = test::testKey(1);
        auto cert =
            CertificateBuilder()
                .setSubject(QStringLiteral("CN=fw01.example.com"))
                .setSerial(QByteArray::fromHex("1A2B3C"))
                .setDnsNames({QStringLiteral("fw01.example.com"), QStringLiteral("fw01")})
                .setIpAddresses({QStringLiteral("192.0.2.10"), QStringLiteral("2001:db8::1")})
                .setExtendedKeyUsages({QString::fromLatin1(oid::clientAuth), QString::fromLatin1(oid::ipsecIke)})
                .setTemplateInfo({QStringLiteral("1.3.6.1.4.1.311.21.8.123.456"), 100, 4})
                .selfSigned(key);
        QVERIFY(cert.ok());
        QCOMPARE(cert->serialHex(), QStringLiteral("1A2B3C"));
        QCOMPARE(cert->dnsNames(), (QStringList{QStringLiteral("fw01.example.com"), QStringLiteral("fw01")}));
        QCOMPARE(cert->ipAddresses(), (QStringList{QStringLiteral("192.0.2.10"), QStringLiteral("2001:db8::1")}));
        QCOMPARE(cert->extendedKeyUsages(),
                 (QStringList{QString::fromLatin1(oid::clientAuth), QString::fromLatin1(oid::ipsecIke)}));
        const TemplateInfo info = cert->templateInfo();
        QCOMPARE(info.oid, QStringLiteral("1.3.6.1.4.1.311.21.8.123.456"));
        QCOMPARE(info.majorVersion, 100);
        QCOMPARE(info.minorVersion, 4);
        QVERIFY(cert->templateName().isEmpty());
        QVERIFY(!cert->hasKeyUsageExtension());
    }

    void opensslCliReadsWhatWeBuild() {
        const auto pki = test::NdesLikePki::create();
        QTemporaryDir dir;
        QFile f(dir.filePath(QStringLiteral("ra.pem")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(pki.raSign.toPem());
        f.close();
        QProcess openssl;
        openssl.start(QStringLiteral("openssl"),
                      {QStringLiteral("x509"), QStringLiteral("-in"), f.fileName(), QStringLiteral("-noout"),
                       QStringLiteral("-text"), QStringLiteral("-fingerprint"), QStringLiteral("-sha256")});
        QVERIFY(openssl.waitForFinished(10000));
        const QString text = QString::fromLatin1(openssl.readAllStandardOutput());
        QVERIFY(text.contains(QStringLiteral("Digital Signature")));
        QVERIFY(text.contains(QStringLiteral("1.3.6.1.4.1.311.20.2.1")));
        QVERIFY(text.contains(QStringLiteral("1.3.6.1.4.1.311.20.2:")));
        const QString fp = Certificate::hex(pki.raSign.sha256());
        QString colon;
        for (int i = 0; i < fp.size(); i += 2)
            colon += (i ? QStringLiteral(":") : QString()) + fp.mid(i, 2);
        QVERIFY2(text.contains(colon), qPrintable(text.right(200)));
    }

    void pemAndDerRoundTrip() {
        const auto pki = test::NdesLikePki::create();
        auto fromDer = Certificate::fromDer(pki.root.toDer());
        QVERIFY(fromDer.ok());
        QVERIFY(*fromDer == pki.root);
        auto list = Certificate::listFromPem(pki.root.toPem() + pki.issuing.toPem());
        QVERIFY(list.ok());
        QCOMPARE(list->size(), 2);
        QVERIFY(list->at(1) == pki.issuing);
    }

    void hostileInput_data() {
        QTest::addColumn<QByteArray>("der");
        const auto pki = test::NdesLikePki::create();
        const QByteArray good = pki.root.toDer();
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("garbage") << QByteArray("\x30\x82\xff\xff garbage", 12);
        QTest::newRow("truncated") << good.left(good.size() / 2);
        QTest::newRow("html") << QByteArray("<html><body>Error</body></html>");
        QTest::newRow("huge length") << QByteArray("\x30\x84\x7f\xff\xff\xff", 6);
    }
    void hostileInput() {
        QFETCH(QByteArray, der);
        auto c = Certificate::fromDer(der);
        QVERIFY(!c.ok());
        QCOMPARE(c.error().kind, ErrorKind::BadReply);
        QVERIFY(Certificate().subject().isEmpty());
        QVERIFY(Certificate().sha256().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestCertificate)
#include "TestCertificate.moc"
