// SPDX-License-Identifier: Apache-2.0
#include "SambaDc.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>

#include <csignal>
#include <sys/prctl.h>
#include <unistd.h>

namespace ndes::test {
namespace {

QString find(const QString& name) {
    return QStandardPaths::findExecutable(name, {QStringLiteral("/usr/sbin"), QStringLiteral("/usr/bin")});
}

quint16 freePort() {
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

bool writeFile(const QString& path, const QByteArray& data, QFileDevice::Permissions perms = {}) {
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(data) != data.size())
        return false;
    if (perms)
        f.setPermissions(perms);
    return true;
}

// Writes the seed records into the database with Samba's Python bindings (Samba's own code, not ours): adds and
// modifies as the LDIF says, one record at a time, @SID:name@ replaced by the SID of an account added before.
const char* const seedScript = R"PY(import re, sys, ldb
from samba.samdb import SamDB
from samba.auth import system_session
from samba.param import LoadParm
from samba.dcerpc import security
from samba.ndr import ndr_unpack
lp = LoadParm(); lp.load(sys.argv[1])
db = SamDB(url=sys.argv[2], session_info=system_session(), lp=lp)
def sid_of(m):
    res = db.search(base=db.domain_dn(), scope=ldb.SCOPE_SUBTREE,
                    expression="(sAMAccountName=%s)" % m.group(1), attrs=["objectSid"])
    return str(ndr_unpack(security.dom_sid, res[0]["objectSid"][0]))
for record in open(sys.argv[3]).read().split("\n\n"):
    if not record.strip():
        continue
    record = re.sub(r"@SID:([^@]+)@", sid_of, record)
    for changetype, msg in db.parse_ldif(record + "\n"):
        if changetype == ldb.CHANGETYPE_MODIFY:
            db.modify(msg)
        else:
            db.add(msg)
)PY";

} // namespace

SambaDc::~SambaDc() {
    stop();
}

QProcessEnvironment SambaDc::environment() const {
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("KRB5_CONFIG"), m_dir.filePath(QStringLiteral("krb5.conf")));
    env.insert(QStringLiteral("KRB5CCNAME"), QStringLiteral("FILE:") + m_dir.filePath(QStringLiteral("ccache")));
    env.insert(QStringLiteral("LDAPTLS_CACERT"), caFile());
    env.insert(QStringLiteral("LDAPTLS_REQCERT"), QStringLiteral("demand"));
    env.insert(QStringLiteral("LANG"), QStringLiteral("C.UTF-8"));
    // Samba's tools are Python 3 scripts that need the system's Python with its Samba modules.
    env.insert(QStringLiteral("PATH"), QStringLiteral("/usr/sbin:/usr/bin:/sbin:/bin"));
    env.remove(QStringLiteral("PYTHONPATH"));
    // Set in this process by LdapConnection (our client reads no libldap configuration); ldapsearch needs its
    // environment (LDAPTLS_CACERT) read.
    env.remove(QStringLiteral("LDAPNOINIT"));
    return env;
}

std::optional<QByteArray> SambaDc::run(const QString& program, const QStringList& args, const QByteArray& input,
                                       QString* error) const {
    QProcess p;
    p.setProcessEnvironment(environment());
    const QString path = program.startsWith(QLatin1Char('/')) ? program : find(program);
    if (path.isEmpty()) {
        *error = QStringLiteral("%1 is not installed (scripts/install-deps.sh all installs it)").arg(program);
        return std::nullopt;
    }
    p.start(path, args);
    if (!input.isEmpty())
        p.write(input);
    p.closeWriteChannel();
    if (!p.waitForFinished(120000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        *error = QStringLiteral("%1 %2 failed: %3")
                     .arg(program, args.value(0), QString::fromLocal8Bit(p.readAllStandardError()).trimmed());
        return std::nullopt;
    }
    return p.readAllStandardOutput();
}

QByteArray SambaDc::ldapsearch(const QStringList& args, QString* error) const {
    QStringList all{QStringLiteral("-LLL"),
                    QStringLiteral("-o"),
                    QStringLiteral("ldif-wrap=no"),
                    QStringLiteral("-H"),
                    url(),
                    QStringLiteral("-x"),
                    QStringLiteral("-D"),
                    adminDn(),
                    QStringLiteral("-y"),
                    adminPasswordFile()};
    all << args;
    return run(QStringLiteral("ldapsearch"), all, {}, error).value_or(QByteArray());
}

bool SambaDc::start(const QByteArray& seedLdif, QString* error) {
    for (const char* tool : {"samba", "samba-tool", "ldapsearch", "openssl"})
        if (find(QString::fromLatin1(tool)).isEmpty()) {
            *error = QStringLiteral("%1 is missing: scripts/install-deps.sh all installs samba, samba-ad-dc, "
                                    "samba-ad-provision and ldap-utils")
                         .arg(QLatin1String(tool));
            return false;
        }
    {
        QTcpSocket s;
        s.connectToHost(QHostAddress::LocalHost, 636);
        if (s.waitForConnected(300)) {
            *error = QStringLiteral("127.0.0.1:636 is taken (another Samba DC, or an LDAP server): Samba 4.17 cannot "
                                    "listen elsewhere; stop it first");
            return false;
        }
    }
    if (!m_dir.isValid()) {
        *error = QStringLiteral("no temporary folder");
        return false;
    }
    const QString d = m_dir.path();
    for (const char* sub : {"run", "log", "tls", "sock/ncalrpc", "sock/winbindd", "seedpriv"})
        QDir(d).mkpath(QString::fromLatin1(sub));
    // A fresh random administrator password per run (Samba's complexity rules: upper, lower, digit, symbol).
    m_adminPassword = "Adm-" + QByteArray::number(QRandomGenerator::system()->generate64(), 36) + "-x9Z!";
    if (!writeFile(adminPasswordFile(), m_adminPassword, QFileDevice::ReadOwner | QFileDevice::WriteOwner)) {
        *error = QStringLiteral("cannot write the password file");
        return false;
    }
    // A seed configuration so Debian's /etc/samba/smb.conf does not leak into the provisioned one.
    const QString seed = m_dir.filePath(QStringLiteral("seed.conf"));
    writeFile(seed,
              QStringLiteral("[global]\n interfaces = lo\n bind interfaces only = yes\n log file = %1/log/%m.log\n"
                             " pid directory = %1/run\n lock directory = %1/run\n state directory = %1/run\n"
                             " cache directory = %1/run\n private dir = %1/seedpriv\n")
                  .arg(d)
                  .toUtf8());
    QElapsedTimer timer;
    timer.start();
    if (!run(QStringLiteral("samba-tool"),
             {QStringLiteral("domain"), QStringLiteral("provision"), QStringLiteral("-s"), seed,
              QStringLiteral("--realm=LAB.TEST"), QStringLiteral("--domain=LAB"), QStringLiteral("--server-role=dc"),
              QStringLiteral("--dns-backend=NONE"), QStringLiteral("--domain-sid=") + domainSid(),
              QStringLiteral("--adminpass=") + QString::fromLatin1(m_adminPassword),
              QStringLiteral("--host-ip=127.0.0.1"), QStringLiteral("--host-name=dc1"),
              QStringLiteral("--targetdir=") + d + QStringLiteral("/dc"), QStringLiteral("--use-rfc2307")},
             {}, error))
        return false;
    // TLS: a CA of our own and a server certificate for 127.0.0.1 and dc1.lab.test.
    const QString tls = d + QStringLiteral("/tls/");
    if (!run(QStringLiteral("openssl"),
             {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"), QStringLiteral("ec"),
              QStringLiteral("-pkeyopt"), QStringLiteral("ec_paramgen_curve:P-256"), QStringLiteral("-nodes"),
              QStringLiteral("-keyout"), tls + QStringLiteral("ca.key"), QStringLiteral("-out"),
              tls + QStringLiteral("ca.pem"), QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-subj"),
              QStringLiteral("/CN=NDES Console test AD CA")},
             {}, error) ||
        !run(QStringLiteral("openssl"),
             {QStringLiteral("req"), QStringLiteral("-newkey"), QStringLiteral("ec"), QStringLiteral("-pkeyopt"),
              QStringLiteral("ec_paramgen_curve:P-256"), QStringLiteral("-nodes"), QStringLiteral("-keyout"),
              tls + QStringLiteral("dc.key"), QStringLiteral("-out"), tls + QStringLiteral("dc.csr"),
              QStringLiteral("-subj"), QStringLiteral("/CN=dc1.lab.test")},
             {}, error))
        return false;
    writeFile(tls + QStringLiteral("ext.cnf"),
              "subjectAltName=IP:127.0.0.1,DNS:dc1.lab.test\nextendedKeyUsage=serverAuth\n");
    if (!run(QStringLiteral("openssl"),
             {QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"), tls + QStringLiteral("dc.csr"),
              QStringLiteral("-CA"), tls + QStringLiteral("ca.pem"), QStringLiteral("-CAkey"),
              tls + QStringLiteral("ca.key"), QStringLiteral("-CAcreateserial"), QStringLiteral("-out"),
              tls + QStringLiteral("dc.pem"), QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-extfile"),
              tls + QStringLiteral("ext.cnf")},
             {}, error))
        return false;
    QFile::setPermissions(tls + QStringLiteral("dc.key"), QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    // The DC's own configuration: loopback only, nothing announced, no DNS updates, sockets and logs in here.
    // Kerberos (SASL GSSAPI) over LDAPS: Windows AD accepts it without SASL signing; Samba 4.17 by default wants
    // signing and at the same time refuses it over TLS, so no GSSAPI bind over LDAPS could succeed.
    // allow_sasl_over_tls makes it behave as AD does; simple binds without TLS stay refused.
    m_kdcPort = freePort();
    const quint16 kpasswd = freePort();
    const QString conf = d + QStringLiteral("/dc/etc/smb.conf");
    QFile in(conf);
    if (!in.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("provisioning wrote no smb.conf");
        return false;
    }
    QString text = QString::fromUtf8(in.readAll());
    in.close();
    text.replace(QRegularExpression(QStringLiteral("\\n\\s*interfaces = [^\\n]*")),
                 QStringLiteral("\n\tinterfaces = 127.0.0.1"));
    text.replace(QRegularExpression(QStringLiteral("\\n\\s*bind interfaces only = [^\\n]*")), QString());
    text.replace(QRegularExpression(QStringLiteral("\\n\\s*server services = [^\\n]*")),
                 QStringLiteral("\n\tserver services = ldap, cldap, kdc, drepl, ntp_signd, kcc"));
    text.replace(QStringLiteral("[global]\n"),
                 QStringLiteral(
                     "[global]\n\tbind interfaces only = yes\n\tldap server require strong auth = allow_sasl_over_tls\n"
                     "\tdisable netbios = yes\n\tmulticast dns register = no\n\tlogging = file\n"
                     "\tncalrpc dir = %1/sock/ncalrpc\n\twinbindd socket directory = %1/sock/winbindd\n"
                     "\tntp signd socket directory = %1/sock/ntp\n\tkrb5 port = %2\n\tkpasswd port = %3\n"
                     "\ttls enabled = yes\n\ttls keyfile = %1/tls/dc.key\n\ttls certfile = %1/tls/dc.pem\n"
                     "\ttls cafile = %1/tls/ca.pem\n")
                     .arg(d)
                     .arg(m_kdcPort)
                     .arg(kpasswd));
    writeFile(conf, text.toUtf8());
    writeFile(m_dir.filePath(QStringLiteral("krb5.conf")),
              QStringLiteral("[libdefaults]\n default_realm = LAB.TEST\n dns_lookup_realm = false\n"
                             " dns_lookup_kdc = false\n dns_canonicalize_hostname = false\n rdns = false\n"
                             " udp_preference_limit = 1\n[realms]\n LAB.TEST = {\n  kdc = 127.0.0.1:%1\n }\n"
                             "[domain_realm]\n 127.0.0.1 = LAB.TEST\n .lab.test = LAB.TEST\n")
                  .arg(m_kdcPort)
                  .toUtf8());
    if (!seedLdif.isEmpty()) {
        QByteArray ldif = seedLdif;
        ldif.replace("@SID@", domainSid().toLatin1());
        writeFile(m_dir.filePath(QStringLiteral("seed.ldif")), ldif);
        writeFile(m_dir.filePath(QStringLiteral("seed.py")), seedScript);
        if (!run(QStringLiteral("/usr/bin/python3"),
                 {m_dir.filePath(QStringLiteral("seed.py")), conf, d + QStringLiteral("/dc/private/sam.ldb"),
                  m_dir.filePath(QStringLiteral("seed.ldif"))},
                 {}, error))
            return false;
    }
    m_samba.setProcessEnvironment(environment());
    m_samba.setProcessChannelMode(QProcess::MergedChannels);
    m_samba.setStandardOutputFile(m_dir.filePath(QStringLiteral("log/samba.out")));
    // Its own process group, so stop() reaches the children it forks; and it dies with the test (a crash or a
    // timeout must not leave a DC holding port 636 for the next run).
    m_samba.setChildProcessModifier([] {
        ::setpgid(0, 0);
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    });
    m_samba.start(find(QStringLiteral("samba")),
                  {QStringLiteral("-F"), QStringLiteral("-M"), QStringLiteral("single"), QStringLiteral("-s"), conf});
    if (!m_samba.waitForStarted(10000)) {
        *error = QStringLiteral("samba did not start");
        return false;
    }
    for (int i = 0; i < 300 && m_samba.state() == QProcess::Running; ++i) {
        QTcpSocket s;
        s.connectToHost(QHostAddress::LocalHost, 636);
        if (s.waitForConnected(100)) {
            qInfo("Samba AD DC up on 127.0.0.1:636 (KDC %d) after %lld ms", m_kdcPort, timer.elapsed());
            return true;
        }
        QThread::msleep(50);
    }
    QFile log(m_dir.filePath(QStringLiteral("log/samba.out")));
    log.open(QIODevice::ReadOnly);
    *error =
        QStringLiteral("samba does not listen on 127.0.0.1:636: ") + QString::fromLocal8Bit(log.readAll().right(2000));
    stop();
    return false;
}

void SambaDc::stop() {
    if (m_samba.state() == QProcess::NotRunning)
        return;
    const qint64 pid = m_samba.processId();
    if (pid > 0)
        ::kill(-pid_t(pid), SIGTERM);
    if (!m_samba.waitForFinished(10000)) {
        if (pid > 0)
            ::kill(-pid_t(pid), SIGKILL);
        m_samba.waitForFinished(5000);
    }
}

} // namespace ndes::test
