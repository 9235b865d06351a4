// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "pki/Certificate.h"
#include "pki/PrivateKey.h"

#include <QDateTime>
#include <QList>
#include <QStringList>

namespace ndes::pki {

// Issues X.509 certificates: the transient self-signed signer of a SCEP request, and (in ndes-lab and
// tests) CA, RA and end-entity certificates.
class CertificateBuilder {
public:
    CertificateBuilder& setSubject(const QString& dn) {
        m_subject = dn;
        return *this;
    }
    CertificateBuilder& setSubjectName(const X509_NAME* name);
    CertificateBuilder& setSerial(const QByteArray& serialBytes) {
        m_serial = serialBytes;
        return *this;
    }
    CertificateBuilder& setValidity(const QDateTime& notBefore, const QDateTime& notAfter) {
        m_notBefore = notBefore;
        m_notAfter = notAfter;
        return *this;
    }
    CertificateBuilder& setKeyUsage(quint32 usageBits) {
        m_keyUsage = usageBits;
        return *this;
    }
    CertificateBuilder& setExtendedKeyUsages(const QStringList& oids) {
        m_ekus = oids;
        return *this;
    }
    CertificateBuilder& setCa(bool ca, int pathLength = -1) {
        m_ca = ca;
        m_pathLength = pathLength;
        return *this;
    }
    CertificateBuilder& setDnsNames(const QStringList& names) {
        m_dns = names;
        return *this;
    }
    CertificateBuilder& setIpAddresses(const QStringList& ips) {
        m_ips = ips;
        return *this;
    }
    CertificateBuilder& setTemplateName(const QString& name) {
        m_templateName = name;
        return *this;
    }
    CertificateBuilder& setTemplateInfo(const TemplateInfo& info) {
        m_templateInfo = info;
        return *this;
    }
    CertificateBuilder& setCrlDistributionPoint(const QString& url) {
        m_crlUrl = url;
        return *this;
    }
    CertificateBuilder& setDigest(const EVP_MD* md) {
        m_md = md;
        return *this;
    }

    // Signs `subjectKey`'s public half with `issuerKey`; a null issuer makes a self-signed certificate.
    [[nodiscard]] Result<Certificate> build(EVP_PKEY* subjectPublicKey, const PrivateKey& issuerKey,
                                            const Certificate& issuer = {}) const;
    [[nodiscard]] Result<Certificate> selfSigned(const PrivateKey& key) const { return build(key.get(), key); }

private:
    QString m_subject;
    X509NamePtr m_subjectName;
    QByteArray m_serial;
    QDateTime m_notBefore;
    QDateTime m_notAfter;
    quint32 m_keyUsage = 0;
    QStringList m_ekus;
    bool m_ca = false;
    int m_pathLength = -1;
    QStringList m_dns;
    QStringList m_ips;
    QString m_templateName;
    TemplateInfo m_templateInfo;
    QString m_crlUrl;
    const EVP_MD* m_md = nullptr;
};

// Random positive serial number bytes (16 bytes, high bit clear), as CAs commonly use.
[[nodiscard]] QByteArray randomSerial();

} // namespace ndes::pki
