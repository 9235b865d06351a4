// SPDX-License-Identifier: Apache-2.0
// Fuzzes the Windows text evidence readers: encoding detection, secedit's user rights, netsh's sslcert list.
#include "audit/WindowsText.h"

#include <QByteArray>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const QByteArray bytes = QByteArray::fromRawData(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    (void)ndes::audit::decodeWindowsText(bytes).ok();
    auto rights = ndes::audit::UserRights::parse(bytes);
    if (rights.ok())
        (void)rights->rights.size();
    auto certs = ndes::audit::SslCertList::parse(bytes);
    if (certs.ok())
        (void)certs->bindings.size();
    return 0;
}
