// SPDX-License-Identifier: Apache-2.0
#include "pki/CertificateBuilder.h"

#include "pki/DerSequence.h"
#include "pki/DistinguishedName.h"
#include "pki/Oids.h"
#include "pki/OpenSslError.h"
#include "util/Clock.h"

#include <openssl/rand.h>

#include <QCoreApplication>
#include <QHostAddress>

namespace ndes::pki {

namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("CertificateBuilder", text);
}

bool addExtension(X509* cert, X509* issuer, int nid, const QByteArray& value) {
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer ? issuer : cert, cert, nullptr, nullptr, 0);
    X509ExtensionPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.constData()));
    return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

bool addRawExtension(X509* cert, const char* oid, const QByteArray& der) {
    Asn1ObjectPtr obj(OBJ_txt2obj(oid, 1));
    Asn1StringPtr data(ASN1_OCTET_STRING_new());
    if (!obj || !data ||
        ASN1_OCTET_STRING_set(data.get(), reinterpret_cast<const unsigned char*>(der.constData()),
                              static_cast<int>(der.size())) != 1)
        return false;
    X509ExtensionPtr ext(X509_EXTENSION_create_by_OBJ(nullptr, obj.get(), 0, data.get()));
    return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

QByteArray derOf(int (*i2d)(const ASN1_STRING*, unsigned char**), const ASN1_STRING* s) {
    unsigned char* out = nullptr;
    const int n = i2d(s, &out);
    QByteArray der = n > 0 ? QByteArray(reinterpret_cast<const char*>(out), n) : QByteArray();
    OPENSSL_free(out);
    return der;
}

QByteArray bmpStringDer(const QString& text) {
    Asn1StringPtr s(ASN1_STRING_type_new(V_ASN1_BMPSTRING));
    QByteArray be;
    for (QChar c : text) {
        be.append(char(c.unicode() >> 8));
        be.append(char(c.unicode() & 0xFF));
    }
    ASN1_STRING_set(s.get(), be.constData(), static_cast<int>(be.size()));
    return derOf([](const ASN1_STRING* a, unsigned char** o) { return i2d_ASN1_BMPSTRING(a, o); }, s.get());
}

QByteArray templateInfoDer(const TemplateInfo& info) {
    Asn1ObjectPtr obj(OBJ_txt2obj(info.oid.toLatin1().constData(), 1));
    if (!obj)
        return {};
    QByteArray body;
    unsigned char* out = nullptr;
    int n = i2d_ASN1_OBJECT(obj.get(), &out);
    body.append(reinterpret_cast<const char*>(out), n);
    OPENSSL_free(out);
    for (int v : {info.majorVersion, info.minorVersion}) {
        if (v < 0)
            continue;
        Asn1IntegerPtr i(ASN1_INTEGER_new());
        ASN1_INTEGER_set(i.get(), v);
        out = nullptr;
        n = i2d_ASN1_INTEGER(i.get(), &out);
        body.append(reinterpret_cast<const char*>(out), n);
        OPENSSL_free(out);
    }
    return DerSequence::wrap(body);
}

} // namespace

CertificateBuilder& CertificateBuilder::setSubjectName(const X509_NAME* name) {
    m_subjectName.reset(name ? X509_NAME_dup(name) : nullptr);
    return *this;
}

Result<Certificate> CertificateBuilder::build(EVP_PKEY* subjectPublicKey, const PrivateKey& issuerKey,
                                              const Certificate& issuer) const {
    if (!subjectPublicKey || issuerKey.isNull())
        return makeError(ErrorKind::Internal, tr("A certificate needs a subject key and an issuer key."));
    X509Ptr cert(X509_new());
    X509_set_version(cert.get(), X509_VERSION_3);

    X509NamePtr subject;
    if (m_subjectName) {
        subject.reset(X509_NAME_dup(m_subjectName.get()));
    } else {
        auto parsed = DistinguishedName::parse(m_subject);
        if (!parsed)
            return parsed.error();
        subject = std::move(parsed.value());
    }
    X509_set_subject_name(cert.get(), subject.get());
    X509_set_issuer_name(cert.get(), issuer.isNull() ? subject.get() : X509_get_subject_name(issuer.get()));

    const QByteArray serial = m_serial.isEmpty() ? randomSerial() : m_serial;
    BigNumPtr bn(BN_bin2bn(reinterpret_cast<const unsigned char*>(serial.constData()), static_cast<int>(serial.size()),
                           nullptr));
    Asn1IntegerPtr serialInt(BN_to_ASN1_INTEGER(bn.get(), nullptr));
    X509_set_serialNumber(cert.get(), serialInt.get());

    const QDateTime now = Clock::instance().now();
    const QDateTime nb = m_notBefore.isValid() ? m_notBefore : now.addSecs(-300);
    const QDateTime na = m_notAfter.isValid() ? m_notAfter : now.addDays(365);
    ASN1_TIME_set(X509_getm_notBefore(cert.get()), static_cast<time_t>(nb.toSecsSinceEpoch()));
    ASN1_TIME_set(X509_getm_notAfter(cert.get()), static_cast<time_t>(na.toSecsSinceEpoch()));
    if (X509_set_pubkey(cert.get(), subjectPublicKey) != 1)
        return openSslError(ErrorKind::Crypto, tr("Could not set the certificate's public key."));

    X509* issuerCert = issuer.isNull() ? nullptr : issuer.get();
    bool ok = true;
    if (m_ca) {
        const QByteArray bc = m_pathLength >= 0 ? "critical,CA:TRUE,pathlen:" + QByteArray::number(m_pathLength)
                                                : QByteArray("critical,CA:TRUE");
        ok &= addExtension(cert.get(), issuerCert, NID_basic_constraints, bc);
    } else {
        ok &= addExtension(cert.get(), issuerCert, NID_basic_constraints, "critical,CA:FALSE");
    }
    if (m_keyUsage) {
        QByteArrayList names;
        static const QList<QPair<KeyUsage, const char*>> table = {
            {KeyUsage::DigitalSignature, "digitalSignature"},
            {KeyUsage::NonRepudiation, "nonRepudiation"},
            {KeyUsage::KeyEncipherment, "keyEncipherment"},
            {KeyUsage::DataEncipherment, "dataEncipherment"},
            {KeyUsage::KeyAgreement, "keyAgreement"},
            {KeyUsage::KeyCertSign, "keyCertSign"},
            {KeyUsage::CrlSign, "cRLSign"},
        };
        for (const auto& [bit, name] : table)
            if (m_keyUsage & static_cast<quint32>(bit))
                names << name;
        ok &= addExtension(cert.get(), issuerCert, NID_key_usage, "critical," + names.join(','));
    }
    if (!m_ekus.isEmpty())
        ok &= addExtension(cert.get(), issuerCert, NID_ext_key_usage, m_ekus.join(QLatin1Char(',')).toLatin1());
    QByteArrayList sans;
    for (const QString& d : m_dns)
        sans << "DNS:" + d.toUtf8();
    for (const QString& ip : m_ips)
        sans << "IP:" + ip.toLatin1();
    if (!sans.isEmpty())
        ok &= addExtension(cert.get(), issuerCert, NID_subject_alt_name, sans.join(','));
    ok &= addExtension(cert.get(), issuerCert, NID_subject_key_identifier, "hash");
    if (issuerCert)
        ok &= addExtension(cert.get(), issuerCert, NID_authority_key_identifier, "keyid");
    if (!m_crlUrl.isEmpty())
        ok &= addExtension(cert.get(), issuerCert, NID_crl_distribution_points, "URI:" + m_crlUrl.toUtf8());
    if (!m_templateName.isEmpty())
        ok &= addRawExtension(cert.get(), oid::certificateTemplateName, bmpStringDer(m_templateName));
    if (!m_templateInfo.oid.isEmpty())
        ok &= addRawExtension(cert.get(), oid::certificateTemplateInfo, templateInfoDer(m_templateInfo));
    if (!ok)
        return openSslError(ErrorKind::Usage, tr("A certificate extension could not be encoded."));

    if (X509_sign(cert.get(), issuerKey.get(), m_md ? m_md : EVP_sha256()) <= 0)
        return openSslError(ErrorKind::Crypto, tr("Could not sign the certificate."));
    return Certificate(std::move(cert));
}

QByteArray randomSerial() {
    QByteArray serial(16, '\0');
    RAND_bytes(reinterpret_cast<unsigned char*>(serial.data()), static_cast<int>(serial.size()));
    serial[0] = char((serial[0] & 0x7F) | 0x01);
    return serial;
}

} // namespace ndes::pki
