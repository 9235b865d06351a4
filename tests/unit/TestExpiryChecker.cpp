// SPDX-License-Identifier: Apache-2.0
#include "TestPki.h"

#include "ndes/ExpiryChecker.h"
#include "util/Clock.h"

#include <QtTest>

using namespace ndes;
using namespace ndes::service;

class TestExpiryChecker : public QObject {
    Q_OBJECT
private:
    const QDateTime m_now{QDate(2026, 11, 25), QTime(12, 0), Qt::UTC};
    FixedClock m_clock{m_now};

private slots:
    void init() { Clock::setInstance(&m_clock); }
    void cleanup() { Clock::setInstance(nullptr); }

    void boundaries_data() {
        QTest::addColumn<qint64>("secondsLeft");
        QTest::addColumn<qint64>("days");
        QTest::addColumn<QString>("status");
        const qint64 day = 86400;
        QTest::newRow("31 days") << 31 * day << qint64(31) << QStringLiteral("ok");
        QTest::newRow("30 days and a second") << 30 * day + 1 << qint64(30) << QStringLiteral("warning");
        QTest::newRow("exactly 30 days") << 30 * day << qint64(30) << QStringLiteral("warning");
        QTest::newRow("8 days") << 8 * day << qint64(8) << QStringLiteral("warning");
        QTest::newRow("7 days and a second") << 7 * day + 1 << qint64(7) << QStringLiteral("critical");
        QTest::newRow("exactly 7 days") << 7 * day << qint64(7) << QStringLiteral("critical");
        QTest::newRow("one second") << qint64(1) << qint64(0) << QStringLiteral("critical");
        QTest::newRow("at notAfter") << qint64(0) << qint64(0) << QStringLiteral("critical");
        QTest::newRow("one second past") << qint64(-1) << qint64(-1) << QStringLiteral("expired");
        QTest::newRow("ten days past") << -10 * day << qint64(-10) << QStringLiteral("expired");
    }
    void boundaries() {
        QFETCH(qint64, secondsLeft);
        QFETCH(qint64, days);
        QFETCH(QString, status);
        const ExpiryItem item = ExpiryChecker().check(QStringLiteral("ndes1"), ExpiryRole::RaEncryption,
                                                      QStringLiteral("CN=NDES1-MSCEP-RA"), m_now.addSecs(secondsLeft));
        QCOMPARE(item.daysLeft, days);
        QCOMPARE(expiryStatusName(item.status), status);
        QCOMPARE(expiryRoleName(item.role), QStringLiteral("ra-encryption"));
    }
    void customThresholds() {
        ExpiryThresholds t;
        t.warningDays = 60;
        t.criticalDays = 14;
        ExpiryChecker c(t);
        QCOMPARE(c.check({}, ExpiryRole::Tls, {}, m_now.addDays(45)).status, ExpiryStatus::Warning);
        QCOMPARE(c.check({}, ExpiryRole::Tls, {}, m_now.addDays(14)).status, ExpiryStatus::Critical);
        QCOMPARE(c.check({}, ExpiryRole::Tls, {}, m_now.addDays(61)).status, ExpiryStatus::Ok);
        QCOMPARE(c.check({}, ExpiryRole::Crl, {}, QDateTime()).status, ExpiryStatus::Expired);
    }
    void notificationsAsCertmonger_data() {
        QTest::addColumn<qint64>("before");
        QTest::addColumn<qint64>("after");
        QTest::addColumn<int>("crossed");
        QTest::newRow("29 -> 28") << qint64(29) << qint64(28) << 28;
        QTest::newRow("28 -> 27 (already told)") << qint64(28) << qint64(27) << -1;
        QTest::newRow("8 -> 7") << qint64(8) << qint64(7) << 7;
        QTest::newRow("4 -> 3") << qint64(4) << qint64(3) << 3;
        QTest::newRow("3 -> 2") << qint64(3) << qint64(2) << 2;
        QTest::newRow("2 -> 1") << qint64(2) << qint64(1) << 1;
        QTest::newRow("30 -> 2 (a long gap: the latest)") << qint64(30) << qint64(2) << 2;
        QTest::newRow("1 -> -1 (expired)") << qint64(1) << qint64(-1) << 0;
        QTest::newRow("-1 -> -2") << qint64(-1) << qint64(-2) << -1;
        QTest::newRow("no change") << qint64(10) << qint64(10) << -1;
        QTest::newRow("renewed") << qint64(5) << qint64(700) << -1;
    }
    void notificationsAsCertmonger() {
        QFETCH(qint64, before);
        QFETCH(qint64, after);
        QFETCH(int, crossed);
        QCOMPARE(ExpiryChecker().crossedNotification(before, after), crossed);
    }
    void fromACertificate() {
        const auto pki = test::NdesLikePki::create(20);
        Clock::setInstance(nullptr); // the test PKI is dated from the real clock
        const ExpiryItem item = ExpiryChecker().check(QStringLiteral("lab"), ExpiryRole::RaSigning, pki.raSign);
        QCOMPARE(item.subject, pki.raSign.subject());
        QCOMPARE(item.daysLeft, qint64(19));
        QCOMPARE(item.status, ExpiryStatus::Warning);
    }
};

QTEST_GUILESS_MAIN(TestExpiryChecker)
#include "TestExpiryChecker.moc"
