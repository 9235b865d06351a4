// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QObject>
#include <QTimer>

namespace ndes::ui {

// Copies a secret the way KeePassXC does: marked for clipboard managers as sensitive
// (x-kde-passwordManagerHint on Linux, ExcludeClipboardContentFromMonitorProcessing on Windows), and cleared
// after a delay only if the clipboard still holds what we copied.
class ClipboardGuard : public QObject {
    Q_OBJECT
public:
    explicit ClipboardGuard(QObject* parent = nullptr);
    ~ClipboardGuard() override;

    void copy(const QString& secret, int clearAfterMs);
    // Clears now if the clipboard still holds our secret.
    void clearIfOurs();
    [[nodiscard]] bool armed() const { return m_timer.isActive(); }
    [[nodiscard]] int remainingMs() const { return m_timer.remainingTime(); }

signals:
    void cleared();

private:
    QTimer m_timer;
    QByteArray m_fingerprint; // SHA-256 of what we copied, to recognise it
    QString m_secret;         // shares the MIME data's text; wiped when the clipboard has let go of it
};

} // namespace ndes::ui
