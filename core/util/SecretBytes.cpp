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

bool SecretBytes::cleanse(QByteArray& bytes) {
    if (!bytes.isEmpty() && !bytes.isDetached()) {
        bytes.clear(); // shared buffer: dropping our reference is all we may do
        return false;
    }
    if (!bytes.isEmpty())
        OPENSSL_cleanse(bytes.data(), static_cast<size_t>(bytes.size()));
    return true;
}

bool SecretBytes::cleanse(QString& text) {
    const bool wiped = text.isEmpty() || text.isDetached();
    if (!text.isEmpty() && wiped)
        OPENSSL_cleanse(text.data(), static_cast<size_t>(text.size()) * sizeof(QChar));
    text.clear();
    return wiped;
}

} // namespace ndes
