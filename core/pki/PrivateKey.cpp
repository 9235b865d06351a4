// SPDX-License-Identifier: Apache-2.0
#include "pki/PrivateKey.h"

#include "pki/OpenSslError.h"

#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <QCoreApplication>
#include <QtConcurrent/QtConcurrentRun>

namespace ndes::pki {

PrivateKey::PrivateKey(const PrivateKey& other) {
    *this = other;
}

PrivateKey& PrivateKey::operator=(const PrivateKey& other) {
    if (this != &other) {
        if (other.m_key)
            EVP_PKEY_up_ref(other.m_key.get());
        m_key.reset(other.m_key.get());
    }
    return *this;
}

Result<PrivateKey> PrivateKey::generateRsa(int bits) {
    if (bits != 2048 && bits != 3072 && bits != 4096)
        return makeError(ErrorKind::Usage, QCoreApplication::translate(
                                               "PrivateKey", "RSA key size %1 is not offered; use 2048, 3072 or 4096.")
                                               .arg(bits));
    EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
    EVP_PKEY* raw = nullptr;
    if (!ctx || EVP_PKEY_keygen_init(ctx.get()) <= 0 || EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), bits) <= 0 ||
        EVP_PKEY_generate(ctx.get(), &raw) <= 0)
        return openSslError(ErrorKind::Crypto,
                            QCoreApplication::translate("PrivateKey", "Could not generate an RSA key."));
    return PrivateKey(EvpPkeyPtr(raw));
}

QFuture<Result<PrivateKey>> PrivateKey::generateRsaAsync(int bits) {
    return QtConcurrent::run([bits] {
        Result<PrivateKey> key = generateRsa(bits);
        // Pool threads outlive the task: release this thread's OpenSSL state (its DRBG) now, not at an exit that
        // may never run before the process ends.
        OPENSSL_thread_stop();
        return key;
    });
}

Result<PrivateKey> PrivateKey::fromPem(const QByteArray& pem) {
    BioPtr bio = memoryBio(pem);
    EVP_PKEY* raw = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
    if (!raw)
        return openSslError(
            ErrorKind::Usage,
            QCoreApplication::translate("PrivateKey", "The file does not hold an unencrypted PEM private key."));
    EvpPkeyPtr key(raw);
    if (EVP_PKEY_get_base_id(raw) != EVP_PKEY_RSA)
        return makeError(ErrorKind::Usage, QCoreApplication::translate(
                                               "PrivateKey", "The private key is not an RSA key; SCEP needs RSA."));
    return PrivateKey(std::move(key));
}

Result<PrivateKey> PrivateKey::fromDer(const QByteArray& der) {
    const auto* p = reinterpret_cast<const unsigned char*>(der.constData());
    EVP_PKEY* raw = d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(der.size()));
    if (!raw)
        return openSslError(ErrorKind::Usage,
                            QCoreApplication::translate("PrivateKey", "The data is not a DER private key."));
    return PrivateKey(EvpPkeyPtr(raw));
}

int PrivateKey::bits() const {
    return m_key ? EVP_PKEY_get_bits(m_key.get()) : 0;
}

SecretBytes PrivateKey::toPem() const {
    if (!m_key)
        return {};
    BioPtr bio(BIO_new(BIO_s_secmem()));
    if (!bio || PEM_write_bio_PrivateKey(bio.get(), m_key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
        return {};
    return SecretBytes(bioContents(bio.get()));
}

QByteArray PrivateKey::publicKeyDer() const {
    if (!m_key)
        return {};
    unsigned char* out = nullptr;
    const int n = i2d_PUBKEY(m_key.get(), &out);
    if (n <= 0)
        return {};
    QByteArray der(reinterpret_cast<const char*>(out), n);
    OPENSSL_free(out);
    return der;
}

bool PrivateKey::matches(EVP_PKEY* publicKey) const {
    return m_key && publicKey && EVP_PKEY_eq(m_key.get(), publicKey) == 1;
}

} // namespace ndes::pki
