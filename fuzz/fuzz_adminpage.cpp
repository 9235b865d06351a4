// SPDX-License-Identifier: Apache-2.0
// Fuzzes the NDES admin page reader (HTML in UTF-16LE, odd bytes, BOM or not).
#include "ndes/AdminPage.h"

#include <QByteArray>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const QByteArray body = QByteArray::fromRawData(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    auto page = ndes::service::AdminPage::parse(body);
    if (page.ok())
        (void)page->password.bytes().size();
    return 0;
}
