// SPDX-License-Identifier: Apache-2.0
#include "pki/Pkcs7CertsOnly.h"

#include "pki/OpenSslError.h"

#include <openssl/pkcs7.h>

#include <QCoreApplication>

namespace ndes::pki {

namespace {
using Pkcs7Ptr = std::unique_ptr<PKCS7, OpenSslDeleter<PKCS7_free>>;

QString tr(const char* text) {
    return QCoreApplication::translate("Pkcs7CertsOnly", text);
}
} // namespace

Result<QList<Certificate>> Pkcs7CertsOnly::parse(const QByteArray& der) {
    if (der.isEmpty())
        return makeError(ErrorKind::BadReply, tr("The PKCS#7 certificate bundle is empty."));
    const auto* p = reinterpret_cast<const unsigned char*>(der.constData());
    Pkcs7Ptr p7(d2i_PKCS7(nullptr, &p, static_cast<long>(der.size())));
    if (!p7)
        return openSslError(ErrorKind::BadReply, tr("The data is not a PKCS#7 structure."));
    STACK_OF(X509)* certs = nullptr;
    const int type = OBJ_obj2nid(p7->type);
    if (type == NID_pkcs7_signed && p7->d.sign)
        certs = p7->d.sign->cert;
    else if (type == NID_pkcs7_signedAndEnveloped && p7->d.signed_and_enveloped)
        certs = p7->d.signed_and_enveloped->cert;
    else
        return makeError(ErrorKind::BadReply,
                         tr("The PKCS#7 structure is not SignedData, so it carries no certificates."));
    QList<Certificate> out;
    for (int i = 0; certs && i < sk_X509_num(certs); ++i)
        out.append(Certificate::fromBorrowed(sk_X509_value(certs, i)));
    if (out.isEmpty())
        return makeError(ErrorKind::BadReply, tr("The PKCS#7 structure holds no certificate."));
    return out;
}

Result<QByteArray> Pkcs7CertsOnly::build(const QList<Certificate>& certs) {
    Pkcs7Ptr p7(PKCS7_new());
    if (!p7 || PKCS7_set_type(p7.get(), NID_pkcs7_signed) != 1 || PKCS7_content_new(p7.get(), NID_pkcs7_data) != 1)
        return openSslError(ErrorKind::Crypto, tr("Could not create a PKCS#7 structure."));
    // Degenerate SignedData: no signers, no digest algorithms, an absent data content.
    for (const Certificate& c : certs)
        if (PKCS7_add_certificate(p7.get(), c.get()) != 1)
            return openSslError(ErrorKind::Crypto, tr("Could not add a certificate to PKCS#7."));
    PKCS7_set_detached(p7.get(), 1);
    unsigned char* out = nullptr;
    const int n = i2d_PKCS7(p7.get(), &out);
    if (n <= 0)
        return openSslError(ErrorKind::Crypto, tr("Could not encode PKCS#7."));
    QByteArray der(reinterpret_cast<const char*>(out), n);
    OPENSSL_free(out);
    return der;
}

} // namespace ndes::pki
