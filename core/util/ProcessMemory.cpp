// SPDX-License-Identifier: Apache-2.0
#include "util/ProcessMemory.h"

#include <QByteArray>
#include <QFile>
#include <QList>

#ifdef Q_OS_UNIX
#include <sys/resource.h>
#endif
#ifdef Q_OS_LINUX
#include <sys/prctl.h>
#endif

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

bool hardenProcess() {
    bool ok = true;
#ifdef Q_OS_UNIX
    const rlimit noCore{0, 0};
    ok = ::setrlimit(RLIMIT_CORE, &noCore) == 0;
#endif
#ifdef Q_OS_LINUX
    ok = ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0 && ok;
#endif
    return ok;
}

} // namespace ndes
