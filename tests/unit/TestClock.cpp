// SPDX-License-Identifier: Apache-2.0
#include "util/Clock.h"
#include "util/SecretBytes.h"

#include <QtTest>

#include <openssl/crypto.h>

#include <atomic>
#include <mutex>
#include <vector>

using namespace ndes;

// OPENSSL_cleanse, replaced in this executable (the linker takes it before libcrypto's) so the test can see which
// buffers were wiped, by address and length, without reading memory that has been freed. It still wipes.
namespace {
std::mutex g_cleansedLock;
std::vector<std::pair<const void*, size_t>> g_cleansed;
std::atomic<bool> g_recording{false};
} // namespace

extern "C" void OPENSSL_cleanse(void* ptr, size_t len) {
    auto* p = static_cast<volatile unsigned char*>(ptr);
    for (size_t i = 0; i < len; ++i)
        p[i] = 0;
    if (g_recording) {
        const std::lock_guard lock(g_cleansedLock);
        g_cleansed.emplace_back(ptr, len);
    }
}

class TestClock : public QObject {
    Q_OBJECT
private slots:
    void daysBetween_data() {
        QTest::addColumn<QDateTime>("from");
        QTest::addColumn<QDateTime>("to");
        QTest::addColumn<qint64>("days");
        const QDateTime t0(QDate(2026, 1, 1), QTime(12, 0), Qt::UTC);
        QTest::newRow("same instant") << t0 << t0 << qint64(0);
        QTest::newRow("one second short of a day") << t0 << t0.addSecs(86399) << qint64(0);
        QTest::newRow("exactly one day") << t0 << t0.addDays(1) << qint64(1);
        QTest::newRow("thirty days") << t0 << t0.addDays(30) << qint64(30);
        QTest::newRow("one second ago is expired") << t0 << t0.addSecs(-1) << qint64(-1);
        QTest::newRow("exactly one day ago") << t0 << t0.addDays(-1) << qint64(-1);
        QTest::newRow("a day and a second ago") << t0 << t0.addSecs(-86401) << qint64(-2);
    }
    void daysBetween() {
        QFETCH(QDateTime, from);
        QFETCH(QDateTime, to);
        QFETCH(qint64, days);
        QCOMPARE(ndes::daysBetween(from, to), days);
    }
    void fixedClockIsInstalledAndRestored() {
        const QDateTime at(QDate(2030, 6, 1), QTime(0, 0), Qt::UTC);
        FixedClock fixed(at);
        Clock::setInstance(&fixed);
        QCOMPARE(Clock::instance().now(), at);
        Clock::setInstance(nullptr);
        QVERIFY(qAbs(Clock::instance().now().secsTo(QDateTime::currentDateTimeUtc())) < 5);
    }
    void secretBytesWipesOnDestruction() {
        // The destructor itself (no wipe() first): the buffer it held is cleansed, all 16 bytes, before it is freed.
        const void* held = nullptr;
        g_cleansed.clear();
        g_recording = true;
        {
            SecretBytes s(QByteArray("8CE317021F690069"));
            QCOMPARE(s.bytes(), QByteArray("8CE317021F690069"));
            held = s.bytes().constData();
        }
        g_recording = false;
        QVERIFY2(std::find(g_cleansed.begin(), g_cleansed.end(), std::make_pair(held, size_t(16))) != g_cleansed.end(),
                 "the destructor did not cleanse the secret's buffer");

        // A copy is wiped on its own; wipe() empties.
        {
            SecretBytes a(QByteArray("COPIEDSECRET"));
            SecretBytes b(a);
            QVERIFY(a.bytes().constData() != b.bytes().constData());
            b.wipe();
            QVERIFY(b.isEmpty());
            QCOMPARE(a.bytes(), QByteArray("COPIEDSECRET"));
        }

        // cleanse(): a buffer that was ours alone is overwritten in place (it is not freed: reading it is fine)...
        QByteArray buffer("TOPSECRET");
        const char* data = buffer.constData();
        QVERIFY(SecretBytes::cleanse(buffer));
        QVERIFY(std::all_of(data, data + 9, [](char c) { return c == 0; }));
        // ...and a shared one is only released, and said so.
        QByteArray shared("SHAREDSECRET");
        QByteArray other = shared;
        QVERIFY(!SecretBytes::cleanse(shared));
        QVERIFY(shared.isEmpty());
        QCOMPARE(other, QByteArray("SHAREDSECRET"));
    }
};

QTEST_GUILESS_MAIN(TestClock)
#include "TestClock.moc"
