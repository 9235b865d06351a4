// SPDX-License-Identifier: Apache-2.0
// Auditor mode in the window: a walk presses every enabled button and triggers every enabled action of every page
// and of every dialog they open (modal dialogs are walked, then closed) and fails when anything reached a write in
// the core (util/Access counts every capability asked for), when the server list file changed, or when a control
// marked as writing is enabled. The same walk outside auditor mode does reach writes, so it is able to fail.
#include "AdApplyDialog.h"
#include "AuditPage.h"
#include "AuditTrailDialog.h"
#include "ChallengePage.h"
#include "ConsoleContext.h"
#include "MainWindow.h"
#include "NdesLabProcess.h"
#include "ServerDialog.h"
#include "SetupWizard.h"
#include "util/Access.h"

#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QDialog>
#include <QFile>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QPointer>
#include <QPushButton>
#include <QSet>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTimer>
#include <QWizard>
#include <QtTest>

using namespace ndes;

namespace {

QByteArray readAll(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// Presses what can be pressed. Modal dialogs that open are walked too (one level deeper), then rejected; popups
// are closed. Quit is never pressed.
class Walker : public QObject {
public:
    int pressed = 0;
    QStringList enabledWriteControls;
    QSet<QString> dialogsSeen;

    void walk(QWidget* root, int depth = 0) {
        if (!root)
            return;
        QList<QObject*> controls;
        for (QAbstractButton* b : root->findChildren<QAbstractButton*>())
            controls << b;
        for (QAction* a : root->findChildren<QAction*>())
            controls << a;
        if (auto* mw = qobject_cast<QMainWindow*>(root))
            for (QMenu* m : mw->menuBar()->findChildren<QMenu*>())
                for (QAction* a : m->actions())
                    controls << a;
        for (QObject* o : controls) {
            if (o->property("ndesWriteControl").toBool()) {
                const bool enabled = qobject_cast<QWidget*>(o) ? qobject_cast<QWidget*>(o)->isEnabled()
                                                               : qobject_cast<QAction*>(o)->isEnabled();
                if (enabled)
                    enabledWriteControls << o->objectName() + QLatin1Char(' ') + o->property("text").toString();
            }
        }
        QList<QPointer<QObject>> guarded; // a press may delete what comes later (a dialog closing)
        for (QObject* o : controls)
            guarded << o;
        for (const QPointer<QObject>& o : guarded) {
            if (!o)
                continue;
            if (auto* b = qobject_cast<QAbstractButton*>(o.data())) {
                if (!b->isEnabled() || !b->isVisibleTo(root) || skip(b->text()))
                    continue;
                press([b] { b->click(); }, depth, b->text());
            } else if (auto* a = qobject_cast<QAction*>(o.data())) {
                if (!a->isEnabled() || a->isSeparator() || a->menu() || skip(a->text()) ||
                    (!a->shortcut().isEmpty() && a->shortcut() == QKeySequence(QKeySequence::Quit)))
                    continue;
                press([a] { a->trigger(); }, depth, a->text());
            }
        }
    }

private:
    static bool skip(const QString& text) {
        const QString t = QString(text).remove(QLatin1Char('&'));
        return t.contains(QStringLiteral("Quit"));
    }

    void press(const std::function<void()>& what, int depth, const QString& text) {
        ++pressed;
        if (qEnvironmentVariableIsSet("NDES_WALK_VERBOSE"))
            qInfo("press %d %s", depth, qPrintable(text));
        // Whatever modal dialog or popup the press opens is walked (once per kind) and closed from a timer, since
        // exec() does not return until then.
        auto* timer = new QTimer;
        timer->setInterval(30);
        QObject::connect(timer, &QTimer::timeout, timer, [this, timer, depth] {
            if (QWidget* popup = QApplication::activePopupWidget()) {
                popup->close();
                return;
            }
            QWidget* modal = QApplication::activeModalWidget();
            if (!modal)
                return;
            timer->stop();
            const QString kind = QString::fromLatin1(modal->metaObject()->className());
            // Our own dialogs are walked; Qt's (file dialogs, message boxes) are only closed: their buttons make
            // folders and answer questions about files, not NDES.
            if (depth < 1 && kind.startsWith(QLatin1String("ndes::ui::")) && !dialogsSeen.contains(kind)) {
                dialogsSeen << kind;
                walk(modal, depth + 1);
            }
            if (auto* d = qobject_cast<QDialog*>(modal))
                d->reject();
            else
                modal->close();
            timer->start();
        });
        timer->start();
        what();
        QTest::qWait(20);
        delete timer;
        // Non-modal windows a press opened (the guide, an evidence viewer, a comparison): walked once, closed.
        QList<QPointer<QWidget>> windows;
        for (QWidget* w : QApplication::topLevelWidgets())
            windows << w;
        for (const QPointer<QWidget>& w : windows)
            if (w && w->isVisible() && qobject_cast<QDialog*>(w.data()) && !w->isModal() && depth < 1) {
                const QString kind = QString::fromLatin1(w->metaObject()->className());
                if (kind.startsWith(QLatin1String("ndes::ui::")) && !dialogsSeen.contains(kind)) {
                    dialogsSeen << kind;
                    walk(w, depth + 1);
                }
                if (w)
                    w->close();
            }
    }
};

} // namespace

class TestAuditorMode : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    test::NdesLabProcess m_lab;

    QString inventoryFile() const { return m_dir.filePath(QStringLiteral("inventory.json")); }

    // A server list with the lab in it, and its password for this session: everything is enabled outside auditor
    // mode, so the walk has something to find.
    void addLab(ui::ConsoleContext& context) {
        if (!context.inventory().servers().isEmpty())
            return;
        inventory::ServerProfile p;
        p.name = QStringLiteral("Lab");
        p.scepUrl = QUrl(m_lab.scepUrl());
        p.adminUrl = QUrl(m_lab.adminUrl());
        p.allowHttp = true;
        p.auth = service::AdminAuth::Ntlm;
        p.user = QStringLiteral("LAB\\helpdesk");
        auto id = context.saveProfile(p);
        QVERIFY(id);
        context.setSessionPassword(*id, SecretBytes(QByteArray("not-a-real-secret")));
    }

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QString error;
        QVERIFY2(m_lab.start({QStringLiteral("--users"), test::writeUsers(m_dir)}, &error), qPrintable(error));
    }

    // The walk can fail: outside auditor mode, pressing the helpdesk's button reaches a write in the core.
    void outsideAuditorModeTheWalkReachesWrites() {
        QVERIFY(!Access::readOnly());
        ui::ConsoleContext context(inventoryFile(), m_dir.filePath(QStringLiteral("trail.jsonl")));
        addLab(context);
        ui::MainWindow window(&context, false);
        window.show();
        window.showPage(ui::MainWindow::Page::ChallengePasswords);
        const int before = Access::granted();
        Walker walker;
        walker.walk(window.challengePage());
        QTRY_VERIFY_WITH_TIMEOUT(Access::granted() > before, 20000);
        QVERIFY(!window.challengePage()->busy() || QTest::qWaitFor([&] { return !window.challengePage()->busy(); }));
    }

    void everyPageAndDialogWritesNothing() {
        Access::enterReadOnly(QStringLiteral("started with --auditor"));
        const QByteArray listBefore = readAll(inventoryFile());
        QVERIFY(!listBefore.isEmpty());
        const int granted = Access::granted();
        const int refused = Access::refused();

        ui::ConsoleContext context(inventoryFile(), m_dir.filePath(QStringLiteral("trail.jsonl")));
        QCOMPARE(context.inventory().servers().size(), 1);
        context.setSessionPassword(context.inventory().servers().first().id,
                                   SecretBytes(QByteArray("not-a-real-secret")));
        ui::MainWindow window(&context, false);
        window.resize(1280, 720);
        window.show();
        QVERIFY(window.windowTitle().contains(QStringLiteral("Auditor (read-only)")));
        bool badge = false;
        for (QLabel* l : window.statusBar()->findChildren<QLabel*>())
            badge = badge || l->text() == QStringLiteral("Auditor (read-only)");
        QVERIFY(badge);

        Walker walker;
        for (auto page :
             {ui::MainWindow::Page::Overview, ui::MainWindow::Page::Servers, ui::MainWindow::Page::ChallengePasswords,
              ui::MainWindow::Page::EnrollmentTest, ui::MainWindow::Page::Events, ui::MainWindow::Page::Audit}) {
            window.showPage(page);
            QTest::qWait(50);
            walker.walk(&window);
        }
        // Dialogs that a page opens only in some states, opened directly.
        {
            ui::ServerDialog dialog(context.inventory().servers().first(), &window, &context);
            dialog.show();
            walker.walk(&dialog);
        }
        {
            ui::SetupWizard wizard(&window);
            wizard.show();
            for (int i = 0; i < 7 && wizard.currentPage(); ++i) {
                walker.walk(&wizard);
                wizard.next();
            }
        }
        {
            ui::AdApplyDialog dialog(setup::SetupPlan(), &window);
            dialog.show();
            walker.walk(&dialog);
        }
        QTest::qWait(200);
        QVERIFY2(walker.pressed > 60, qPrintable(QString::number(walker.pressed)));
        QVERIFY2(walker.enabledWriteControls.isEmpty(),
                 qPrintable(walker.enabledWriteControls.join(QStringLiteral(", "))));
        QVERIFY2(Access::refused() == refused,
                 qPrintable(QStringLiteral("a control reached %1 in auditor mode").arg(Access::lastRefused())));
        QCOMPARE(Access::granted(), granted);
        QCOMPARE(readAll(inventoryFile()), listBefore);
        QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("trail.jsonl"))) ||
                readAll(m_dir.filePath(QStringLiteral("trail.jsonl"))).count('\n') <= 1);
        qInfo("pressed %d controls; dialogs walked: %s", walker.pressed,
              qPrintable(QStringList(walker.dialogsSeen.begin(), walker.dialogsSeen.end()).join(QStringLiteral(", "))));
    }

    // The write controls are there and say why they are off.
    void writeControlsSayWhy() {
        ui::ConsoleContext context(inventoryFile(), m_dir.filePath(QStringLiteral("trail.jsonl")));
        ui::MainWindow window(&context, false);
        QStringList marked;
        for (QWidget* w : window.findChildren<QWidget*>())
            if (w->property("ndesWriteControl").toBool()) {
                QVERIFY(!w->isEnabled());
                QVERIFY(w->toolTip().contains(QStringLiteral("auditor")));
                marked << w->property("text").toString();
            }
        QVERIFY2(marked.size() >= 4,
                 qPrintable(marked.join(QStringLiteral(", ")))); // generate, test, load test, sign-in, RA
        // A page enabling its button later (a server selected, a run finished) does not enable it.
        for (QWidget* w : window.findChildren<QWidget*>())
            if (w->property("ndesWriteControl").toBool()) {
                w->setEnabled(true);
                QVERIFY(!w->isEnabled());
            }
    }
};

QTEST_MAIN(TestAuditorMode)
#include "TestAuditorMode.moc"
