// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QString>

namespace ndes {

// Holds a secret (challenge password, key material) and wipes it with OPENSSL_cleanse when destroyed.
// Copies are deep (each copy is wiped on its own); never converted to a string implicitly, so it cannot slip
// into a log line by accident.
class SecretBytes {
public:
    SecretBytes() = default;
    explicit SecretBytes(QByteArray bytes)
        : m_bytes(std::move(bytes)) {
        m_bytes.detach();
    }
    ~SecretBytes() { wipe(); }
    SecretBytes(SecretBytes&& other) noexcept
        : m_bytes(std::move(other.m_bytes)) {}
    SecretBytes& operator=(SecretBytes&& other) noexcept;
    SecretBytes(const SecretBytes& other)
        : m_bytes(other.m_bytes) {
        m_bytes.detach();
    }
    SecretBytes& operator=(const SecretBytes& other) {
        if (this != &other) {
            wipe();
            m_bytes = other.m_bytes;
            m_bytes.detach();
        }
        return *this;
    }

    [[nodiscard]] const QByteArray& bytes() const { return m_bytes; }
    [[nodiscard]] bool isEmpty() const { return m_bytes.isEmpty(); }
    void wipe();

    // Wipes a QByteArray's buffer in place (for temporaries that held a secret) and empties it. Returns false when
    // the buffer was shared (another QByteArray/QString, a regex match, a view's owner still refers to it): then it
    // is only released, not wiped — cleanse after the last other reference is gone.
    static bool cleanse(QByteArray& bytes);
    static bool cleanse(QString& text);

private:
    QByteArray m_bytes;
};

} // namespace ndes
