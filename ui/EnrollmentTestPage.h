// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ndes/Diagnosis.h"
#include "ndes/EnrollmentTest.h"

#include <QWidget>
#include <optional>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableWidget;
class QTextBrowser;
class QTabWidget;

namespace ndes::ui {

class ConsoleContext;
class LoadTestPanel;

// "Devices can't enroll": runs a real enrollment against a server as a device does, shows each step as it
// happens with its time, the issued certificate, and on failure the likely causes, most likely first, with how to
// confirm and fix each (copyable). The run can be saved as an HTML report.
class EnrollmentTestPage : public QWidget {
    Q_OBJECT
public:
    explicit EnrollmentTestPage(ConsoleContext* context, QWidget* parent = nullptr);

    void run();
    [[nodiscard]] bool isRunning() const { return m_test != nullptr; }
    [[nodiscard]] const std::optional<service::EnrollmentTestReport>& lastReport() const { return m_report; }
    [[nodiscard]] const QList<service::LikelyCause>& causes() const { return m_causes; }
    bool saveReport(const QString& path, QString* error) const;
    [[nodiscard]] QString fixesText() const;
    void selectServer(const QString& name);
    [[nodiscard]] LoadTestPanel* loadPanel() const { return m_load; }
    void showLoadTest();

signals:
    void statusMessage(const QString& text);
    void finished(bool ok);

private:
    void reloadServers();
    void start(const QString& profileId, SecretBytes password);
    void onStep(const service::TestStep& step);
    void onFinished(const service::EnrollmentTestReport& report);
    void showResult();

    ConsoleContext* m_context;
    QComboBox* m_server = nullptr;
    QLineEdit* m_subject = nullptr;
    QLineEdit* m_sans = nullptr;
    QComboBox* m_keySize = nullptr;
    QLineEdit* m_template = nullptr;
    QCheckBox* m_renew = nullptr;
    QPushButton* m_run = nullptr;
    QPushButton* m_save = nullptr;
    QPushButton* m_copy = nullptr;
    QLabel* m_banner = nullptr;
    QLabel* m_trustWarning = nullptr; // SCEP over HTTP without a pinned CA
    void updateTrustWarning();
    void clearResult(); // steps, banner, report and the buttons that act on it
    void clearResultOfAnotherServer();
    QTableWidget* m_steps = nullptr;
    QTextBrowser* m_result = nullptr;
    QTabWidget* m_tabs = nullptr;
    LoadTestPanel* m_load = nullptr;
    service::EnrollmentTest* m_test = nullptr;
    std::optional<service::EnrollmentTestReport> m_report;
    QList<service::LikelyCause> m_causes;
    QString m_serverName;
    QString m_profileId;
};

} // namespace ndes::ui
