// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDialog>

class QLabel;
class QTableWidget;

namespace ndes::service {
class ChallengeAuditTrail;
}

namespace ndes::ui {

// The challenge password audit trail for auditors: who asked, when, for which server and device (never the
// password), with "Verify chain" and CSV export.
class AuditTrailDialog : public QDialog {
    Q_OBJECT
public:
    AuditTrailDialog(service::ChallengeAuditTrail* trail, QWidget* parent = nullptr);

    void reload();
    void verifyChain();
    void exportCsv();
    [[nodiscard]] QString verdict() const;
    [[nodiscard]] int rows() const;

private:
    service::ChallengeAuditTrail* m_trail;
    QTableWidget* m_table;
    QLabel* m_verdict;
};

} // namespace ndes::ui
