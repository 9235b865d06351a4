// SPDX-License-Identifier: Apache-2.0
#include "pki/Crl.h"

#include "pki/Asn1Time.h"
#include "pki/DistinguishedName.h"
#include "pki/OpenSslError.h"
#include "pki/OpenSslPtr.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <QCoreApplication>

namespace ndes::pki {

namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("Crl", text);
}

constexpr qsizetype maxCrlBytes = qsizetype(64) * 1024 * 1024;

bool setTime(X509_CRL* crl, int (*setter)(X509_CRL*, const ASN1_TIME*), const QDateTime& when) {
    Asn1StringPtr t(ASN1_TIME_set(nullptr, static_cast<time_t>(when.toSecsSinceEpoch())));
    return t && setter(crl, t.get()) == 1;
}

} // namespace

Result<Crl> Crl::parse(const QByteArray& data) {
    if (data.isEmpty())
        return makeError(ErrorKind::BadReply, tr("The CRL is empty."));
    if (data.size() > maxCrlBytes)
        return makeError(ErrorKind::BadReply, tr("The CRL is larger than 64 MB; that is no CRL a CA publishes."));
    X509_CRL* raw = nullptr;
    if (data.trimmed().startsWith("-----BEGIN")) {
        BioPtr bio(BIO_new_mem_buf(data.constData(), static_cast<int>(data.size())));
        raw = bio ? PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr) : nullptr;
    } else {
        const auto* p = reinterpret_cast<const unsigned char*>(data.constData());
        raw = d2i_X509_CRL(nullptr, &p, static_cast<long>(data.size()));
    }
    if (!raw)
        return openSslError(ErrorKind::BadReply, tr("The data is not an X.509 CRL (neither DER nor PEM)."));
    Crl crl;
    crl.m_crl.reset(raw, X509_CRL_free);
    if (!crl.thisUpdate().isValid())
        return makeError(ErrorKind::BadReply, tr("The CRL has no readable thisUpdate time."));
    return crl;
}

Result<Crl> Crl::build(const Certificate& issuer, const PrivateKey& issuerKey, const BuildParams& params) {
    if (issuer.isNull() || issuerKey.isNull())
        return makeError(ErrorKind::Usage, tr("A CRL needs its issuer's certificate and key."));
    std::shared_ptr<X509_CRL> crl(X509_CRL_new(), X509_CRL_free);
    bool ok = crl && X509_CRL_set_version(crl.get(), 1) == 1 &&
              X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(issuer.get())) == 1 &&
              setTime(crl.get(), X509_CRL_set1_lastUpdate, params.thisUpdate) &&
              (!params.nextUpdate.isValid() || setTime(crl.get(), X509_CRL_set1_nextUpdate, params.nextUpdate));
    for (const QByteArray& serial : params.revokedSerials) {
        if (!ok)
            break;
        X509_REVOKED* rev = X509_REVOKED_new();
        BigNumPtr bn(BN_bin2bn(reinterpret_cast<const unsigned char*>(serial.constData()),
                               static_cast<int>(serial.size()), nullptr));
        Asn1IntegerPtr num(bn ? BN_to_ASN1_INTEGER(bn.get(), nullptr) : nullptr);
        Asn1StringPtr when(ASN1_TIME_set(nullptr, static_cast<time_t>(params.thisUpdate.toSecsSinceEpoch())));
        ok = rev && num && when && X509_REVOKED_set_serialNumber(rev, num.get()) == 1 &&
             X509_REVOKED_set_revocationDate(rev, when.get()) == 1 && X509_CRL_add0_revoked(crl.get(), rev) == 1;
        if (!ok)
            X509_REVOKED_free(rev);
    }
    if (ok) {
        BigNumPtr bn(BN_new());
        ok = bn && BN_set_word(bn.get(), static_cast<BN_ULONG>(params.crlNumber)) == 1;
        Asn1IntegerPtr number(ok ? BN_to_ASN1_INTEGER(bn.get(), nullptr) : nullptr);
        ok = number && X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, number.get(), 0, 0) == 1;
    }
    ok = ok && X509_CRL_sort(crl.get()) == 1 && X509_CRL_sign(crl.get(), issuerKey.get(), EVP_sha256()) > 0;
    if (!ok)
        return openSslError(ErrorKind::Crypto, tr("Could not build or sign the CRL."));
    Crl out;
    out.m_crl = std::move(crl);
    return out;
}

QString Crl::issuer() const {
    return m_crl ? DistinguishedName::toString(X509_CRL_get_issuer(m_crl.get())) : QString();
}

QDateTime Crl::thisUpdate() const {
    return m_crl ? fromAsn1Time(X509_CRL_get0_lastUpdate(m_crl.get())) : QDateTime();
}

QDateTime Crl::nextUpdate() const {
    return m_crl ? fromAsn1Time(X509_CRL_get0_nextUpdate(m_crl.get())) : QDateTime();
}

int Crl::revokedCount() const {
    if (!m_crl)
        return 0;
    STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(m_crl.get());
    return revoked ? sk_X509_REVOKED_num(revoked) : 0;
}

bool Crl::isRevoked(const Certificate& cert) const {
    X509_REVOKED* entry = nullptr;
    return m_crl && !cert.isNull() && X509_CRL_get0_by_cert(m_crl.get(), &entry, cert.get()) == 1;
}

bool Crl::isSignedBy(const Certificate& issuer) const {
    if (!m_crl || issuer.isNull())
        return false;
    if (X509_NAME_cmp(X509_CRL_get_issuer(m_crl.get()), X509_get_subject_name(issuer.get())) != 0)
        return false;
    EVP_PKEY* key = X509_get0_pubkey(issuer.get());
    const bool ok = key && X509_CRL_verify(m_crl.get(), key) == 1;
    ERR_clear_error();
    return ok;
}

QByteArray Crl::toDer() const {
    if (!m_crl)
        return {};
    unsigned char* out = nullptr;
    const int n = i2d_X509_CRL(m_crl.get(), &out);
    if (n <= 0)
        return {};
    QByteArray der(reinterpret_cast<const char*>(out), n);
    OPENSSL_free(out);
    return der;
}

} // namespace ndes::pki
