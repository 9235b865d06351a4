// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "setup/SetupPlan.h"

#include <QWizard>

#include <functional>

class QLabel;
class QTabWidget;

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

signals:
    void planChanged();

private:
    friend class SetupWizardPage;
    setup::SetupPlan m_plan;
    QList<setup::PlanIssue> m_issues;
    QList<SetupWizardPage*> m_pages;
};

} // namespace ndes::ui
