// SPDX-License-Identifier: Apache-2.0
// Fuzzes the snapshot zip reader: central directory, local headers, names, inflate, sizes and checksums.
#include "audit/ZipReader.h"

#include <QFile>
#include <QTemporaryDir>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("input.zip"));
    {
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return 0;
        f.write(reinterpret_cast<const char*>(data), static_cast<qint64>(size));
    }
    ndes::audit::ZipReader::Limits limits;
    limits.maxEntryBytes = 16 * 1024 * 1024;
    limits.maxTotalBytes = 64 * 1024 * 1024;
    QStringList problems;
    qint64 bytes = 0;
    auto r = ndes::audit::ZipReader::read(
        path, limits,
        [&bytes](const ndes::audit::ZipReader::Entry&, QByteArrayView chunk, bool) {
            bytes += chunk.size();
            return true;
        },
        &problems);
    (void)r.ok();
    return 0;
}
