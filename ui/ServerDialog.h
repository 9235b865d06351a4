// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "inventory/ServerProfile.h"
#include "ndes/HealthProbe.h"
#include "util/SecretBytes.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;

namespace ndes::ui {

class ConsoleContext;

// Add or edit a server profile. The account password goes to the keychain, never into the profile.
class ServerDialog : public QDialog {
    Q_OBJECT
public:
    // With a context, the dialog can test what is typed before it is saved (Test connection, Check sign-in).
    explicit ServerDialog(const inventory::ServerProfile& profile, QWidget* parent = nullptr,
                          ConsoleContext* context = nullptr);

    [[nodiscard]] inventory::ServerProfile profile() const;
    // The password typed (empty: keep what the keychain has).
    [[nodiscard]] SecretBytes password() const;
    // The directory account's password typed (empty: keep what the keychain has).
    [[nodiscard]] SecretBytes directoryPassword() const;

    void accept() override;

    // The warning under the SCEP URL (empty when the path is NDES's own).
    [[nodiscard]] QString scepUrlWarning() const;
    [[nodiscard]] QString testResultText() const;

private:
    void updateState();
    void scepUrlEdited();
    void testConnection();
    void checkSignIn();
    void showTestResult(const QString& text);
    [[nodiscard]] service::HealthOptions testOptions(const inventory::ServerProfile& p) const;

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
    QLineEdit* m_directoryUrl;
    QComboBox* m_directoryBind;
    QLineEdit* m_directoryBindDn;
    QLineEdit* m_directoryPassword;
    QLineEdit* m_directoryCaFile;
    QLineEdit* m_serviceAccount;
    QLabel* m_problems;
    QLabel* m_urlWarning;
    QLabel* m_testResult;
    QPushButton* m_testButton = nullptr;
    QPushButton* m_signInButton = nullptr;
    ConsoleContext* m_context;
    QString m_derivedAdminUrl; // the admin URL as last derived: it follows the SCEP URL until edited by hand
};

} // namespace ndes::ui
