// SPDX-License-Identifier: Apache-2.0
// Fuzzes the GetCACert answer: a DER certificate, a degenerate PKCS#7 or PEM, and every field we read from them.
#include "scep/CaCertificates.h"

#include <QByteArray>
#include <QDateTime>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const QByteArray body = QByteArray::fromRawData(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    auto certs = ndes::scep::CaCertificates::parse(body);
    if (!certs.ok())
        return 0;
    for (const auto& rc : certs->certificates()) {
        const auto& c = rc.certificate;
        (void)c.subject();
        (void)c.issuer();
        (void)c.serialHex();
        (void)c.daysLeft(QDateTime::currentDateTimeUtc());
        (void)c.keyUsageNames();
        (void)c.extendedKeyUsages();
        (void)c.dnsNames();
        (void)c.ipAddresses();
        (void)c.templateName();
        (void)c.templateInfo();
        (void)c.sha256();
        (void)c.md5();
    }
    (void)certs->issuingCa();
    (void)certs->encryptionRecipient();
    (void)certs->possibleSigners();
    return 0;
}
