// SPDX-License-Identifier: Apache-2.0
#include "TestKdc.h"

#include <QFile>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>

namespace ndes::test {

namespace {
QString find(const QString& name) {
    QString p = QStandardPaths::findExecutable(name);
    if (p.isEmpty())
        p = QStandardPaths::findExecutable(name, {QStringLiteral("/usr/sbin"), QStringLiteral("/usr/bin")});
    return p;
}
} // namespace

TestKdc::~TestKdc() {
    stop();
}

QProcessEnvironment TestKdc::environment() const {
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("KRB5_CONFIG"), m_dir.filePath(QStringLiteral("krb5.conf")));
    env.insert(QStringLiteral("KRB5_KDC_PROFILE"), m_dir.filePath(QStringLiteral("kdc.conf")));
    env.insert(QStringLiteral("KRB5CCNAME"), QStringLiteral("FILE:") + m_dir.filePath(QStringLiteral("ccache")));
    env.insert(QStringLiteral("KRB5RCACHETYPE"), QStringLiteral("none"));
    return env;
}

bool TestKdc::run(const QString& program, const QStringList& args, const QByteArray& input, QString* error) {
    QProcess p;
    p.setProcessEnvironment(environment());
    p.start(find(program), args);
    p.write(input);
    p.closeWriteChannel();
    if (!p.waitForFinished(60000) || p.exitCode() != 0) {
        *error = program + QStringLiteral(" failed: ") +
                 QString::fromLocal8Bit(p.readAllStandardError() + p.readAllStandardOutput());
        return false;
    }
    return true;
}

bool TestKdc::start(const QString& user, const QByteArray& password, QString* error) {
    for (const char* tool : {"krb5kdc", "kdb5_util", "kadmin.local", "kinit"})
        if (find(QString::fromLatin1(tool)).isEmpty()) {
            *error = QStringLiteral("%1 missing: install krb5-kdc, krb5-admin-server and krb5-user")
                         .arg(QLatin1String(tool));
            return false;
        }
    {
        QTcpServer probe;
        probe.listen(QHostAddress::LocalHost, 0);
        m_port = probe.serverPort();
    }
    const QString d = m_dir.path();
    QFile krb5(m_dir.filePath(QStringLiteral("krb5.conf")));
    krb5.open(QIODevice::WriteOnly);
    krb5.write(QStringLiteral(
                   "[libdefaults]\n default_realm = LAB.EXAMPLE\n dns_lookup_realm = false\n dns_lookup_kdc = false\n"
                   " dns_canonicalize_hostname = false\n rdns = false\n udp_preference_limit = 1\n"
                   "[realms]\n LAB.EXAMPLE = {\n  kdc = 127.0.0.1:%1\n }\n[domain_realm]\n localhost = LAB.EXAMPLE\n")
                   .arg(m_port)
                   .toUtf8());
    krb5.close();
    QFile kdc(m_dir.filePath(QStringLiteral("kdc.conf")));
    kdc.open(QIODevice::WriteOnly);
    kdc.write(QStringLiteral("[kdcdefaults]\n kdc_ports = %1\n kdc_tcp_ports = %1\n[realms]\n LAB.EXAMPLE = {\n"
                             "  database_name = %2/principal\n  key_stash_file = %2/stash\n  acl_file = %2/kadm5.acl\n"
                             "  max_life = 1h\n }\n[logging]\n kdc = FILE:%2/kdc.log\n")
                  .arg(m_port)
                  .arg(d)
                  .toUtf8());
    kdc.close();
    if (!run(QStringLiteral("kdb5_util"),
             {QStringLiteral("create"), QStringLiteral("-s"), QStringLiteral("-r"), realm(), QStringLiteral("-P"),
              QStringLiteral("test-master-key")},
             {}, error))
        return false;
    if (!run(QStringLiteral("kadmin.local"),
             {QStringLiteral("-r"), realm(), QStringLiteral("-q"),
              QStringLiteral("addprinc -pw %1 %2").arg(QString::fromLatin1(password), user)},
             {}, error) ||
        !run(QStringLiteral("kadmin.local"),
             {QStringLiteral("-r"), realm(), QStringLiteral("-q"), QStringLiteral("addprinc -randkey HTTP/localhost")},
             {}, error) ||
        !run(QStringLiteral("kadmin.local"),
             {QStringLiteral("-r"), realm(), QStringLiteral("-q"),
              QStringLiteral("ktadd -k %1 HTTP/localhost").arg(keytabPath())},
             {}, error))
        return false;
    m_kdc.setProcessEnvironment(environment());
    m_kdc.setProcessChannelMode(QProcess::MergedChannels);
    m_kdc.start(find(QStringLiteral("krb5kdc")), {QStringLiteral("-n"), QStringLiteral("-r"), realm()});
    if (!m_kdc.waitForStarted(10000)) {
        *error = QStringLiteral("krb5kdc did not start");
        return false;
    }
    for (int i = 0; i < 100; ++i) {
        QTcpSocket s;
        s.connectToHost(QHostAddress::LocalHost, m_port);
        if (s.waitForConnected(100))
            return run(QStringLiteral("kinit"), {user + QLatin1Char('@') + realm()}, password + '\n', error);
        QThread::msleep(50);
    }
    *error = QStringLiteral("krb5kdc does not listen: ") + QString::fromLocal8Bit(m_kdc.readAll());
    return false;
}

void TestKdc::stop() {
    if (m_kdc.state() != QProcess::NotRunning) {
        m_kdc.terminate();
        if (!m_kdc.waitForFinished(5000))
            m_kdc.kill();
        m_kdc.waitForFinished(5000);
    }
}

} // namespace ndes::test
