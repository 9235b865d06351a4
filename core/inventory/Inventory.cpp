// SPDX-License-Identifier: Apache-2.0
#include "inventory/Inventory.h"
#include "util/Access.h"

#include "inventory/AppFiles.h"
#include "util/AtomicFile.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>
#include <QStandardPaths>
#include <QUuid>

namespace ndes::inventory {

namespace {
QString tr(const char* text) {
    return QCoreApplication::translate("Inventory", text);
}
} // namespace

QString Inventory::defaultPath() {
    return QDir(configDir()).filePath(QStringLiteral("inventory.json"));
}

Result<Inventory> Inventory::importJson(const QByteArray& json) {
    QJsonParseError err{};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &err);
    if (doc.isNull() || !doc.isObject())
        return makeError(ErrorKind::Usage,
                         tr("The inventory is not valid JSON: %1 at byte %2.").arg(err.errorString()).arg(err.offset));
    const QJsonObject root = doc.object();
    const int version = root.value(QStringLiteral("version")).toInt(0);
    if (version < 1 || version > formatVersion)
        return makeError(ErrorKind::Usage,
                         tr("The inventory has format version %1; this NDES Console reads version %2.")
                             .arg(version)
                             .arg(formatVersion));
    Inventory inv;
    for (const auto& v : root.value(QStringLiteral("servers")).toArray()) {
        ServerProfile p = ServerProfile::fromJson(v.toObject());
        if (p.id.isEmpty())
            p.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
        inv.m_servers.append(p);
    }
    return inv;
}

QByteArray Inventory::exportJson() const {
    QJsonArray servers;
    for (const ServerProfile& p : m_servers)
        servers.append(p.toJson());
    return QJsonDocument(QJsonObject{{QStringLiteral("version"), formatVersion}, {QStringLiteral("servers"), servers}})
        .toJson(QJsonDocument::Indented);
}

Result<Inventory> Inventory::load(const QString& path) {
    QFile f(path);
    if (!f.exists())
        return Inventory();
    if (!f.open(QIODevice::ReadOnly))
        return makeError(ErrorKind::Io, tr("Cannot read the inventory %1: %2").arg(path, f.errorString()));
    if (f.size() > qint64(16) * 1024 * 1024)
        return makeError(ErrorKind::Io, tr("The inventory %1 is larger than 16 MB; it is not ours.").arg(path));
    auto inv = importJson(f.readAll());
    if (!inv) {
        Error e = inv.error();
        e.message =
            tr("The inventory %1 cannot be read: %2 Move it aside to start with an empty one.").arg(path, e.message);
        return e;
    }
    return inv;
}

Status Inventory::save(const QString& path) const {
    if (auto capability = Access::request(WriteOperation::ServerListSave); !capability)
        return capability.error();
    const QFileInfo info(path);
    if (!QDir().mkpath(info.absolutePath()))
        return makeError(ErrorKind::Io, tr("Cannot create the folder %1.").arg(info.absolutePath()));
    if (Status s = AtomicFile::write(path, exportJson(), AtomicFile::Access::OwnerOnly); !s) {
        Error e = s.error();
        e.message = tr("Cannot save the inventory: %1").arg(e.message);
        return e;
    }
    return {};
}

const ServerProfile* Inventory::find(const QString& idOrName) const {
    for (const ServerProfile& p : m_servers)
        if (p.id == idOrName)
            return &p;
    for (const ServerProfile& p : m_servers)
        if (p.name.compare(idOrName, Qt::CaseInsensitive) == 0)
            return &p;
    return nullptr;
}

Result<QString> Inventory::upsert(ServerProfile profile) {
    const QStringList problems = profile.problems();
    if (!problems.isEmpty())
        return makeError(ErrorKind::Usage, problems.join(QLatin1Char(' ')));
    for (const ServerProfile& p : m_servers)
        if (p.id != profile.id && p.name.compare(profile.name, Qt::CaseInsensitive) == 0)
            return makeError(ErrorKind::Usage,
                             tr("A server named \"%1\" exists already; choose another name.").arg(profile.name));
    if (profile.id.isEmpty())
        profile.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    for (ServerProfile& p : m_servers)
        if (p.id == profile.id) {
            p = profile;
            return profile.id;
        }
    m_servers.append(profile);
    return profile.id;
}

bool Inventory::remove(const QString& id) {
    for (qsizetype i = 0; i < m_servers.size(); ++i)
        if (m_servers[i].id == id) {
            m_servers.removeAt(i);
            return true;
        }
    return false;
}

} // namespace ndes::inventory
