// SPDX-License-Identifier: Apache-2.0
#include "NdesLabProcess.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QtTest>

#include <sys/types.h>

namespace ndes::test {

NdesLabProcess::~NdesLabProcess() {
    stop();
}

QString NdesLabProcess::executable() {
    return qEnvironmentVariable("NDES_LAB");
}

bool NdesLabProcess::start(const QStringList& extra, QString* error, int* startupMs) {
    if (executable().isEmpty()) {
        *error = QStringLiteral("NDES_LAB is not set (the path of ndes-lab)");
        return false;
    }
    QElapsedTimer t;
    t.start();
    m_process.start(executable(), QStringList{QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                                              QStringLiteral("--state"), stateDir()} +
                                      extra);
    if (!m_process.waitForStarted(10000)) {
        *error = QStringLiteral("ndes-lab did not start: ") + m_process.errorString();
        return false;
    }
    QByteArray out;
    int expected = 1;
    const qsizetype serversAt = extra.indexOf(QStringLiteral("--servers"));
    if (serversAt >= 0)
        expected = extra.value(serversAt + 1).toInt();
    while (m_urls.size() < expected && t.elapsed() < 60000) {
        if (!m_process.waitForReadyRead(200)) {
            if (m_process.state() != QProcess::Running) {
                m_stderr += m_process.readAllStandardError();
                *error = QStringLiteral("ndes-lab exited with %1: %2")
                             .arg(m_process.exitCode())
                             .arg(QString::fromLocal8Bit(m_stderr));
                return false;
            }
            continue;
        }
        out += m_process.readAllStandardOutput();
        while (out.contains('\n')) {
            const qsizetype nl = out.indexOf('\n');
            const QByteArray line = out.left(nl).trimmed();
            out.remove(0, nl + 1);
            if (line.startsWith("listening "))
                m_urls << QString::fromLatin1(line.mid(10));
        }
    }
    if (startupMs)
        *startupMs = int(t.elapsed());
    if (m_urls.size() < expected) {
        *error = QStringLiteral("ndes-lab printed no listening line");
        return false;
    }
    return true;
}

void NdesLabProcess::stop(int signal) {
    if (m_process.state() != QProcess::NotRunning) {
        ::kill(pid_t(m_process.processId()), signal);
        if (!m_process.waitForFinished(10000)) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }
}

QString NdesLabProcess::chainPemPath(int server) const {
    Q_UNUSED(server) // virtual servers share the lab's one CA
    const QString state = stateDir();
    const QString path = m_dir.filePath(QStringLiteral("chain-%1.pem").arg(server));
    QFile out(path);
    if (out.open(QIODevice::WriteOnly)) {
        for (const char* name : {"issuing-ca.pem", "root-ca.pem"}) {
            QFile in(QDir(state).filePath(QString::fromLatin1(name)));
            if (in.open(QIODevice::ReadOnly))
                out.write(in.readAll());
        }
    }
    return path;
}

QString NdesLabProcess::stderrText() {
    m_stderr += m_process.readAllStandardError();
    return QString::fromLocal8Bit(m_stderr);
}

QByteArray NdesLabProcess::control(const QString& pathAndQuery, int server) const {
    QNetworkAccessManager nam;
    QNetworkRequest request(QUrl(m_urls.value(server) + QStringLiteral("/ndes-lab/control/") + pathAndQuery));
    request.setTransferTimeout(10000);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("text/plain")); // an empty body
    QNetworkReply* reply = nam.post(request, QByteArray());
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray body = reply->readAll();
    reply->deleteLater();
    return status == 200 ? body : QByteArray();
}

QString writeUsers(const QTemporaryDir& dir, QFileDevice::Permissions permissions) {
    const QString path = dir.filePath(QStringLiteral("users.txt"));
    QFile f(path);
    f.open(QIODevice::WriteOnly);
    f.write("LAB\\alice:Alice-Pa55:enroll\nLAB\\bob:Bob-Pa55:noenroll\n");
    f.close();
    f.setPermissions(permissions);
    return path;
}

QByteArray curl(const QStringList& args, int* status, const QProcessEnvironment& env) {
    // Credentials ("-u user:password") go to curl on stdin as a config line, never on its command line, where any
    // process on the machine could read them.
    QStringList argv;
    QByteArray config;
    for (qsizetype i = 0; i < args.size(); ++i) {
        if (args.at(i) == QLatin1String("-u") && i + 1 < args.size()) {
            QByteArray user = args.at(++i).toUtf8();
            user.replace("\\", "\\\\").replace("\"", "\\\"");
            config += "user = \"" + user + "\"\n";
        } else {
            argv << args.at(i);
        }
    }
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(QStringLiteral("curl"),
            QStringList{QStringLiteral("-sS"), QStringLiteral("--max-time"), QStringLiteral("20"), QStringLiteral("-w"),
                        QStringLiteral("\n%{http_code}"), QStringLiteral("-K"), QStringLiteral("-")} +
                argv);
    p.write(config);
    p.closeWriteChannel();
    p.waitForFinished(30000);
    QByteArray out = p.readAllStandardOutput();
    const qsizetype nl = out.lastIndexOf('\n');
    if (status)
        *status = out.mid(nl + 1).toInt();
    return out.left(nl);
}

QString decodeUtf16Le(const QByteArray& body) {
    QByteArray b = body;
    if (b.startsWith("\xFF\xFE"))
        b.remove(0, 2);
    if (b.size() % 2)
        b.chop(1);
    return QString::fromUtf16(reinterpret_cast<const char16_t*>(b.constData()), b.size() / 2);
}

} // namespace ndes::test
