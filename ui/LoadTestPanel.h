// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ndes/LoadTest.h"

#include <QWidget>
#include <optional>

class QChartView;
class QCheckBox;
class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTimer;

namespace ndes::ui {

class ConsoleContext;

// The load test: M enrollments with N in flight against one server, live throughput chart, latency percentiles and
// errors by kind. A server that is not on a loopback address needs "I own this server" ticked first.
class LoadTestPanel : public QWidget {
    Q_OBJECT
public:
    explicit LoadTestPanel(ConsoleContext* context, QWidget* parent = nullptr);

    void setNumbers(int concurrency, int requests);
    void start();
    void stop();
    [[nodiscard]] bool isRunning() const { return m_test != nullptr; }
    [[nodiscard]] const std::optional<service::LoadTestResult>& lastResult() const { return m_result; }
    [[nodiscard]] QString summaryText() const;

signals:
    void statusMessage(const QString& text);
    void finished();

private:
    void reloadServers();
    void begin(const QString& profileId, SecretBytes password);
    void updateChart();

    ConsoleContext* m_context;
    QComboBox* m_server = nullptr;
    QSpinBox* m_concurrency = nullptr;
    QSpinBox* m_requests = nullptr;
    QCheckBox* m_own = nullptr;
    QPushButton* m_start = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_summary = nullptr;
    QLabel* m_trustWarning = nullptr;
    QChartView* m_chart = nullptr;
    QTimer* m_tick = nullptr;
    service::LoadTest* m_test = nullptr;
    QList<int> m_perSecond;
    qint64 m_startedMs = 0;
    std::optional<service::LoadTestResult> m_result;
};

} // namespace ndes::ui
