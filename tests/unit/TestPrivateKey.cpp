// SPDX-License-Identifier: Apache-2.0
#include "pki/PrivateKey.h"

#include <QFutureWatcher>
#include <QProcess>
#include <QThread>
#include <QtTest>

using namespace ndes;
using namespace ndes::pki;

class TestPrivateKey : public QObject {
    Q_OBJECT
private slots:
    void generatesOfferedSizes_data() {
        QTest::addColumn<int>("bits");
        QTest::newRow("2048") << 2048;
        QTest::newRow("3072") << 3072;
        QTest::newRow("4096") << 4096;
    }
    void generatesOfferedSizes() {
        QFETCH(int, bits);
        auto key = PrivateKey::generateRsa(bits);
        QVERIFY2(key.ok(), qPrintable(key.ok() ? QString() : key.error().toString()));
        QCOMPARE(key->bits(), bits);
        // OpenSSL's full key check (primality of p and q, d, CRT values) and the openssl CLI agree it is sound.
        EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_pkey(nullptr, key->get(), nullptr);
        QCOMPARE(EVP_PKEY_check(ctx), 1);
        EVP_PKEY_CTX_free(ctx);
        QProcess openssl;
        openssl.start(QStringLiteral("openssl"),
                      {QStringLiteral("rsa"), QStringLiteral("-check"), QStringLiteral("-noout")});
        openssl.write(key->toPem().bytes());
        openssl.closeWriteChannel();
        QVERIFY(openssl.waitForFinished(30000));
        QCOMPARE(openssl.readAllStandardOutput().trimmed(), QByteArray("RSA key ok"));
    }
    void keysAreDistinct() {
        auto a = PrivateKey::generateRsa(2048);
        auto b = PrivateKey::generateRsa(2048);
        QVERIFY(a.ok() && b.ok());
        QVERIFY(a->publicKeyDer() != b->publicKeyDer());
    }
    void refusesOtherSizes_data() {
        QTest::addColumn<int>("bits");
        QTest::newRow("1024") << 1024;
        QTest::newRow("0") << 0;
        QTest::newRow("2047") << 2047;
        QTest::newRow("8192") << 8192;
    }
    void refusesOtherSizes() {
        QFETCH(int, bits);
        auto key = PrivateKey::generateRsa(bits);
        QVERIFY(!key.ok());
        QCOMPARE(key.error().kind, ErrorKind::Usage);
        QVERIFY(key.error().message.contains(QStringLiteral("2048")));
    }
    void asyncRunsOffTheCallingThread() {
        QThread* caller = QThread::currentThread();
        QFuture<Result<PrivateKey>> f = PrivateKey::generateRsaAsync(2048);
        QFutureWatcher<Result<PrivateKey>> w;
        QSignalSpy done(&w, &QFutureWatcherBase::finished);
        w.setFuture(f);
        QVERIFY(done.wait(30000) || w.isFinished());
        auto key = f.result();
        QVERIFY(key.ok());
        QCOMPARE(key->bits(), 2048);
        QCOMPARE(QThread::currentThread(), caller);
    }
    void pemRoundTripAndMatch() {
        auto key = PrivateKey::generateRsa(2048);
        QVERIFY(key.ok());
        const SecretBytes pem = key->toPem();
        QVERIFY(pem.bytes().startsWith("-----BEGIN PRIVATE KEY-----"));
        auto back = PrivateKey::fromPem(pem.bytes());
        QVERIFY(back.ok());
        QCOMPARE(back->publicKeyDer(), key->publicKeyDer());
        QVERIFY(back->matches(key->get()));
        auto other = PrivateKey::generateRsa(2048);
        QVERIFY(!other->matches(key->get()));
    }
    void hostilePem_data() {
        QTest::addColumn<QByteArray>("pem");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("garbage") << QByteArray("not a key at all");
        QTest::newRow("truncated") << QByteArray("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n");
    }
    void hostilePem() {
        QFETCH(QByteArray, pem);
        auto key = PrivateKey::fromPem(pem);
        QVERIFY(!key.ok());
        QVERIFY(!key.error().message.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestPrivateKey)
#include "TestPrivateKey.moc"
