// SPDX-License-Identifier: Apache-2.0
// ndes-lab: an NDES emulator for tests, training and the demo. Binds loopback only.
#include "LabClock.h"
#include "LabSnapshot.h"
#include "NdesLabServer.h"
#include "ndes/MscepSettings.h"
#include "ndes/RegistryExport.h"
#include "util/ProcessMemory.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QEventLoop>
#include <QFileInfo>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSocketNotifier>
#include <QStandardPaths>
#include <QTimer>
#include <QUrlQuery>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace ndes;
using namespace ndes::lab;

namespace {

int fail(const QString& message, int code = 2) {
    std::fprintf(stderr, "ndes-lab: %s\n", message.toLocal8Bit().constData());
    return code;
}

// `ndes-lab approve|deny|fault --url BASE ...`: a control request to a running lab.
int runControl(const QString& command, const QStringList& args) {
    QCommandLineParser p;
    p.addHelpOption();
    QCommandLineOption url(QStringLiteral("url"), QStringLiteral("The lab server's base URL (its listening line)."),
                           QStringLiteral("URL"));
    QCommandLineOption tid(QStringLiteral("transaction"), QStringLiteral("Transaction ID of the pending request."),
                           QStringLiteral("ID"));
    p.addOptions({url, tid});
    p.addPositionalArgument(QStringLiteral("faults"),
                            QStringLiteral("For fault: faults to set (name, name:value, -name, none)."));
    if (!p.parse(args))
        return fail(p.errorText());
    if (!p.isSet(url))
        return fail(QStringLiteral("--url is required"));
    QUrl target(p.value(url));
    if (command == QLatin1String("fault")) {
        target.setPath(QStringLiteral("/ndes-lab/control/fault"));
        target.setQuery(QStringLiteral("set=") +
                        QString::fromLatin1(QUrl::toPercentEncoding(p.positionalArguments().join(QLatin1Char(',')))));
    } else {
        if (!p.isSet(tid))
            return fail(QStringLiteral("--transaction is required"));
        target.setPath(QStringLiteral("/ndes-lab/control/") + command);
        target.setQuery(QStringLiteral("transaction=") + QString::fromLatin1(QUrl::toPercentEncoding(p.value(tid))));
    }
    if (target.host() != QLatin1String("127.0.0.1") && target.host() != QLatin1String("localhost") &&
        target.host() != QLatin1String("::1"))
        return fail(QStringLiteral("control requests go to a loopback lab only"));
    QNetworkAccessManager nam;
    QNetworkRequest request(target);
    request.setTransferTimeout(10000);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("text/plain")); // an empty body
    QNetworkReply* reply = nam.post(request, QByteArray());
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    std::fputs(reply->readAll().constData(), stdout);
    reply->deleteLater();
    if (status != 200)
        return fail(QStringLiteral("the lab answered HTTP %1 (%2)").arg(status).arg(reply->errorString()), 1);
    return 0;
}

bool isLoopback(const QHostAddress& a) {
    return a.isLoopback();
}

// SIGTERM, SIGINT, SIGHUP and SIGQUIT end the lab cleanly, so that destructors run: the NTLM user file, which holds the
// accounts' passwords, lives in a temporary directory that only its destructor removes. The handler does the one
// async-signal-safe thing, writing a byte to a socket pair; the event loop reads it and quits.
int signalPipe[2] = {-1, -1};

void onTerminationSignal(int) {
    const int savedErrno = errno;
    const char byte = 1;
    [[maybe_unused]] const ssize_t written = ::write(signalPipe[0], &byte, 1); // non-blocking: never waits
    errno = savedErrno;
}

bool quitOnTerminationSignals(QString* error) {
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, signalPipe) != 0) {
        *error = QStringLiteral("cannot create the socket pair for signals: %1")
                     .arg(QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    auto* notifier = new QSocketNotifier(signalPipe[1], QSocketNotifier::Read, QCoreApplication::instance());
    QObject::connect(notifier, &QSocketNotifier::activated, notifier, [] {
        char buffer[16];
        while (::read(signalPipe[1], buffer, sizeof buffer) > 0) {
        }
        QCoreApplication::quit();
    });
    struct sigaction action = {};
    action.sa_handler = onTerminationSignal;
    sigemptyset(&action.sa_mask);
    // A second signal takes the default action (the lab ends at once), should the clean exit ever hang.
    action.sa_flags = SA_RESTART | SA_RESETHAND;
    for (const int sig : {SIGTERM, SIGINT, SIGHUP, SIGQUIT}) {
        if (::sigaction(sig, &action, nullptr) != 0) {
            *error = QStringLiteral("cannot install the handler for signal %1: %2")
                         .arg(sig)
                         .arg(QString::fromLocal8Bit(std::strerror(errno)));
            return false;
        }
    }
    return true;
}

} // namespace

int main(int argc, char* argv[]) {
    // No core dumps, no ptrace by other processes of the user: the lab holds its accounts' passwords.
    hardenProcessOrWarn("ndes-lab");
    std::signal(SIGPIPE, SIG_IGN);

    QCoreApplication app(argc, argv);
    Clock::setInstance(&LabClock::instance());
    QCoreApplication::setApplicationName(QStringLiteral("ndes-lab"));
    QCoreApplication::setApplicationVersion(QStringLiteral(NDES_VERSION));
    QStringList args = QCoreApplication::arguments();
    if (args.size() > 1 && (args[1] == QLatin1String("approve") || args[1] == QLatin1String("deny") ||
                            args[1] == QLatin1String("fault"))) {
        const QString command = args.takeAt(1);
        return runControl(command, args);
    }

    // `ndes-lab snapshot --state DIR --out DIR [the same settings]`: the lab as the audit collector would find it.
    const bool snapshot = args.size() > 1 && args[1] == QLatin1String("snapshot");
    if (snapshot)
        args.removeAt(1);

    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("An NDES emulator: SCEP, the admin page with one-time passwords, RA "
                                               "certificates, events and faults, on loopback.\n"
                                               "Control a running lab with: ndes-lab approve|deny --url URL "
                                               "--transaction ID, ndes-lab fault --url URL SPEC...\n"
                                               "Write what the audit collector would find on it: ndes-lab snapshot "
                                               "--state DIR --out DIR [settings and faults as for serving]."));
    QCommandLineOption snapshotOut(QStringLiteral("out"),
                                   QStringLiteral("With snapshot: the new folder to write the snapshot into."),
                                   QStringLiteral("DIR"));
    if (snapshot)
        p.addOption(snapshotOut);
    p.addHelpOption();
    p.addVersionOption();
    QCommandLineOption listen(QStringLiteral("listen"),
                              QStringLiteral("Loopback address and port (port 0 picks one). Default 127.0.0.1:0."),
                              QStringLiteral("ADDR:PORT"), QStringLiteral("127.0.0.1:0"));
    QCommandLineOption state(
        QStringLiteral("state"),
        QStringLiteral("Directory for the lab's CA and RA keys (created if absent, reused if present)."),
        QStringLiteral("DIR"));
    QCommandLineOption users(
        QStringLiteral("users"),
        QStringLiteral("Admin page accounts, one per line DOMAIN\\user:password:enroll|noenroll (mode 0600)."),
        QStringLiteral("FILE"));
    QCommandLineOption basic(QStringLiteral("basic"), QStringLiteral("Accept Basic authentication on the admin page."));
    QCommandLineOption https(QStringLiteral("https"),
                             QStringLiteral("Serve HTTPS with a TLS certificate from the lab CA."));
    QCommandLineOption host(QStringLiteral("host"),
                            QStringLiteral("NDES computer name, used in <HOST>-MSCEP-RA (default NDESLAB)."),
                            QStringLiteral("NAME"), QStringLiteral("NDESLAB"));
    QCommandLineOption raDays(
        QStringLiteral("ra-days"),
        QStringLiteral("Reissue the RA certificates valid for N days (negative: expired N days ago)."),
        QStringLiteral("N"));
    QCommandLineOption caps(QStringLiteral("caps"),
                            QStringLiteral("GetCACaps keywords, comma-separated (default: a hardened current NDES)."),
                            QStringLiteral("LIST"));
    QCommandLineOption manual(QStringLiteral("manual-approval"),
                              QStringLiteral("Hold requests PENDING until approved."));
    QCommandLineOption pwMax(QStringLiteral("password-max"),
                             QStringLiteral("PasswordMax: size of the password cache (default 5)."),
                             QStringLiteral("N"), QStringLiteral("5"));
    QCommandLineOption pwValidity(QStringLiteral("password-validity"),
                                  QStringLiteral("PasswordValidity in minutes (default 60)."), QStringLiteral("MIN"),
                                  QStringLiteral("60"));
    QCommandLineOption pwLength(QStringLiteral("password-length"),
                                QStringLiteral("PasswordLength in bytes (default 8)."), QStringLiteral("N"),
                                QStringLiteral("8"));
    QCommandLineOption single(QStringLiteral("single-password"),
                              QStringLiteral("UseSinglePassword=1: one password that never expires."));
    QCommandLineOption noEnforce(QStringLiteral("no-enforce-password"),
                                 QStringLiteral("EnforcePassword=0: no challenge password needed."));
    QCommandLineOption encoding(
        QStringLiteral("admin-encoding"),
        QStringLiteral("Admin page encoding: utf16le (default), utf16le-bom, utf16le-stray, utf8."),
        QStringLiteral("ENC"), QStringLiteral("utf16le"));
    QCommandLineOption fault(QStringLiteral("fault"),
                             QStringLiteral("Start with a fault: ra-expired, template-missing, app-pool-stopped, "
                                            "slow:MS, hang, cache-full, garbage-reply, stale-crl."),
                             QStringLiteral("SPEC"));
    QCommandLineOption events(QStringLiteral("events-xml"),
                              QStringLiteral("Append the events NDES would log, as Windows Event XML."),
                              QStringLiteral("FILE"));
    QCommandLineOption servers(
        QStringLiteral("servers"),
        QStringLiteral("Run N virtual NDES servers, each with its own port, RA certificates and password cache, "
                       "all enrolling through one CA."),
        QStringLiteral("N"), QStringLiteral("1"));
    QCommandLineOption sigTemplate(QStringLiteral("signature-template"), QStringLiteral("SignatureTemplate value."),
                                   QStringLiteral("NAME"));
    QCommandLineOption encTemplate(QStringLiteral("encryption-template"), QStringLiteral("EncryptionTemplate value."),
                                   QStringLiteral("NAME"));
    QCommandLineOption genTemplate(QStringLiteral("general-template"), QStringLiteral("GeneralPurposeTemplate value."),
                                   QStringLiteral("NAME"));
    QCommandLineOption unpublish(QStringLiteral("unpublish"),
                                 QStringLiteral("A template the CA does not issue (repeatable)."),
                                 QStringLiteral("NAME"));
    QCommandLineOption readTimeout(QStringLiteral("read-timeout"),
                                   QStringLiteral("Milliseconds a client has to send a request head (default 10000)."),
                                   QStringLiteral("MS"), QStringLiteral("10000"));
    p.addOption(readTimeout);
    QCommandLineOption config(QStringLiteral("config"),
                              QStringLiteral("Read NDES settings from a .reg export of "
                                             "HKLM\\SOFTWARE\\Microsoft\\Cryptography\\MSCEP (UTF-16LE or UTF-8)."),
                              QStringLiteral("FILE"));
    p.addOption(config);
    QCommandLineOption syslog(QStringLiteral("syslog"),
                              QStringLiteral("Stream events as RFC 5424 syslog over TCP to a loopback receiver."),
                              QStringLiteral("ADDR:PORT"));
    p.addOption(syslog);
    QCommandLineOption keytab(QStringLiteral("keytab"),
                              QStringLiteral("Kerberos keytab holding HTTP/<host> for Negotiate on the admin page."),
                              QStringLiteral("FILE"));
    p.addOption(keytab);
    QCommandLineOption tlsName(QStringLiteral("tls-name"),
                               QStringLiteral("With --https: the only name in the TLS certificate (default localhost, "
                                              "127.0.0.1 and ::1) — to show a host-name mismatch."),
                               QStringLiteral("NAME"));
    QCommandLineOption tlsDays(QStringLiteral("tls-days"),
                               QStringLiteral("With --https: the TLS certificate's validity in days (default 365; "
                                              "negative: expired that many days ago)."),
                               QStringLiteral("N"), QStringLiteral("365"));
    p.addOptions({tlsName, tlsDays});
    p.addOptions({listen, state,   users,       basic,       https,       host,      raDays,   caps,
                  manual, pwMax,   pwValidity,  pwLength,    single,      noEnforce, encoding, fault,
                  events, servers, sigTemplate, encTemplate, genTemplate, unpublish});
    p.process(args);

    const QString listenSpec = p.value(listen);
    const qsizetype colon = listenSpec.lastIndexOf(QLatin1Char(':'));
    QString addrText = listenSpec.left(colon);
    if (addrText.startsWith(QLatin1Char('[')) && addrText.endsWith(QLatin1Char(']')))
        addrText = addrText.mid(1, addrText.size() - 2);
    const QHostAddress address(addrText == QLatin1String("localhost") ? QStringLiteral("127.0.0.1") : addrText);
    bool ok = false;
    const int basePort = listenSpec.mid(colon + 1).toInt(&ok);
    if (colon <= 0 || address.isNull() || !ok || basePort < 0 || basePort > 65535)
        return fail(QStringLiteral("--listen must be ADDR:PORT, e.g. 127.0.0.1:0"));
    if (!isLoopback(address))
        return fail(QStringLiteral("the lab binds loopback addresses only (127.0.0.0/8 or ::1)"));

    NdesLabServer::Options o;
    o.pki.stateDir =
        p.isSet(state)
            ? p.value(state)
            : QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)).filePath(QStringLiteral("state"));
    o.pki.hostName = p.value(host);
    if (p.isSet(raDays)) {
        o.pki.raDays = p.value(raDays).toInt(&ok);
        if (!ok || o.pki.raDays == 0)
            return fail(QStringLiteral("--ra-days must be a non-zero number of days"));
        o.pki.reissueRa = true;
    }
    if (p.isSet(caps))
        o.settings.capabilities = p.value(caps).split(QLatin1Char(','), Qt::SkipEmptyParts);
    o.settings.manualApproval = p.isSet(manual);
    o.settings.passwordMax = p.value(pwMax).toInt(&ok);
    if (!ok || o.settings.passwordMax < 1 || o.settings.passwordMax > 100000)
        return fail(QStringLiteral("--password-max must be between 1 and 100000"));
    o.settings.passwordValidity = p.value(pwValidity).toInt(&ok);
    if (!ok || o.settings.passwordValidity < 1 || o.settings.passwordValidity > 100000)
        return fail(QStringLiteral("--password-validity must be between 1 and 100000 minutes"));
    o.settings.passwordLength = p.value(pwLength).toInt(&ok);
    if (!ok || o.settings.passwordLength < 4 || o.settings.passwordLength > 64)
        return fail(QStringLiteral("--password-length must be between 4 and 64 bytes"));
    o.settings.useSinglePassword = p.isSet(single);
    o.settings.enforcePassword = !p.isSet(noEnforce);
    if (p.isSet(config)) {
        auto reg = service::RegistryExport::load(p.value(config));
        if (!reg)
            return fail(reg.error().toString());
        auto mscep = service::MscepSettings::fromRegistry(*reg);
        if (!mscep)
            return fail(mscep.error().toString());
        for (const QString& w : mscep->warnings)
            std::fprintf(stderr, "ndes-lab: warning: %s\n", w.toLocal8Bit().constData());
        NdesSettings& st = o.settings;
        st.signatureTemplate = mscep->signatureTemplate.value_or(st.signatureTemplate);
        st.encryptionTemplate = mscep->encryptionTemplate.value_or(st.encryptionTemplate);
        st.generalPurposeTemplate = mscep->generalPurposeTemplate.value_or(st.generalPurposeTemplate);
        st.caConfiguration = mscep->caConfiguration.value_or(st.caConfiguration);
        st.enforcePassword = mscep->enforcePassword.value_or(st.enforcePassword);
        st.useSinglePassword = mscep->useSinglePassword.value_or(st.useSinglePassword);
        st.passwordLength = int(qBound(4u, mscep->passwordLength.value_or(quint32(st.passwordLength)), 64u));
        st.passwordMax = int(qBound(1u, mscep->passwordMax.value_or(quint32(st.passwordMax)), 100000u));
        st.passwordValidity = int(qBound(1u, mscep->passwordValidity.value_or(quint32(st.passwordValidity)), 100000u));
        if (mscep->caCapabilitiesAlgorithms)
            st.capabilities = QStringList{QStringLiteral("POSTPKIOperation"), QStringLiteral("Renewal")} +
                              *mscep->caCapabilitiesAlgorithms;
    }
    if (p.isSet(sigTemplate))
        o.settings.signatureTemplate = p.value(sigTemplate);
    if (p.isSet(encTemplate))
        o.settings.encryptionTemplate = p.value(encTemplate);
    if (p.isSet(genTemplate))
        o.settings.generalPurposeTemplate = p.value(genTemplate);
    o.unpublishedTemplates = p.values(unpublish);
    const QString enc = p.value(encoding);
    if (enc == QLatin1String("utf16le"))
        o.adminEncoding = AdminPage::Encoding::Utf16Le;
    else if (enc == QLatin1String("utf16le-bom"))
        o.adminEncoding = AdminPage::Encoding::Utf16LeBom;
    else if (enc == QLatin1String("utf16le-stray"))
        o.adminEncoding = AdminPage::Encoding::Utf16LeStrayByte;
    else if (enc == QLatin1String("utf8"))
        o.adminEncoding = AdminPage::Encoding::Utf8;
    else
        return fail(QStringLiteral("--admin-encoding must be utf16le, utf16le-bom, utf16le-stray or utf8"));
    for (const QString& f : p.values(fault))
        if (!o.faults.apply(f))
            return fail(QStringLiteral("unknown fault \"%1\"").arg(f));
    o.usersFile = p.value(users);
    o.keytab = p.value(keytab);
    if (!o.keytab.isEmpty() && !QFileInfo::exists(o.keytab))
        return fail(QStringLiteral("the keytab %1 does not exist").arg(o.keytab));
    o.basicAuth = p.isSet(basic);
    o.https = p.isSet(https);
    o.tlsName = p.value(tlsName);
    o.tlsDays = p.value(tlsDays).toInt(&ok);
    if (!ok || o.tlsDays == 0)
        return fail(QStringLiteral("--tls-days must be a non-zero number of days"));
    o.eventsXml = p.value(events);
    if (p.isSet(syslog)) {
        const QString spec = p.value(syslog);
        const qsizetype c = spec.lastIndexOf(QLatin1Char(':'));
        const QHostAddress sysHost(spec.left(c));
        const int sysPort = spec.mid(c + 1).toInt(&ok);
        if (c <= 0 || sysHost.isNull() || !ok || sysPort <= 0 || sysPort > 65535)
            return fail(QStringLiteral("--syslog must be ADDR:PORT, e.g. 127.0.0.1:5514"));
        if (!sysHost.isLoopback())
            return fail(QStringLiteral("--syslog sends to loopback receivers only"));
        o.syslog = spec;
    }
    o.readTimeoutMs = p.value(readTimeout).toInt(&ok);
    if (!ok || o.readTimeoutMs < 100 || o.readTimeoutMs > 600000)
        return fail(QStringLiteral("--read-timeout must be between 100 and 600000 ms"));
    const int count = p.value(servers).toInt(&ok);
    if (!ok || count < 1 || count > 1000)
        return fail(QStringLiteral("--servers must be between 1 and 1000"));

    if (snapshot) {
        if (!p.isSet(snapshotOut))
            return fail(QStringLiteral("snapshot needs --out DIR"));
        if (Status s = writeLabSnapshot(o, p.value(snapshotOut), Clock::instance().now()); !s)
            return fail(s.error().toString(), s.error().kind == ErrorKind::Usage ? 2 : 1);
        std::printf("wrote the snapshot %s\n", QDir(p.value(snapshotOut)).absolutePath().toLocal8Bit().constData());
        return 0;
    }
    QString signalError;
    if (!quitOnTerminationSignals(&signalError))
        return fail(signalError, 1);
    std::vector<std::unique_ptr<NdesLabServer>> labs;
    for (int i = 0; i < count; ++i) {
        NdesLabServer::Options oi = o;
        if (count > 1) {
            oi.pki.stateDir = QDir(o.pki.stateDir).filePath(QStringLiteral("server-%1").arg(i + 1));
            oi.pki.caStateDir = o.pki.stateDir; // one enterprise CA behind all of them
            oi.pki.hostName = QStringLiteral("%1%2").arg(o.pki.hostName).arg(i + 1, 2, 10, QLatin1Char('0'));
        }
        auto lab = NdesLabServer::create(oi);
        if (!lab)
            return fail(lab.error().toString(), lab.error().kind == ErrorKind::Usage ? 2 : 1);
        QString error;
        const quint16 port = basePort == 0 ? 0 : quint16(basePort + i);
        if (!(*lab)->listen(address, port, &error))
            return fail(QStringLiteral("cannot listen on %1:%2: %3").arg(address.toString()).arg(port).arg(error), 1);
        std::printf("listening %s\n", (*lab)->baseUrl().toLatin1().constData());
        labs.push_back(std::move(*lab));
    }
    std::fflush(stdout);
    return QCoreApplication::exec(); // quit() on SIGTERM, SIGINT, SIGHUP or SIGQUIT; `labs` is destroyed on the way out
}
