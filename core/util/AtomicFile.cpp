// SPDX-License-Identifier: Apache-2.0
#include "util/AtomicFile.h"

#include <QCoreApplication>
#include <QFile>
#include <QSaveFile>

namespace ndes {

Status AtomicFile::write(const QString& path, const QByteArray& data, Access access) {
    auto tr = [](const char* text) {
        return QCoreApplication::translate("AtomicFile", text);
    };
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return makeError(ErrorKind::Io, tr("Cannot write %1: %2").arg(path, f.errorString()));
    if (access == Access::OwnerOnly && !f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner))
        return makeError(ErrorKind::Io, tr("Cannot restrict the permissions of %1.").arg(path));
    if (f.write(data) != data.size() || !f.commit())
        return makeError(ErrorKind::Io, tr("Cannot write %1: %2").arg(path, f.errorString()));
    if (access == Access::WorldReadable)
        QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup |
                                        QFileDevice::ReadOther);
    return {};
}

} // namespace ndes
