// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "inventory/ServerProfile.h"
#include "util/Result.h"

#include <QList>

namespace ndes::inventory {

// The list of NDES servers, kept as JSON under the platform's config location. Saving is atomic (QSaveFile:
// written to a temporary file, flushed, renamed), so a crash or kill -9 leaves the old file or the new one,
// never a torn one. No secret is ever written here.
class Inventory {
public:
    static constexpr int formatVersion = 1;

    static Result<Inventory> load(const QString& path); // a missing file is an empty inventory
    Status save(const QString& path) const;

    // Export/import for sharing between admins: the same JSON, never with secrets (there are none to leave out,
    // by construction); import merges by id and gives imported profiles new ids when they clash by name only.
    [[nodiscard]] QByteArray exportJson() const;
    static Result<Inventory> importJson(const QByteArray& json);

    [[nodiscard]] const QList<ServerProfile>& servers() const { return m_servers; }
    [[nodiscard]] const ServerProfile* find(const QString& idOrName) const;
    // Adds or replaces (by id; a new id is made when empty). Refuses a profile with problems.
    Result<QString> upsert(ServerProfile profile);
    bool remove(const QString& id);

    static QString defaultPath(); // <config>/ndes-console/inventory.json (AppFiles.h)

private:
    QList<ServerProfile> m_servers;
};

} // namespace ndes::inventory
