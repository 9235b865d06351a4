// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ClipboardGuard.h"
#include "ndes/ChallengePasswordClient.h"
#include "util/SecretBytes.h"

#include <QDateTime>
#include <QTimer>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableWidget;

namespace ndes::ui {

class ConsoleContext;
class QrCodeWidget;

// One click, one challenge password: pick a server, optionally name the device and the ticket, Generate.
// The password is shown large and grouped for reading aloud, with a countdown to expiry (minus a safety
// margin), a QR code, a Copy button with clipboard hygiene, and a history of this run that never holds the
// password. In compact (helpdesk) mode only the picker, the device, the button and the result are shown.
class ChallengePage : public QWidget {
    Q_OBJECT
public:
    ChallengePage(ConsoleContext* context, bool compact, QWidget* parent = nullptr);
    ~ChallengePage() override;

    static constexpr int safetyMarginSeconds = 180; // field tools use 57 of 60 minutes
    void setClipboardClearMs(int ms) { m_clipboardClearMs = ms; }

    // For tests and the status bar.
    [[nodiscard]] QString shownPassword() const;
    [[nodiscard]] QString countdownText() const;
    [[nodiscard]] QString errorText() const;
    [[nodiscard]] int historyRows() const;
    [[nodiscard]] bool busy() const { return m_busy; }

public slots:
    void generate();
    void copyPassword();
    void refreshServers();
    void tick();

signals:
    void statusMessage(const QString& text);

private:
    void fetchWith(const QString& profileId, SecretBytes password);
    void showResult(const QString& profileId, Result<service::ChallengePassword> result);
    void setBusy(bool busy);
    void addHistory(const QString& server, const QString& requestedBy, const QString& outcome); // as audited
    void showError(const QString& message);
    void clearShownPassword();
    void setIdle(const QString& text); // the countdown line when no password is shown

    ConsoleContext* m_context;
    bool m_compact;
    QComboBox* m_server = nullptr;
    QLineEdit* m_device = nullptr;
    QLineEdit* m_ticket = nullptr;
    QPushButton* m_generate = nullptr;
    QLabel* m_httpWarning = nullptr;
    QLabel* m_password = nullptr;
    QLabel* m_countdown = nullptr;
    QLabel* m_details = nullptr;
    QPushButton* m_copy = nullptr;
    QrCodeWidget* m_qr = nullptr;
    QLabel* m_error = nullptr;
    QTableWidget* m_history = nullptr;
    ClipboardGuard m_clipboard;
    QTimer m_tick;
    SecretBytes m_current;
    QString m_shownText; // what the label shows, shared with it; wiped once the label lets go
    QString m_shownFor;  // the profile the shown password came from
    QDateTime m_expiresAt;
    bool m_neverExpires = false;
    int m_currentHistoryRow = -1;
    int m_clipboardClearMs = 30000;
    bool m_busy = false;
};

} // namespace ndes::ui
