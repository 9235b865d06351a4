// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ndes/HealthProbe.h"

#include <QDialog>

class QComboBox;
class QLineEdit;
class QPlainTextEdit;

namespace ndes::ui {

// For a server whose RA certificates run out: what happens when they expire, and a PowerShell script that
// renews both (and restores the SCEP pool's access to their keys), to copy or save.
class RaRenewalDialog : public QDialog {
    Q_OBJECT
public:
    RaRenewalDialog(const service::HealthReport& report, QWidget* parent = nullptr);
    [[nodiscard]] QString script() const;
    void setCaConfig(const QString& config);
    void setServiceAccount(const QString& account);
    bool saveTo(const QString& path, QString* error) const;

private:
    void regenerate();

    service::HealthReport m_report;
    QString m_raSubject;
    QDateTime m_raNotAfter;
    QLineEdit* m_caConfig = nullptr;
    QLineEdit* m_account = nullptr;
    QComboBox* m_keyLength = nullptr;
    QPlainTextEdit* m_script = nullptr;
};

} // namespace ndes::ui
