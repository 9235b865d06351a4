// SPDX-License-Identifier: Apache-2.0
#include "inventory/ConsolePolicy.h"

#include <QFile>
#include <QFileInfo>
#include <QSettings>

#include <cerrno>
#include <sys/stat.h>

namespace ndes::inventory {

QString systemPolicyPath() {
#ifdef Q_OS_WIN
    return QStringLiteral("C:/ProgramData/ndes-console/policy.conf");
#else
    return QStringLiteral("/etc/xdg/ndes-console/policy.conf");
#endif
}

StartupAccess resolveStartupAccess(bool auditorFlag, bool userSetting, const QString& policyPath) {
    StartupAccess a;
    const QFileInfo info(policyPath);
    // Only "no such file" unlocks: a dangling link, a folder that may not be searched or any other error locks.
    bool present = false;
    if (!policyPath.isEmpty()) {
        struct stat st {};
        const QByteArray native = QFile::encodeName(policyPath);
        present = ::lstat(native.constData(), &st) == 0 || (errno != ENOENT && errno != ENOTDIR);
    }
    if (present) {
        // Read only the policy file itself (no fallbacks to the user's files).
        bool policy = false;
        QFile f(policyPath);
        if (!info.isFile() || !f.open(QIODevice::ReadOnly) || f.size() > 64 * 1024) {
            policy = true;
            a.warning = QStringLiteral("The policy file %1 could not be read; starting read-only.").arg(policyPath);
        } else {
            f.close();
            QSettings settings(policyPath, QSettings::IniFormat);
            const QVariant value = settings.value(QStringLiteral("policy/auditor"));
            if (settings.status() != QSettings::NoError) {
                policy = true;
                a.warning = QStringLiteral("The policy file %1 is not valid; starting read-only.").arg(policyPath);
            } else if (!value.isValid()) {
                // A policy file is there for a reason: without the setting it names nothing to unlock.
                policy = true;
                a.warning = QStringLiteral("The policy file %1 has no auditor= setting under [policy]; starting "
                                           "read-only.")
                                .arg(policyPath);
            } else {
                const QString v = value.toString().trimmed().toLower();
                if (v == QLatin1String("true") || v == QLatin1String("1") || v == QLatin1String("yes")) {
                    policy = true;
                } else if (!(v == QLatin1String("false") || v == QLatin1String("0") || v == QLatin1String("no"))) {
                    policy = true;
                    a.warning = QStringLiteral("The policy file %1 says auditor=%2, which is neither true nor "
                                               "false; starting read-only.")
                                    .arg(policyPath, value.toString());
                }
            }
            if (policy && info.isWritable())
                a.warning += (a.warning.isEmpty() ? QString() : QStringLiteral(" ")) +
                             QStringLiteral("The policy file %1 is writable by you, so it does not lock anything: an "
                                            "administrator should make it owned by root and read-only.")
                                 .arg(policyPath);
        }
        if (policy) {
            a.readOnly = true;
            a.byPolicy = true;
            a.reason = QStringLiteral("required by %1").arg(policyPath);
            return a;
        }
    }
    if (auditorFlag) {
        a.readOnly = true;
        a.reason = QStringLiteral("started with --auditor");
    } else if (userSetting) {
        a.readOnly = true;
        a.reason = QStringLiteral("chosen in the settings (Tools ▸ Start in auditor mode)");
    }
    return a;
}

} // namespace ndes::inventory
