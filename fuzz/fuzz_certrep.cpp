// SPDX-License-Identifier: Apache-2.0
// Fuzzes what a SCEP server sends back to PKIOperation: the CMS SignedData CertRep and its envelope.
#include "pki/CmsEnvelopedData.h"
#include "pki/CmsSignedData.h"
#include "scep/CertRep.h"

#include <QByteArray>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const QByteArray der = QByteArray::fromRawData(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    auto rep = ndes::scep::CertRep::parseUnverified(der);
    if (rep.ok())
        (void)rep->transactionId.size();
    auto sd = ndes::pki::CmsSignedData::parse(der);
    if (sd.ok()) {
        (void)sd->certificates();
        (void)sd->digestAlgorithm();
        (void)sd->verifySignature();
        (void)ndes::pki::CmsEnvelopedData::contentCipherOid(sd->content());
    }
    return 0;
}
