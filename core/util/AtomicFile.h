// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "util/Result.h"

#include <QByteArray>
#include <QString>

namespace ndes {

// Writes a whole file atomically (QSaveFile: a temporary file, flushed, renamed), so a crash leaves the old file
// or the new one. Owner-only files get their 0600 mode before any byte is written.
class AtomicFile {
public:
    enum class Access { OwnerOnly, WorldReadable };
    static Status write(const QString& path, const QByteArray& data, Access access);
};

} // namespace ndes
