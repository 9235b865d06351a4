// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "util/Result.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <functional>

namespace ndes::audit {

// A read-only ZIP reader for collector snapshots (Compress-Archive's zips: stored or deflated entries; Windows
// PowerShell 5.1 writes '\' as the separator). Hostile archives are refused entry by entry with a reason, never
// written anywhere: names that leave the archive's folder (absolute, drive letters, '..'), links, encrypted entries,
// unknown compression, ZIP64, sizes over the limits, bad CRC. Sizes are checked while inflating, not trusted from the
// headers (a zip bomb stops at the limit).
class ZipReader {
public:
    struct Limits {
        qint64 maxEntryBytes = qint64(1) * 1024 * 1024 * 1024;
        qint64 maxTotalBytes = qint64(8) * 1024 * 1024 * 1024;
        int maxEntries = 20000;
    };
    struct Entry {
        QString name; // '/' separated, relative, checked
        qint64 size = 0;
        int index = 0; // its place in the archive: a new index is a new file, even under a name seen before
    };
    // Called for each good entry with a chunk of its data (in order); return false to stop the whole read.
    using Sink = std::function<bool(const Entry& entry, QByteArrayView chunk, bool last)>;

    [[nodiscard]] static bool isZip(const QByteArray& head) { return head.startsWith("PK\x03\x04"); }
    // Reads every entry of the file; `problems` gets one line per refused entry. An archive that is not a ZIP at
    // all, or whose directory is damaged, is an error.
    static Status read(const QString& path, const Limits& limits, const Sink& sink, QStringList* problems);
    // A name is safe when it stays inside the folder it is extracted to, at most 16 folders deep, each part at most
    // 255 characters. Returns the cleaned name, or empty.
    [[nodiscard]] static QString safeName(const QString& raw);
};

} // namespace ndes::audit
