// SPDX-License-Identifier: Apache-2.0
// Fuzzes the CRL parser (DER or PEM, as served at CDP URLs) and every field the health probe reads.
#include "pki/Crl.h"

#include <QByteArray>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const QByteArray body = QByteArray::fromRawData(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    auto crl = ndes::pki::Crl::parse(body);
    if (!crl.ok())
        return 0;
    (void)crl->issuer();
    (void)crl->thisUpdate();
    (void)crl->nextUpdate();
    (void)crl->revokedCount();
    (void)crl->toDer();
    return 0;
}
