// SPDX-License-Identifier: Apache-2.0
// Fuzzes the GetCACaps answer.
#include "scep/CaCapabilities.h"

#include <QByteArray>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const QByteArray body = QByteArray::fromRawData(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    auto caps = ndes::scep::CaCapabilities::parse(body);
    if (caps.ok()) {
        (void)caps->strongestCipher();
        (void)caps->strongestDigest();
        (void)caps->warnings();
    }
    return 0;
}
