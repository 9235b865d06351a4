// SPDX-License-Identifier: Apache-2.0
#include "scep/CaCapabilities.h"

#include <QCoreApplication>
#include <QRegularExpression>

namespace ndes::scep {

namespace {
QString tr(const char* text) {
    return QCoreApplication::translate("CaCapabilities", text);
}
} // namespace

const EVP_MD* digestMd(DigestChoice digest) {
    switch (digest) {
    case DigestChoice::Sha512:
        return EVP_sha512();
    case DigestChoice::Sha256:
        return EVP_sha256();
    case DigestChoice::Sha1:
        return EVP_sha1();
    case DigestChoice::Md5:
        return EVP_md5();
    }
    return EVP_sha256();
}

QString digestName(DigestChoice digest) {
    switch (digest) {
    case DigestChoice::Sha512:
        return QStringLiteral("SHA-512");
    case DigestChoice::Sha256:
        return QStringLiteral("SHA-256");
    case DigestChoice::Sha1:
        return QStringLiteral("SHA-1");
    case DigestChoice::Md5:
        return QStringLiteral("MD5");
    }
    return {};
}

Result<CaCapabilities> CaCapabilities::parse(const QByteArray& body) {
    constexpr qsizetype maxBody = qsizetype(64) * 1024;
    if (body.size() > maxBody)
        return makeError(ErrorKind::BadReply, tr("The GetCACaps answer is %1 bytes long; a capability list is a few "
                                                 "lines. Check that the URL points to the SCEP endpoint.")
                                                  .arg(body.size()));
    for (char c : body) {
        const auto u = static_cast<unsigned char>(c);
        if (u == 0 || (u < 0x20 && c != '\n' && c != '\r' && c != '\t') || u >= 0x7F)
            return makeError(ErrorKind::BadReply, tr("The GetCACaps answer is not text. Check that the URL points to "
                                                     "the SCEP endpoint (for NDES: /certsrv/mscep/mscep.dll)."));
    }
    const QString text = QString::fromLatin1(body);
    if (text.contains(QLatin1Char('<')))
        return makeError(ErrorKind::BadReply, tr("The GetCACaps answer is an HTML page, not a capability list. Check "
                                                 "that the URL points to the SCEP endpoint (for NDES: "
                                                 "/certsrv/mscep/mscep.dll)."));
    CaCapabilities caps;
    for (const QString& line : text.split(QRegularExpression(QStringLiteral("[\r\n]+")), Qt::SkipEmptyParts)) {
        const QString kw = line.trimmed();
        if (kw.isEmpty())
            continue;
        if (kw.contains(QLatin1Char(' ')) || kw.size() > 64)
            return makeError(ErrorKind::BadReply, tr("The GetCACaps answer contains \"%1\", which is not a capability "
                                                     "keyword.")
                                                      .arg(kw.left(64)));
        if (!caps.has(kw))
            caps.m_keywords << kw;
    }
    return caps;
}

CaCapabilities CaCapabilities::fromList(const QStringList& keywords) {
    CaCapabilities caps;
    caps.m_keywords = keywords;
    return caps;
}

bool CaCapabilities::has(const QString& keyword) const {
    return m_keywords.contains(keyword, Qt::CaseInsensitive);
}

bool CaCapabilities::supportsAes() const {
    return has(QStringLiteral("AES")) || has(QStringLiteral("SCEPStandard"));
}

bool CaCapabilities::supportsDes3() const {
    return has(QStringLiteral("DES3"));
}

bool CaCapabilities::supportsPost() const {
    return has(QStringLiteral("POSTPKIOperation")) || has(QStringLiteral("SCEPStandard"));
}

bool CaCapabilities::supportsRenewal() const {
    return has(QStringLiteral("Renewal"));
}

bool CaCapabilities::supportsGetNextCaCert() const {
    return has(QStringLiteral("GetNextCACert"));
}

bool CaCapabilities::supportsSha256() const {
    return has(QStringLiteral("SHA-256")) || has(QStringLiteral("SCEPStandard"));
}

bool CaCapabilities::supportsSha512() const {
    return has(QStringLiteral("SHA-512"));
}

bool CaCapabilities::supportsSha1() const {
    return has(QStringLiteral("SHA-1"));
}

pki::ContentCipher CaCapabilities::strongestCipher() const {
    if (supportsAes())
        return pki::ContentCipher::Aes128Cbc; // RFC 8894: "AES" means AES-128-CBC
    // DES3 is what servers without the keyword accept in practice; single DES is never chosen by us.
    return pki::ContentCipher::Des3Cbc;
}

DigestChoice CaCapabilities::strongestDigest() const {
    if (supportsSha512())
        return DigestChoice::Sha512;
    if (supportsSha256())
        return DigestChoice::Sha256;
    if (supportsSha1())
        return DigestChoice::Sha1;
    return DigestChoice::Md5; // RFC 8894's default when nothing is advertised
}

bool CaCapabilities::onlyWeakAlgorithms() const {
    return !supportsAes() || (!supportsSha256() && !supportsSha512());
}

QStringList CaCapabilities::warnings() const {
    QStringList out;
    if (!supportsAes())
        out << tr("The server offers no AES encryption; requests fall back to DES3. Enable AES in "
                  "CACapabilitiesAlgorithms (NDES) or upgrade the server.");
    if (!supportsSha256() && !supportsSha512())
        out << tr("The server offers no SHA-256 or SHA-512; messages are signed with %1. Set HashAlgorithm to SHA256 "
                  "(NDES) or upgrade the server.")
                   .arg(digestName(strongestDigest()));
    if (!supportsPost())
        out << tr("The server does not offer POSTPKIOperation; requests travel in the URL (GET), which long URL "
                  "limits in IIS and HTTP.sys can cut.");
    return out;
}

} // namespace ndes::scep
