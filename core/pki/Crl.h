// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "pki/Certificate.h"
#include "pki/PrivateKey.h"
#include "util/Result.h"

#include <openssl/x509.h>

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <memory>

namespace ndes::pki {

// An X.509 certificate revocation list (RFC 5280 section 5), as a CA publishes it at its CDP URLs.
class Crl {
public:
    Crl() = default;

    // DER or PEM ("X509 CRL"), whatever the server sent; AD CS publishes DER.
    static Result<Crl> parse(const QByteArray& data);

    struct BuildParams {
        QDateTime thisUpdate;
        QDateTime nextUpdate;
        qint64 crlNumber = 1;
        QList<QByteArray> revokedSerials; // big-endian serial bytes
    };
    // Signs a CRL for `issuer` (ndes-lab and tests).
    static Result<Crl> build(const Certificate& issuer, const PrivateKey& issuerKey, const BuildParams& params);

    [[nodiscard]] bool isNull() const { return !m_crl; }
    [[nodiscard]] QString issuer() const;
    [[nodiscard]] QDateTime thisUpdate() const;
    [[nodiscard]] QDateTime nextUpdate() const; // invalid when the CRL has none
    [[nodiscard]] int revokedCount() const;
    [[nodiscard]] bool isRevoked(const Certificate& cert) const;
    // True when `issuer` signed this CRL and names it as issuer.
    [[nodiscard]] bool isSignedBy(const Certificate& issuer) const;
    [[nodiscard]] QByteArray toDer() const;

private:
    std::shared_ptr<X509_CRL> m_crl;
};

} // namespace ndes::pki
