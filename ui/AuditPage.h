// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "audit/Audit.h"
#include "util/Result.h"

#include <QWidget>

#include <memory>
#include <optional>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QStandardItemModel;
class QTabWidget;
class QTextBrowser;
class QTreeView;
class QTreeWidget;

namespace ndes::ui {

class ConsoleContext;

// The configuration audit for auditors: open the collector's snapshot (zip or folder) or a folder of exported files
// (menu, button or drag and drop), optionally with a live read-only look at a server and its Active Directory; the
// findings grouped by severity or area with counts, a filter and a search; the evidence of each (a click opens the
// raw file at that place), why it matters, the remedy and its script; what was not checked and why; the files
// looked at; exports as HTML, PDF, JSON and CSV (the writers of `ndesctl audit`). Nothing here writes anything but
// the exports asked for.
class AuditPage : public QWidget {
    Q_OBJECT
public:
    explicit AuditPage(ConsoleContext* context, QWidget* parent = nullptr);
    ~AuditPage() override;

    // Opens a zip or a folder and audits it (with the live look chosen on the page, if any).
    void openSource(const QString& path);
    // The live look: a server profile's id (empty: none) and whether to read its directory.
    void setLive(const QString& profileId, bool directory);
    void runAudit();
    // The file dialogs of the page's buttons (File ▸ Open audit snapshot… too).
    void chooseZip();
    void chooseFolder();
    [[nodiscard]] bool isRunning() const;
    [[nodiscard]] QString source() const { return m_source; }
    [[nodiscard]] const std::optional<audit::AuditResult>& result() const { return m_result; }

    // The findings as shown (groups with their findings, filtered).
    [[nodiscard]] QTreeView* findingsView() const { return m_tree; }
    [[nodiscard]] QStandardItemModel* findingsModel() const { return m_model; }
    [[nodiscard]] QTextBrowser* detailView() const { return m_detail; }
    [[nodiscard]] QTreeWidget* notCheckedView() const { return m_notChecked; }
    [[nodiscard]] int shownFindings() const;
    void setGroupByArea(bool byArea);
    void setSearchText(const QString& text);
    void setMinimumSeverity(audit::Severity s);
    // Selects the first shown finding with this id (tests, screenshots); false when none is shown.
    bool selectFinding(const QString& id);

    // Writes the report the extension asks for (.html, .pdf, .json, .csv).
    Status exportTo(const QString& path);
    // Opens the viewer of the selected finding's n-th evidence (what a click on its link does).
    void openEvidence(int index);

    // Compare two snapshots (drift) and several servers' snapshots (fleet), in their own windows.
    void compareSnapshots();
    void compareFleet();

signals:
    void statusMessage(const QString& text);
    void auditFinished();

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    struct Run;
    void reloadServers();
    void chooseExport();
    void startRun();
    void stepLive();
    void stepDirectory();
    void stepAudit();
    void finishRun(const QString& error);
    void setBusy(bool busy, const QString& what = {});
    void rebuild();
    void showDetail();
    void showSummary();
    [[nodiscard]] const audit::Finding* currentFinding() const;

    ConsoleContext* m_context;
    QString m_source;
    std::shared_ptr<audit::Snapshot> m_snapshot; // of the result shown (the evidence viewer reads its files)
    std::optional<audit::AuditResult> m_result;
    std::shared_ptr<Run> m_run; // the run in progress, null when none
    quint64 m_generation = 0;

    QComboBox* m_liveServer;
    QCheckBox* m_liveDirectory;
    QPushButton* m_runButton;
    QPushButton* m_exportButton;
    QPushButton* m_cancel;
    QProgressBar* m_progress;
    QLabel* m_busyLabel;
    QLabel* m_sourceLabel;
    QLabel* m_summary;
    QComboBox* m_groupBy;
    QComboBox* m_minSeverity;
    QComboBox* m_area;
    QLineEdit* m_search;
    QTabWidget* m_tabs;
    QTreeView* m_tree;
    QStandardItemModel* m_model;
    QTextBrowser* m_detail;
    QPushButton* m_copyRemedy;
    QPushButton* m_copyScript;
    QTreeWidget* m_notChecked;
    QTreeWidget* m_files;
};

} // namespace ndes::ui
