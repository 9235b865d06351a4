// SPDX-License-Identifier: Apache-2.0
// Fuzzes the audit catalogue loader (a catalogue file can be given to ndesctl audit --catalogue).
#include "audit/Catalogue.h"

#include <QByteArray>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const QByteArray bytes = QByteArray::fromRawData(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    auto c = ndes::audit::Catalogue::fromJson(bytes);
    if (c.ok())
        (void)c->find(QStringLiteral("hash-sha1"));
    return 0;
}
