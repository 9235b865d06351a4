// SPDX-License-Identifier: Apache-2.0
#include "scep/CaCapabilities.h"

#include <QtTest>

using namespace ndes;
using namespace ndes::scep;

class TestCaCapabilities : public QObject {
    Q_OBJECT
private slots:
    void parsing_data() {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QStringList>("keywords");
        QTest::addColumn<int>("cipher");
        QTest::addColumn<int>("digest");
        QTest::addColumn<bool>("post");
        QTest::addColumn<bool>("weak");
        QTest::newRow("scepserver 2.1") << QByteArray(
                                               "Renewal\nSHA-1\nSHA-256\nAES\nDES3\nSCEPStandard\nPOSTPKIOperation")
                                        << QStringList{QStringLiteral("Renewal"),
                                                       QStringLiteral("SHA-1"),
                                                       QStringLiteral("SHA-256"),
                                                       QStringLiteral("AES"),
                                                       QStringLiteral("DES3"),
                                                       QStringLiteral("SCEPStandard"),
                                                       QStringLiteral("POSTPKIOperation")}
                                        << int(pki::ContentCipher::Aes128Cbc) << int(DigestChoice::Sha256) << true
                                        << false;
        QTest::newRow("ndes 2022 crlf")
            << QByteArray("POSTPKIOperation\r\nRenewal\r\nSHA-512\r\nSHA-256\r\nSHA-1\r\nDES3\r\nAES\r\n")
            << QStringList{QStringLiteral("POSTPKIOperation"),
                           QStringLiteral("Renewal"),
                           QStringLiteral("SHA-512"),
                           QStringLiteral("SHA-256"),
                           QStringLiteral("SHA-1"),
                           QStringLiteral("DES3"),
                           QStringLiteral("AES")}
            << int(pki::ContentCipher::Aes128Cbc) << int(DigestChoice::Sha512) << true << false;
        QTest::newRow("old weak ndes") << QByteArray("GetNextCACert\nPOSTPKIOperation\nRenewal\nSHA-1\nDES3\n")
                                       << QStringList{QStringLiteral("GetNextCACert"),
                                                      QStringLiteral("POSTPKIOperation"), QStringLiteral("Renewal"),
                                                      QStringLiteral("SHA-1"), QStringLiteral("DES3")}
                                       << int(pki::ContentCipher::Des3Cbc) << int(DigestChoice::Sha1) << true << true;
        QTest::newRow("empty") << QByteArray() << QStringList() << int(pki::ContentCipher::Des3Cbc)
                               << int(DigestChoice::Md5) << false << true;
        QTest::newRow("case and duplicates")
            << QByteArray("aes\nsha-256\nAES\n  postpkioperation  \n")
            << QStringList{QStringLiteral("aes"), QStringLiteral("sha-256"), QStringLiteral("postpkioperation")}
            << int(pki::ContentCipher::Aes128Cbc) << int(DigestChoice::Sha256) << true << false;
        QTest::newRow("SCEPStandard implies")
            << QByteArray("SCEPStandard\n") << QStringList{QStringLiteral("SCEPStandard")}
            << int(pki::ContentCipher::Aes128Cbc) << int(DigestChoice::Sha256) << true << false;
    }
    void parsing() {
        QFETCH(QByteArray, body);
        QFETCH(QStringList, keywords);
        QFETCH(int, cipher);
        QFETCH(int, digest);
        QFETCH(bool, post);
        QFETCH(bool, weak);
        auto caps = CaCapabilities::parse(body);
        QVERIFY(caps.ok());
        QCOMPARE(caps->keywords(), keywords);
        QCOMPARE(int(caps->strongestCipher()), cipher);
        QCOMPARE(int(caps->strongestDigest()), digest);
        QCOMPARE(caps->supportsPost(), post);
        QCOMPARE(caps->onlyWeakAlgorithms(), weak);
        QCOMPARE(caps->warnings().isEmpty(), !weak && post);
    }
    void hostile_data() {
        QTest::addColumn<QByteArray>("body");
        QTest::newRow("html") << QByteArray("<html><head><title>403 - Forbidden</title></head></html>");
        QTest::newRow("binary") << QByteArray("\x30\x82\x01\x00\x00", 5);
        QTest::newRow("utf16") << QByteArray("A\0E\0S\0", 6);
        QTest::newRow("sentence") << QByteArray("The page cannot be displayed\n");
        QTest::newRow("huge") << QByteArray(100 * 1024, 'A');
    }
    void hostile() {
        QFETCH(QByteArray, body);
        auto caps = CaCapabilities::parse(body);
        QVERIFY(!caps.ok());
        QCOMPARE(caps.error().kind, ErrorKind::BadReply);
        QVERIFY(!caps.error().message.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestCaCapabilities)
#include "TestCaCapabilities.moc"
