// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "pki/PrivateKey.h"
#include "util/Result.h"
#include "util/SecretBytes.h"

#include <QStringList>

namespace ndes::pki {

// What goes into a PKCS#10 request a device sends to NDES.
struct CertificateRequestSpec {
    QString subject; // RFC 4514 or slash form
    QStringList dnsNames;
    QStringList ipAddresses;
    QByteArray challengePassword; // secret: wiped by the caller
    quint32 keyUsage = 0;         // KeyUsage bits; NDES picks the template from these (0 = no extension)
};

// A PKCS#10 certificate signing request.
class CertificateRequest {
public:
    CertificateRequest() = default;
    explicit CertificateRequest(X509ReqPtr req)
        : m_req(std::move(req)) {}
    CertificateRequest(const CertificateRequest& other);
    CertificateRequest& operator=(const CertificateRequest& other);
    CertificateRequest(CertificateRequest&&) noexcept = default;
    CertificateRequest& operator=(CertificateRequest&&) noexcept = default;

    static Result<CertificateRequest> create(const CertificateRequestSpec& spec, const PrivateKey& key,
                                             const EVP_MD* md = nullptr);
    static Result<CertificateRequest> fromDer(const QByteArray& der);
    static Result<CertificateRequest> fromPem(const QByteArray& pem);

    [[nodiscard]] bool isNull() const { return !m_req; }
    [[nodiscard]] X509_REQ* get() const { return m_req.get(); }
    [[nodiscard]] QString subject() const;
    [[nodiscard]] const X509_NAME* subjectName() const;
    [[nodiscard]] EVP_PKEY* publicKey() const; // owned by the request
    [[nodiscard]] SecretBytes challengePassword() const;
    [[nodiscard]] QStringList dnsNames() const;
    [[nodiscard]] QStringList ipAddresses() const;
    [[nodiscard]] quint32 keyUsage() const; // 0 when the request carries no key usage extension
    [[nodiscard]] bool verifySelfSignature() const;
    [[nodiscard]] QByteArray toDer() const;
    [[nodiscard]] QByteArray toPem() const;

private:
    X509ReqPtr m_req;
};

} // namespace ndes::pki
