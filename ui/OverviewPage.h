// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ndes/HealthProbe.h"

#include <QHash>
#include <QWidget>

class QChartView;
class QComboBox;
class QLabel;
class QLineEdit;
class QCheckBox;
class QProgressBar;
class QPushButton;
class QSystemTrayIcon;
class QTableView;
class QTabWidget;
class QTimer;
class QSortFilterProxyModel;

namespace ndes::ui {

class ConsoleContext;
class ServerHealthModel;
class CertificateExpiryModel;
class CertificateFilterModel;

// The dashboard: every server's health with its reasons, every RA, CA and TLS certificate and CRL with its
// expiry (sortable, filterable, colour-banded), a 12-month expiry timeline, probe history and latency, automatic
// refresh, tray notifications when something crosses a threshold, CSV/HTML export and the RA renewal helper.
// A refresh runs asynchronously with bounded concurrency; the window never waits for a server.
class OverviewPage : public QWidget {
    Q_OBJECT
public:
    explicit OverviewPage(ConsoleContext* context, QWidget* parent = nullptr);
    ~OverviewPage() override;

    void refresh();
    [[nodiscard]] bool isRefreshing() const;
    [[nodiscard]] QList<service::HealthReport> reports() const;
    [[nodiscard]] service::HealthMonitor* monitor() const { return m_monitor; }
    // Minutes between automatic refreshes; 0 turns them off. Saved in the settings.
    void setRefreshMinutes(int minutes);
    [[nodiscard]] int refreshMinutes() const;
    void setTrayIcon(QSystemTrayIcon* tray) { m_tray = tray; }
    // Writes CSV or HTML by the file's suffix; false with a message on failure.
    bool exportTo(const QString& path, QString* error) const;
    void openRaRenewal(int serverRow);
    void selectServer(int row);

signals:
    void statusMessage(const QString& text);
    void notificationRaised(const QString& title, const QString& message);
    void refreshFinished();

private:
    void build();
    void reloadServers();
    void onReport(const service::HealthReport& report);
    void onRoundFinished(const QList<service::HealthReport>& reports);
    void flushCertificates();
    void updateSummary();
    void updateTimeline();
    [[nodiscard]] QString signInLine(int row) const;
    void updateServerDetail();
    void notify(const QString& title, const QString& message);
    void exportInteractive();
    [[nodiscard]] int selectedServerRow() const;

    ConsoleContext* m_context;
    service::HealthMonitor* m_monitor;
    ServerHealthModel* m_servers;
    CertificateExpiryModel* m_certs;
    CertificateFilterModel* m_certFilter;
    QSortFilterProxyModel* m_serverSort = nullptr;
    QTableView* m_serverView = nullptr;
    QTableView* m_certView = nullptr;
    QLabel* m_summary = nullptr;
    QLabel* m_detail = nullptr;
    QLabel* m_lastChecked = nullptr;
    QProgressBar* m_progress = nullptr;
    QPushButton* m_refreshButton = nullptr;
    QPushButton* m_raButton = nullptr;
    QComboBox* m_interval = nullptr;
    QLineEdit* m_certSearch = nullptr;
    QComboBox* m_certKind = nullptr;
    QCheckBox* m_attention = nullptr;
    QTabWidget* m_tabs = nullptr;
    QChartView* m_timeline = nullptr;
    QChartView* m_latency = nullptr;
    QTimer* m_autoRefresh = nullptr;
    QTimer* m_certFlush = nullptr;
    QSystemTrayIcon* m_tray = nullptr;
    bool m_certsDirty = false;
    bool m_firstRoundDone = false;
    QHash<QString, qint64> m_lastDaysLeft;              // server|role|subject -> days left at the last look
    QHash<QString, service::HealthStatus> m_lastStatus; // server -> status at the last look
};

} // namespace ndes::ui
