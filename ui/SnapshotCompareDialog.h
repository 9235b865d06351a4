// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "audit/Drift.h"

#include <QDialog>

#include <optional>

class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QTableWidget;

namespace ndes::ui {

// Snapshots side by side, setting by setting: two of them (drift: the same server before and after a change) or
// several (fleet: servers behind one load balancer that should be alike, one column each). Snapshots are added as
// zips or folders (buttons or drag and drop) and read off the GUI thread. Read-only.
class SnapshotCompareDialog : public QDialog {
    Q_OBJECT
public:
    enum class Mode { Drift, Fleet };
    SnapshotCompareDialog(Mode mode, const QStringList& paths, QWidget* parent = nullptr);

    void addPath(const QString& path);
    [[nodiscard]] QStringList paths() const;
    // Reads the snapshots and compares them; compared() when done.
    void compare();
    [[nodiscard]] bool isBusy() const { return m_busy; }
    [[nodiscard]] QTableWidget* table() const { return m_table; }
    [[nodiscard]] const std::optional<audit::DriftReport>& drift() const { return m_drift; }
    [[nodiscard]] const std::optional<audit::FleetReport>& fleet() const { return m_fleet; }
    [[nodiscard]] QString summary() const;

signals:
    void compared();

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void updateState();
    void applyFilter();
    void showRows(const QList<audit::DriftItem>& rows, const QStringList& columns);

    Mode m_mode;
    bool m_busy = false;
    QListWidget* m_list;
    QPushButton* m_compare;
    QPushButton* m_remove;
    QLabel* m_summary;
    QLineEdit* m_filter;
    QTableWidget* m_table;
    std::optional<audit::DriftReport> m_drift;
    std::optional<audit::FleetReport> m_fleet;
};

} // namespace ndes::ui
