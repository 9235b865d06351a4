// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "events/EventListener.h"

#include <QDialog>

class QComboBox;
class QLineEdit;
class QSpinBox;

namespace ndes::ui {

// Events ▸ Listen: the protocol, address and port to receive forwarded events on, the TLS certificate and key for
// syslog over TLS, and how many live events to keep. Starts from the choices last used (the settings).
class ListenerDialog : public QDialog {
    Q_OBJECT
public:
    ListenerDialog(qint64 capacity, QWidget* parent = nullptr);

    // What to listen on; an error that says what to change when the address or port does not parse.
    [[nodiscard]] Result<events::ListenerSpec> spec() const;
    [[nodiscard]] qint64 capacity() const;
    // Keeps the choices for next time (the TLS key's path, never its content).
    void remember() const;

private:
    QComboBox* m_protocol = nullptr;
    QLineEdit* m_address = nullptr;
    QSpinBox* m_port = nullptr;
    QLineEdit* m_cert = nullptr;
    QLineEdit* m_key = nullptr;
    QSpinBox* m_capacity = nullptr;
};

} // namespace ndes::ui
