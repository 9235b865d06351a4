// SPDX-License-Identifier: Apache-2.0
#include "inventory/AppFiles.h"

#include "ndes/ChallengeAuditTrail.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>

namespace ndes::inventory {

namespace {
QString tr(const char* text, int n = -1) {
    return QCoreApplication::translate("AppFiles", text, nullptr, n);
}

const QString legacyName = QStringLiteral("NDES Console");

QString legacyDir(QStandardPaths::StandardLocation base) {
    return QStandardPaths::writableLocation(base) + QLatin1Char('/') + legacyName + QLatin1Char('/') + legacyName;
}

QString arrow(const QString& from, const QString& to) {
    return QDir::toNativeSeparators(from) + QStringLiteral(" \u2192 ") + QDir::toNativeSeparators(to);
}

// Copies the keys of FROM's group into TO's, keeping any value TO already has, then removes FROM's group.
void moveGroup(QSettings& settings, const QString& from, const QString& to) {
    settings.beginGroup(from);
    const QStringList keys = settings.allKeys();
    settings.endGroup();
    for (const QString& key : keys) {
        const QString target = to + QLatin1Char('/') + key;
        if (!settings.contains(target))
            settings.setValue(target, settings.value(from + QLatin1Char('/') + key));
    }
    settings.remove(from);
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

LegacyMove moveLegacyFiles(QSettings& settings) {
    LegacyMove result;

    // The settings first: they hold the audit trail's anchor, which is re-keyed below when the trail moves.
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

    struct Candidate {
        QString from;
        QString to;
    };
    const QString oldConfig = legacyDir(QStandardPaths::GenericConfigLocation);
    const QString oldData = legacyDir(QStandardPaths::GenericDataLocation);
    const QString trailName = QStringLiteral("challenge-audit.jsonl");
    const QList<Candidate> candidates{
        {oldConfig + QStringLiteral("/inventory.json"), configDir() + QStringLiteral("/inventory.json")},
        {oldData + QLatin1Char('/') + trailName, dataDir() + QLatin1Char('/') + trailName},
        {oldData + QStringLiteral("/setup-draft.json"), dataDir() + QStringLiteral("/setup-draft.json")},
    };
    for (const Candidate& c : candidates) {
        if (!QFileInfo(c.from).isFile())
            continue;
        if (QFileInfo::exists(c.to)) {
            result.kept << QDir::toNativeSeparators(c.from);
            continue;
        }
        if (!QDir().mkpath(QFileInfo(c.to).absolutePath()) || !QFile::rename(c.from, c.to)) {
            result.errors << tr("Could not move %1 to %2: NDES Console starts without it until it is moved there.")
                                 .arg(QDir::toNativeSeparators(c.from), QDir::toNativeSeparators(c.to));
            continue;
        }
        result.moved << arrow(c.from, c.to);
        if (c.to.endsWith(trailName)) {
            moveGroup(settings, service::ChallengeAuditTrail::anchorKeyFor(c.from),
                      service::ChallengeAuditTrail::anchorKeyFor(c.to));
            settings.sync();
        }
    }
    // The old folders go when nothing is left in them (rmdir refuses a folder that is not empty).
    for (const QString& dir : {oldConfig, oldData}) {
        QDir().rmdir(dir);
        QDir().rmdir(QFileInfo(dir).absolutePath());
    }
    return result;
}

} // namespace ndes::inventory
