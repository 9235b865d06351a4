// SPDX-License-Identifier: Apache-2.0
// Help had only About (issue 15, item 15): F1 opens the user guide at the section of the page in front, and the
// guide has a section for every page; the navigation icons are one set, drawn for the dark bar; file dialogs keep
// the normal palette (the navigation's dark style sheet was matched by QFileDialog's own "sidebar").
#include "ConsoleContext.h"
#include "MainWindow.h"
#include "UserGuide.h"

#include <QApplication>
#include <QFileDialog>
#include <QListView>
#include <QListWidget>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTextBrowser>
#include <QtTest>

using namespace ndes;

class TestUserGuide : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void everyPageHasItsSection() {
        const QString md = ui::UserGuide::markdown();
        QVERIFY2(md.size() > 1000, "the guide is not built in");
        for (const char* section :
             {"Overview", "Servers", "Challenge passwords", "Enrollment test", "Events", "Setup wizard", "Keyboard"})
            QVERIFY2(md.contains(QStringLiteral("\n## %1\n").arg(QLatin1String(section))), section);
    }

    void f1OpensThePagesSection() {
        QTemporaryDir dir;
        ui::ConsoleContext context(dir.filePath(QStringLiteral("inventory.json")),
                                   dir.filePath(QStringLiteral("audit.jsonl")));
        ui::MainWindow window(&context, false);
        window.resize(1180, 700);
        window.show();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        const struct {
            ui::MainWindow::Page page;
            const char* section;
        } pages[] = {{ui::MainWindow::Page::Servers, "Servers"},
                     {ui::MainWindow::Page::EnrollmentTest, "Enrollment test"},
                     {ui::MainWindow::Page::Events, "Events"},
                     {ui::MainWindow::Page::Audit, "Audit"}};
        // Help → User guide, on F1 (the key itself was driven with xdotool under Xvfb: offscreen, menu shortcuts
        // are not matched).
        QAction* help = nullptr;
        for (QAction* a : window.findChildren<QAction*>())
            if (a->shortcut() == QKeySequence(Qt::Key_F1))
                help = a;
        QVERIFY(help);
        for (const auto& p : pages) {
            window.showPage(p.page);
            help->trigger();
            ui::UserGuide* guide = nullptr;
            QTRY_VERIFY((guide = window.findChild<ui::UserGuide*>()) && guide->isVisible());
            // The page's section on screen, and not just the top of the guide: the first section is scrolled away.
            QTRY_VERIFY2(guide->showsSection(QString::fromLatin1(p.section)) &&
                             !guide->showsSection(QStringLiteral("Overview")),
                         p.section);
            guide->close();
            QTRY_VERIFY(!window.findChild<ui::UserGuide*>()); // deleted on close
        }
    }

    void oneIconSetAndPlainFileDialogs() {
        QTemporaryDir dir;
        ui::ConsoleContext context(dir.filePath(QStringLiteral("inventory.json")),
                                   dir.filePath(QStringLiteral("audit.jsonl")));
        qApp->setStyleSheet(ui::MainWindow::styleSheet());
        ui::MainWindow window(&context, false);
        auto* nav = window.findChild<QListWidget*>(QStringLiteral("pageNavigation"));
        QVERIFY(nav);
        QCOMPARE(nav->count(), 6);
        for (int i = 0; i < nav->count(); ++i) {
            const QIcon icon = nav->item(i)->icon();
            QVERIFY2(!icon.isNull() && !icon.pixmap(20, 20).isNull(), qPrintable(nav->item(i)->text()));
        }
        // A non-native file dialog's sidebar is not painted in the navigation's dark blue.
        QFileDialog dialog;
        dialog.setOption(QFileDialog::DontUseNativeDialog);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        auto* sidebar = dialog.findChild<QListView*>(QStringLiteral("sidebar"));
        QVERIFY(sidebar);
        const QImage shot = sidebar->grab().toImage();
        QVERIFY(!shot.isNull());
        const QColor c = shot.pixelColor(shot.width() / 2, shot.height() - 3);
        QVERIFY2(c != QColor(0x1f, 0x2a, 0x36), qPrintable(c.name()));
        qApp->setStyleSheet(QString());
    }
};

QTEST_MAIN(TestUserGuide)
#include "TestUserGuide.moc"
