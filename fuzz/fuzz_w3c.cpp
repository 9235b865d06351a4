// SPDX-License-Identifier: Apache-2.0
// Fuzzes the IIS W3C log reader: header blocks, field maps, lines of any length.
#include "iis/W3cLog.h"

#include <QBuffer>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    QByteArray bytes(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::ReadOnly);
    qint64 sum = 0;
    auto r = ndes::iis::W3cLogReader::read(buffer, [&sum](const ndes::iis::W3cLine& l) {
        sum += l.number(QByteArrayLiteral("sc-status")) + l.text(QByteArrayLiteral("cs-uri-stem")).size() +
               l.value(QByteArrayLiteral("cs(user-agent)")).size();
        return true;
    });
    (void)r.ok();
    (void)sum;
    return 0;
}
