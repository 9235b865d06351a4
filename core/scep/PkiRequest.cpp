// SPDX-License-Identifier: Apache-2.0
#include "scep/PkiRequest.h"

#include "pki/CmsSignedData.h"
#include "pki/DerSequence.h"
#include "pki/Oids.h"
#include "pki/OpenSslError.h"

#include <openssl/rand.h>

#include <QCoreApplication>
#include <QCryptographicHash>

namespace ndes::scep {

using namespace ndes::pki;

namespace {
QString tr(const char* text) {
    return QCoreApplication::translate("PkiRequest", text);
}

// Splits SEQUENCE { Name, Name } into the DER of both names.
bool splitIssuerAndSubject(const QByteArray& der, QByteArray& issuer, QByteArray& subject) {
    const auto* start = reinterpret_cast<const unsigned char*>(der.constData());
    const unsigned char* p = start;
    long len = 0;
    int tag = 0;
    int cls = 0;
    if ((ASN1_get_object(&p, &len, &tag, &cls, der.size()) & 0x80) || tag != V_ASN1_SEQUENCE ||
        p + len > start + der.size())
        return false;
    const unsigned char* end = p + len;
    for (QByteArray* out : {&issuer, &subject}) {
        const unsigned char* itemStart = p;
        X509_NAME* name = d2i_X509_NAME(nullptr, &p, end - p);
        if (!name)
            return false;
        X509_NAME_free(name);
        *out = QByteArray(reinterpret_cast<const char*>(itemStart), p - itemStart);
    }
    return true;
}
} // namespace

QString PkiRequest::transactionIdFor(const PrivateKey& key) {
    return QString::fromLatin1(QCryptographicHash::hash(key.publicKeyDer(), QCryptographicHash::Sha256).toHex())
        .toUpper();
}

QByteArray PkiRequest::newNonce() {
    QByteArray nonce(16, '\0');
    RAND_bytes(reinterpret_cast<unsigned char*>(nonce.data()), 16);
    return nonce;
}

QByteArray PkiRequest::issuerAndSubjectDer(const QByteArray& issuerDer, const QByteArray& subjectDer) {
    const QByteArray body = issuerDer + subjectDer;
    return DerSequence::wrap(body);
}

Result<QByteArray> PkiRequest::build(const BuildParams& params) {
    QByteArray inner;
    switch (params.type) {
    case MessageType::PKCSReq:
    case MessageType::RenewalReq:
        if (params.csr.isNull())
            return makeError(ErrorKind::Internal, tr("A certificate request is missing."));
        inner = params.csr.toDer();
        break;
    case MessageType::CertPoll:
        if (params.pollIssuerDer.isEmpty() || params.pollSubjectDer.isEmpty())
            return makeError(ErrorKind::Internal,
                             tr("A CertPoll needs the CA's issuer name and the request's subject."));
        inner = issuerAndSubjectDer(params.pollIssuerDer, params.pollSubjectDer);
        break;
    default:
        return makeError(ErrorKind::Internal,
                         tr("%1 is not a request this client sends.").arg(messageTypeName(params.type)));
    }
    if (params.recipient.isNull())
        return makeError(ErrorKind::Internal, tr("No RA certificate to encrypt the request to."));
    auto envelope = CmsEnvelopedData::encrypt(inner, {params.recipient}, params.cipher);
    SecretBytes::cleanse(inner); // the CSR carries the challenge password
    if (!envelope)
        return envelope.error();

    const QList<SignedAttribute> attrs = {
        {oid::scepMessageType, V_ASN1_PRINTABLESTRING, QByteArray::number(static_cast<int>(params.type))},
        {oid::scepTransactionId, V_ASN1_PRINTABLESTRING, params.transactionId.toLatin1()},
        {oid::scepSenderNonce, V_ASN1_OCTET_STRING, params.senderNonce},
    };
    return CmsSignedData::sign(*envelope, params.signer, params.signerKey, digestMd(params.digest), attrs);
}

Result<PkiRequest> PkiRequest::parse(const QByteArray& der, const PrivateKey& raKey, const Certificate& raCert) {
    auto req = parseOuter(der);
    if (!req)
        return req;
    if (Status s = req->decryptInner(raKey, raCert); !s)
        return s.error();
    return req;
}

Result<PkiRequest> PkiRequest::parseOuter(const QByteArray& der) {
    auto signedData = CmsSignedData::parse(der);
    if (!signedData)
        return signedData.error();
    auto signer = signedData->verifySignature();
    if (!signer)
        return signer.error();

    PkiRequest req;
    req.signer = *signer;
    req.digestAlgorithm = signedData->digestAlgorithm();
    const auto type = signedData->attribute(oid::scepMessageType, V_ASN1_PRINTABLESTRING);
    const auto tid = signedData->attribute(oid::scepTransactionId, V_ASN1_PRINTABLESTRING);
    const auto nonce = signedData->attribute(oid::scepSenderNonce, V_ASN1_OCTET_STRING);
    if (!type || !tid || !nonce)
        return makeError(ErrorKind::BadReply, tr("The request lacks its messageType, transactionID or senderNonce."));
    bool ok = false;
    const int typeValue = type->toInt(&ok);
    if (!ok || !isKnownMessageType(typeValue))
        return makeError(ErrorKind::BadReply,
                         tr("The request's messageType \"%1\" is unknown.").arg(QString::fromLatin1(type->left(16))));
    req.type = static_cast<MessageType>(typeValue);
    req.transactionId = QString::fromLatin1(tid->left(256));
    req.senderNonce = *nonce;
    if (req.senderNonce.size() != 16)
        return makeError(ErrorKind::BadReply, tr("The request's senderNonce is not 16 bytes long."));
    req.envelope = signedData->content();
    req.cipherOid = CmsEnvelopedData::contentCipherOid(req.envelope);
    return req;
}

Status PkiRequest::decryptInner(const PrivateKey& raKey, const Certificate& raCert) {
    auto inner = CmsEnvelopedData::decrypt(envelope, raKey, raCert);
    if (!inner)
        return inner.error();
    switch (type) {
    case MessageType::PKCSReq:
    case MessageType::RenewalReq: {
        auto parsed = CertificateRequest::fromDer(*inner);
        SecretBytes::cleanse(*inner);
        if (!parsed)
            return parsed.error();
        csr = std::move(*parsed);
        break;
    }
    case MessageType::CertPoll:
        if (!splitIssuerAndSubject(*inner, pollIssuerDer, pollSubjectDer))
            return makeError(ErrorKind::BadReply, tr("The CertPoll content is not an IssuerAndSubject."));
        break;
    default:
        break;
    }
    return {};
}

} // namespace ndes::scep
