// SPDX-License-Identifier: Apache-2.0
#include "ScepServerProcess.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>

namespace ndes::test {

namespace {
quint16 freeLoopbackPort() {
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}
} // namespace

ScepServerProcess::~ScepServerProcess() {
    stop();
}

QString ScepServerProcess::findExecutable(const QString& name) {
    QString path = QStandardPaths::findExecutable(name);
    if (path.isEmpty())
        path = QStandardPaths::findExecutable(name, {QStringLiteral("/usr/bin"), QStringLiteral("/usr/sbin")});
    return path;
}

bool ScepServerProcess::start(const QString& challenge, QString* error, int allowRenewDays) {
    const QString exe = findExecutable(QStringLiteral("scepserver"));
    if (exe.isEmpty()) {
        *error = QStringLiteral("scepserver not found; install the Debian package \"scep\" (scripts/install-deps.sh)");
        return false;
    }
    if (!m_dir.isValid()) {
        *error = QStringLiteral("cannot create a temporary directory");
        return false;
    }
    QProcess init;
    init.setWorkingDirectory(m_dir.path());
    init.start(exe, {QStringLiteral("ca"), QStringLiteral("-init"), QStringLiteral("-depot"), depotPath()});
    if (!init.waitForFinished(60000) || init.exitCode() != 0) {
        *error = QStringLiteral("scepserver ca -init failed: ") + QString::fromLocal8Bit(init.readAllStandardError());
        return false;
    }
    for (int attempt = 0; attempt < 5; ++attempt) {
        m_port = freeLoopbackPort();
        m_process.setWorkingDirectory(m_dir.path());
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        m_process.setStandardOutputFile(m_dir.path() + QStringLiteral("/scepserver.log"), QIODevice::Append);
        QStringList args{QStringLiteral("-depot"),      depotPath(),
                         QStringLiteral("-port"),       QString::number(m_port),
                         QStringLiteral("-allowrenew"), QString::number(allowRenewDays)};
        if (!challenge.isEmpty())
            args << QStringLiteral("-challenge") << challenge;
        m_process.start(exe, args);
        if (!m_process.waitForStarted(10000))
            continue;
        const QDeadlineTimer deadline(10000);
        while (!deadline.hasExpired() && m_process.state() == QProcess::Running) {
            QTcpSocket s;
            s.connectToHost(QHostAddress::LocalHost, m_port);
            if (s.waitForConnected(200))
                return true;
            QThread::msleep(50);
        }
        stop();
    }
    *error = QStringLiteral("scepserver did not start: ") + log();
    return false;
}

void ScepServerProcess::stop() {
    if (m_process.state() != QProcess::NotRunning) {
        m_process.terminate();
        if (!m_process.waitForFinished(5000)) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }
}

QUrl ScepServerProcess::url() const {
    return QUrl(QStringLiteral("http://127.0.0.1:%1/scep").arg(m_port));
}

QString ScepServerProcess::caPemPath() const {
    return depotPath() + QStringLiteral("/ca.pem");
}

QString ScepServerProcess::log() const {
    QFile f(m_dir.path() + QStringLiteral("/scepserver.log"));
    return f.open(QIODevice::ReadOnly) ? QString::fromLocal8Bit(f.readAll().right(4000)) : QString();
}

} // namespace ndes::test
