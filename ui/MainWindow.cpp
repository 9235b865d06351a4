// SPDX-License-Identifier: Apache-2.0
#include "MainWindow.h"

#include "AuditPage.h"
#include "AuditTrailDialog.h"
#include "ChallengePage.h"
#include "ConsoleContext.h"
#include "EnrollmentTestPage.h"
#include "EventsPage.h"
#include "OverviewPage.h"
#include "ReadOnlyGuard.h"
#include "ServersPage.h"
#include "SetupWizard.h"
#include "UserGuide.h"
#include "util/Access.h"

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QSaveFile>
#include <QScreen>
#include <QSettings>
#include <QShortcut>
#include <QStackedWidget>
#include <QStatusBar>
#include <QStyle>
#include <QSystemTrayIcon>
#include <QTimer>
#include <QVBoxLayout>

namespace ndes::ui {

MainWindow::MainWindow(ConsoleContext* context, bool helpdesk, QWidget* parent)
    : QMainWindow(parent)
    , m_context(context)
    , m_helpdesk(helpdesk) {
    setWindowTitle(Access::readOnly() ? tr("NDES Console — Auditor (read-only)")
                   : helpdesk         ? tr("NDES Console — Helpdesk")
                                      : tr("NDES Console"));
    if (helpdesk) {
        m_challenge = new ChallengePage(context, true, this);
        m_challenge->setObjectName(QStringLiteral("helpdesk"));
        setCentralWidget(m_challenge);
        resize(560, 430);
        connect(m_challenge, &ChallengePage::statusMessage, this, &MainWindow::showStatus);
        statusBar()->showMessage(tr("Ready"));
        // No menus here; F1 still opens the guide at the helpdesk's part.
        connect(new QShortcut(QKeySequence::HelpContents, this), &QShortcut::activated, this,
                &MainWindow::openUserGuide);
        return;
    }
    auto* central = new QWidget(this);
    auto* layout = new QHBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    m_nav = new QListWidget(central);
    m_nav->setObjectName(QStringLiteral("pageNavigation")); // not "sidebar": QFileDialog names its own so
    m_nav->setFixedWidth(232);
    m_nav->setAccessibleName(tr("Pages"));
    m_nav->setIconSize(QSize(20, 20));
    m_nav->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    // One line-icon set, drawn for the dark navigation (resources/icons/nav).
    const auto navIcon = [](const char* name) {
        return QIcon(QStringLiteral(":/icons/nav/%1.svg").arg(QLatin1String(name)));
    };
    m_nav->addItem(new QListWidgetItem(navIcon("overview"), tr("Overview")));
    m_nav->addItem(new QListWidgetItem(navIcon("servers"), tr("Servers")));
    m_nav->addItem(new QListWidgetItem(navIcon("challenge"), tr("Challenge passwords")));
    m_nav->addItem(new QListWidgetItem(navIcon("test"), tr("Enrollment test")));
    m_nav->addItem(new QListWidgetItem(navIcon("events"), tr("Events")));
    m_nav->addItem(new QListWidgetItem(navIcon("audit"), tr("Audit")));
    m_stack = new QStackedWidget(central);
    m_overview = new OverviewPage(context, m_stack);
    m_stack->addWidget(m_overview);
    m_servers = new ServersPage(context, m_stack);
    m_stack->addWidget(m_servers);
    m_challenge = new ChallengePage(context, false, m_stack);
    m_stack->addWidget(m_challenge);
    m_enrollmentTest = new EnrollmentTestPage(context, m_stack);
    m_stack->addWidget(m_enrollmentTest);
    m_events = new EventsPage(m_stack);
    m_stack->addWidget(m_events);
    m_audit = new AuditPage(context, m_stack);
    m_stack->addWidget(m_audit);
    layout->addWidget(m_nav);
    layout->addWidget(m_stack, 1);
    setCentralWidget(central);
    connect(m_nav, &QListWidget::currentRowChanged, m_stack, &QStackedWidget::setCurrentIndex);
    connect(m_servers, &ServersPage::statusMessage, this, &MainWindow::showStatus);
    connect(m_challenge, &ChallengePage::statusMessage, this, &MainWindow::showStatus);
    connect(m_overview, &OverviewPage::statusMessage, this, &MainWindow::showStatus);
    connect(m_enrollmentTest, &EnrollmentTestPage::statusMessage, this, &MainWindow::showStatus);
    connect(m_events, &EventsPage::statusMessage, this, &MainWindow::showStatus);
    connect(m_audit, &AuditPage::statusMessage, this, &MainWindow::showStatus);
    if (Access::readOnly()) {
        auto* badge = new QLabel(tr("Auditor (read-only)"), this);
        badge->setObjectName(QStringLiteral("auditorBadge"));
        badge->setToolTip(tr("Nothing that writes or spends is available: %1").arg(Access::readOnlyReason()));
        statusBar()->addPermanentWidget(badge);
    }
    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        // Threshold crossings and servers getting worse reach the admin even when the window is hidden.
        auto* tray = new QSystemTrayIcon(style()->standardIcon(QStyle::SP_ComputerIcon), this);
        tray->setToolTip(tr("NDES Console"));
        connect(tray, &QSystemTrayIcon::activated, this, [this] {
            showNormal();
            raise();
            activateWindow();
            showPage(Page::Overview);
        });
        tray->show();
        m_overview->setTrayIcon(tray);
        connect(m_events, &EventsPage::notify, tray, [tray](const QString& title, const QString& text) {
            tray->showMessage(title, text, QSystemTrayIcon::Warning, 15000);
        });
    }
    buildMenus();
    // 1180×760 where there is room; on a 1280×720 or 1366×768 laptop, the screen's free area.
    QSize size(1180, 760);
    if (const QScreen* screen = QGuiApplication::primaryScreen())
        size = size.boundedTo(screen->availableSize() - QSize(24, 48)); // the frame and title bar
    resize(size.expandedTo(minimumSizeHint()));
    showPage(m_context->inventory().servers().isEmpty() ? Page::Servers : Page::Overview);
    if (!m_context->inventory().servers().isEmpty())
        QTimer::singleShot(0, m_overview, &OverviewPage::refresh); // the dashboard fills as servers answer
    const auto serverCount = int(m_context->inventory().servers().size());
    const QString where = QDir::toNativeSeparators(m_context->inventoryPath());
    statusBar()->showMessage(!m_context->loadError().isEmpty() ? m_context->loadError()
                             : serverCount == 0
                                 ? tr("No server yet: press Add… to add one. The list is kept in %1.").arg(where)
                                 : tr("%n server(s) in %1", nullptr, serverCount).arg(where));
}

void MainWindow::showStatus(const QString& text) {
    statusBar()->showMessage(text, 10000);
}

void MainWindow::showPage(Page page) {
    if (m_nav)
        m_nav->setCurrentRow(static_cast<int>(page));
}

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&New server…"), QKeySequence::New, this, [this] {
        showPage(Page::Servers);
        m_servers->addServer();
    });
    file->addSeparator();
    file->addAction(tr("&Import server list…"), this, &MainWindow::importInventory);
    file->addAction(tr("&Export server list…"), this, &MainWindow::exportInventory);
    file->addSeparator();
    file->addAction(tr("Open event &logs…"), this, [this] {
        showPage(Page::Events);
        const QStringList paths = QFileDialog::getOpenFileNames(this, tr("Open event logs"), QString(),
                                                                tr("Event logs (*.evtx *.xml);;All files (*)"));
        if (!paths.isEmpty())
            m_events->openFiles(paths);
    });
    file->addAction(tr("Open audit &snapshot…"), QKeySequence(QStringLiteral("Ctrl+Shift+O")), this, [this] {
        showPage(Page::Audit);
        m_audit->chooseZip();
    });
    file->addAction(tr("Open audit &folder…"), this, [this] {
        showPage(Page::Audit);
        m_audit->chooseFolder();
    });
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, qApp, &QApplication::quit);
    QMenu* go = menuBar()->addMenu(tr("&View"));
    go->addAction(tr("&Overview"), QKeySequence(QStringLiteral("Ctrl+1")), this, [this] { showPage(Page::Overview); });
    go->addAction(tr("&Servers"), QKeySequence(QStringLiteral("Ctrl+2")), this, [this] { showPage(Page::Servers); });
    go->addAction(tr("&Challenge passwords"), QKeySequence(QStringLiteral("Ctrl+3")), this,
                  [this] { showPage(Page::ChallengePasswords); });
    go->addAction(tr("&Enrollment test"), QKeySequence(QStringLiteral("Ctrl+4")), this,
                  [this] { showPage(Page::EnrollmentTest); });
    go->addAction(tr("E&vents"), QKeySequence(QStringLiteral("Ctrl+5")), this, [this] { showPage(Page::Events); });
    go->addAction(tr("&Audit"), QKeySequence(QStringLiteral("Ctrl+6")), this, [this] { showPage(Page::Audit); });
    QMenu* tools = menuBar()->addMenu(tr("&Tools"));
    tools->addAction(tr("NDES &setup wizard…"), QKeySequence(QStringLiteral("Ctrl+Shift+W")), this, [this] {
        SetupWizard wizard(this);
        wizard.exec();
    });
    tools->addAction(tr("Challenge password &audit trail…"), this, [this] {
        AuditTrailDialog dialog(&m_context->auditTrail(), this);
        dialog.exec();
    });
    QAction* helpdeskAction = tools->addAction(tr("Start in &helpdesk mode"));
    helpdeskAction->setCheckable(true);
    helpdeskAction->setChecked(QSettings().value(QStringLiteral("ui/helpdeskMode")).toBool());
    helpdeskAction->setToolTip(tr("Next time, open the small helpdesk window (ndes-console --helpdesk does it once)"));
    connect(helpdeskAction, &QAction::toggled, this, [this](bool on) {
        QSettings().setValue(QStringLiteral("ui/helpdeskMode"), on);
        showStatus(on ? tr("The console will start in helpdesk mode next time.")
                      : tr("The console will start with all pages next time."));
    });
    QAction* auditorAction = tools->addAction(tr("Start in a&uditor mode"));
    auditorAction->setCheckable(true);
    auditorAction->setChecked(Access::byPolicy() || QSettings().value(QStringLiteral("ui/auditorMode")).toBool());
    auditorAction->setToolTip(tr("Next time, start read-only: nothing that writes or spends is offered "
                                 "(ndes-console --auditor does it once)"));
    auditorAction->setEnabled(!Access::byPolicy()); // the administrator's policy is not the user's to change
    connect(auditorAction, &QAction::toggled, this, [this](bool on) {
        QSettings().setValue(QStringLiteral("ui/auditorMode"), on);
        showStatus(on ? tr("The console will start in auditor (read-only) mode next time.")
                      : tr("The console will start with everything available next time (unless the system policy "
                           "says otherwise)."));
    });
    if (Access::readOnly())
        helpdeskAction->setEnabled(false);
    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&User guide"), QKeySequence::HelpContents, this, [this] { openUserGuide(); });
    help->addAction(tr("&About NDES Console"), this, &MainWindow::about);
}

void MainWindow::importInventory() {
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Import server list"), QString(), tr("Server lists (*.json)"));
    if (path.isEmpty())
        return;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        QMessageBox::warning(this, tr("Import failed"), tr("Cannot read %1: %2").arg(path, f.errorString()));
        return;
    }
    auto imported = inventory::Inventory::importJson(f.readAll());
    if (!imported) {
        QMessageBox::warning(this, tr("Import failed"), imported.error().message);
        return;
    }
    int added = 0;
    QStringList skipped;
    for (auto p : imported->servers()) {
        p.id.clear(); // imported servers are new here; passwords are never part of a list
        if (m_context->saveProfile(p))
            ++added;
        else
            skipped << p.name;
    }
    statusBar()->showMessage(
        tr("Imported %1 server(s)%2.")
            .arg(added)
            .arg(skipped.isEmpty() ? QString() : tr("; skipped %1").arg(skipped.join(QStringLiteral(", ")))),
        10000);
}

void MainWindow::exportInventory() {
    const QString path = QFileDialog::getSaveFileName(this, tr("Export server list"),
                                                      QStringLiteral("ndes-servers.json"), tr("Server lists (*.json)"));
    if (path.isEmpty())
        return;
    QSaveFile f(path);
    const QByteArray json = m_context->inventory().exportJson();
    if (!f.open(QIODevice::WriteOnly) || f.write(json) != json.size() || !f.commit()) {
        QMessageBox::warning(this, tr("Export failed"), tr("Cannot write %1: %2").arg(path, f.errorString()));
        return;
    }
    statusBar()->showMessage(
        tr("Exported %n server(s) to %1 (without passwords).", nullptr, int(m_context->inventory().servers().size()))
            .arg(path),
        10000);
}

QString MainWindow::guideSection() const {
    if (m_helpdesk)
        return QStringLiteral("Challenge passwords");
    // The guide's headings are the pages' names (docs/user-guide.md).
    switch (m_stack ? m_stack->currentIndex() : 0) {
    case 1:
        return QStringLiteral("Servers");
    case 2:
        return QStringLiteral("Challenge passwords");
    case 3:
        return QStringLiteral("Enrollment test");
    case 4:
        return QStringLiteral("Events");
    case 5:
        return QStringLiteral("Audit");
    default:
        return QStringLiteral("Overview");
    }
}

void MainWindow::openUserGuide() {
    auto* guide = new UserGuide(guideSection(), this);
    guide->setAttribute(Qt::WA_DeleteOnClose);
    guide->show();
}

void MainWindow::about() {
    QMessageBox::about(this, tr("About NDES Console"),
                       tr("<h3>NDES Console %1</h3><p>For the people who run Microsoft NDES: server health and "
                          "certificate expiry, challenge passwords, enrollment tests, the event log explained and "
                          "a setup wizard, in one place.</p><p>Apache-2.0. Built with Qt %2 and OpenSSL.</p>")
                           .arg(QStringLiteral(NDES_VERSION), QString::fromLatin1(qVersion())));
}

QString MainWindow::styleSheet() {
    return QStringLiteral(R"(
QWidget { font-size: 10pt; }
#pageNavigation { background: #1f2a36; color: #dfe6ee; border: none; padding-top: 12px; font-size: 11pt; }
#pageNavigation::item { padding: 10px 14px; }
#pageNavigation::item:selected { background: #2f6fad; color: white; }
#pageTitle { font-size: 18pt; font-weight: 600; color: #1f2a36; }
#pageIntro { color: #4a5866; }
#auditorBadge { background: #fff4e0; color: #6b4500; border: 1px solid #f0cf8f; border-radius: 4px; padding: 1px 8px; font-weight: 600; }
#sectionTitle { font-size: 12pt; font-weight: 600; color: #1f2a36; margin-top: 8px; }
#summaryLine { font-size: 11pt; }
QTableView#serverHealth, QTableView#certificates { gridline-color: #e1e6eb; selection-background-color: #2f6fad; }
#primaryButton { background: #2f6fad; color: white; border: none; border-radius: 6px; font-size: 12pt; font-weight: 600; padding: 8px 18px; }
#primaryButton:hover { background: #3b7fc2; }
#primaryButton:disabled { background: #9fb7cf; }
QSplitter::handle { background: #e3e8ed; }
QSplitter::handle:hover { background: #9fb7cf; }
#resultCard { background: #f6f8fa; border: 1px solid #d5dde5; border-radius: 8px; }
#passwordDisplay { color: #13385c; font-family: "DejaVu Sans Mono", monospace; font-size: 30pt; font-weight: bold; letter-spacing: 3px; }
#helpdesk #passwordDisplay { font-size: 24pt; }
#passwordDisplay:disabled { color: #a0a8b0; }
#countdown { font-size: 12pt; font-weight: 600; color: #2b7a3d; }
#countdown[state="soon"] { color: #b26a00; }
#countdown[state="expired"] { color: #b3261e; }
#countdown[state="idle"] { color: #5f6b7a; font-weight: normal; }
#details { color: #4a5866; }
#successBanner { background: #e3f4e6; color: #1d5c2c; border: 1px solid #a9d8b4; border-radius: 6px; padding: 10px; }
#errorBanner { background: #fdecea; color: #7a1c16; border: 1px solid #f3b8b3; border-radius: 6px; padding: 10px; }
#warningBanner { background: #fff4e0; color: #6b4500; border: 1px solid #f0cf8f; border-radius: 6px; padding: 8px; }
)");
}

} // namespace ndes::ui
