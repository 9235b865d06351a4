// SPDX-License-Identifier: Apache-2.0
#include "scep/CertRep.h"

#include "pki/ChainVerifier.h"
#include "pki/CmsSignedData.h"
#include "pki/Oids.h"
#include "pki/Pkcs7CertsOnly.h"

#include <QCoreApplication>

namespace ndes::scep {

using namespace ndes::pki;

namespace {
QString tr(const char* text) {
    return QCoreApplication::translate("CertRep", text);
}
} // namespace

Result<QByteArray> CertRep::build(const BuildParams& params) {
    QByteArray envelope;
    if (params.status == PkiStatus::Success) {
        auto degenerate = Pkcs7CertsOnly::build(params.issued);
        if (!degenerate)
            return degenerate.error();
        auto enc = CmsEnvelopedData::encrypt(*degenerate, {params.recipient}, params.cipher);
        if (!enc)
            return enc.error();
        envelope = *enc;
    }
    QList<SignedAttribute> attrs = {
        {oid::scepMessageType, V_ASN1_PRINTABLESTRING, QByteArray::number(static_cast<int>(MessageType::CertRep))},
        {oid::scepTransactionId, V_ASN1_PRINTABLESTRING, params.transactionId.toLatin1()},
        {oid::scepPkiStatus, V_ASN1_PRINTABLESTRING, QByteArray::number(static_cast<int>(params.status))},
        {oid::scepRecipientNonce, V_ASN1_OCTET_STRING, params.recipientNonce},
        {oid::scepSenderNonce, V_ASN1_OCTET_STRING, params.senderNonce},
    };
    if (params.status == PkiStatus::Failure)
        attrs.append(
            {oid::scepFailInfo, V_ASN1_PRINTABLESTRING, QByteArray::number(static_cast<int>(params.failInfo))});
    return CmsSignedData::sign(envelope, params.signer, params.signerKey, digestMd(params.digest), attrs,
                               params.extraCertificates);
}

Result<CertRep> CertRep::parseUnverified(const QByteArray& der) {
    auto signedData = CmsSignedData::parse(der);
    if (!signedData)
        return signedData.error();
    CertRep rep;
    const auto type = signedData->attribute(oid::scepMessageType, V_ASN1_PRINTABLESTRING);
    if (!type || type->toInt() != static_cast<int>(MessageType::CertRep))
        return makeError(ErrorKind::BadReply, tr("The reply is not a SCEP CertRep (messageType %1).")
                                                  .arg(type ? QString::fromLatin1(type->left(16)) : tr("missing")));
    const auto status = signedData->attribute(oid::scepPkiStatus, V_ASN1_PRINTABLESTRING);
    bool ok = false;
    const int statusValue = status ? status->toInt(&ok) : -1;
    if (!ok || (statusValue != 0 && statusValue != 2 && statusValue != 3))
        return makeError(ErrorKind::BadReply, tr("The CertRep has no valid pkiStatus."));
    rep.status = static_cast<PkiStatus>(statusValue);
    if (rep.status == PkiStatus::Failure) {
        const auto fi = signedData->attribute(oid::scepFailInfo, V_ASN1_PRINTABLESTRING);
        rep.failInfo = fi ? fi->toInt(&ok) : -1;
        if (fi && !ok)
            rep.failInfo = -1;
    }
    rep.transactionId = QString::fromLatin1(
        signedData->attribute(oid::scepTransactionId, V_ASN1_PRINTABLESTRING).value_or(QByteArray()));
    rep.senderNonce = signedData->attribute(oid::scepSenderNonce, V_ASN1_OCTET_STRING).value_or(QByteArray());
    rep.recipientNonce = signedData->attribute(oid::scepRecipientNonce, V_ASN1_OCTET_STRING).value_or(QByteArray());
    rep.digestAlgorithm = signedData->digestAlgorithm();
    rep.m_envelope = signedData->content();
    rep.cipherOid = CmsEnvelopedData::contentCipherOid(rep.m_envelope);
    if (rep.status == PkiStatus::Success && rep.m_envelope.isEmpty())
        return makeError(ErrorKind::BadReply, tr("The CertRep says SUCCESS but carries no certificate."));
    return rep;
}

Result<CertRep> CertRep::parseAndVerify(const QByteArray& der, const Expectations& expect) {
    auto signedData = CmsSignedData::parse(der);
    if (!signedData)
        return signedData.error();
    auto parsed = parseUnverified(der);
    if (!parsed)
        return parsed.error();
    CertRep rep = std::move(*parsed);

    auto signer = signedData->verifySignature(expect.trustAnchors + expect.intermediates);
    if (!signer)
        return signer.error();
    rep.signer = *signer;
    const Status chain = ChainVerifier(expect.trustAnchors, expect.intermediates).verify(rep.signer, expect.now);
    if (!chain) {
        Error e = chain.error();
        e.message = tr("The reply's signer \"%1\" is not trusted: %2").arg(rep.signer.subject(), e.message);
        return e;
    }
    if (rep.transactionId != expect.transactionId)
        return makeError(ErrorKind::Verification, tr("The reply belongs to another transaction (transactionID %1, "
                                                     "expected %2).")
                                                      .arg(rep.transactionId.left(80), expect.transactionId));
    if (rep.recipientNonce != expect.senderNonce)
        return makeError(ErrorKind::Verification, tr("The reply's recipientNonce does not match the nonce we sent: "
                                                     "it is not an answer to this request (replay?)."));
    if (rep.status != PkiStatus::Success)
        return rep;

    auto inner = CmsEnvelopedData::decrypt(rep.m_envelope, expect.decryptionKey, expect.decryptionCertificate);
    if (!inner)
        return inner.error();
    auto certs = Pkcs7CertsOnly::parse(*inner);
    if (!certs)
        return certs.error();
    rep.certificates = *certs;
    for (const Certificate& c : rep.certificates) {
        if (expect.requestedPublicKey && EVP_PKEY_eq(c.publicKey(), expect.requestedPublicKey) == 1) {
            rep.issued = c;
            break;
        }
    }
    if (rep.issued.isNull())
        return makeError(ErrorKind::Verification, tr("The server returned a certificate that does not carry our public "
                                                     "key; it was refused."));
    return rep;
}

} // namespace ndes::scep
