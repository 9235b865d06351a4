// SPDX-License-Identifier: Apache-2.0
#include "pki/CertificateRequest.h"

#include "pki/DistinguishedName.h"
#include "pki/OpenSslError.h"
#include "pki/SubjectAltNames.h"

#include <openssl/pem.h>

#include <QCoreApplication>
#include <QHostAddress>

namespace ndes::pki {

namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("CertificateRequest", text);
}

struct ExtensionStackDeleter {
    void operator()(STACK_OF(X509_EXTENSION) * s) const { sk_X509_EXTENSION_pop_free(s, X509_EXTENSION_free); }
};
using ExtensionStackPtr = std::unique_ptr<STACK_OF(X509_EXTENSION), ExtensionStackDeleter>;

} // namespace

CertificateRequest::CertificateRequest(const CertificateRequest& other) {
    *this = other;
}

CertificateRequest& CertificateRequest::operator=(const CertificateRequest& other) {
    if (this != &other)
        m_req.reset(other.m_req ? X509_REQ_dup(other.m_req.get()) : nullptr);
    return *this;
}

Result<CertificateRequest> CertificateRequest::create(const CertificateRequestSpec& spec, const PrivateKey& key,
                                                      const EVP_MD* md) {
    if (key.isNull())
        return makeError(ErrorKind::Internal, tr("A certificate request needs a key."));
    auto name = DistinguishedName::parse(spec.subject);
    if (!name)
        return name.error();

    X509ReqPtr req(X509_REQ_new());
    X509_REQ_set_version(req.get(), 0);
    X509_REQ_set_subject_name(req.get(), name->get());
    X509_REQ_set_pubkey(req.get(), key.get());

    ExtensionStackPtr exts(sk_X509_EXTENSION_new_null());
    QByteArrayList sans;
    for (const QString& d : spec.dnsNames) {
        if (d.trimmed().isEmpty() || d.contains(QLatin1Char(',')))
            return makeError(ErrorKind::Usage, tr("\"%1\" is not a valid DNS name.").arg(d));
        sans << "DNS:" + d.trimmed().toUtf8();
    }
    for (const QString& ip : spec.ipAddresses) {
        if (QHostAddress(ip).isNull())
            return makeError(ErrorKind::Usage, tr("\"%1\" is not a valid IP address.").arg(ip));
        sans << "IP:" + ip.toLatin1();
    }
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, nullptr, nullptr, req.get(), nullptr, 0);
    if (!sans.isEmpty()) {
        X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, sans.join(',').constData());
        if (!ext)
            return openSslError(ErrorKind::Usage, tr("The subject alternative names could not be encoded."));
        sk_X509_EXTENSION_push(exts.get(), ext);
    }
    if (spec.keyUsage) {
        QByteArrayList names;
        if (spec.keyUsage & 0x80)
            names << "digitalSignature";
        if (spec.keyUsage & 0x20)
            names << "keyEncipherment";
        if (spec.keyUsage & 0x10)
            names << "dataEncipherment";
        X509_EXTENSION* ext =
            X509V3_EXT_conf_nid(nullptr, &ctx, NID_key_usage, ("critical," + names.join(',')).constData());
        if (!ext)
            return openSslError(ErrorKind::Usage, tr("The key usage could not be encoded."));
        sk_X509_EXTENSION_push(exts.get(), ext);
    }
    if (sk_X509_EXTENSION_num(exts.get()) > 0 && X509_REQ_add_extensions(req.get(), exts.get()) != 1)
        return openSslError(ErrorKind::Crypto, tr("Could not add extensions to the request."));

    if (!spec.challengePassword.isEmpty() &&
        X509_REQ_add1_attr_by_NID(req.get(), NID_pkcs9_challengePassword, MBSTRING_UTF8,
                                  reinterpret_cast<const unsigned char*>(spec.challengePassword.constData()),
                                  static_cast<int>(spec.challengePassword.size())) != 1)
        return openSslError(ErrorKind::Usage, tr("The challenge password could not be encoded."));

    if (X509_REQ_sign(req.get(), key.get(), md ? md : EVP_sha256()) <= 0)
        return openSslError(ErrorKind::Crypto, tr("Could not sign the certificate request."));
    return CertificateRequest(std::move(req));
}

Result<CertificateRequest> CertificateRequest::fromDer(const QByteArray& der) {
    const auto* p = reinterpret_cast<const unsigned char*>(der.constData());
    X509_REQ* raw = d2i_X509_REQ(nullptr, &p, static_cast<long>(der.size()));
    if (!raw)
        return openSslError(ErrorKind::BadReply, tr("The data is not a DER PKCS#10 request."));
    return CertificateRequest(X509ReqPtr(raw));
}

Result<CertificateRequest> CertificateRequest::fromPem(const QByteArray& pem) {
    BioPtr bio = memoryBio(pem);
    X509_REQ* raw = PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr);
    if (!raw)
        return openSslError(ErrorKind::Usage, tr("The data is not a PEM certificate request."));
    return CertificateRequest(X509ReqPtr(raw));
}

QString CertificateRequest::subject() const {
    return m_req ? DistinguishedName::toString(X509_REQ_get_subject_name(m_req.get())) : QString();
}

const X509_NAME* CertificateRequest::subjectName() const {
    return m_req ? X509_REQ_get_subject_name(m_req.get()) : nullptr;
}

EVP_PKEY* CertificateRequest::publicKey() const {
    return m_req ? X509_REQ_get0_pubkey(m_req.get()) : nullptr;
}

SecretBytes CertificateRequest::challengePassword() const {
    if (!m_req)
        return {};
    const int idx = X509_REQ_get_attr_by_NID(m_req.get(), NID_pkcs9_challengePassword, -1);
    if (idx < 0)
        return {};
    ASN1_TYPE* value = X509_ATTRIBUTE_get0_type(X509_REQ_get_attr(m_req.get(), idx), 0);
    if (!value)
        return {};
    switch (value->type) {
    case V_ASN1_PRINTABLESTRING:
    case V_ASN1_UTF8STRING:
    case V_ASN1_IA5STRING:
    case V_ASN1_T61STRING:
    case V_ASN1_BMPSTRING: {
        unsigned char* utf8 = nullptr;
        const int n = ASN1_STRING_to_UTF8(&utf8, value->value.asn1_string);
        if (n < 0)
            return {};
        SecretBytes out(QByteArray(reinterpret_cast<const char*>(utf8), n));
        OPENSSL_clear_free(utf8, static_cast<size_t>(n));
        return out;
    }
    default:
        return {};
    }
}

// The request's subjectAltName, from its extension request attribute.
static GeneralNamesPtr requestedNames(X509_REQ* req) {
    ExtensionStackPtr exts(req ? X509_REQ_get_extensions(req) : nullptr);
    return GeneralNamesPtr(
        exts ? static_cast<GENERAL_NAMES*>(X509V3_get_d2i(exts.get(), NID_subject_alt_name, nullptr, nullptr))
             : nullptr);
}

QStringList CertificateRequest::dnsNames() const {
    return SubjectAltNames::dnsNames(requestedNames(m_req.get()).get());
}

QStringList CertificateRequest::ipAddresses() const {
    return SubjectAltNames::ipAddresses(requestedNames(m_req.get()).get());
}

quint32 CertificateRequest::keyUsage() const {
    if (!m_req)
        return 0;
    ExtensionStackPtr exts(X509_REQ_get_extensions(m_req.get()));
    if (!exts)
        return 0;
    Asn1StringPtr bits(static_cast<ASN1_BIT_STRING*>(X509V3_get_d2i(exts.get(), NID_key_usage, nullptr, nullptr)));
    if (!bits)
        return 0;
    quint32 out = 0;
    if (ASN1_STRING_length(bits.get()) > 0)
        out = ASN1_STRING_get0_data(bits.get())[0];
    return out;
}

bool CertificateRequest::verifySelfSignature() const {
    EVP_PKEY* key = publicKey();
    return key && X509_REQ_verify(m_req.get(), key) == 1;
}

QByteArray CertificateRequest::toDer() const {
    if (!m_req)
        return {};
    unsigned char* out = nullptr;
    const int n = i2d_X509_REQ(m_req.get(), &out);
    QByteArray der = n > 0 ? QByteArray(reinterpret_cast<const char*>(out), n) : QByteArray();
    OPENSSL_free(out);
    return der;
}

QByteArray CertificateRequest::toPem() const {
    if (!m_req)
        return {};
    BioPtr bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_X509_REQ(bio.get(), m_req.get());
    return bioContents(bio.get());
}

} // namespace ndes::pki
