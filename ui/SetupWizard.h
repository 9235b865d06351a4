// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "setup/SetupPlan.h"

#include <QWizard>

#include <functional>

class QLabel;
class QTabWidget;
class QTimer;

namespace ndes::ui {

class SetupWizardPage;

// The setup wizard: the admin's intent, checked as they type, turned into scripts. Pages Environment, Service
// account, Certificate template, Registry (challenge passwords), IIS & HTTP.sys, NDES role & RA, Review. An error
// under a field blocks Next on its page; a warning does not, and the Review page lists the warnings accepted.
class SetupWizard : public QWizard {
    Q_OBJECT
public:
    enum PageId { Environment, ServiceAccount, Template, Registry, Iis, Role, Review };

    explicit SetupWizard(QWidget* parent = nullptr);

    [[nodiscard]] const setup::SetupPlan& plan() const { return m_plan; }
    void setPlan(const setup::SetupPlan& plan);
    [[nodiscard]] QList<setup::PlanIssue> issues() const { return m_issues; }
    // The fields each page owns (PlanIssue::field names).
    [[nodiscard]] static QStringList fieldsOf(PageId page);

    bool savePlan(const QString& path, QString* error);
    bool openPlan(const QString& path, QString* error);
    bool saveAll(const QString& directory, QString* error); // plan.json, mscep.reg and the scripts

    void revalidate();
    // Fills the values that follow from others (UPN, RA name) while they have not been typed over.
    void applyDerivedValues();

    // The plan as it is being edited is kept as a draft (AppData/setup-draft.json, written atomically a moment after
    // each change; plans hold no password) and comes back the next time the wizard opens. Closing with changes that
    // are in no file asks first: keep the draft, discard, or go on editing.
    [[nodiscard]] static QString draftPath();
    [[nodiscard]] bool hasUnsavedChanges() const { return m_plan.toJsonBytes() != m_cleanPlan; }
    [[nodiscard]] bool draftRestored() const { return m_draftRestored; }
    void startOver();
    // Whether the page shown has errors (Next would stay and show them).
    [[nodiscard]] bool currentPageHasErrors() const;
    void done(int result) override;

signals:
    void planChanged();

private:
    friend class SetupWizardPage;
    setup::SetupPlan m_plan;
    QList<setup::PlanIssue> m_issues;
    QList<SetupWizardPage*> m_pages;
    QByteArray m_cleanPlan; // the plan as last opened or saved to a file (or the defaults)
    QByteArray m_defaults;
    bool m_draftRestored = false;
    QTimer* m_draftTimer = nullptr;
    QString m_firstSubtitle;
    QString m_derivedUpn;
    QString m_derivedRaName;
    QLabel* m_steps = nullptr;
    void updateSteps();
    void writeDraft();
    void removeDraft();
    void markClean();
};

} // namespace ndes::ui
