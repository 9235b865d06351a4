// SPDX-License-Identifier: Apache-2.0
// Every page fits a 1280×720 laptop screen (the helpdesk window 1024×768), with two servers loaded: the window's
// minimum size allows it, and at that size the controls at the far right and bottom (Export, search, Generate) are
// inside the window, not cut off (walk-through, issue 15 item 5).
#include "ChallengePage.h"
#include "ConsoleContext.h"
#include "EnrollmentTestPage.h"
#include "EventsPage.h"
#include "MainWindow.h"
#include "NdesLabProcess.h"
#include "OverviewPage.h"
#include "ServerDialog.h"
#include "ServersPage.h"
#include "SetupWizard.h"

#include <QAbstractButton>
#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QMap>
#include <QMenuBar>
#include <QRegularExpression>
#include <QScreen>
#include <QTabBar>
#include <QTemporaryDir>
#include <QWizardPage>
#include <QtTest>

using namespace ndes;

namespace {

// Whether `w` lies wholly inside `window`'s visible area.
bool inside(const QWidget* w, const QWidget* window) {
    const QRect r(w->mapTo(window, QPoint(0, 0)), w->size());
    return window->rect().contains(r);
}

QString pageName(ui::MainWindow::Page p) {
    switch (p) {
    case ui::MainWindow::Page::Overview:
        return QStringLiteral("overview");
    case ui::MainWindow::Page::Servers:
        return QStringLiteral("servers");
    case ui::MainWindow::Page::ChallengePasswords:
        return QStringLiteral("challenge");
    case ui::MainWindow::Page::EnrollmentTest:
        return QStringLiteral("test");
    case ui::MainWindow::Page::Events:
        return QStringLiteral("events");
    case ui::MainWindow::Page::Audit:
        return QStringLiteral("audit");
    }
    return {};
}

} // namespace

class TestWindowSizes : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    test::NdesLabProcess m_lab;

    QString inventory() {
        const QString path = m_dir.filePath(QStringLiteral("inventory.json"));
        QFile f(path);
        f.open(QIODevice::WriteOnly);
        // A lab over plain HTTP whose RA expires soon (a warning, the summary names the next RA expiry, the RA
        // trust banner shows), and a server over HTTPS where nothing listens (port 9: refused at once).
        f.write(QStringLiteral("{\"version\":1,\"servers\":["
                               "{\"id\":\"a\",\"name\":\"NDES01 Paris (production, Intune)\",\"scepUrl\":"
                               "\"%1\",\"adminUrl\":\"%2\",\"auth\":\"none\",\"allowHttp\":true},")
                    .arg(m_lab.scepUrl(), m_lab.adminUrl())
                    .toUtf8());
        f.write("{\"id\":\"b\",\"name\":\"NDES02 Frankfurt (network devices)\",\"scepUrl\":"
                "\"https://127.0.0.1:9/certsrv/mscep/mscep.dll\",\"adminUrl\":"
                "\"https://127.0.0.1:9/certsrv/mscep_admin/\",\"auth\":\"none\"}]}");
        return path;
    }

    void checkFits(QWidget* window, const QSize& screen, const QString& what) {
        const QSize min = window->minimumSizeHint().expandedTo(window->minimumSize());
        qInfo("%s: minimum %d×%d", qPrintable(what), min.width(), min.height());
        QVERIFY2(min.width() <= screen.width() && min.height() <= screen.height(),
                 qPrintable(QStringLiteral("%1 needs at least %2×%3, more than a %4×%5 screen")
                                .arg(what)
                                .arg(min.width())
                                .arg(min.height())
                                .arg(screen.width())
                                .arg(screen.height())));
        window->resize(screen);
        QTest::qWait(50);
        QVERIFY2(window->size().width() <= screen.width(),
                 qPrintable(QStringLiteral("%1 stays %2 px wide on a %3 px screen")
                                .arg(what)
                                .arg(window->width())
                                .arg(screen.width())));
        // Every visible button and line edit is inside the window (none pushed off the right or bottom edge).
        for (QWidget* w : window->findChildren<QWidget*>()) {
            if (!w->isVisible() || !(qobject_cast<QAbstractButton*>(w) || qobject_cast<QLineEdit*>(w)))
                continue;
            if (w->parentWidget() && w->parentWidget()->inherits("QAbstractScrollArea"))
                continue; // inside a scroll area: reachable by scrolling
            bool scrolled = false;
            for (QWidget* p = w->parentWidget(); p && p != window; p = p->parentWidget())
                if (p->inherits("QAbstractScrollArea") || p->inherits("QTabBar"))
                    scrolled = true;
            if (scrolled)
                continue;
            QVERIFY2(inside(w, window),
                     qPrintable(QStringLiteral("%1: \"%2\" (%3) is cut off at %4×%5")
                                    .arg(what,
                                         qobject_cast<QAbstractButton*>(w) ? qobject_cast<QAbstractButton*>(w)->text()
                                                                           : w->accessibleName(),
                                         QString::fromLatin1(w->metaObject()->className()))
                                    .arg(screen.width())
                                    .arg(screen.height())));
        }
    }

    // Alt+letter reaches one control: two visible ones with the same letter (or one and a menu) only move the focus,
    // and the key seems to do nothing (Alt+T on the Servers page opened nothing: Tools has it).
    void checkMnemonics(QWidget* window, const QString& what) {
        QMap<QChar, QStringList> owners;
        auto note = [&](const QString& text, const QString& who) {
            const qsizetype amp = text.indexOf(QRegularExpression(QStringLiteral("&[^&]")));
            if (amp >= 0)
                owners[text.at(amp + 1).toLower()] << who + QStringLiteral(" \"") + text + QLatin1Char('"');
        };
        for (QWidget* w : window->findChildren<QWidget*>()) {
            if (!w->isVisibleTo(window))
                continue;
            bool hiddenTab = false; // a control on another tab is not reachable by its mnemonic now
            for (QWidget* p = w->parentWidget(); p && p != window; p = p->parentWidget())
                if (!p->isVisibleTo(window))
                    hiddenTab = true;
            if (hiddenTab)
                continue;
            if (auto* b = qobject_cast<QAbstractButton*>(w))
                note(b->text(), QStringLiteral("button"));
            else if (auto* l = qobject_cast<QLabel*>(w); l && l->buddy())
                note(l->text(), QStringLiteral("label"));
            else if (auto* bar = qobject_cast<QMenuBar*>(w))
                for (QAction* a : bar->actions())
                    note(a->text(), QStringLiteral("menu"));
            else if (auto* tabs = qobject_cast<QTabBar*>(w))
                for (int i = 0; i < tabs->count(); ++i)
                    note(tabs->tabText(i), QStringLiteral("tab"));
        }
        QStringList clashes;
        for (auto it = owners.begin(); it != owners.end(); ++it)
            if (it->size() > 1)
                clashes << QStringLiteral("Alt+%1 is claimed by %2").arg(it.key().toUpper(), it->join(u", "));
        QVERIFY2(clashes.isEmpty(), qPrintable(what + QStringLiteral(": ") + clashes.join(u"; ")));
    }

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QString error;
        QVERIFY2(m_lab.start({QStringLiteral("--ra-days"), QStringLiteral("20")}, &error), qPrintable(error));
    }

    void consolePages_data() {
        QTest::addColumn<int>("page");
        QTest::addColumn<QSize>("screen");
        for (auto p :
             {ui::MainWindow::Page::Overview, ui::MainWindow::Page::Servers, ui::MainWindow::Page::ChallengePasswords,
              ui::MainWindow::Page::EnrollmentTest, ui::MainWindow::Page::Events, ui::MainWindow::Page::Audit})
            for (const QSize s : {QSize(1280, 720), QSize(1366, 768)})
                QTest::newRow(qPrintable(QStringLiteral("%1 %2x%3").arg(pageName(p)).arg(s.width()).arg(s.height())))
                    << int(p) << s;
    }
    void consolePages() {
        QFETCH(int, page);
        QFETCH(QSize, screen);
        ui::ConsoleContext context(inventory(), m_dir.filePath(QStringLiteral("audit.jsonl")));
        ui::MainWindow window(&context, false);
        window.showPage(ui::MainWindow::Page(page));
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        // The states with the most text: probes answered (a warning with the next RA expiry, a refusal), an event log
        // with a long file name open.
        window.eventsPage()->openFiles({qEnvironmentVariable("NDES_TEST_DATA") +
                                        QStringLiteral("/evtx/E_ShadowCopy6_windows_system32_winevt_logs_Microsoft-"
                                                       "Windows-CAPI2-Operational.evtx")});
        QTRY_VERIFY_WITH_TIMEOUT(!window.eventsPage()->isLoading(), 30000);
        QTRY_VERIFY_WITH_TIMEOUT(window.overviewPage()->reports().size() == 2, 30000);
        QTest::qWait(100);
        checkFits(&window, screen, pageName(ui::MainWindow::Page(page)));
        checkMnemonics(&window, pageName(ui::MainWindow::Page(page)));
        if (ui::MainWindow::Page(page) == ui::MainWindow::Page::EnrollmentTest) {
            window.enrollmentTestPage()->showLoadTest();
            checkMnemonics(&window, QStringLiteral("load test"));
        }
    }

    void helpdeskWindow() {
        ui::ConsoleContext context(inventory(), m_dir.filePath(QStringLiteral("audit.jsonl")));
        ui::MainWindow window(&context, true);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        checkFits(&window, QSize(1024, 768), QStringLiteral("helpdesk window"));
        checkMnemonics(&window, QStringLiteral("helpdesk window"));

        // The window keeps the size it has while the helpdesk switches servers and a request fails (it resized
        // itself on every server change).
        window.resize(560, 430);
        QTest::qWait(50);
        const QSize before = window.size();
        auto* server = window.challengePage()->findChild<QComboBox*>();
        QVERIFY(server && server->count() == 2);
        server->setCurrentIndex(0); // the lab: a password, its QR code and details on screen
        window.challengePage()->generate();
        auto* error = window.challengePage()->findChild<QLabel*>(QStringLiteral("errorBanner"));
        QTRY_VERIFY_WITH_TIMEOUT(!window.challengePage()->shownPassword().isEmpty() || error->isVisible(), 20000);
        QVERIFY2(error->isHidden(), qPrintable(error->text()));
        QTest::qWait(50);
        QCOMPARE(window.size(), before);
        for (int round = 0; round < 2; ++round)
            for (int i : {1, 0}) {
                server->setCurrentIndex(i);
                QTest::qWait(50);
                QCOMPARE(window.size(), before);
            }
        server->setCurrentIndex(1); // nothing listens there
        window.challengePage()->generate();
        QTRY_VERIFY_WITH_TIMEOUT(
            window.challengePage()->findChild<QLabel*>(QStringLiteral("errorBanner")) &&
                window.challengePage()->findChild<QLabel*>(QStringLiteral("errorBanner"))->isVisible(),
            20000);
        QTest::qWait(50);
        QCOMPARE(window.size(), before);
    }

    void dialogs() {
        ui::SetupWizard wizard;
        wizard.show();
        // It opens within the screen (it opened 760 px tall, its buttons below a 720 px screen).
        if (const QScreen* s = QGuiApplication::primaryScreen())
            QVERIFY(wizard.height() <= s->availableSize().height() && wizard.width() <= s->availableSize().width());
        QVERIFY(QTest::qWaitForWindowExposed(&wizard));
        for (int id : wizard.pageIds()) {
            wizard.setStartId(id);
            wizard.restart();
            checkFits(&wizard, QSize(1280, 720), QStringLiteral("setup wizard page %1").arg(id));
            checkMnemonics(&wizard, QStringLiteral("setup wizard page %1").arg(id));
        }
        inventory::ServerProfile profile;
        ui::ServerDialog dialog(profile);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        checkFits(&dialog, QSize(1024, 768), QStringLiteral("server dialog"));
        checkMnemonics(&dialog, QStringLiteral("server dialog"));
        ui::ConsoleContext context(inventory(), m_dir.filePath(QStringLiteral("audit.jsonl")));
        ui::ServerDialog withTests(profile, nullptr, &context); // with Test connection and Check sign-in
        withTests.show();
        QVERIFY(QTest::qWaitForWindowExposed(&withTests));
        checkFits(&withTests, QSize(1024, 768), QStringLiteral("server dialog"));
        checkMnemonics(&withTests, QStringLiteral("server dialog"));
    }
};

QTEST_MAIN(TestWindowSizes)
#include "TestWindowSizes.moc"
