// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "pki/Certificate.h"
#include "pki/PrivateKey.h"
#include "util/Result.h"

#include <QList>
#include <memory>
#include <optional>

namespace ndes::pki {

// One authenticated attribute of a SignerInfo (SCEP puts its messageType, nonces and status here).
struct SignedAttribute {
    const char* oid = nullptr;
    int asn1Type = 0; // V_ASN1_PRINTABLESTRING or V_ASN1_OCTET_STRING
    QByteArray value;
};

// CMS SignedData with one signer, encapsulated data content and authenticated attributes: the outer
// layer of every SCEP pkiMessage.
class CmsSignedData {
public:
    static Result<QByteArray> sign(const QByteArray& content, const Certificate& signer, const PrivateKey& key,
                                   const EVP_MD* digest, const QList<SignedAttribute>& attributes,
                                   const QList<Certificate>& extraCertificates = {});

    static Result<CmsSignedData> parse(const QByteArray& der);

    // The encapsulated content; empty when absent (SCEP FAILURE and PENDING replies carry none).
    [[nodiscard]] QByteArray content() const { return m_content; }
    [[nodiscard]] QList<Certificate> certificates() const;
    [[nodiscard]] int signerCount() const;
    [[nodiscard]] QString digestAlgorithm() const; // of the first signer, e.g. "SHA256"

    // Checks the (single) signer's signature over content and attributes. The signer certificate is looked up
    // among the message's certificates and `candidates`; it is returned so the caller can check its chain.
    [[nodiscard]] Result<Certificate> verifySignature(const QList<Certificate>& candidates = {}) const;

    // The value of a single-valued signed attribute of the given ASN.1 type, if present exactly once.
    [[nodiscard]] std::optional<QByteArray> attribute(const char* oid, int asn1Type) const;

private:
    std::shared_ptr<CMS_ContentInfo> m_cms;
    QByteArray m_content;
    bool m_hasContent = false;
};

} // namespace ndes::pki
