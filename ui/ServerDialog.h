// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "inventory/ServerProfile.h"
#include "util/SecretBytes.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;

namespace ndes::ui {

// Add or edit a server profile. The account password goes to the keychain, never into the profile.
class ServerDialog : public QDialog {
    Q_OBJECT
public:
    explicit ServerDialog(const inventory::ServerProfile& profile, QWidget* parent = nullptr);

    [[nodiscard]] inventory::ServerProfile profile() const;
    // The password typed (empty: keep what the keychain has).
    [[nodiscard]] SecretBytes password() const;

    void accept() override;

private:
    void updateState();

    QString m_id;
    QLineEdit* m_name;
    QLineEdit* m_scepUrl;
    QLineEdit* m_adminUrl;
    QComboBox* m_auth;
    QLineEdit* m_user;
    QLineEdit* m_password;
    QLineEdit* m_pin;
    QCheckBox* m_allowHttp;
    QLineEdit* m_site;
    QPlainTextEdit* m_notes;
    QLabel* m_problems;
};

} // namespace ndes::ui
