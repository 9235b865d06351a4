// SPDX-License-Identifier: Apache-2.0
#include "util/Clock.h"
#include "util/SecretBytes.h"

#include <QtTest>

using namespace ndes;

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
        QByteArray copy;
        {
            SecretBytes s(QByteArray("8CE317021F690069"));
            QCOMPARE(s.bytes(), QByteArray("8CE317021F690069"));
            s.wipe();
            QVERIFY(s.isEmpty());
        }
        QByteArray buffer("TOPSECRET");
        const char* data = buffer.constData();
        SecretBytes::cleanse(buffer);
        // The buffer was ours alone, so its bytes were overwritten in place.
        QVERIFY(std::all_of(data, data + 9, [](char c) { return c == 0; }));
    }
};

QTEST_GUILESS_MAIN(TestClock)
#include "TestClock.moc"
