// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QMainWindow>

class QListWidget;
class QStackedWidget;

namespace ndes::ui {

class AuditPage;
class ChallengePage;
class OverviewPage;
class EnrollmentTestPage;
class EventsPage;
class ConsoleContext;
class ServersPage;

// The console: a sidebar of pages (Overview, Servers, Challenge passwords; later pages slot in), menus and a
// status bar. In helpdesk mode it is a small window with the challenge password page alone, compact. In auditor
// mode (util/Access.h) the title and the status bar say so and nothing that writes or spends is offered.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    enum class Page { Overview, Servers, ChallengePasswords, EnrollmentTest, Events, Audit };

    MainWindow(ConsoleContext* context, bool helpdesk, QWidget* parent = nullptr);

    void showPage(Page page);
    [[nodiscard]] ChallengePage* challengePage() const { return m_challenge; }
    [[nodiscard]] ServersPage* serversPage() const { return m_servers; }
    [[nodiscard]] OverviewPage* overviewPage() const { return m_overview; }
    [[nodiscard]] EnrollmentTestPage* enrollmentTestPage() const { return m_enrollmentTest; }
    [[nodiscard]] EventsPage* eventsPage() const { return m_events; }
    [[nodiscard]] AuditPage* auditPage() const { return m_audit; }

    static QString styleSheet();
    // The user guide's section for the page in front (F1 opens it there).
    [[nodiscard]] QString guideSection() const;
    void openUserGuide();

private slots:
    void showStatus(const QString& text);

private:
    void buildMenus();
    void importInventory();
    void exportInventory();
    void about();

    ConsoleContext* m_context;
    bool m_helpdesk;
    QListWidget* m_nav = nullptr;
    QStackedWidget* m_stack = nullptr;
    ChallengePage* m_challenge = nullptr;
    ServersPage* m_servers = nullptr;
    OverviewPage* m_overview = nullptr;
    EnrollmentTestPage* m_enrollmentTest = nullptr;
    EventsPage* m_events = nullptr;
    AuditPage* m_audit = nullptr;
};

} // namespace ndes::ui
