// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "pki/OpenSslPtr.h"
#include "util/Result.h"
#include "util/SecretBytes.h"

#include <QFuture>

namespace ndes::pki {

// An RSA key pair (the only kind SCEP with NDES supports). Copies share the same OpenSSL key.
class PrivateKey {
public:
    PrivateKey() = default;
    explicit PrivateKey(EvpPkeyPtr key)
        : m_key(std::move(key)) {}
    PrivateKey(const PrivateKey& other);
    PrivateKey& operator=(const PrivateKey& other);
    PrivateKey(PrivateKey&&) noexcept = default;
    PrivateKey& operator=(PrivateKey&&) noexcept = default;

    // Key sizes we offer: 2048, 3072, 4096. Others are refused as a usage error.
    static Result<PrivateKey> generateRsa(int bits);
    // The same, on a worker thread, so a GUI thread never waits for prime generation.
    static QFuture<Result<PrivateKey>> generateRsaAsync(int bits);

    static Result<PrivateKey> fromPem(const QByteArray& pem);
    static Result<PrivateKey> fromDer(const QByteArray& der);

    [[nodiscard]] bool isNull() const { return !m_key; }
    [[nodiscard]] int bits() const;
    [[nodiscard]] SecretBytes toPem() const;       // unencrypted PKCS#8 PEM
    [[nodiscard]] QByteArray publicKeyDer() const; // SubjectPublicKeyInfo
    [[nodiscard]] EVP_PKEY* get() const { return m_key.get(); }

    // True when `publicKey` is this key's public half.
    [[nodiscard]] bool matches(EVP_PKEY* publicKey) const;

private:
    EvpPkeyPtr m_key;
};

} // namespace ndes::pki
