// SPDX-License-Identifier: Apache-2.0
#include "util/ProcessMemory.h"

#include <QByteArray>
#include <QFile>
#include <QList>
#include <QStringList>

#ifdef Q_OS_UNIX
#include <sys/resource.h>
#endif
#ifdef Q_OS_LINUX
#include <sys/prctl.h>
#endif

#include <cerrno>
#include <cstdio>
#include <cstring>

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

QString hardenProcess() {
    QStringList problems;
#ifdef Q_OS_UNIX
    const rlimit noCore{0, 0};
    if (::setrlimit(RLIMIT_CORE, &noCore) != 0)
        problems
            << QStringLiteral("core dumps stay on (setrlimit: %1)").arg(QString::fromLocal8Bit(std::strerror(errno)));
#endif
#ifdef Q_OS_LINUX
    if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
        problems << QStringLiteral("other processes of this user may read this one's memory (prctl: %1)")
                        .arg(QString::fromLocal8Bit(std::strerror(errno)));
#endif
    return problems.join(QStringLiteral("; "));
}

void hardenProcessOrWarn(const char* program) {
    const QString problem = hardenProcess();
    if (!problem.isEmpty())
        std::fprintf(stderr, "%s: warning: %s\n", program, problem.toLocal8Bit().constData());
}

} // namespace ndes
