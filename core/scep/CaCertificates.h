// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "pki/Certificate.h"
#include "util/Result.h"

#include <QList>

namespace ndes::scep {

enum class CertificateRole { Ca, RaSigning, RaEncryption, Ra };

[[nodiscard]] QString roleName(CertificateRole role); // "ca", "ra-signing", "ra-encryption", "ra"

struct RoledCertificate {
    CertificateRole role = CertificateRole::Ca;
    pki::Certificate certificate;
};

// What GetCACert returned: a single CA certificate, or a PKCS#7 bundle with the CA chain and the NDES RA
// certificates (in any order: real NDES sends encryption RA, root, signing RA, issuing CA).
class CaCertificates {
public:
    // Accepts DER, a degenerate PKCS#7, or PEM regardless of Content-Type (old NDES sends none).
    static Result<CaCertificates> parse(const QByteArray& body, const QString& contentType = {});
    static CaCertificates fromList(const QList<pki::Certificate>& certs);

    [[nodiscard]] const QList<RoledCertificate>& certificates() const { return m_certs; }
    [[nodiscard]] QList<pki::Certificate> all() const;
    [[nodiscard]] QList<pki::Certificate> caCertificates() const;
    [[nodiscard]] QList<pki::Certificate> raCertificates() const;
    [[nodiscard]] bool hasRa() const;

    // The CA that issues end-entity certificates: the CA that issued the RA certificates, else the one CA
    // that is not self-signed, else the only CA.
    [[nodiscard]] pki::Certificate issuingCa() const;

    // The certificate a request must be encrypted to: the first end-entity certificate with
    // keyEncipherment, else one with dataEncipherment, else (no RA) the issuing CA. Never several.
    [[nodiscard]] Result<pki::Certificate> encryptionRecipient() const;

    // Certificates that may sign a CertRep: the RA certificates with digitalSignature (else all RAs), else the
    // issuing CA.
    [[nodiscard]] QList<pki::Certificate> possibleSigners() const;

private:
    QList<RoledCertificate> m_certs;
};

} // namespace ndes::scep
