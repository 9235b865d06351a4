// SPDX-License-Identifier: Apache-2.0
// The Challenge password page, offscreen, against a real ndes-lab: click, password shown, copy, clipboard
// cleared after its timeout, countdown to expiry with an injected clock, history without the password.
#include "NdesLabProcess.h"
#include "ScopedClock.h"

#include "AuditTrailDialog.h"
#include "ChallengePage.h"
#include "ConsoleContext.h"
#include "MainWindow.h"
#include "ServersPage.h"
#include "util/Clock.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QMimeData>
#include <QProcess>
#include <QPushButton>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <optional>

using namespace ndes;
using namespace ndes::test;

class TestChallengePage : public QObject {
    Q_OBJECT
private:
    NdesLabProcess m_lab;
    QTemporaryDir m_dir;

    QString inventoryWithLab() {
        const QString path = m_dir.filePath(QStringLiteral("inventory.json"));
        QFile f(path);
        f.open(QIODevice::WriteOnly);
        f.write(
            QStringLiteral(
                "{\"version\":1,\"servers\":[{\"id\":\"lab\",\"name\":\"Lab\",\"scepUrl\":\"%1\",\"adminUrl\":\"%2\","
                "\"auth\":\"none\",\"allowHttp\":true}]}")
                .arg(m_lab.scepUrl(), m_lab.adminUrl())
                .toUtf8());
        return path;
    }

private slots:
    void initTestCase() {
        QString error;
        QVERIFY2(m_lab.start({QStringLiteral("--password-validity"), QStringLiteral("60"),
                              QStringLiteral("--password-max"), QStringLiteral("100")},
                             &error),
                 qPrintable(error));
        QStandardPaths::setTestModeEnabled(true);
    }

    void generateCopyClearExpire() {
        ui::ConsoleContext context(inventoryWithLab(), m_dir.filePath(QStringLiteral("audit.jsonl")));
        ui::MainWindow window(&context, false);
        window.showPage(ui::MainWindow::Page::ChallengePasswords);
        window.show();
        window.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        ui::ChallengePage* page = window.challengePage();
        page->setClipboardClearMs(300);
        std::optional<test::ScopedClock> clock(std::in_place, QDateTime::currentDateTimeUtc());

        auto* device = page->findChild<QLineEdit*>();
        QVERIFY(device);
        QTest::keyClicks(device, QStringLiteral("FW-PARIS-01"));
        device->setFocus();
        QElapsedTimer t;
        t.start();
        QTest::keyClick(page, Qt::Key_G, Qt::ControlModifier); // Ctrl+G generates
        QTRY_VERIFY_WITH_TIMEOUT(!page->shownPassword().isEmpty(), 20000);
        qInfo("Ctrl+G to password shown: %lld ms", t.elapsed());
        const QString shown = page->shownPassword();
        QVERIFY(shown.contains(QRegularExpression(QStringLiteral("^[0-9A-F]{4}( [0-9A-F]{4}){3}$"))));
        QCOMPARE(page->countdownText(), QStringLiteral("Valid for 57:00"));
        QCOMPARE(page->historyRows(), 1);

        // Copy (Ctrl+Shift+C): marked as a secret for clipboard managers, then cleared after the delay.
        QTest::keyClick(page, Qt::Key_C, Qt::ControlModifier | Qt::ShiftModifier);
        QClipboard* cb = QGuiApplication::clipboard();
        QVERIFY2(cb->text().remove(QLatin1Char(' ')) == QString(shown).remove(QLatin1Char(' ')),
                 "the clipboard does not hold the password shown (neither is printed)");
        QCOMPARE(cb->mimeData()->data(QStringLiteral("x-kde-passwordManagerHint")), QByteArray("secret"));
        QTRY_VERIFY_WITH_TIMEOUT(cb->text().isEmpty(), 3000);

        // Something else copied meanwhile is left alone.
        QTest::keyClick(page, Qt::Key_C, Qt::ControlModifier | Qt::ShiftModifier);
        cb->setText(QStringLiteral("the user's own text"));
        QTest::qWait(500);
        QCOMPARE(cb->text(), QStringLiteral("the user's own text"));

        // The countdown reaches expiry (57 minutes later, with the margin).
        clock->setNow(clock->now().addSecs(56 * 60));
        page->tick();
        QCOMPARE(page->countdownText(), QStringLiteral("Valid for 1:00"));
        clock->setNow(clock->now().addSecs(61));
        page->tick();
        QVERIFY(page->countdownText().startsWith(QStringLiteral("Expired")));
        QVERIFY(page->shownPassword().isEmpty());
        // The label itself no longer carries the password, and never let the mouse select it (X11's PRIMARY
        // selection and the label's own context menu would copy it past the clipboard guard).
        auto* label = page->findChild<QLabel*>(QStringLiteral("passwordDisplay"));
        QVERIFY(label);
        QVERIFY2(!label->text().remove(QLatin1Char(' ')).contains(QString(shown).remove(QLatin1Char(' '))),
                 "the expired password is still in the label");
        QCOMPARE(label->textInteractionFlags(), Qt::NoTextInteraction);
        QCOMPARE(label->contextMenuPolicy(), Qt::NoContextMenu);
        clock.reset();

        // The audit trail has the request, never the password.
        QFile audit(m_dir.filePath(QStringLiteral("audit.jsonl")));
        QVERIFY(audit.open(QIODevice::ReadOnly));
        const QByteArray trail = audit.readAll();
        QVERIFY(trail.contains("FW-PARIS-01"));
        QVERIFY(!trail.contains(QString(shown).remove(QLatin1Char(' ')).toLatin1()));
        QVERIFY(context.auditTrail().verify().intact);

        // The auditors' view of it.
        ui::AuditTrailDialog dialog(&context.auditTrail());
        QCOMPARE(dialog.rows(), 1);
        dialog.verifyChain();
        QVERIFY2(dialog.verdict().contains(QStringLiteral("intact")), qPrintable(dialog.verdict()));
    }

    void errorsAreShownWithTheirFix() {
        QVERIFY(!m_lab.control(QStringLiteral("fault?set=cache-full")).isNull());
        ui::ConsoleContext context(inventoryWithLab(), m_dir.filePath(QStringLiteral("audit2.jsonl")));
        ui::ChallengePage page(&context, true);
        page.generate();
        QTRY_VERIFY_WITH_TIMEOUT(!page.errorText().isEmpty(), 20000);
        QVERIFY(m_lab.control(QStringLiteral("fault?set=none")).size() >= 0);
        QVERIFY2(page.errorText().contains(QStringLiteral("PasswordMax")), qPrintable(page.errorText()));
        QVERIFY(page.shownPassword().isEmpty());
    }

    // A password kept for the session that the admin page refuses is dropped, not sent again on the next click
    // (each try counts towards the AD account's lockout).
    void aRefusedSessionPasswordIsDropped() {
        QTemporaryDir dir;
        NdesLabProcess lab;
        QString error;
        QVERIFY2(lab.start({QStringLiteral("--users"), writeUsers(dir)}, &error), qPrintable(error));
        const QString path = dir.filePath(QStringLiteral("inventory.json"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QStringLiteral("{\"version\":1,\"servers\":[{\"id\":\"lab\",\"name\":\"Lab\",\"scepUrl\":\"%1\","
                               "\"adminUrl\":\"%2\",\"auth\":\"ntlm\",\"user\":\"LAB\\\\alice\","
                               "\"allowHttp\":true}]}")
                    .arg(lab.scepUrl(), lab.adminUrl())
                    .toUtf8());
        f.close();
        ui::ConsoleContext context(path, dir.filePath(QStringLiteral("audit.jsonl")));
        QVERIFY2(context.loadError().isEmpty(), qPrintable(context.loadError()));
        context.setSessionPassword(QStringLiteral("lab"), SecretBytes(QByteArray("a-wrong-password")));
        ui::ChallengePage page(&context, true);
        page.generate();
        QTRY_VERIFY_WITH_TIMEOUT(!page.errorText().isEmpty(), 20000);
        QVERIFY(page.shownPassword().isEmpty());
        QVERIFY(context.sessionPassword(QStringLiteral("lab")) == nullptr);
        // The right one is kept.
        context.setSessionPassword(QStringLiteral("lab"), SecretBytes(QByteArray("Alice-Pa55")));
        page.generate();
        QTRY_VERIFY_WITH_TIMEOUT(!page.shownPassword().isEmpty(), 20000);
        QVERIFY(context.sessionPassword(QStringLiteral("lab")) != nullptr);
        lab.stop();
    }

    // A screenshot that shows a live challenge password is written owner-only; one without a password is not.
    void screenshotOfALivePasswordIsOwnerOnly() {
        const QString inventory = inventoryWithLab();
        for (const bool generate : {true, false}) {
            const QString shot = m_dir.filePath(generate ? QStringLiteral("live.png") : QStringLiteral("idle.png"));
            QStringList args{QStringLiteral("--inventory"),   inventory,
                             QStringLiteral("--audit-trail"), m_dir.filePath(QStringLiteral("audit-shot.jsonl")),
                             QStringLiteral("--page"),        QStringLiteral("challenge"),
                             QStringLiteral("--screenshot"),  shot};
            if (generate)
                args << QStringLiteral("--generate");
            QProcess console;
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
            env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_dir.filePath(QStringLiteral("config")));
            console.setProcessEnvironment(env);
            console.start(qEnvironmentVariable("NDES_CONSOLE"), args);
            QVERIFY(console.waitForFinished(60000));
            QVERIFY2(console.exitCode() == 0, console.readAllStandardError().constData());
            const QFileDevice::Permissions perms = QFile::permissions(shot);
            QVERIFY(perms & QFileDevice::ReadOwner);
            QCOMPARE(bool(perms & (QFileDevice::ReadGroup | QFileDevice::ReadOther)), !generate);
        }
    }

    // Issue 15: after a password from server A, choosing server B (or a failed request) must not leave A's password
    // on screen to be read out for B — in the main window's page and in the helpdesk window.
    void aPasswordLeavesWithItsServer_data() {
        QTest::addColumn<bool>("helpdesk");
        QTest::newRow("console") << false;
        QTest::newRow("helpdesk") << true;
    }
    void aPasswordLeavesWithItsServer() {
        QFETCH(bool, helpdesk);
        const QString path = m_dir.filePath(QStringLiteral("two-servers.json"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(
            QStringLiteral("{\"version\":1,\"servers\":["
                           "{\"id\":\"a\",\"name\":\"A\",\"scepUrl\":\"%1\",\"adminUrl\":\"%2\",\"auth\":\"none\","
                           "\"allowHttp\":true},"
                           "{\"id\":\"b\",\"name\":\"B\",\"scepUrl\":\"http://127.0.0.1:1/certsrv/mscep/mscep.dll\","
                           "\"adminUrl\":\"http://127.0.0.1:1/certsrv/mscep_admin/\",\"auth\":\"none\","
                           "\"allowHttp\":true}]}")
                .arg(m_lab.scepUrl(), m_lab.adminUrl())
                .toUtf8());
        f.close();
        ui::ConsoleContext context(path, m_dir.filePath(QStringLiteral("audit-two.jsonl")));
        ui::ChallengePage page(&context, helpdesk);
        auto* server = page.findChild<QComboBox*>();
        auto* label = page.findChild<QLabel*>(QStringLiteral("passwordDisplay"));
        QVERIFY(server && label);
        const auto copyButton = [&] {
            for (QPushButton* b : page.findChildren<QPushButton*>())
                if (b->text() == QStringLiteral("&Copy"))
                    return b;
            return static_cast<QPushButton*>(nullptr);
        };
        QVERIFY(copyButton());
        const auto generateOn = [&](const QString& id) {
            server->setCurrentIndex(server->findData(id));
            page.generate();
        };
        generateOn(QStringLiteral("a"));
        QTRY_VERIFY_WITH_TIMEOUT(!page.shownPassword().isEmpty(), 20000);
        const QString fromA = page.shownPassword();
        QVERIFY(copyButton()->isEnabled());
        // Choosing B takes A's password off the screen.
        server->setCurrentIndex(server->findData(QStringLiteral("b")));
        QVERIFY(page.shownPassword().isEmpty());
        QVERIFY(!label->text().contains(fromA));
        QVERIFY(!copyButton()->isEnabled());
        QVERIFY(page.countdownText().contains(QStringLiteral("No password for this server")));
        // A's password again, then a failure on B: the error stands alone.
        generateOn(QStringLiteral("a"));
        QTRY_VERIFY_WITH_TIMEOUT(!page.shownPassword().isEmpty(), 20000);
        const QString second = page.shownPassword();
        server->blockSignals(true); // as if B were chosen without the page noticing: the failure alone must clear
        server->setCurrentIndex(server->findData(QStringLiteral("b")));
        server->blockSignals(false);
        page.generate();
        QTRY_VERIFY_WITH_TIMEOUT(!page.errorText().isEmpty(), 20000);
        QVERIFY(page.shownPassword().isEmpty());
        QVERIFY(!label->text().contains(second));
        QVERIFY(!copyButton()->isEnabled());
        QVERIFY(page.countdownText().startsWith(QStringLiteral("No password")));
    }

    // Issue 15, items 13 and 14: Tab leaves the session table (it was a keyboard trap), and the table names the
    // requester as the audit trail does.
    void sessionTableLetsTabThroughAndMatchesTheTrail() {
        ui::ConsoleContext context(inventoryWithLab(), m_dir.filePath(QStringLiteral("audit-tab.jsonl")));
        ui::ChallengePage page(&context, false);
        page.show();
        page.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&page));
        page.generate();
        QTRY_VERIFY_WITH_TIMEOUT(!page.shownPassword().isEmpty(), 20000);
        auto* table = page.findChild<QTableWidget*>();
        QVERIFY(table);
        QCOMPARE(table->rowCount(), 1);
        const auto trail = context.auditTrail().entries();
        QVERIFY(trail.ok() && !trail->isEmpty());
        QCOMPARE(table->item(0, 3)->text(), trail->constLast().requestedBy);
        table->setFocus();
        QVERIFY(table->hasFocus());
        QTest::keyClick(table, Qt::Key_Tab);
        QVERIFY2(!table->hasFocus(), "Tab stayed inside the session table");
    }

    void serversPageTestsTheConnection() {
        ui::ConsoleContext context(inventoryWithLab(), m_dir.filePath(QStringLiteral("audit4.jsonl")));
        ui::ServersPage page(&context);
        page.testConnection();
        auto* result = page.findChild<QLabel*>(QStringLiteral("resultCard"));
        QVERIFY(result);
        QTRY_VERIFY_WITH_TIMEOUT(result->text().contains(QStringLiteral("Admin page")), 20000);
        QVERIFY2(result->text().contains(QStringLiteral("✔ GetCACaps")), qPrintable(result->text()));
        QVERIFY(result->text().contains(QStringLiteral("ra-encryption")));
        // This lab's admin page is anonymous: reported as a risk.
        QVERIFY(result->text().contains(QStringLiteral("without authentication")));
    }

    void noServerYet() {
        ui::ConsoleContext context(m_dir.filePath(QStringLiteral("empty.json")),
                                   m_dir.filePath(QStringLiteral("audit3.jsonl")));
        ui::ChallengePage page(&context, false);
        QVERIFY(page.errorText().contains(QStringLiteral("Servers page")));
    }
};

QTEST_MAIN(TestChallengePage)
#include "TestChallengePage.moc"
