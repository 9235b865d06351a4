// SPDX-License-Identifier: Apache-2.0
#include "util/AtomicFile.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

#ifdef Q_OS_UNIX
#include <sys/stat.h>
#endif

namespace ndes {

namespace {
QString tr(const char* text) {
    return QCoreApplication::translate("AtomicFile", text);
}
} // namespace

Status AtomicFile::checkTarget(const QString& path) {
    bool link = QFileInfo(path).isSymLink();
#ifdef Q_OS_UNIX
    struct stat st {};
    link = link || (::lstat(QFile::encodeName(path).constData(), &st) == 0 && S_ISLNK(st.st_mode));
#endif
    if (link)
        return makeError(ErrorKind::Io, tr("%1 is a symbolic link; it was not written (it would replace the file the "
                                           "link points to). Give the path of a regular file.")
                                            .arg(path));
    return {};
}

Status AtomicFile::write(const QString& path, const QByteArray& data, Access access) {
    if (Status s = checkTarget(path); !s)
        return s;
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
