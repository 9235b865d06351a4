// SPDX-License-Identifier: Apache-2.0
#include "util/SecretBytes.h"

#include <openssl/crypto.h>

namespace ndes {

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
    if (this != &other) {
        wipe();
        m_bytes = std::move(other.m_bytes);
    }
    return *this;
}

void SecretBytes::wipe() {
    cleanse(m_bytes);
    m_bytes.clear();
}

void SecretBytes::cleanse(QByteArray& bytes) {
    if (!bytes.isEmpty() && !bytes.isDetached()) {
        bytes.clear(); // shared buffer: dropping our reference is all we may do
        return;
    }
    if (!bytes.isEmpty())
        OPENSSL_cleanse(bytes.data(), static_cast<size_t>(bytes.size()));
}

void SecretBytes::cleanse(QString& text) {
    if (!text.isEmpty() && text.isDetached())
        OPENSSL_cleanse(text.data(), static_cast<size_t>(text.size()) * sizeof(QChar));
    text.clear();
}

} // namespace ndes
