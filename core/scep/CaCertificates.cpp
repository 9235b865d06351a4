// SPDX-License-Identifier: Apache-2.0
#include "scep/CaCertificates.h"

#include "pki/Pkcs7CertsOnly.h"

#include <QCoreApplication>

namespace ndes::scep {

using pki::Certificate;
using pki::KeyUsage;

namespace {
QString tr(const char* text) {
    return QCoreApplication::translate("CaCertificates", text);
}
} // namespace

QString roleName(CertificateRole role) {
    switch (role) {
    case CertificateRole::Ca:
        return QStringLiteral("ca");
    case CertificateRole::RaSigning:
        return QStringLiteral("ra-signing");
    case CertificateRole::RaEncryption:
        return QStringLiteral("ra-encryption");
    case CertificateRole::Ra:
        return QStringLiteral("ra");
    }
    return {};
}

Result<CaCertificates> CaCertificates::parse(const QByteArray& body, const QString& contentType) {
    Q_UNUSED(contentType) // informative only: NDES versions disagree on it
    if (body.isEmpty())
        return makeError(ErrorKind::BadReply,
                         tr("GetCACert returned an empty answer. Check that the URL points to the "
                            "SCEP endpoint and that the service's RA certificates are installed."));
    if (body.startsWith("-----BEGIN")) {
        auto list = Certificate::listFromPem(body);
        if (!list)
            return makeError(ErrorKind::BadReply, tr("GetCACert returned PEM text without a certificate."));
        return fromList(*list);
    }
    auto single = Certificate::fromDer(body);
    if (single)
        return fromList({*single});
    auto bundle = pki::Pkcs7CertsOnly::parse(body);
    if (bundle)
        return fromList(*bundle);
    const QByteArray head = body.left(64).trimmed().toLower();
    if (head.startsWith('<'))
        return makeError(ErrorKind::BadReply, tr("GetCACert returned an HTML page instead of certificates. Check that "
                                                 "the URL points to the SCEP endpoint (for NDES: "
                                                 "/certsrv/mscep/mscep.dll)."));
    Error e = makeError(ErrorKind::BadReply, tr("GetCACert returned neither a certificate nor a PKCS#7 bundle."));
    e.detail = bundle.error().detail;
    return e;
}

CaCertificates CaCertificates::fromList(const QList<Certificate>& certs) {
    CaCertificates out;
    for (const Certificate& c : certs) {
        RoledCertificate rc;
        rc.certificate = c;
        if (c.isCa()) {
            rc.role = CertificateRole::Ca;
        } else if (c.hasKeyUsage(KeyUsage::KeyEncipherment) && !c.hasKeyUsage(KeyUsage::DigitalSignature)) {
            rc.role = CertificateRole::RaEncryption;
        } else if (c.hasKeyUsage(KeyUsage::DigitalSignature) && !c.hasKeyUsage(KeyUsage::KeyEncipherment)) {
            rc.role = CertificateRole::RaSigning;
        } else {
            rc.role = CertificateRole::Ra;
        }
        out.m_certs.append(rc);
    }
    return out;
}

QList<Certificate> CaCertificates::all() const {
    QList<Certificate> out;
    for (const auto& rc : m_certs)
        out << rc.certificate;
    return out;
}

QList<Certificate> CaCertificates::caCertificates() const {
    QList<Certificate> out;
    for (const auto& rc : m_certs)
        if (rc.role == CertificateRole::Ca)
            out << rc.certificate;
    return out;
}

QList<Certificate> CaCertificates::raCertificates() const {
    QList<Certificate> out;
    for (const auto& rc : m_certs)
        if (rc.role != CertificateRole::Ca)
            out << rc.certificate;
    return out;
}

bool CaCertificates::hasRa() const {
    return !raCertificates().isEmpty();
}

Certificate CaCertificates::issuingCa() const {
    const QList<Certificate> cas = caCertificates();
    for (const Certificate& ra : raCertificates())
        for (const Certificate& ca : cas)
            if (X509_check_issued(ca.get(), ra.get()) == X509_V_OK)
                return ca;
    for (const Certificate& ca : cas)
        if (!ca.isSelfSigned())
            return ca;
    if (!cas.isEmpty())
        return cas.first();
    return m_certs.isEmpty() ? Certificate() : m_certs.first().certificate;
}

Result<Certificate> CaCertificates::encryptionRecipient() const {
    const QList<Certificate> ras = raCertificates();
    for (const Certificate& c : ras)
        if (c.hasKeyUsage(KeyUsage::KeyEncipherment))
            return c;
    for (const Certificate& c : ras)
        if (c.hasKeyUsage(KeyUsage::DataEncipherment))
            return c;
    if (!ras.isEmpty()) {
        // RA certificates without a key usage extension allow every usage; use the first.
        for (const Certificate& c : ras)
            if (!c.hasKeyUsageExtension())
                return c;
        return makeError(ErrorKind::BadReply, tr("None of the server's RA certificates may be used for encryption "
                                                 "(no keyEncipherment or dataEncipherment). Renew the CEP Encryption "
                                                 "RA certificate on the NDES server."));
    }
    const Certificate ca = issuingCa();
    if (ca.isNull())
        return makeError(ErrorKind::BadReply, tr("GetCACert returned no certificate to encrypt the request to."));
    return ca;
}

QList<Certificate> CaCertificates::possibleSigners() const {
    QList<Certificate> out;
    for (const Certificate& c : raCertificates())
        if (!c.hasKeyUsageExtension() || c.hasKeyUsage(KeyUsage::DigitalSignature))
            out << c;
    if (out.isEmpty())
        out = raCertificates();
    out << caCertificates();
    return out;
}

} // namespace ndes::scep
