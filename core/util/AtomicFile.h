// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "util/Result.h"

#include <QByteArray>
#include <QString>

namespace ndes {

// Writes a whole file atomically (QSaveFile: a temporary file, flushed, renamed), so a crash leaves the old file
// or the new one. Owner-only files get their 0600 mode before any byte is written. A target that is a symbolic link
// is refused: QSaveFile would follow it and replace whatever it points at (a private key written "to" a link would
// land in the link's target).
class AtomicFile {
public:
    enum class Access { OwnerOnly, WorldReadable };
    static Status write(const QString& path, const QByteArray& data, Access access);
    // The same refusal, for callers that want to check before doing expensive or irreversible work.
    static Status checkTarget(const QString& path);
};

} // namespace ndes
