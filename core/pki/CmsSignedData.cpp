// SPDX-License-Identifier: Apache-2.0
#include "pki/CmsSignedData.h"

#include "pki/OpenSslError.h"

#include <openssl/err.h>

#include <QCoreApplication>

namespace ndes::pki {

namespace {
QString tr(const char* text) {
    return QCoreApplication::translate("CmsSignedData", text);
}

CMS_SignerInfo* firstSigner(CMS_ContentInfo* cms) {
    STACK_OF(CMS_SignerInfo)* infos = cms ? CMS_get0_SignerInfos(cms) : nullptr;
    return infos && sk_CMS_SignerInfo_num(infos) > 0 ? sk_CMS_SignerInfo_value(infos, 0) : nullptr;
}
} // namespace

Result<QByteArray> CmsSignedData::sign(const QByteArray& content, const Certificate& signer, const PrivateKey& key,
                                       const EVP_MD* digest, const QList<SignedAttribute>& attributes,
                                       const QList<Certificate>& extraCertificates) {
    X509StackPtr extra(sk_X509_new_null());
    for (const Certificate& c : extraCertificates) {
        if (c == signer)
            continue; // CMS_add1_signer adds it; OpenSSL refuses duplicates
        X509_up_ref(c.get());
        sk_X509_push(extra.get(), c.get());
    }
    CmsPtr cms(CMS_sign(nullptr, nullptr, extra.get(), nullptr, CMS_PARTIAL | CMS_BINARY));
    if (!cms)
        return openSslError(ErrorKind::Crypto, tr("Could not create a signed message."));
    CMS_SignerInfo* si = CMS_add1_signer(cms.get(), signer.get(), key.get(), digest ? digest : EVP_sha256(),
                                         CMS_NOSMIMECAP | CMS_BINARY | CMS_PARTIAL);
    if (!si)
        return openSslError(ErrorKind::Crypto, tr("Could not add the signer to the message."));
    for (const SignedAttribute& a : attributes) {
        Asn1ObjectPtr obj(OBJ_txt2obj(a.oid, 1));
        if (!obj || CMS_signed_add1_attr_by_OBJ(si, obj.get(), a.asn1Type, a.value.constData(),
                                                static_cast<int>(a.value.size())) != 1)
            return openSslError(ErrorKind::Crypto, tr("Could not add a signed attribute."));
    }
    BioPtr data = memoryBio(content);
    if (CMS_final(cms.get(), data.get(), nullptr, CMS_BINARY) != 1)
        return openSslError(ErrorKind::Crypto, tr("Could not sign the message."));
    BioPtr out(BIO_new(BIO_s_mem()));
    if (i2d_CMS_bio(out.get(), cms.get()) != 1)
        return openSslError(ErrorKind::Crypto, tr("Could not encode the signed message."));
    return bioContents(out.get());
}

Result<CmsSignedData> CmsSignedData::parse(const QByteArray& der) {
    if (der.isEmpty())
        return makeError(ErrorKind::BadReply, tr("The message is empty."));
    BioPtr in = memoryBio(der);
    CMS_ContentInfo* raw = d2i_CMS_bio(in.get(), nullptr);
    if (!raw)
        return openSslError(ErrorKind::BadReply, tr("The message is not a CMS/PKCS#7 structure."));
    CmsSignedData out;
    out.m_cms.reset(raw, CMS_ContentInfo_free);
    if (OBJ_obj2nid(CMS_get0_type(raw)) != NID_pkcs7_signed)
        return makeError(ErrorKind::BadReply, tr("The message is not CMS SignedData."));
    ASN1_OCTET_STRING** pos = CMS_get0_content(raw);
    if (pos && *pos) {
        out.m_hasContent = true;
        out.m_content =
            QByteArray(reinterpret_cast<const char*>(ASN1_STRING_get0_data(*pos)), ASN1_STRING_length(*pos));
    }
    return out;
}

QList<Certificate> CmsSignedData::certificates() const {
    QList<Certificate> out;
    X509StackPtr certs(m_cms ? CMS_get1_certs(m_cms.get()) : nullptr);
    for (int i = 0; certs && i < sk_X509_num(certs.get()); ++i)
        out.append(Certificate::fromBorrowed(sk_X509_value(certs.get(), i)));
    return out;
}

int CmsSignedData::signerCount() const {
    STACK_OF(CMS_SignerInfo)* infos = m_cms ? CMS_get0_SignerInfos(m_cms.get()) : nullptr;
    return infos ? sk_CMS_SignerInfo_num(infos) : 0;
}

QString CmsSignedData::digestAlgorithm() const {
    CMS_SignerInfo* si = firstSigner(m_cms.get());
    if (!si)
        return {};
    X509_ALGOR* dig = nullptr;
    CMS_SignerInfo_get0_algs(si, nullptr, nullptr, &dig, nullptr);
    if (!dig)
        return {};
    const ASN1_OBJECT* obj = nullptr;
    X509_ALGOR_get0(&obj, nullptr, nullptr, dig);
    return QString::fromLatin1(OBJ_nid2sn(OBJ_obj2nid(obj)));
}

Result<Certificate> CmsSignedData::verifySignature(const QList<Certificate>& candidates) const {
    if (signerCount() != 1)
        return makeError(ErrorKind::Verification,
                         tr("The message has %1 signers; a SCEP message has exactly one.").arg(signerCount()));
    X509StackPtr extra(sk_X509_new_null());
    for (const Certificate& c : candidates) {
        X509_up_ref(c.get());
        sk_X509_push(extra.get(), c.get());
    }
    BioPtr detached;
    if (!m_hasContent)
        detached.reset(BIO_new_mem_buf("", 0));
    BioPtr out(BIO_new(BIO_s_mem()));
    // Chain checks are the caller's: OpenSSL's S/MIME purpose would reject RA certificates.
    if (CMS_verify(m_cms.get(), extra.get(), nullptr, detached.get(), out.get(),
                   CMS_NO_SIGNER_CERT_VERIFY | CMS_BINARY) != 1)
        return openSslError(ErrorKind::Verification, tr("The message's signature is not valid."));
    X509StackPtr signers(CMS_get0_signers(m_cms.get()));
    // CMS_get0_signers returns a new stack whose certificates are not ours to free.
    STACK_OF(X509)* raw = signers.release();
    Certificate signer = raw && sk_X509_num(raw) > 0 ? Certificate::fromBorrowed(sk_X509_value(raw, 0)) : Certificate();
    sk_X509_free(raw);
    if (signer.isNull())
        return makeError(ErrorKind::Verification, tr("The message's signer certificate was not found."));
    return signer;
}

std::optional<QByteArray> CmsSignedData::attribute(const char* oid, int asn1Type) const {
    CMS_SignerInfo* si = firstSigner(m_cms.get());
    Asn1ObjectPtr obj(OBJ_txt2obj(oid, 1));
    if (!si || !obj)
        return std::nullopt;
    const auto* s = static_cast<const ASN1_STRING*>(CMS_signed_get0_data_by_OBJ(si, obj.get(), -3, asn1Type));
    ERR_clear_error();
    if (!s)
        return std::nullopt;
    return QByteArray(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)), ASN1_STRING_length(s));
}

} // namespace ndes::pki
