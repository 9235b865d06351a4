// SPDX-License-Identifier: Apache-2.0
#include "pki/PrivateKey.h"

#include "pki/OpenSslError.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include <QCoreApplication>
#include <QtConcurrent/QtConcurrentRun>

#include <future>

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

namespace {

struct SecretBnDeleter {
    void operator()(BIGNUM* b) const { BN_clear_free(b); }
};
using SecretBn = std::unique_ptr<BIGNUM, SecretBnDeleter>;
struct BnCtxDeleter {
    void operator()(BN_CTX* c) const { BN_CTX_free(c); }
};
using BnCtxPtr = std::unique_ptr<BN_CTX, BnCtxDeleter>;
struct ParamBldDeleter {
    void operator()(OSSL_PARAM_BLD* b) const { OSSL_PARAM_BLD_free(b); }
};
struct ParamDeleter {
    void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};

SecretBn secretBn() {
    SecretBn b(BN_secure_new());
    if (b)
        BN_set_flags(b.get(), BN_FLG_CONSTTIME);
    return b;
}

// A random probable prime of `bits` bits with its two top bits set (so p*q has exactly twice the bits) and
// gcd(p - 1, e) == 1, from OpenSSL's private DRBG.
SecretBn rsaPrime(int bits, const BIGNUM* e) {
    BnCtxPtr ctx(BN_CTX_secure_new());
    SecretBn p(BN_secure_new()); // BN_FLG_CONSTTIME would slow the search's Miller-Rabin rounds for nothing
    SecretBn pm1 = secretBn();
    SecretBn g = secretBn();
    if (!ctx || !p || !pm1 || !g)
        return {};
    for (int attempt = 0; attempt < 64; ++attempt) {
        if (BN_generate_prime_ex2(p.get(), bits, 0, nullptr, nullptr, nullptr, ctx.get()) != 1)
            return {};
        if (BN_sub(pm1.get(), p.get(), BN_value_one()) == 1 && BN_gcd(g.get(), pm1.get(), e, ctx.get()) == 1 &&
            BN_is_one(g.get())) {
            BN_set_flags(p.get(), BN_FLG_CONSTTIME); // from here on it is the secret factor
            return p;
        }
    }
    return {};
}

// RSA key generation with the two primes searched on two threads at once. OpenSSL 3 generates both primes
// one after the other (SP 800-56B method), which makes a 2048-bit key take ~150 ms on one core; searching
// p and q in parallel halves that. The key is assembled as OpenSSL's classic (1.1.1) generator does, with
// the FIPS 186-4 checks on |p - q| and the size of d, then OpenSSL's pairwise consistency check must pass.
EvpPkeyPtr generateRsaParallel(int bits) {
    SecretBn e(BN_new());
    if (!e || BN_set_word(e.get(), RSA_F4) != 1)
        return {};
    const int half = bits / 2;
    auto other = std::async(std::launch::async, [half, &e] {
        SecretBn q = rsaPrime(half, e.get());
        OPENSSL_thread_stop(); // this thread ends now; free its OpenSSL state
        return q;
    });
    SecretBn p = rsaPrime(bits - half, e.get());
    SecretBn q = other.get();
    if (!p || !q)
        return {};
    if (BN_cmp(p.get(), q.get()) < 0)
        std::swap(p, q);

    BnCtxPtr ctx(BN_CTX_secure_new());
    SecretBn n = secretBn(), diff = secretBn(), pm1 = secretBn(), qm1 = secretBn(), phi = secretBn(), g = secretBn(),
             lcm = secretBn(), d = secretBn(), dmp1 = secretBn(), dmq1 = secretBn(), iqmp = secretBn();
    if (!ctx || !iqmp)
        return {};
    // FIPS 186-4 B.3.3: |p - q| > 2^(nlen/2 - 100); d > 2^(nlen/2).
    if (BN_sub(diff.get(), p.get(), q.get()) != 1 || BN_num_bits(diff.get()) <= half - 100)
        return {};
    if (BN_mul(n.get(), p.get(), q.get(), ctx.get()) != 1 || BN_num_bits(n.get()) != bits)
        return {};
    if (BN_sub(pm1.get(), p.get(), BN_value_one()) != 1 || BN_sub(qm1.get(), q.get(), BN_value_one()) != 1 ||
        BN_mul(phi.get(), pm1.get(), qm1.get(), ctx.get()) != 1 ||
        BN_gcd(g.get(), pm1.get(), qm1.get(), ctx.get()) != 1 ||
        BN_div(lcm.get(), nullptr, phi.get(), g.get(), ctx.get()) != 1)
        return {};
    if (!BN_mod_inverse(d.get(), e.get(), lcm.get(), ctx.get()) || BN_num_bits(d.get()) <= half)
        return {};
    if (BN_mod(dmp1.get(), d.get(), pm1.get(), ctx.get()) != 1 ||
        BN_mod(dmq1.get(), d.get(), qm1.get(), ctx.get()) != 1 ||
        !BN_mod_inverse(iqmp.get(), q.get(), p.get(), ctx.get()))
        return {};

    std::unique_ptr<OSSL_PARAM_BLD, ParamBldDeleter> bld(OSSL_PARAM_BLD_new());
    if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_D, d.get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_FACTOR1, p.get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_FACTOR2, q.get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_EXPONENT1, dmp1.get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_EXPONENT2, dmq1.get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_COEFFICIENT1, iqmp.get()) != 1)
        return {};
    std::unique_ptr<OSSL_PARAM, ParamDeleter> params(OSSL_PARAM_BLD_to_param(bld.get()));
    EvpPkeyCtxPtr fromData(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
    EVP_PKEY* raw = nullptr;
    if (!params || !fromData || EVP_PKEY_fromdata_init(fromData.get()) != 1 ||
        EVP_PKEY_fromdata(fromData.get(), &raw, EVP_PKEY_KEYPAIR, params.get()) != 1)
        return {};
    EvpPkeyPtr key(raw);
    // Pairwise consistency test: a signature made with the new private key verifies with its public key.
    // (EVP_PKEY_pairwise_check would re-run 64 Miller-Rabin rounds on each prime we just tested.)
    unsigned char digest[32];
    RAND_bytes(digest, sizeof digest);
    unsigned char sig[512];
    size_t sigLen = sizeof sig;
    EvpPkeyCtxPtr signCtx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
    if (!signCtx || EVP_PKEY_sign_init(signCtx.get()) != 1 ||
        EVP_PKEY_CTX_set_signature_md(signCtx.get(), EVP_sha256()) != 1 ||
        EVP_PKEY_sign(signCtx.get(), sig, &sigLen, digest, sizeof digest) != 1)
        return {};
    EvpPkeyCtxPtr verifyCtx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
    if (!verifyCtx || EVP_PKEY_verify_init(verifyCtx.get()) != 1 ||
        EVP_PKEY_CTX_set_signature_md(verifyCtx.get(), EVP_sha256()) != 1 ||
        EVP_PKEY_verify(verifyCtx.get(), sig, sigLen, digest, sizeof digest) != 1 ||
        EVP_PKEY_get_bits(key.get()) != bits)
        return {};
    return key;
}

} // namespace

Result<PrivateKey> PrivateKey::generateRsa(int bits) {
    if (bits != 2048 && bits != 3072 && bits != 4096)
        return makeError(ErrorKind::Usage, QCoreApplication::translate(
                                               "PrivateKey", "RSA key size %1 is not offered; use 2048, 3072 or 4096.")
                                               .arg(bits));
    if (EvpPkeyPtr fast = generateRsaParallel(bits))
        return PrivateKey(std::move(fast));
    ERR_clear_error();
    // The rare refusal of a check above (or a platform without threads) falls back to OpenSSL's own generator.
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
