// SPDX-License-Identifier: Apache-2.0
// Fuzzes the LDIF reader and everything built from its entries: templates (flags, periods, descriptors), enrollment
// services (CA certificates), accounts (SIDs, FILETIMEs, tokenGroups), the JSON and the LDIF written back.
#include "directory/Directory.h"

#include <QByteArray>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const QByteArray bytes = QByteArray::fromRawData(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    QString error;
    auto entries = ndes::directory::parseLdif(bytes, &error, 2000);
    if (!entries)
        return 0;
    const auto d = ndes::directory::DirectoryData::fromEntries(std::move(*entries), QStringLiteral("fuzz"), {});
    (void)d.toJson();
    (void)d.toLdif();
    return 0;
}
