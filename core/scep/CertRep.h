// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "pki/Certificate.h"
#include "pki/CmsEnvelopedData.h"
#include "pki/PrivateKey.h"
#include "scep/CaCapabilities.h"
#include "scep/ScepTypes.h"
#include "util/Result.h"

#include <QDateTime>
#include <QList>

namespace ndes::scep {

// A SCEP CertRep: the server's answer to PKCSReq, RenewalReq and CertPoll.
class CertRep {
public:
    // Server side.
    struct BuildParams {
        PkiStatus status = PkiStatus::Success;
        FailInfo failInfo = FailInfo::BadRequest;
        QString transactionId;
        QByteArray recipientNonce;      // the request's senderNonce
        QByteArray senderNonce;         // fresh
        QList<pki::Certificate> issued; // SUCCESS: the issued certificate (+ chain if wanted)
        pki::Certificate recipient;     // SUCCESS: the requester's signer certificate
        pki::ContentCipher cipher = pki::ContentCipher::Aes128Cbc;
        pki::Certificate signer; // the signing RA (or the CA)
        pki::PrivateKey signerKey;
        DigestChoice digest = DigestChoice::Sha256;
        QList<pki::Certificate> extraCertificates;
    };
    static Result<QByteArray> build(const BuildParams& params);

    // Client side: what the reply must match.
    struct Expectations {
        QString transactionId;
        QByteArray senderNonce;                 // must come back as recipientNonce
        QList<pki::Certificate> trustAnchors;   // the CA certificates (pinned or from GetCACert)
        QList<pki::Certificate> intermediates;  // the rest of GetCACert
        pki::PrivateKey decryptionKey;          // the key that signed the request
        pki::Certificate decryptionCertificate; // the certificate that signed the request
        EVP_PKEY* requestedPublicKey = nullptr; // the key the new certificate must carry
        QDateTime now;
    };

    // Parses, then checks in order: signature, signer chains to the anchors, transactionID, recipientNonce;
    // for SUCCESS decrypts and requires a certificate with the requested public key.
    static Result<CertRep> parseAndVerify(const QByteArray& der, const Expectations& expect);

    // Parses the outer structure and attributes only (no checks, nothing decrypted): for diagnostics and fuzzing.
    static Result<CertRep> parseUnverified(const QByteArray& der);

    PkiStatus status = PkiStatus::Failure;
    int failInfo = -1;
    QString transactionId;
    QByteArray senderNonce;
    QByteArray recipientNonce;
    QString digestAlgorithm;
    QString cipherOid;
    pki::Certificate signer;
    pki::Certificate issued;              // SUCCESS: the certificate with our key
    QList<pki::Certificate> certificates; // SUCCESS: everything in the degenerate PKCS#7

private:
    QByteArray m_envelope;
};

} // namespace ndes::scep
