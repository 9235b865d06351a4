// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "pki/CmsEnvelopedData.h"
#include "util/Result.h"

#include <QStringList>
#include <openssl/evp.h>

namespace ndes::scep {

// Digest algorithms for SCEP signatures, strongest first.
enum class DigestChoice { Sha512, Sha256, Sha1, Md5 };

[[nodiscard]] const EVP_MD* digestMd(DigestChoice digest);
[[nodiscard]] QString digestName(DigestChoice digest);

// A GetCACaps answer: one keyword per line. Keywords are matched case-insensitively (RFC 8894) and
// unknown ones are kept, so a dashboard can show exactly what the server said.
class CaCapabilities {
public:
    // Parses a GetCACaps body. An empty body is valid (very old servers); something that is clearly not a
    // capability list (HTML, binary) is a BadReply error.
    static Result<CaCapabilities> parse(const QByteArray& body);
    static CaCapabilities fromList(const QStringList& keywords);

    [[nodiscard]] const QStringList& keywords() const { return m_keywords; }
    [[nodiscard]] bool has(const QString& keyword) const;

    // SCEPStandard implies AES, SHA-256 and POSTPKIOperation (RFC 8894 section 3.5.2).
    [[nodiscard]] bool supportsAes() const;
    [[nodiscard]] bool supportsDes3() const;
    [[nodiscard]] bool supportsPost() const;
    [[nodiscard]] bool supportsRenewal() const;
    [[nodiscard]] bool supportsGetNextCaCert() const;
    [[nodiscard]] bool supportsSha256() const;
    [[nodiscard]] bool supportsSha512() const;
    [[nodiscard]] bool supportsSha1() const;

    // The strongest cipher and digest on offer (AES before DES3; SHA-512/256 before SHA-1).
    [[nodiscard]] pki::ContentCipher strongestCipher() const;
    [[nodiscard]] DigestChoice strongestDigest() const;
    // True when only DES/DES3/SHA-1/MD5 are on offer.
    [[nodiscard]] bool onlyWeakAlgorithms() const;
    // Human-readable warnings about weak or missing capabilities (empty when all is well).
    [[nodiscard]] QStringList warnings() const;

private:
    QStringList m_keywords;
};

} // namespace ndes::scep
