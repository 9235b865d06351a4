// SPDX-License-Identifier: Apache-2.0
#include "util/ProcessMemory.h"

#include <QByteArray>
#include <QFile>
#include <QList>

namespace ndes {

qint64 residentKb() {
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray& line : f.readAll().split('\n'))
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    return -1;
}

} // namespace ndes
