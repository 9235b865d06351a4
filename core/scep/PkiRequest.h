// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "pki/Certificate.h"
#include "pki/CertificateRequest.h"
#include "pki/CmsEnvelopedData.h"
#include "pki/PrivateKey.h"
#include "scep/CaCapabilities.h"
#include "scep/ScepTypes.h"
#include "util/Result.h"

namespace ndes::scep {

// A client's SCEP pkiMessage: PKCSReq, RenewalReq or CertPoll. Built by clients (ndesctl, the enrollment
// test), parsed and decrypted by servers (ndes-lab).
class PkiRequest {
public:
    struct BuildParams {
        MessageType type = MessageType::PKCSReq;
        pki::CertificateRequest csr; // PKCSReq and RenewalReq
        QByteArray pollIssuerDer;    // CertPoll: issuer Name (DER) of the CA
        QByteArray pollSubjectDer;   // CertPoll: subject Name (DER) of the request
        pki::Certificate signer;     // self-signed for PKCSReq; the current certificate for RenewalReq
        pki::PrivateKey signerKey;
        pki::Certificate recipient; // the encryption RA (see CaCertificates::encryptionRecipient)
        pki::ContentCipher cipher = pki::ContentCipher::Aes128Cbc;
        DigestChoice digest = DigestChoice::Sha256;
        QString transactionId;
        QByteArray senderNonce; // 16 random bytes
    };

    static Result<QByteArray> build(const BuildParams& params);

    // Server side: verifies the signature (by the certificate the message carries), decrypts the envelope
    // with the RA key and decodes the content for its message type.
    static Result<PkiRequest> parse(const QByteArray& der, const pki::PrivateKey& raKey,
                                    const pki::Certificate& raCert);
    // The two halves of parse(): the signed outer layer (attributes, signer; nothing decrypted), so a server
    // can still answer FAILURE to a request it cannot decrypt, and then the envelope.
    static Result<PkiRequest> parseOuter(const QByteArray& der);
    Status decryptInner(const pki::PrivateKey& raKey, const pki::Certificate& raCert);

    // Hex SHA-256 of the SubjectPublicKeyInfo: the transactionID RFC 8894 recommends.
    static QString transactionIdFor(const pki::PrivateKey& key);
    static QByteArray newNonce();
    static QByteArray issuerAndSubjectDer(const QByteArray& issuerDer, const QByteArray& subjectDer);

    MessageType type = MessageType::PKCSReq;
    QString transactionId;
    QByteArray senderNonce;
    pki::Certificate signer;
    pki::CertificateRequest csr;
    QByteArray pollIssuerDer;
    QByteArray pollSubjectDer;
    QString digestAlgorithm;
    QString cipherOid;
    QByteArray envelope; // the encrypted pkcsPKIEnvelope, as received
};

} // namespace ndes::scep
