// SPDX-License-Identifier: Apache-2.0
#include "inventory/AppFiles.h"

#include "ndes/ChallengeAuditTrail.h"
#include "util/AtomicFile.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#ifdef Q_OS_LINUX
#include <fcntl.h>
#endif

namespace ndes::inventory {

namespace {
QString tr(const char* text, int n = -1) {
    return QCoreApplication::translate("AppFiles", text, nullptr, n);
}

const QString legacyName = QStringLiteral("NDES Console");

QString arrow(const QString& from, const QString& to) {
    return QDir::toNativeSeparators(from) + QStringLiteral(" \u2192 ") + QDir::toNativeSeparators(to);
}

// Where earlier versions kept their files: Qt's per-application folders under the old names (on Linux
// ~/.config/NDES Console/NDES Console and ~/.local/share/NDES Console/NDES Console; on Windows AppData/Local and
// AppData/Roaming), asked of Qt under those names.
struct LegacyDirs {
    QString config;
    QString data;
};
LegacyDirs legacyDirs() {
    const QString org = QCoreApplication::organizationName();
    const QString app = QCoreApplication::applicationName();
    QCoreApplication::setOrganizationName(legacyName);
    QCoreApplication::setApplicationName(legacyName);
    LegacyDirs dirs{QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation),
                    QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)};
    QCoreApplication::setOrganizationName(org);
    QCoreApplication::setApplicationName(app);
    return dirs;
}

bool existsOrLink(const QString& path) {
    const QFileInfo info(path);
    return info.exists() || info.isSymLink();
}

// Moves FROM to TO: never over something at TO, never through a symbolic link at either end. Across file systems, a
// copy written owner-only (AtomicFile), then the original removed. Empty when it moved, else why not.
QString moveFile(const QString& from, const QString& to) {
    if (QFileInfo(from).isSymLink())
        return tr("%1 is a symbolic link; it was not moved.").arg(QDir::toNativeSeparators(from));
    if (existsOrLink(to))
        return tr("%1 exists.").arg(QDir::toNativeSeparators(to));
    if (!QDir().mkpath(QFileInfo(to).absolutePath()))
        return tr("Cannot create %1.").arg(QDir::toNativeSeparators(QFileInfo(to).absolutePath()));
#ifdef Q_OS_LINUX
    const QByteArray f = QFile::encodeName(from);
    const QByteArray t = QFile::encodeName(to);
    if (::renameat2(AT_FDCWD, f.constData(), AT_FDCWD, t.constData(), RENAME_NOREPLACE) == 0)
        return {};
    const int err = errno;
    if ((err == EINVAL || err == ENOSYS) && ::rename(f.constData(), t.constData()) == 0)
        return {}; // a file system without RENAME_NOREPLACE; TO was checked just above
    if (err != EXDEV && err != EINVAL && err != ENOSYS)
        return QString::fromLocal8Bit(std::strerror(err));
#else
    if (QFile::rename(from, to))
        return {};
#endif
    QFile in(from);
    if (!in.open(QIODevice::ReadOnly))
        return in.errorString();
    const QByteArray content = in.readAll();
    in.close();
    if (Status s = AtomicFile::write(to, content, AtomicFile::Access::OwnerOnly); !s)
        return s.error().message;
    if (!QFile::remove(from))
        return tr("copied, but the original could not be removed");
    return {};
}

// The keys of a settings group, with their values.
QList<std::pair<QString, QVariant>> groupValues(QSettings& settings, const QString& group) {
    QList<std::pair<QString, QVariant>> values;
    settings.beginGroup(group);
    for (const QString& key : settings.allKeys())
        values.append({key, settings.value(key)});
    settings.endGroup();
    return values;
}

void setGroup(QSettings& settings, const QString& group, const QList<std::pair<QString, QVariant>>& values) {
    settings.remove(group);
    for (const auto& [key, value] : values)
        settings.setValue(group + QLatin1Char('/') + key, value);
}
} // namespace

QString configDir() {
    return QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation) + QLatin1Char('/') +
           QLatin1String(appFolderName);
}

QString dataDir() {
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + QLatin1Char('/') +
           QLatin1String(appFolderName);
}

void setApplicationNames() {
    QCoreApplication::setOrganizationName(QLatin1String(appFolderName));
    QCoreApplication::setApplicationName(QLatin1String(appFolderName));
}

QString LegacyMove::summary() const {
    QStringList parts;
    if (!moved.isEmpty())
        parts << tr("Moved %n file(s) from the old folder \"NDES Console/NDES Console\" to \"%1\".", int(moved.size()))
                     .arg(QDir::toNativeSeparators(configDir()));
    if (!kept.isEmpty())
        parts << tr("Left %n old file(s) where they were, because a newer one exists: %1.", int(kept.size()))
                     .arg(kept.join(QStringLiteral("; ")));
    if (!errors.isEmpty())
        parts << errors;
    return parts.join(QLatin1Char(' '));
}

QString legacyInventoryPath() {
    return legacyDirs().config + QStringLiteral("/inventory.json");
}

LegacyMove moveLegacyFiles(QSettings& settings) {
    LegacyMove result;

    // The settings first: they hold the audit trail's anchor, which follows the trail below.
    {
        QSettings legacy(QSettings::NativeFormat, QSettings::UserScope, legacyName, legacyName);
        const QStringList keys = legacy.allKeys();
        if (!keys.isEmpty() && legacy.fileName() != settings.fileName()) {
            for (const QString& key : keys) {
                if (!settings.contains(key))
                    settings.setValue(key, legacy.value(key));
            }
            settings.sync();
            if (settings.status() != QSettings::NoError) {
                result.errors << tr("Could not write the settings to %1; the old ones stay in %2.")
                                     .arg(QDir::toNativeSeparators(settings.fileName()),
                                          QDir::toNativeSeparators(legacy.fileName()));
                return result; // nothing else moves: the anchor must stay with the trail
            }
            legacy.clear();
            legacy.sync();
            if (QFileInfo(legacy.fileName()).isFile())
                QFile::remove(legacy.fileName());
            result.moved << arrow(legacy.fileName(), settings.fileName());
        }
    }

    const LegacyDirs old = legacyDirs();
    const QString trailName = QStringLiteral("challenge-audit.jsonl");
    const QString oldTrail = old.data + QLatin1Char('/') + trailName;
    const QString newTrail = dataDir() + QLatin1Char('/') + trailName;
    const QString oldAnchor = service::ChallengeAuditTrail::anchorKeyFor(oldTrail);
    const QString newAnchor = service::ChallengeAuditTrail::anchorKeyFor(newTrail);

    // The trail and its anchor move together: the anchor is written under the new path (and kept) before the file
    // moves, put back if the move fails, and the old one removed only after. A trail that is gone while its anchor
    // says it had entries takes the anchor along, so the new place reports the missing entries instead of an empty,
    // "intact" trail.
    const auto anchor = groupValues(settings, oldAnchor);
    if (!anchor.isEmpty() && !existsOrLink(newTrail)) {
        const auto previous = groupValues(settings, newAnchor);
        setGroup(settings, newAnchor, anchor);
        settings.sync();
        if (settings.status() != QSettings::NoError) {
            result.errors << tr("Could not write the settings to %1; the audit trail stays in %2.")
                                 .arg(QDir::toNativeSeparators(settings.fileName()),
                                      QDir::toNativeSeparators(oldTrail));
            return result;
        }
        const bool trailThere = existsOrLink(oldTrail);
        const QString why = trailThere ? moveFile(oldTrail, newTrail) : QString();
        if (!why.isEmpty()) {
            setGroup(settings, newAnchor, previous);
            settings.sync();
            result.errors << tr("Could not move %1 to %2 (%3); NDES Console starts without it until it is moved.")
                                 .arg(QDir::toNativeSeparators(oldTrail), QDir::toNativeSeparators(newTrail), why);
        } else {
            settings.remove(oldAnchor);
            settings.sync();
            if (trailThere)
                result.moved << arrow(oldTrail, newTrail);
        }
    } else if (existsOrLink(oldTrail) || !anchor.isEmpty()) {
        if (existsOrLink(newTrail))
            result.kept << tr("%1 (and its anchor in the settings)").arg(QDir::toNativeSeparators(oldTrail));
        else if (const QString why = moveFile(oldTrail, newTrail); !why.isEmpty())
            result.errors << tr("Could not move %1 to %2 (%3); NDES Console starts without it until it is moved.")
                                 .arg(QDir::toNativeSeparators(oldTrail), QDir::toNativeSeparators(newTrail), why);
        else
            result.moved << arrow(oldTrail, newTrail); // a trail that never had an anchor (no settings)
    }

    const QList<std::pair<QString, QString>> others{
        {old.config + QStringLiteral("/inventory.json"), configDir() + QStringLiteral("/inventory.json")},
        {old.data + QStringLiteral("/setup-draft.json"), dataDir() + QStringLiteral("/setup-draft.json")},
    };
    for (const auto& [from, to] : others) {
        if (!existsOrLink(from))
            continue;
        if (existsOrLink(to)) {
            result.kept << QDir::toNativeSeparators(from);
            continue;
        }
        if (const QString why = moveFile(from, to); !why.isEmpty())
            result.errors << tr("Could not move %1 to %2 (%3); NDES Console starts without it until it is moved.")
                                 .arg(QDir::toNativeSeparators(from), QDir::toNativeSeparators(to), why);
        else
            result.moved << arrow(from, to);
    }
    // The old folders go when nothing is left in them (rmdir refuses a folder that is not empty).
    for (const QString& dir : {old.config, old.data}) {
        QDir().rmdir(dir);
        QDir().rmdir(QFileInfo(dir).absolutePath());
    }
    return result;
}

} // namespace ndes::inventory
