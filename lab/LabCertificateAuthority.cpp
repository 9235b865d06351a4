// SPDX-License-Identifier: Apache-2.0
#include "LabCertificateAuthority.h"

#include "pki/CertificateBuilder.h"
#include "pki/Oids.h"
#include "util/Clock.h"

namespace ndes::lab {

using namespace ndes::pki;

TemplateProfile LabCertificateAuthority::profileFor(const QString& templateName) {
    TemplateProfile p;
    p.name = templateName;
    const auto ds = static_cast<quint32>(KeyUsage::DigitalSignature);
    const auto ke = static_cast<quint32>(KeyUsage::KeyEncipherment);
    if (templateName.compare(QLatin1String("IPSECIntermediateOffline"), Qt::CaseInsensitive) == 0) {
        p.validityDays = 730;
        p.keyUsage = ds | ke;
        p.extendedKeyUsages = {QString::fromLatin1(oid::ipsecIke)};
    } else if (templateName.contains(QLatin1String("Web"), Qt::CaseInsensitive)) {
        p.keyUsage = ds | ke;
        p.extendedKeyUsages = {QString::fromLatin1(oid::serverAuth)};
    } else {
        p.keyUsage = ds | ke;
        p.extendedKeyUsages = {QString::fromLatin1(oid::clientAuth), QString::fromLatin1(oid::serverAuth)};
    }
    return p;
}

Result<Certificate> LabCertificateAuthority::issue(const CertificateRequest& csr, const QString& templateName) {
    const TemplateProfile profile = profileFor(templateName);
    const QDateTime now = Clock::instance().now();
    auto cert = CertificateBuilder()
                    .setSubjectName(csr.subjectName())
                    .setDnsNames(csr.dnsNames())
                    .setIpAddresses(csr.ipAddresses())
                    .setKeyUsage(profile.keyUsage)
                    .setExtendedKeyUsages(profile.extendedKeyUsages)
                    .setTemplateName(templateName)
                    .setCrlDistributionPoint(m_pki->crlUrl(m_pki->issuing))
                    .setValidity(now.addSecs(-600), now.addDays(profile.validityDays))
                    .build(csr.publicKey(), m_pki->issuingKey, m_pki->issuing);
    if (cert)
        ++m_issuedCount;
    return cert;
}

LabCertificateAuthority::Decision LabCertificateAuthority::submit(const QString& transactionId,
                                                                  const CertificateRequest& csr,
                                                                  const QString& templateName) {
    Decision d;
    if (!m_published.contains(templateName)) {
        d.reason = QStringLiteral("The requested certificate template is not supported by this CA. 0x80094800 "
                                  "(-2146875392 CERTSRV_E_UNSUPPORTED_CERT_TYPE): %1")
                       .arg(templateName);
        return d;
    }
    if (m_manual) {
        m_pending.insert(transactionId, {csr, templateName, false});
        d.outcome = Outcome::Pending;
        return d;
    }
    auto cert = issue(csr, templateName);
    if (!cert) {
        d.reason = cert.error().toString();
        return d;
    }
    m_issued.insert(transactionId, *cert);
    d.outcome = Outcome::Issued;
    d.certificate = *cert;
    return d;
}

LabCertificateAuthority::Decision LabCertificateAuthority::poll(const QString& transactionId) {
    Decision d;
    if (m_issued.contains(transactionId)) {
        d.outcome = Outcome::Issued;
        d.certificate = m_issued.value(transactionId);
    } else if (m_pending.contains(transactionId)) {
        if (m_pending.value(transactionId).denied) {
            d.reason = QStringLiteral("The request was denied by a CA administrator.");
        } else {
            d.outcome = Outcome::Pending;
        }
    } else {
        d.reason = QStringLiteral("unknown");
    }
    return d;
}

bool LabCertificateAuthority::approve(const QString& transactionId, bool issueIt) {
    auto it = m_pending.find(transactionId);
    if (it == m_pending.end() || it->denied)
        return false;
    if (!issueIt) {
        it->denied = true;
        return true;
    }
    auto cert = issue(it->csr, it->templateName);
    if (!cert)
        return false;
    m_issued.insert(transactionId, *cert);
    m_pending.erase(it);
    return true;
}

QStringList LabCertificateAuthority::pendingTransactions() const {
    QStringList out;
    for (auto it = m_pending.cbegin(); it != m_pending.cend(); ++it)
        if (!it->denied)
            out << it.key();
    return out;
}

} // namespace ndes::lab
