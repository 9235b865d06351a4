// SPDX-License-Identifier: Apache-2.0
// ndes-console: the desktop console.
#include "AppIdentity.h"
#include "AuditPage.h"
#include "ChallengePage.h"
#include "ConsoleContext.h"
#include "EnrollmentTestPage.h"
#include "EventsModel.h"
#include "EventsPage.h"
#include "MainWindow.h"
#include "OverviewPage.h"
#include "PluralTranslator.h"
#include "SetupWizard.h"
#include "inventory/AppFiles.h"
#include "inventory/ConsolePolicy.h"
#include "util/Access.h"
#include "util/AtomicFile.h"
#include "util/ProcessMemory.h"

#include <QApplication>
#include <QBuffer>
#include <QCommandLineParser>
#include <QDateTime>
#include <QElapsedTimer>
#include <QScreen>
#include <QSettings>
#include <QStatusBar>
#include <QTableView>
#include <QTimer>

#include <cstdio>
#include <sys/resource.h>

using namespace ndes;

namespace {

// The console's command line. Built before any window: --help and --version are answered without a display.
struct ConsoleOptions {
    QCommandLineOption helpdesk{QStringLiteral("helpdesk"),
                                QStringLiteral("A small window with only what helpdesk staff need.")};
    QCommandLineOption auditor{QStringLiteral("auditor"),
                               QStringLiteral("Read-only: nothing that writes or spends is available (no challenge "
                                              "passwords, enrollments, saves or keychain writes).")};
    QCommandLineOption openAudit{QStringLiteral("open-audit"),
                                 QStringLiteral("Audit page: open a snapshot (zip or folder) and audit it."),
                                 QStringLiteral("PATH")};
    QCommandLineOption selectFinding{QStringLiteral("select-finding"),
                                     QStringLiteral("Audit page: select the finding with this check id (screenshots)."),
                                     QStringLiteral("ID")};
    QCommandLineOption inventoryPath{QStringLiteral("inventory"),
                                     QStringLiteral("Server list to use (default: the one in your config folder)."),
                                     QStringLiteral("FILE")};
    QCommandLineOption auditPath{QStringLiteral("audit-trail"),
                                 QStringLiteral("Challenge password audit trail (default: in your data folder)."),
                                 QStringLiteral("FILE")};
    QCommandLineOption page{QStringLiteral("page"),
                            QStringLiteral("Page to open: overview, servers, challenge, test, events, audit."),
                            QStringLiteral("PAGE")};
    QCommandLineOption generate{QStringLiteral("generate"),
                                QStringLiteral("Press Generate once the window is up (demos, screenshots).")};
    QCommandLineOption screenshot{QStringLiteral("screenshot"),
                                  QStringLiteral("Render the window to a PNG file and quit (docs)."),
                                  QStringLiteral("FILE")};
    QCommandLineOption runTest{QStringLiteral("run-test"),
                               QStringLiteral("Run the enrollment test against the named server once the window is up "
                                              "(demos, screenshots)."),
                               QStringLiteral("SERVER")};
    QCommandLineOption listen{QStringLiteral("listen"),
                              QStringLiteral("Events page: listen at once, e.g. syslog://127.0.0.1:5514."),
                              QStringLiteral("URL")};
    QCommandLineOption openEvents{QStringLiteral("open-events"),
                                  QStringLiteral("Events page: open an .evtx or Event XML file."),
                                  QStringLiteral("FILE")};
    QCommandLineOption waitEvents{QStringLiteral("wait-events"),
                                  QStringLiteral("With --screenshot: wait until N events are shown (30 s at most)."),
                                  QStringLiteral("N")};
    QCommandLineOption selectEvent{QStringLiteral("select-event"),
                                   QStringLiteral("Events page: select the first event with this ID (screenshots)."),
                                   QStringLiteral("ID")};
    QCommandLineOption wizardOpt{
        QStringLiteral("setup-wizard"),
        QStringLiteral("Open the setup wizard (with --plan and --wizard-page for screenshots).")};
    QCommandLineOption planOpt{QStringLiteral("plan"), QStringLiteral("Setup wizard: start from this plan."),
                               QStringLiteral("FILE")};
    QCommandLineOption wizardPage{QStringLiteral("wizard-page"), QStringLiteral("Setup wizard: open at page N (0-6)."),
                                  QStringLiteral("N")};
    QCommandLineParser p;

    ConsoleOptions() {
        p.setApplicationDescription(
            QStringLiteral("NDES Console: challenge passwords, servers and certificates for Microsoft NDES."));
        p.addHelpOption();
        p.addVersionOption();
        p.addOptions({helpdesk, auditor, openAudit, selectFinding, inventoryPath, auditPath, page, generate, screenshot,
                      runTest, listen, openEvents, waitEvents, selectEvent, wizardOpt, planOpt, wizardPage});
    }
};

// Whether the command line asks only for help or the version (QApplication aborts without a display; these need none).
bool asksHelpOrVersion(int argc, char* argv[]) {
    for (int i = 1; i < argc; ++i) {
        const QByteArray a(argv[i]);
        if (a == "-h" || a == "--help" || a == "-?" || a == "--help-all" || a == "-v" || a == "--version")
            return true;
    }
    return false;
}

void setNames() {
    inventory::setApplicationNames(); // settings and files under ndes-console/, shared with ndesctl
    QCoreApplication::setApplicationVersion(QStringLiteral(NDES_VERSION));
}

} // namespace

int main(int argc, char* argv[]) {
    // No core dumps, no ptrace by other processes of the user: challenge and account passwords live in this process.
    hardenProcessOrWarn("ndes-console");

    if (asksHelpOrVersion(argc, argv)) {
        QCoreApplication core(argc, argv);
        setNames();
        ConsoleOptions o;
        o.p.process(core); // prints the help or the version and exits
        return 0;
    }
    QApplication app(argc, argv);
    setNames();
    QApplication::setApplicationDisplayName(QStringLiteral("NDES Console"));
    QApplication::setStyle(QStringLiteral("Fusion"));
    ndes::ui::PluralTranslator plurals; // "1 server", "3 servers" instead of "server(s)"
    QApplication::installTranslator(&plurals);
    QApplication::setWindowIcon(ndes::ui::applicationIcon());
    QGuiApplication::setDesktopFileName(QLatin1String(ndes::ui::applicationId)); // Wayland finds the icon by it

    ConsoleOptions o;
    QCommandLineParser& p = o.p;
    p.process(app);

    QElapsedTimer startup;
    startup.start();
    // Auditor mode before anything else: the command line, the user's setting, or the administrator's policy file
    // (which nothing here can undo).
    const inventory::StartupAccess access = inventory::resolveStartupAccess(
        p.isSet(o.auditor), QSettings().value(QStringLiteral("ui/auditorMode")).toBool());
    if (access.readOnly)
        Access::enterReadOnly(access.reason, access.byPolicy);
    if (!access.warning.isEmpty())
        std::fprintf(stderr, "ndes-console: %s\n", access.warning.toLocal8Bit().constData());
    inventory::LegacyMove legacyMove;
    if (!Access::readOnly()) { // auditor mode moves no file
        QSettings settings;
        legacyMove = inventory::moveLegacyFiles(settings);
    }
    if (!legacyMove.isEmpty()) {
        for (const QString& line : legacyMove.moved + legacyMove.kept + legacyMove.errors)
            std::fprintf(stderr, "ndes-console: %s\n", line.toLocal8Bit().constData());
    }
    // The helpdesk window is the challenge password page alone, which auditor mode does not offer.
    const bool helpdeskMode =
        !Access::readOnly() && (p.isSet(o.helpdesk) || QSettings().value(QStringLiteral("ui/helpdeskMode")).toBool());
    ui::ConsoleContext context(
        p.isSet(o.inventoryPath) ? p.value(o.inventoryPath) : inventory::Inventory::defaultPath(),
        p.isSet(o.auditPath) ? p.value(o.auditPath) : service::ChallengeAuditTrail::defaultPath());
    app.setStyleSheet(ui::MainWindow::styleSheet());
    if (p.isSet(o.wizardOpt)) {
        ui::SetupWizard wizard;
        if (p.isSet(o.planOpt)) {
            QString error;
            if (!wizard.openPlan(p.value(o.planOpt), &error)) {
                std::fprintf(stderr, "ndes-console: %s\n", error.toLocal8Bit().constData());
                return 2;
            }
        }
        wizard.show();
        const int target = p.value(o.wizardPage).toInt();
        for (int i = 0; i < target && wizard.currentPage() && !wizard.currentPageHasErrors(); ++i)
            wizard.next();
        if (p.isSet(o.screenshot)) {
            QTimer::singleShot(600, [&] {
                const bool ok = wizard.grab().save(p.value(o.screenshot), "PNG");
                std::fprintf(stderr, "%s %s\n", ok ? "saved" : "could not save",
                             p.value(o.screenshot).toLocal8Bit().constData());
                QApplication::exit(ok ? 0 : 1);
            });
        }
        return QApplication::exec();
    }
    ui::MainWindow window(&context, helpdeskMode);
    if (!legacyMove.isEmpty())
        window.statusBar()->showMessage(legacyMove.summary()); // stays until the next message
    if (p.isSet(o.page)) {
        const QString name = p.value(o.page);
        window.showPage(name == QLatin1String("overview")  ? ui::MainWindow::Page::Overview
                        : name == QLatin1String("servers") ? ui::MainWindow::Page::Servers
                        : name == QLatin1String("test")    ? ui::MainWindow::Page::EnrollmentTest
                        : name == QLatin1String("events")  ? ui::MainWindow::Page::Events
                        : name == QLatin1String("audit")   ? ui::MainWindow::Page::Audit
                                                           : ui::MainWindow::Page::ChallengePasswords);
    } else if (p.isSet(o.openEvents) || p.isSet(o.listen)) {
        window.showPage(ui::MainWindow::Page::Events); // where the files or the live events show
    } else if (p.isSet(o.openAudit)) {
        window.showPage(ui::MainWindow::Page::Audit);
    }
    if (!access.warning.isEmpty())
        window.statusBar()->showMessage(access.warning);
    window.show();
    if (window.eventsPage() && p.isSet(o.listen)) {
        auto spec = events::ListenerSpec::parse(p.value(o.listen));
        const Status st = spec ? window.eventsPage()->startListening(*spec) : Status(spec.error());
        if (!st)
            std::fprintf(stderr, "ndes-console: %s\n", st.error().message.toLocal8Bit().constData());
        else
            std::fprintf(stderr, "listening %s\n", window.eventsPage()->listenerUrl().toLocal8Bit().constData());
    }
    if (window.eventsPage() && p.isSet(o.openEvents))
        window.eventsPage()->openFiles({p.value(o.openEvents)});
    bool auditSelected = false;
    if (window.auditPage() && p.isSet(o.openAudit)) {
        if (p.isSet(o.selectFinding))
            QObject::connect(window.auditPage(), &ui::AuditPage::auditFinished, &window, [&] {
                auditSelected = true;
                window.auditPage()->selectFinding(p.value(o.selectFinding));
            });
        window.auditPage()->openSource(p.value(o.openAudit));
    }
    if (qEnvironmentVariableIsSet("NDES_CONSOLE_REPORT_STARTUP")) // for bench/console-bench.sh
        QTimer::singleShot(0, [&] {
            std::fprintf(stderr, "first window after %lld ms; first window shown at %lld\n", startup.elapsed(),
                         QDateTime::currentMSecsSinceEpoch());
        });
    if (p.isSet(o.generate))
        QTimer::singleShot(200, window.challengePage(), &ui::ChallengePage::generate);
    if (p.isSet(o.runTest) && window.enrollmentTestPage()) {
        if (!p.value(o.runTest).isEmpty())
            window.enrollmentTestPage()->selectServer(p.value(o.runTest));
        QTimer::singleShot(200, window.enrollmentTestPage(), &ui::EnrollmentTestPage::run);
    }
    if (p.isSet(o.screenshot)) {
        const QString file = p.value(o.screenshot);
        // Wait for the answer when Generate was pressed, then grab the window.
        auto* poll = new QTimer(&app);
        QElapsedTimer waited;
        waited.start();
        QObject::connect(poll, &QTimer::timeout, [&, poll, file] {
            const ui::OverviewPage* overview = window.overviewPage();
            const bool overviewBusy =
                overview && (overview->isRefreshing() ||
                             (overview->reports().isEmpty() && !context.inventory().servers().isEmpty()));
            const bool testBusy =
                p.isSet(o.runTest) && window.enrollmentTestPage() &&
                (window.enrollmentTestPage()->isRunning() || !window.enrollmentTestPage()->lastReport().has_value());
            ui::EventsPage* eventsPage = window.eventsPage();
            const bool eventsBusy =
                eventsPage &&
                ((p.isSet(o.openEvents) && eventsPage->isLoading()) ||
                 (p.isSet(o.waitEvents) && eventsPage->model()->rowCount() < p.value(o.waitEvents).toInt()));
            if (eventsBusy && waited.elapsed() < 30000)
                return;
            const bool auditBusy = p.isSet(o.openAudit) && window.auditPage() &&
                                   (window.auditPage()->isRunning() || (p.isSet(o.selectFinding) && !auditSelected));
            if (auditBusy && waited.elapsed() < 60000)
                return;
            if (eventsPage && p.isSet(o.selectEvent) && !eventsPage->table()->currentIndex().isValid())
                eventsPage->selectFirstEvent(p.value(o.selectEvent).toInt());
            if ((p.isSet(o.generate) && window.challengePage()->busy() && waited.elapsed() < 20000) ||
                (testBusy && waited.elapsed() < 30000) || (overviewBusy && waited.elapsed() < 30000) ||
                waited.elapsed() < 800)
                return;
            poll->stop();
            // A screenshot that shows a live challenge password is as secret as the password: owner-only.
            const bool secret = window.challengePage() && !window.challengePage()->shownPassword().isEmpty();
            QByteArray png;
            QBuffer buffer(&png);
            const bool ok =
                buffer.open(QIODevice::WriteOnly) && window.grab().save(&buffer, "PNG") &&
                AtomicFile::write(file, png, secret ? AtomicFile::Access::OwnerOnly : AtomicFile::Access::WorldReadable)
                    .ok();
            std::fprintf(stderr, "%s %s\n", ok ? "saved" : "could not save", file.toLocal8Bit().constData());
            QApplication::exit(ok ? 0 : 1);
        });
        poll->start(100);
    }
    return QApplication::exec();
}
