// SPDX-License-Identifier: Apache-2.0
#include "pki/CmsEnvelopedData.h"

#include "pki/LegacyProvider.h"
#include "pki/OpenSslError.h"

#include <openssl/err.h>
#include <openssl/pkcs7.h>

#include <QCoreApplication>

namespace ndes::pki {

namespace {
using Pkcs7Ptr = std::unique_ptr<PKCS7, OpenSslDeleter<PKCS7_free>>;

QString tr(const char* text) {
    return QCoreApplication::translate("CmsEnvelopedData", text);
}

// Ciphers that only OpenSSL's legacy provider implements.
bool needsLegacy(const QString& oid) {
    return oid == QLatin1String("1.3.14.3.2.7")           // desCBC
           || oid == QLatin1String("1.2.840.113549.3.2")  // rc2CBC
           || oid == QLatin1String("1.2.840.113549.3.4"); // rc4
}
} // namespace

const char* cipherName(ContentCipher cipher) {
    switch (cipher) {
    case ContentCipher::Aes256Cbc:
        return "AES-256-CBC";
    case ContentCipher::Aes128Cbc:
        return "AES-128-CBC";
    case ContentCipher::Des3Cbc:
        return "DES-EDE3-CBC";
    case ContentCipher::DesCbc:
        return "DES-CBC";
    }
    return "AES-128-CBC";
}

bool isWeak(ContentCipher cipher) {
    return cipher == ContentCipher::Des3Cbc || cipher == ContentCipher::DesCbc;
}

Result<QByteArray> CmsEnvelopedData::encrypt(const QByteArray& content, const QList<Certificate>& recipients,
                                             ContentCipher cipher) {
    if (recipients.isEmpty())
        return makeError(ErrorKind::Internal, tr("An encrypted message needs at least one recipient."));
    if (cipher == ContentCipher::DesCbc)
        LegacyProvider::ensureLoaded(tr("encrypting with single DES for a peer that offers nothing stronger"));
    X509StackPtr certs(sk_X509_new_null());
    for (const Certificate& c : recipients) {
        X509_up_ref(c.get());
        sk_X509_push(certs.get(), c.get());
    }
    EVP_CIPHER* evpCipher = EVP_CIPHER_fetch(nullptr, cipherName(cipher), nullptr);
    if (!evpCipher)
        return openSslError(ErrorKind::Crypto,
                            tr("The cipher %1 is not available.").arg(QLatin1String(cipherName(cipher))));
    BioPtr in = memoryBio(content);
    CmsPtr cms(CMS_encrypt(certs.get(), in.get(), evpCipher, CMS_BINARY));
    EVP_CIPHER_free(evpCipher);
    if (!cms)
        return openSslError(ErrorKind::Crypto, tr("Could not encrypt the message."));
    BioPtr out(BIO_new(BIO_s_mem()));
    if (i2d_CMS_bio(out.get(), cms.get()) != 1)
        return openSslError(ErrorKind::Crypto, tr("Could not encode the encrypted message."));
    return bioContents(out.get());
}

QString CmsEnvelopedData::contentCipherOid(const QByteArray& der) {
    const auto* p = reinterpret_cast<const unsigned char*>(der.constData());
    Pkcs7Ptr p7(d2i_PKCS7(nullptr, &p, static_cast<long>(der.size())));
    if (!p7 || OBJ_obj2nid(p7->type) != NID_pkcs7_enveloped || !p7->d.enveloped || !p7->d.enveloped->enc_data ||
        !p7->d.enveloped->enc_data->algorithm) {
        ERR_clear_error();
        return {};
    }
    char buf[80];
    const int n = OBJ_obj2txt(buf, sizeof buf, p7->d.enveloped->enc_data->algorithm->algorithm, 1);
    return n > 0 ? QString::fromLatin1(buf) : QString();
}

Result<QByteArray> CmsEnvelopedData::decrypt(const QByteArray& der, const PrivateKey& key, const Certificate& cert) {
    const QString oid = contentCipherOid(der);
    if (oid.isEmpty())
        return makeError(ErrorKind::BadReply, tr("The encrypted part of the message is not CMS EnvelopedData."));
    if (needsLegacy(oid) && !LegacyProvider::ensureLoaded(
                                tr("decrypting a message the server encrypted with a legacy cipher (OID %1)").arg(oid)))
        return makeError(ErrorKind::Crypto, tr("The server encrypted its answer with a legacy cipher (OID %1) and "
                                               "OpenSSL's legacy provider is not installed.")
                                                .arg(oid));
    BioPtr in = memoryBio(der);
    CmsPtr cms(d2i_CMS_bio(in.get(), nullptr));
    if (!cms)
        return openSslError(ErrorKind::BadReply, tr("The encrypted part of the message cannot be decoded."));
    BioPtr out(BIO_new(BIO_s_mem()));
    if (CMS_decrypt(cms.get(), key.get(), cert.get(), nullptr, out.get(), CMS_BINARY) != 1)
        return openSslError(ErrorKind::Verification,
                            tr("The message could not be decrypted with our key: it was not encrypted for us."));
    return bioContents(out.get());
}

} // namespace ndes::pki
