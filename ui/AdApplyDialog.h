// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ClipboardGuard.h"
#include "directory/AdApply.h"
#include "setup/SetupPlan.h"

#include <QDialog>

#include <optional>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;

namespace ndes::ui {

// The setup plan's Active Directory part, applied from the wizard: the directory and a bind, then a preview of every
// LDAP change (nothing written), then Apply with a log, and a read-back that says whether AD now holds what the plan
// needs. A generated account password is shown here once, with a guarded Copy, and stored nowhere; a typed one is
// asked for when applying. LDAP runs off the GUI thread; every step has its timeout.
class AdApplyDialog : public QDialog {
    Q_OBJECT
public:
    explicit AdApplyDialog(const setup::SetupPlan& plan, QWidget* parent = nullptr);
    ~AdApplyDialog() override;

    // For tests and for people who keep records: what the dialog shows.
    [[nodiscard]] QString previewText() const;
    [[nodiscard]] QString logText() const;
    [[nodiscard]] bool busy() const { return m_busy; }
    void preview();
    void apply();
    void reject() override;

private:
    [[nodiscard]] directory::LdapOptions options() const;
    void setBusy(bool busy, const QString& what = {});
    void updateButtons();
    void showPreview(const directory::AdPlan& plan);

    setup::SetupPlan m_plan;
    QLineEdit* m_url;
    QComboBox* m_bind;
    QLineEdit* m_bindDn;
    QLineEdit* m_password;
    QLineEdit* m_caFile;
    QLabel* m_status;
    QPlainTextEdit* m_preview;
    QPlainTextEdit* m_log;
    QLabel* m_secretNote;
    QLineEdit* m_secret;
    QPushButton* m_copySecret;
    QPushButton* m_previewButton;
    QPushButton* m_applyButton;
    QPushButton* m_saveLog;
    std::optional<directory::AdPlan> m_changes;
    bool m_busy = false;
    ClipboardGuard m_clipboard;
};

} // namespace ndes::ui
