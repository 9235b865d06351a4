// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "pki/Certificate.h"
#include "pki/PrivateKey.h"
#include "util/Result.h"

#include <QString>

namespace ndes::lab {

// The lab's PKI, shaped like an AD CS enterprise CA with one NDES server: a root CA, an issuing CA and the
// two RA certificates NDES enrolls for itself (<HOST>-MSCEP-RA, Certificate Request Agent EKU; the signing RA
// from EnrollmentAgentOffline with digitalSignature, the encryption RA from CEPEncryption with
// keyEncipherment). Kept as PEM files in a state directory; keys are written 0600.
class LabPki {
public:
    struct Options {
        QString stateDir;
        QString caStateDir; // where the root and issuing CA live; empty: stateDir. Virtual servers share one CA,
                            // as many NDES servers enroll through one enterprise CA.
        QString hostName = QStringLiteral("NDESLAB");
        int raDays = 730;       // RA validity; negative gives RA certificates that expired -raDays ago
        bool reissueRa = false; // reissue the RA certificates even when the state has them (--ra-days given)
    };

    static Result<LabPki> openOrCreate(const Options& options);

    // Where the CAs publish their CRLs, as AD CS does under /CertEnroll/ ("http://HOST:PORT/CertEnroll/"). Known
    // once the lab listens: RA certificates whose CDP points elsewhere are re-signed (same keys, same validity).
    Status setCrlBaseUrl(const QString& baseUrl);
    [[nodiscard]] const QString& crlBaseUrl() const { return m_crlBaseUrl; }
    // "<CA common name>.crl", the file name AD CS gives a CA's base CRL.
    [[nodiscard]] static QString crlFileName(const pki::Certificate& ca);
    [[nodiscard]] QString crlUrl(const pki::Certificate& ca) const;

    // Copies of the RA certificates that expired a day ago (same keys), for the ra-expired fault.
    [[nodiscard]] Result<QList<pki::Certificate>> expiredRaCopies() const;

    pki::Certificate root;
    pki::PrivateKey rootKey;
    pki::Certificate issuing;
    pki::PrivateKey issuingKey;
    pki::Certificate raSign;
    pki::PrivateKey raSignKey;
    pki::Certificate raEnc;
    pki::PrivateKey raEncKey;
    QString stateDir;
    QString hostName;

private:
    QString m_crlBaseUrl;
};

} // namespace ndes::lab
