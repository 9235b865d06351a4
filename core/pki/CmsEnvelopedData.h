// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "pki/Certificate.h"
#include "pki/PrivateKey.h"
#include "util/Result.h"

#include <QList>

namespace ndes::pki {

// Content encryption algorithms SCEP peers use, strongest first.
enum class ContentCipher { Aes256Cbc, Aes128Cbc, Des3Cbc, DesCbc };

[[nodiscard]] const char* cipherName(ContentCipher cipher);
[[nodiscard]] bool isWeak(ContentCipher cipher);

// CMS EnvelopedData with key-transport (RSA) recipients: the pkcsPKIEnvelope of SCEP.
class CmsEnvelopedData {
public:
    static Result<QByteArray> encrypt(const QByteArray& content, const QList<Certificate>& recipients,
                                      ContentCipher cipher);

    // The content encryption algorithm's OID, read without decrypting ("" if not EnvelopedData).
    static QString contentCipherOid(const QByteArray& der);

    // Decrypts with the recipient's key and certificate. DES-CBC content (old peers) loads the OpenSSL
    // legacy provider first, which LegacyProvider then reports.
    static Result<QByteArray> decrypt(const QByteArray& der, const PrivateKey& key, const Certificate& cert);
};

} // namespace ndes::pki
