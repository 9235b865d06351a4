// SPDX-License-Identifier: Apache-2.0
// ndesctl: the command-line twin of NDES Console.
#include "CtlOutput.h"
#include "util/ProcessMemory.h"

#include "events/EventCatalogue.h"
#include "events/EventFileReader.h"
#include "events/EventJson.h"
#include "events/EventListener.h"
#include "events/EventXmlReader.h"
#include "events/Syslog.h"
#include "inventory/AppFiles.h"
#include "inventory/CredentialStore.h"
#include "inventory/Inventory.h"
#include "ndes/ChallengePasswordClient.h"
#include "ndes/Diagnosis.h"
#include "ndes/EnrollmentTest.h"
#include "ndes/HealthProbe.h"
#include "ndes/LoadTest.h"
#include "pki/Certificate.h"
#include "pki/LegacyProvider.h"
#include "pki/PrivateKey.h"
#include "scep/ScepClient.h"
#include "scep/ScepEnrollment.h"
#include "setup/ScriptWriter.h"
#include "setup/SetupPlan.h"
#include "util/AtomicFile.h"
#include "util/Clock.h"
#include "util/SecretBytes.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QSettings>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTextStream>
#include <QTimer>
#include <QUdpSocket>

#include <array>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <string>
#include <sys/resource.h>
#include <termios.h>
#include <unistd.h>

using namespace ndes;
using namespace ndesctl;

namespace {

const char* const usageText = R"(Usage: ndesctl <command> [options]

Commands:
  caps     Show what a SCEP server offers (GetCACaps)
  cacert   Show and save the CA and RA certificates (GetCACert)
  enroll   Request a certificate (PKCSReq) the way a device does
  renew    Renew a certificate with the current one (RenewalReq)
  challenge  Get a one-time challenge password from NDES's admin page
  keychain   Store a server account's password in the OS keychain (keychain set NAME)
  check      Health and expiry of NDES servers, for cron and Nagios/Icinga/Zabbix (exit 0/1/2/3)
  test       Enroll end to end as a device does, and diagnose what fails
  load       Load-test an NDES: N enrollments in flight, M in all; latency percentiles and errors
  events     Read event logs (.evtx, Event XML); NDES events explained by the catalogue
  listen     Receive events live (syslog over TCP/UDP/TLS, JSON lines) and explain them
  plan       Check a setup plan (plan --check FILE) or write its files (plan --in FILE --out DIR)

Run "ndesctl <command> --help" for the options of a command.
Exit codes: 0 success, 1 the server refused or answered wrongly, 2 usage error, 3 network or TLS error.
)";

struct Common {
    QCommandLineOption url{QStringLiteral("url"),
                           QStringLiteral("SCEP endpoint, e.g. https://ndes.example.com/certsrv/mscep/mscep.dll"),
                           QStringLiteral("URL")};
    QCommandLineOption json{QStringLiteral("json"), QStringLiteral("Print one JSON document instead of text.")};
    QCommandLineOption timeout{QStringLiteral("timeout"),
                               QStringLiteral("Seconds to wait for each answer (default 30)."),
                               QStringLiteral("SECONDS"), QStringLiteral("30")};
    QCommandLineOption tlsCa{
        QStringLiteral("tls-ca"),
        QStringLiteral("PEM file of CA certificates trusted for HTTPS, in addition to the system's."),
        QStringLiteral("FILE")};
    QCommandLineOption allowRedirectHost{QStringLiteral("allow-redirect-host"),
                                         QStringLiteral("Follow redirects to another host.")};
    QCommandLineOption allowRedirectHttp{QStringLiteral("allow-redirect-http"),
                                         QStringLiteral("Follow redirects from HTTPS to plain HTTP.")};
    QCommandLineOption caIdent{QStringLiteral("ca-ident"),
                               QStringLiteral("CA identifier sent as the message of GetCACert."),
                               QStringLiteral("TEXT")};
    QCommandLineOption verbose{QStringLiteral("verbose"), QStringLiteral("Print each step to stderr.")};

    void addTo(QCommandLineParser& p) {
        p.addOptions({url, json, timeout, tlsCa, allowRedirectHost, allowRedirectHttp, caIdent, verbose});
        p.addHelpOption();
    }
};

// --ca-sha256 for the commands that send a challenge password (enroll, renew, test, load).
QCommandLineOption caPinOption() {
    return {QStringLiteral("ca-sha256"),
            QStringLiteral("SHA-256 fingerprint (hex) of the CA to trust: the RA certificate the request is encrypted "
                           "to and the reply's signer must chain to it, or nothing is sent."),
            QStringLiteral("HEX")};
}

Result<QByteArray> caPin(const QCommandLineParser& p, const QCommandLineOption& option) {
    if (!p.isSet(option))
        return QByteArray();
    const QString hex = p.value(option).remove(QLatin1Char(':')).remove(QLatin1Char(' '));
    const QByteArray pin = QByteArray::fromHex(hex.toLatin1());
    if (hex.size() != 64 || pin.size() != 32)
        return makeError(ErrorKind::Usage, QStringLiteral("--ca-sha256 must be 64 hex digits (colons allowed)."));
    return pin;
}

Result<scep::ScepClientOptions> clientOptions(const QCommandLineParser& p, const Common& c) {
    scep::ScepClientOptions o;
    bool ok = false;
    const double secs = p.value(c.timeout).toDouble(&ok);
    if (!ok || secs <= 0 || secs > 3600)
        return makeError(ErrorKind::Usage, QStringLiteral("--timeout must be a number of seconds between 0 and 3600."));
    o.timeoutMs = int(secs * 1000);
    o.allowRedirectToOtherHost = p.isSet(c.allowRedirectHost);
    o.allowRedirectToHttp = p.isSet(c.allowRedirectHttp);
    o.caIdentifier = p.value(c.caIdent);
    if (p.isSet(c.tlsCa)) {
        QFile f(p.value(c.tlsCa));
        if (!f.open(QIODevice::ReadOnly))
            return makeError(ErrorKind::Usage,
                             QStringLiteral("Cannot read --tls-ca file %1: %2").arg(f.fileName(), f.errorString()));
        o.extraTlsCaCertificates = QSslCertificate::fromData(f.readAll(), QSsl::Pem);
        if (o.extraTlsCaCertificates.isEmpty())
            return makeError(ErrorKind::Usage,
                             QStringLiteral("--tls-ca file %1 holds no PEM certificate.").arg(f.fileName()));
    }
    return o;
}

Result<QUrl> targetUrl(const QCommandLineParser& p, const Common& c) {
    if (!p.isSet(c.url))
        return makeError(ErrorKind::Usage, QStringLiteral("--url is required (the SCEP endpoint, for NDES "
                                                          "https://HOST/certsrv/mscep/mscep.dll)."));
    const QUrl url = QUrl::fromUserInput(p.value(c.url));
    if (!url.isValid() || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")) ||
        url.host().isEmpty())
        return makeError(ErrorKind::Usage,
                         QStringLiteral("--url \"%1\" is not an http:// or https:// URL.").arg(p.value(c.url)));
    return url;
}

// Parses a subcommand's arguments; returns -1 to go on, else an exit code.
int parseArgs(QCommandLineParser& p, const QStringList& args, const CtlOutput& out, const QString& description) {
    p.setApplicationDescription(description);
    p.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsOptions);
    if (!p.parse(args)) {
        QString msg = p.errorText();
        if (args.contains(QStringLiteral("--challenge")) ||
            args.join(QLatin1Char(' ')).contains(QStringLiteral("--challenge=")))
            msg = QStringLiteral("The challenge password is never taken on the command line (other users can read it "
                                 "there). Use --challenge-env VAR or --challenge-stdin.");
        if (args.contains(QStringLiteral("--password")) ||
            args.join(QLatin1Char(' ')).contains(QStringLiteral("--password=")))
            msg = QStringLiteral("Passwords are never taken on the command line (other users can read it there). Use "
                                 "--password-env VAR or --password-stdin.");
        return out.fail(makeError(ErrorKind::Usage, msg));
    }
    if (p.isSet(QStringLiteral("help"))) {
        std::fputs(p.helpText().toUtf8().constData(), stdout);
        return ExitOk;
    }
    if (!p.positionalArguments().isEmpty())
        return out.fail(makeError(ErrorKind::Usage,
                                  QStringLiteral("Unexpected argument \"%1\".").arg(p.positionalArguments().first())));
    return -1;
}

QJsonObject certificateJson(const pki::Certificate& c, const QString& role = {}) {
    QJsonObject o;
    if (!role.isEmpty())
        o.insert(QStringLiteral("role"), role);
    o.insert(QStringLiteral("subject"), c.subject());
    o.insert(QStringLiteral("issuer"), c.issuer());
    o.insert(QStringLiteral("serial"), c.serialHex());
    o.insert(QStringLiteral("notBefore"), c.notBefore().toString(Qt::ISODate));
    o.insert(QStringLiteral("notAfter"), c.notAfter().toString(Qt::ISODate));
    o.insert(QStringLiteral("daysLeft"), double(c.daysLeft(Clock::instance().now())));
    o.insert(QStringLiteral("sha256"), pki::Certificate::hex(c.sha256()));
    return o;
}

void reportLegacy(const CtlOutput& out, QStringList& warnings) {
    if (!pki::LegacyProvider::isLoaded())
        return;
    for (const QString& reason : pki::LegacyProvider::reasons()) {
        const QString w =
            QStringLiteral("OpenSSL legacy provider used: %1. The server uses obsolete cryptography.").arg(reason);
        warnings << w;
        out.warn(w);
    }
}

int runCaps(const QStringList& args, bool json) {
    const CtlOutput out(json);
    QCommandLineParser p;
    Common c;
    c.addTo(p);
    if (int rc = parseArgs(p, args, out, QStringLiteral("Show what a SCEP server offers (GetCACaps).")); rc >= 0)
        return rc;
    auto url = targetUrl(p, c);
    if (!url)
        return out.fail(url.error());
    auto opts = clientOptions(p, c);
    if (!opts)
        return out.fail(opts.error());
    scep::ScepClient client(*url, *opts);
    int rc = ExitOk;
    client.getCaCaps([&](Result<scep::CaCapabilities> caps) {
        if (!caps) {
            rc = out.fail(caps.error());
        } else {
            const QStringList warnings = caps->warnings();
            for (const QString& w : warnings)
                out.warn(w);
            out.document({{QStringLiteral("capabilities"), QJsonArray::fromStringList(caps->keywords())},
                          {QStringLiteral("warnings"), QJsonArray::fromStringList(warnings)}});
            if (caps->keywords().isEmpty())
                out.text(QStringLiteral("(the server advertises no capabilities)"));
            for (const QString& k : caps->keywords())
                out.text(k);
        }
        QCoreApplication::exit(rc);
    });
    QCoreApplication::exec();
    return rc;
}

int runCaCert(const QStringList& args, bool json) {
    const CtlOutput out(json);
    QCommandLineParser p;
    Common c;
    c.addTo(p);
    QCommandLineOption outDir(QStringLiteral("out"), QStringLiteral("Directory to save the certificates into as PEM."),
                              QStringLiteral("DIR"));
    p.addOption(outDir);
    if (int rc = parseArgs(p, args, out, QStringLiteral("Show and save the CA and RA certificates (GetCACert)."));
        rc >= 0)
        return rc;
    auto url = targetUrl(p, c);
    if (!url)
        return out.fail(url.error());
    auto opts = clientOptions(p, c);
    if (!opts)
        return out.fail(opts.error());
    scep::ScepClient client(*url, *opts);
    int rc = ExitOk;
    client.getCaCert([&](Result<scep::CaCertificates> certs) {
        rc = [&]() -> int {
            if (!certs)
                return out.fail(certs.error());
            const QDateTime now = Clock::instance().now();
            QJsonArray list;
            QMap<QString, int> counts;
            QStringList written;
            if (p.isSet(outDir) && !QDir().mkpath(p.value(outDir)))
                return out.fail(
                    makeError(ErrorKind::Io, QStringLiteral("Cannot create directory %1.").arg(p.value(outDir))));
            for (const scep::RoledCertificate& rc2 : certs->certificates()) {
                const QString role = scep::roleName(rc2.role);
                const pki::Certificate& cert = rc2.certificate;
                list.append(certificateJson(cert, role));
                const qint64 days = cert.daysLeft(now);
                out.text(QStringLiteral("%1\n  subject:  %2\n  issuer:   %3\n  expires:  %4 (%5)\n  sha256:   %6")
                             .arg(role, cert.subject(), cert.issuer(), cert.notAfter().toString(Qt::ISODate),
                                  days < 0 ? QStringLiteral("EXPIRED %1 days ago").arg(-days)
                                           : QStringLiteral("%1 days left").arg(days),
                                  pki::Certificate::hex(cert.sha256())));
                if (p.isSet(outDir)) {
                    const int n = ++counts[role];
                    const QString path = QDir(p.value(outDir))
                                             .filePath(n == 1 ? role + QStringLiteral(".pem")
                                                              : QStringLiteral("%1-%2.pem").arg(role).arg(n));
                    if (Status s = AtomicFile::write(path, cert.toPem(), AtomicFile::Access::WorldReadable); !s)
                        return out.fail(s.error());
                    written << path;
                }
            }
            if (!certs->hasRa())
                out.text(QStringLiteral("(no RA certificates: the CA answers SCEP itself)"));
            for (const QString& w : written)
                out.text(QStringLiteral("saved %1").arg(w));
            QJsonObject doc{{QStringLiteral("certificates"), list}};
            if (!written.isEmpty())
                doc.insert(QStringLiteral("files"), QJsonArray::fromStringList(written));
            out.document(doc);
            return ExitOk;
        }();
        QCoreApplication::exit(rc);
    });
    QCoreApplication::exec();
    return rc;
}

// The terminal's settings while a secret is typed with echo off, for the signal handlers that put them back.
termios g_savedTerminal{};
termios g_quietTerminal{};
volatile sig_atomic_t g_echoOff = 0;

void restoreTerminalAndDie(int sig) {
    if (g_echoOff)
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &g_savedTerminal);
    std::signal(sig, SIG_DFL);
    std::raise(sig);
}

// Ctrl+Z: echo back on while stopped, off again when continued.
void stopWithEcho(int) {
    if (g_echoOff)
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &g_savedTerminal);
    std::signal(SIGTSTP, SIG_DFL);
    std::raise(SIGTSTP);
}
void continueQuiet(int) {
    std::signal(SIGTSTP, stopWithEcho);
    if (g_echoOff)
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &g_quietTerminal);
}

constexpr size_t maxSecretLine = 4096;

// One line of standard input, read into a fixed buffer (no reallocation leaves pieces of it in freed memory).
// On a terminal it asks for it on stderr and turns echo off while it is typed, as passwd(1) does. A line that does
// not fit is an error, never silently cut (a cut password would still be tried, and count towards a lockout).
Result<QByteArray> readSecretLine(const QString& what) {
    const bool tty = ::isatty(STDIN_FILENO) == 1;
    const std::array<int, 4> deadly{SIGINT, SIGTERM, SIGHUP, SIGQUIT};
    if (tty && ::tcgetattr(STDIN_FILENO, &g_savedTerminal) == 0) {
        g_quietTerminal = g_savedTerminal;
        g_quietTerminal.c_lflag &= ~tcflag_t(ECHO);
        g_quietTerminal.c_lflag |= ECHONL;
        for (int sig : deadly)
            std::signal(sig, restoreTerminalAndDie);
        std::signal(SIGTSTP, stopWithEcho);
        std::signal(SIGCONT, continueQuiet);
        g_echoOff = ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &g_quietTerminal) == 0 ? 1 : 0;
        std::fprintf(stderr, "%s: ", what.toLocal8Bit().constData());
        std::fflush(stderr);
    }
    std::array<char, maxSecretLine + 1> buf{};
    size_t n = 0;
    char c = 0;
    bool ended = false;
    while (n < buf.size() && ::read(STDIN_FILENO, &c, 1) == 1) {
        if (c == '\n') {
            ended = true;
            break;
        }
        buf[n++] = c;
    }
    if (g_echoOff) {
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &g_savedTerminal);
        g_echoOff = 0;
    }
    if (tty) {
        for (int sig : deadly)
            std::signal(sig, SIG_DFL);
        std::signal(SIGTSTP, SIG_DFL);
        std::signal(SIGCONT, SIG_DFL);
    }
    const bool tooLong = n > maxSecretLine || (!ended && n == buf.size());
    while (n > 0 && buf[n - 1] == '\r')
        --n;
    QByteArray line = tooLong ? QByteArray() : QByteArray(buf.data(), qsizetype(n));
    OPENSSL_cleanse(buf.data(), buf.size());
    c = 0;
    if (tooLong)
        return makeError(ErrorKind::Usage, QStringLiteral("The line given for %1 on standard input is longer than %2 "
                                                          "bytes; nothing was sent.")
                                               .arg(what)
                                               .arg(maxSecretLine));
    return line;
}

// A secret from an environment variable named by one option or from stdin (the other option): never argv.
Result<SecretBytes> readSecret(const QCommandLineParser& p, const QCommandLineOption& envOpt,
                               const QCommandLineOption& stdinOpt, const QString& what, const QString& options) {
    if (p.isSet(envOpt) == p.isSet(stdinOpt))
        return makeError(ErrorKind::Usage, QStringLiteral("Give %1 with exactly one of %2.").arg(what, options));
    if (p.isSet(envOpt)) {
        const QByteArray name = p.value(envOpt).toLocal8Bit();
        if (!qEnvironmentVariableIsSet(name.constData()))
            return makeError(
                ErrorKind::Usage,
                QStringLiteral("The environment variable %1 (for %2) is not set.").arg(p.value(envOpt), what));
        QByteArray v = qgetenv(name.constData());
        return SecretBytes(std::move(v));
    }
    auto read = readSecretLine(what);
    if (!read)
        return read.error();
    QByteArray v = std::move(*read);
    if (v.isEmpty())
        return makeError(ErrorKind::Usage, QStringLiteral("No %1 was read from standard input.").arg(what));
    return SecretBytes(std::move(v));
}

Result<SecretBytes> readChallenge(const QCommandLineParser& p, const QCommandLineOption& envOpt,
                                  const QCommandLineOption& stdinOpt) {
    return readSecret(p, envOpt, stdinOpt, QStringLiteral("the challenge password"),
                      QStringLiteral("--challenge-env VAR or --challenge-stdin"));
}

int runEnrollment(const QStringList& args, bool json, bool renew) {
    const CtlOutput out(json);
    QCommandLineParser p;
    Common c;
    c.addTo(p);
    QCommandLineOption subject(QStringLiteral("subject"), QStringLiteral("Subject DN, e.g. \"CN=router1,O=Example\"."),
                               QStringLiteral("DN"));
    QCommandLineOption sanDns(QStringLiteral("san-dns"), QStringLiteral("DNS subject alternative name (repeatable)."),
                              QStringLiteral("NAME"));
    QCommandLineOption sanIp(QStringLiteral("san-ip"), QStringLiteral("IP subject alternative name (repeatable)."),
                             QStringLiteral("IP"));
    QCommandLineOption keySize(QStringLiteral("key-size"),
                               QStringLiteral("RSA key size: 2048, 3072 or 4096 (default 2048)."),
                               QStringLiteral("BITS"), QStringLiteral("2048"));
    QCommandLineOption keyOut(QStringLiteral("key-out"), QStringLiteral("File for the new private key (written 0600)."),
                              QStringLiteral("FILE"));
    QCommandLineOption certOut(QStringLiteral("cert-out"), QStringLiteral("File for the issued certificate (PEM)."),
                               QStringLiteral("FILE"));
    QCommandLineOption chEnv(QStringLiteral("challenge-env"),
                             QStringLiteral("Name of an environment variable that holds the challenge password."),
                             QStringLiteral("VAR"));
    QCommandLineOption chStdin(QStringLiteral("challenge-stdin"),
                               QStringLiteral("Read the challenge password from the first line of standard input."));
    const QCommandLineOption caPinOpt = caPinOption();
    QCommandLineOption key(QStringLiteral("key"), QStringLiteral("Current private key (PEM)."), QStringLiteral("FILE"));
    QCommandLineOption cert(QStringLiteral("cert"), QStringLiteral("Current certificate (PEM)."),
                            QStringLiteral("FILE"));
    QCommandLineOption maxPolls(QStringLiteral("max-polls"),
                                QStringLiteral("How often to ask again while PENDING (default 10)."),
                                QStringLiteral("N"), QStringLiteral("10"));
    QCommandLineOption pollInterval(QStringLiteral("poll-interval"),
                                    QStringLiteral("Seconds before the first CertPoll; doubles up to 60 (default 5)."),
                                    QStringLiteral("SECONDS"), QStringLiteral("5"));
    QCommandLineOption useGet(QStringLiteral("get"),
                              QStringLiteral("Send the request by GET even when the server offers POST."));
    p.addOptions({keySize, keyOut, certOut, caPinOpt, maxPolls, pollInterval, useGet});
    if (renew) {
        p.addOptions({key, cert, subject, sanDns, sanIp, chEnv, chStdin});
    } else {
        p.addOptions({subject, sanDns, sanIp, chEnv, chStdin});
    }
    if (int rc = parseArgs(p, args, out,
                           renew ? QStringLiteral("Renew a certificate with the current one (RenewalReq).")
                                 : QStringLiteral("Request a certificate (PKCSReq) the way a device does."));
        rc >= 0)
        return rc;
    auto url = targetUrl(p, c);
    if (!url)
        return out.fail(url.error());
    auto opts = clientOptions(p, c);
    if (!opts)
        return out.fail(opts.error());

    scep::EnrollmentRequest req;
    if (!p.isSet(keyOut) || !p.isSet(certOut))
        return out.fail(makeError(ErrorKind::Usage, QStringLiteral("--key-out and --cert-out are required.")));
    bool ok = false;
    req.keyBits = p.value(keySize).toInt(&ok);
    if (!ok || (req.keyBits != 2048 && req.keyBits != 3072 && req.keyBits != 4096))
        return out.fail(makeError(ErrorKind::Usage, QStringLiteral("--key-size must be 2048, 3072 or 4096.")));
    req.maxPolls = p.value(maxPolls).toInt(&ok);
    if (!ok || req.maxPolls < 0 || req.maxPolls > 1000)
        return out.fail(makeError(ErrorKind::Usage, QStringLiteral("--max-polls must be between 0 and 1000.")));
    const double interval = p.value(pollInterval).toDouble(&ok);
    if (!ok || interval < 0 || interval > 3600)
        return out.fail(
            makeError(ErrorKind::Usage, QStringLiteral("--poll-interval must be between 0 and 3600 seconds.")));
    req.pollIntervalMs = int(interval * 1000);
    req.forceGet = p.isSet(useGet);
    req.dnsNames = p.values(sanDns);
    req.ipAddresses = p.values(sanIp);
    auto pin = caPin(p, caPinOpt);
    if (!pin)
        return out.fail(pin.error());
    req.caSha256Pin = *pin;

    if (renew) {
        if (!p.isSet(key) || !p.isSet(cert))
            return out.fail(makeError(
                ErrorKind::Usage, QStringLiteral("renew needs --key and --cert (the current key and certificate).")));
        QFile kf(p.value(key));
        QFile cf(p.value(cert));
        if (!kf.open(QIODevice::ReadOnly))
            return out.fail(
                makeError(ErrorKind::Usage, QStringLiteral("Cannot read %1: %2").arg(kf.fileName(), kf.errorString())));
        if (!cf.open(QIODevice::ReadOnly))
            return out.fail(
                makeError(ErrorKind::Usage, QStringLiteral("Cannot read %1: %2").arg(cf.fileName(), cf.errorString())));
        QByteArray keyPem = kf.readAll();
        auto currentKey = pki::PrivateKey::fromPem(keyPem);
        SecretBytes::cleanse(keyPem);
        if (!currentKey)
            return out.fail(currentKey.error());
        auto currentCert = pki::Certificate::fromPem(cf.readAll());
        if (!currentCert)
            return out.fail(currentCert.error());
        if (!currentKey->matches(currentCert->publicKey()))
            return out.fail(
                makeError(ErrorKind::Usage, QStringLiteral("The key in %1 does not belong to the certificate in %2.")
                                                .arg(kf.fileName(), cf.fileName())));
        if (!currentCert->isValidAt(Clock::instance().now()))
            return out.fail(
                makeError(ErrorKind::Usage, QStringLiteral("The current certificate expired on %1; renewal needs a "
                                                           "valid one. Enroll again with a challenge password.")
                                                .arg(currentCert->notAfter().toString(Qt::ISODate))));
        req.currentKey = *currentKey;
        req.currentCertificate = *currentCert;
        req.subject = p.isSet(subject) ? p.value(subject) : currentCert->subject();
        if (!p.isSet(sanDns))
            req.dnsNames = currentCert->dnsNames();
        if (!p.isSet(sanIp))
            req.ipAddresses = currentCert->ipAddresses();
        if (p.isSet(chEnv) || p.isSet(chStdin)) {
            auto challenge = readChallenge(p, chEnv, chStdin);
            if (!challenge)
                return out.fail(challenge.error());
            req.challengePassword = std::move(*challenge);
        }
    } else {
        if (!p.isSet(subject))
            return out.fail(makeError(
                ErrorKind::Usage, QStringLiteral("--subject is required, e.g. --subject \"CN=router1,O=Example\".")));
        req.subject = p.value(subject);
        auto challenge = readChallenge(p, chEnv, chStdin);
        if (!challenge)
            return out.fail(challenge.error());
        req.challengePassword = std::move(*challenge);
    }

    scep::ScepClient client(*url, *opts);
    scep::ScepEnrollment enrollment(&client);
    QStringList warned; // said at once, not again at the end
    QObject::connect(&enrollment, &scep::ScepEnrollment::warning, [&out, &warned](const QString& w) {
        out.warn(w);
        warned << w;
    });
    if (p.isSet(c.verbose))
        QObject::connect(&enrollment, &scep::ScepEnrollment::progress, [](const QString& step) {
            std::fputs((QStringLiteral("... ") + step + QLatin1Char('\n')).toUtf8().constData(), stderr);
        });
    int rc = ExitOk;
    const QString keyPath = p.value(keyOut);
    const QString certPath = p.value(certOut);
    // Checked before anything is sent: a refused target after the enrollment would waste the challenge password.
    for (const QString& target : {keyPath, certPath})
        if (Status s = AtomicFile::checkTarget(target); !s)
            return out.fail(makeError(ErrorKind::Usage, s.error().message));
    enrollment.start(std::move(req), [&](Result<scep::EnrollmentResult> r) {
        rc = [&]() -> int {
            if (!r)
                return out.fail(r.error());
            QStringList warnings = r->warnings;
            for (const QString& w : warnings)
                if (!warned.contains(w))
                    out.warn(w);
            reportLegacy(out, warnings);
            if (Status s = AtomicFile::write(keyPath, r->key.toPem().bytes(), AtomicFile::Access::OwnerOnly); !s)
                return out.fail(s.error());
            if (Status s = AtomicFile::write(certPath, r->certificate.toPem(), AtomicFile::Access::WorldReadable); !s)
                return out.fail(s.error());
            const pki::Certificate& issued = r->certificate;
            out.text(
                QStringLiteral("Issued: %1\n  issuer:  %2\n  serial:  %3\n  expires: %4\n  sha256:  %5\n"
                               "  via %6 with %7/%8, transaction %9%10\nSaved key to %11 (0600) and certificate to %12")
                    .arg(issued.subject(), issued.issuer(), issued.serialHex(), issued.notAfter().toString(Qt::ISODate),
                         pki::Certificate::hex(issued.sha256()), r->method, r->cipher, r->digest,
                         r->transactionId.left(16), r->polls ? QStringLiteral(", %1 polls").arg(r->polls) : QString(),
                         keyPath, certPath));
            out.document({{QStringLiteral("certificate"), certificateJson(issued)},
                          {QStringLiteral("transactionId"), r->transactionId},
                          {QStringLiteral("method"), r->method},
                          {QStringLiteral("cipher"), r->cipher},
                          {QStringLiteral("digest"), r->digest},
                          {QStringLiteral("polls"), r->polls},
                          {QStringLiteral("recipient"), r->recipient.subject()},
                          {QStringLiteral("keyFile"), keyPath},
                          {QStringLiteral("certFile"), certPath},
                          {QStringLiteral("warnings"), QJsonArray::fromStringList(warnings)}});
            return ExitOk;
        }();
        QCoreApplication::exit(rc);
    });
    QCoreApplication::exec();
    return rc;
}

// The keychain entry for NAME: the server profile of that name or id in the inventory, else NAME itself.
QString keychainKey(const QString& name) {
    {
        // An inventory still in the folder of earlier versions would not be found, and the password would be
        // kept under NAME instead of the server's id, where the console never looks.
        QSettings settings;
        const inventory::LegacyMove moved = inventory::moveLegacyFiles(settings);
        for (const QString& line : moved.moved + moved.kept + moved.errors)
            std::fprintf(stderr, "ndesctl: %s\n", line.toLocal8Bit().constData());
    }
    auto inv = inventory::Inventory::load(inventory::Inventory::defaultPath());
    if (inv) {
        if (const inventory::ServerProfile* profile = inv->find(name))
            return inventory::CredentialStore::keyForServer(profile->id);
    }
    return name;
}

// `ndesctl keychain set NAME (--password-env VAR | --password-stdin)`: stores a password in the OS keychain.
int runKeychain(const QStringList& args, bool json) {
    const CtlOutput out(json);
    QCommandLineParser p;
    p.addHelpOption();
    QCommandLineOption passwordEnv(QStringLiteral("password-env"),
                                   QStringLiteral("Environment variable that holds the password."),
                                   QStringLiteral("VAR"));
    QCommandLineOption passwordStdin(QStringLiteral("password-stdin"),
                                     QStringLiteral("Read the password from the first line of standard input."));
    QCommandLineOption jsonOpt(QStringLiteral("json"), QStringLiteral("Print one JSON document instead of text."));
    p.addOptions({passwordEnv, passwordStdin, jsonOpt});
    p.addPositionalArgument(QStringLiteral("set"), QStringLiteral("The action (set)."));
    p.addPositionalArgument(QStringLiteral("NAME"), QStringLiteral("Server profile name or id, or an entry name."));
    p.setApplicationDescription(QStringLiteral("Store a server account's password in the OS keychain."));
    if (!p.parse(args))
        return out.fail(makeError(ErrorKind::Usage, p.errorText()));
    if (p.isSet(QStringLiteral("help"))) {
        std::fputs(p.helpText().toUtf8().constData(), stdout);
        return ExitOk;
    }
    const QStringList pos = p.positionalArguments();
    if (pos.size() != 2 || pos[0] != QLatin1String("set"))
        return out.fail(
            makeError(ErrorKind::Usage,
                      QStringLiteral("Usage: ndesctl keychain set NAME (--password-env VAR | --password-stdin)")));
    auto secret = readSecret(p, passwordEnv, passwordStdin, QStringLiteral("the password"),
                             QStringLiteral("--password-env VAR or --password-stdin"));
    if (!secret)
        return out.fail(secret.error());
    const QString key = keychainKey(pos[1]);
    if (Status s = inventory::CredentialStore::writeBlocking(key, *secret); !s)
        return out.fail(s.error());
    out.text(QStringLiteral("Stored in the keychain as \"%1\".").arg(key));
    out.document({{QStringLiteral("stored"), key}});
    return ExitOk;
}

// The admin page options shared by `challenge` and `test`, and the request they describe.
struct AdminOptions {
    QCommandLineOption adminUrl{QStringLiteral("admin-url"),
                                QStringLiteral("NDES admin page, e.g. https://ndes.example.com/certsrv/mscep_admin/"),
                                QStringLiteral("URL")};
    QCommandLineOption auth{QStringLiteral("auth"),
                            QStringLiteral("ntlm (default), negotiate (your Kerberos ticket), basic or none."),
                            QStringLiteral("METHOD"), QStringLiteral("ntlm")};
    QCommandLineOption user{QStringLiteral("user"), QStringLiteral("Account for NTLM or Basic, DOMAIN\\user."),
                            QStringLiteral("USER")};
    QCommandLineOption passwordEnv{QStringLiteral("password-env"),
                                   QStringLiteral("Environment variable that holds the account's password."),
                                   QStringLiteral("VAR")};
    QCommandLineOption passwordStdin{
        QStringLiteral("password-stdin"),
        QStringLiteral("Read the account's password from the first line of standard input.")};
    QCommandLineOption keychain{QStringLiteral("keychain"),
                                QStringLiteral("Take the account's password from the OS keychain: the entry of server "
                                               "profile NAME, or the entry NAME stored with \"ndesctl keychain set\"."),
                                QStringLiteral("NAME")};
    QCommandLineOption allowHttp{QStringLiteral("allow-http"),
                                 QStringLiteral("Allow a plain-HTTP admin page (the password travels in clear).")};

    void addTo(QCommandLineParser& p) const {
        p.addOptions({adminUrl, auth, user, passwordEnv, passwordStdin, keychain, allowHttp});
    }

    // The request for the admin page (without URL checks beyond presence); the password read as asked.
    Result<service::ChallengeRequest> request(const QCommandLineParser& p) const {
        service::ChallengeRequest req;
        req.adminUrl = QUrl(p.value(adminUrl));
        const auto method = service::adminAuthFromName(p.value(auth));
        if (!method)
            return makeError(ErrorKind::Usage, QStringLiteral("--auth must be ntlm, negotiate, basic or none."));
        req.auth = *method;
        req.user = p.value(user);
        req.allowHttp = p.isSet(allowHttp);
        if (req.allowHttp && req.adminUrl.scheme().compare(QLatin1String("http"), Qt::CaseInsensitive) == 0)
            CtlOutput(false).warn(QStringLiteral(
                "--allow-http: the admin page is read over plain HTTP, so the challenge password (and with Basic, "
                "the account's password) crosses the network in clear. Use https:// outside a lab."));
        if (req.auth != service::AdminAuth::Ntlm && req.auth != service::AdminAuth::Basic)
            return req;
        if (req.user.isEmpty())
            return makeError(ErrorKind::Usage,
                             QStringLiteral("--user DOMAIN\\user is required for %1.").arg(p.value(auth)));
        if (p.isSet(keychain)) {
            if (p.isSet(passwordEnv) || p.isSet(passwordStdin))
                return makeError(ErrorKind::Usage, QStringLiteral("Give the password with one of --password-env, "
                                                                  "--password-stdin or --keychain."));
            auto secret = inventory::CredentialStore::readBlocking(keychainKey(p.value(keychain)));
            if (!secret)
                return secret.error();
            req.password = std::move(*secret);
            return req;
        }
        auto secret = readSecret(p, passwordEnv, passwordStdin, QStringLiteral("the account's password"),
                                 QStringLiteral("--password-env VAR, --password-stdin or --keychain NAME"));
        if (!secret)
            return secret.error();
        req.password = std::move(*secret);
        return req;
    }
};

int runChallenge(const QStringList& args, bool json) {
    const CtlOutput out(json);
    QCommandLineParser p;
    p.addHelpOption();
    AdminOptions admin;
    admin.addTo(p);
    QCommandLineOption caFile(
        QStringLiteral("tls-ca"),
        QStringLiteral("PEM CA certificates to trust for this server's TLS (instead of the system's)."),
        QStringLiteral("FILE"));
    QCommandLineOption timeout(QStringLiteral("timeout"), QStringLiteral("Seconds for the whole fetch (default 30)."),
                               QStringLiteral("SECONDS"), QStringLiteral("30"));
    QCommandLineOption jsonOpt(QStringLiteral("json"), QStringLiteral("Print one JSON document instead of text."));
    p.addOptions({caFile, timeout, jsonOpt});
    if (int rc = parseArgs(p, args, out, QStringLiteral("Get a one-time challenge password from NDES's admin page."));
        rc >= 0)
        return rc;
    if (!p.isSet(admin.adminUrl))
        return out.fail(
            makeError(ErrorKind::Usage,
                      QStringLiteral("--admin-url is required, e.g. https://ndes.example.com/certsrv/mscep_admin/")));
    bool ok = false;
    const double secs = p.value(timeout).toDouble(&ok);
    if (!ok || secs <= 0 || secs > 3600)
        return out.fail(
            makeError(ErrorKind::Usage, QStringLiteral("--timeout must be a number of seconds between 0 and 3600.")));
    QByteArray extraCaPem;
    if (p.isSet(caFile)) {
        QFile f(p.value(caFile));
        if (!f.open(QIODevice::ReadOnly))
            return out.fail(
                makeError(ErrorKind::Usage, QStringLiteral("Cannot read %1: %2").arg(f.fileName(), f.errorString())));
        extraCaPem = f.readAll();
    }
    auto built = admin.request(p);
    if (!built)
        return out.fail(built.error());
    service::ChallengeRequest req = std::move(*built);
    req.timeoutMs = int(secs * 1000);
    req.extraCaPem = extraCaPem;
    auto result = service::ChallengePasswordClient::fetch(req);
    req.password.wipe();
    if (!result)
        return out.fail(result.error());
    const QString pw = QString::fromLatin1(result->password.bytes());
    QString grouped;
    for (qsizetype i = 0; i < pw.size(); i += 4)
        grouped += (i ? QStringLiteral(" ") : QString()) + pw.mid(i, 4);
    const QString validity =
        result->neverExpires ? QStringLiteral("does not expire (single password mode)")
        : result->validityMinutes > 0
            ? QStringLiteral("valid for %1 minutes, until %2 UTC, single use")
                  .arg(result->validityMinutes)
                  .arg(
                      result->fetchedAt.addSecs(qint64(result->validityMinutes) * 60).toString(QStringLiteral("HH:mm")))
            : QStringLiteral("validity not stated by the page");
    out.text(QStringLiteral("Challenge password from %1:\n  %2\n%3\nCA thumbprint: %4")
                 .arg(result->server, grouped, validity,
                      result->caThumbprint.isEmpty() ? QStringLiteral("(not shown)") : result->caThumbprint));
    QJsonObject doc{{QStringLiteral("password"), pw},
                    {QStringLiteral("validityMinutes"), result->validityMinutes},
                    {QStringLiteral("neverExpires"), result->neverExpires},
                    {QStringLiteral("caThumbprint"), result->caThumbprint},
                    {QStringLiteral("server"), result->server},
                    {QStringLiteral("fetchedAt"), result->fetchedAt.toString(Qt::ISODate)}};
    out.document(doc);
    return ExitOk;
}

// What `test` and `load` share: the SCEP target (URL, timeout, TLS trust) and the admin page account, filled into
// their options; the admin page URL(s) themselves are theirs to take.
template <typename Options>
Status fillTargetAndAccount(const QCommandLineParser& p, const Common& c, const AdminOptions& admin, Options& o) {
    auto url = targetUrl(p, c);
    if (!url)
        return url.error();
    auto copts = clientOptions(p, c);
    if (!copts)
        return copts.error();
    o.scepUrl = *url;
    o.timeoutMs = copts->timeoutMs;
    o.extraTlsCaCertificates = copts->extraTlsCaCertificates;
    if (!p.isSet(admin.adminUrl))
        return {};
    auto built = admin.request(p);
    if (!built)
        return built.error();
    o.auth = built->auth;
    o.user = built->user;
    o.password = std::move(built->password);
    o.allowHttp = built->allowHttp;
    return {};
}

// `ndesctl test`: one enrollment end to end, every step recorded, and the likely causes when it fails.
int runTest(const QStringList& args, bool json) {
    const CtlOutput out(json);
    QCommandLineParser p;
    Common c;
    c.addTo(p);
    AdminOptions admin;
    admin.addTo(p);
    QCommandLineOption subject(
        QStringLiteral("subject"),
        QStringLiteral("Subject DN of the test certificate (default CN=ndes-console-test-TIME)."),
        QStringLiteral("DN"));
    QCommandLineOption sanDns(QStringLiteral("san-dns"), QStringLiteral("DNS subject alternative name (repeatable)."),
                              QStringLiteral("NAME"));
    QCommandLineOption sanIp(QStringLiteral("san-ip"), QStringLiteral("IP subject alternative name (repeatable)."),
                             QStringLiteral("IP"));
    QCommandLineOption keySize(QStringLiteral("key-size"), QStringLiteral("RSA key size: 2048 (default), 3072, 4096."),
                               QStringLiteral("BITS"), QStringLiteral("2048"));
    QCommandLineOption renew(QStringLiteral("renew"), QStringLiteral("Also renew the new certificate (RenewalReq)."));
    QCommandLineOption templ(QStringLiteral("template"),
                             QStringLiteral("The template the certificate must come from (case matters)."),
                             QStringLiteral("NAME"));
    QCommandLineOption eku(QStringLiteral("eku"), QStringLiteral("An EKU OID the certificate must carry (repeatable)."),
                           QStringLiteral("OID"));
    QCommandLineOption chEnv(QStringLiteral("challenge-env"),
                             QStringLiteral("Without --admin-url: a fixed challenge password from this environment "
                                            "variable (single-password mode, other SCEP servers)."),
                             QStringLiteral("VAR"));
    QCommandLineOption chStdin(QStringLiteral("challenge-stdin"),
                               QStringLiteral("Without --admin-url: a fixed challenge password from standard input."));
    QCommandLineOption eventsXml(QStringLiteral("events-xml"),
                                 QStringLiteral("Event XML the server writes (wevtutil qe Application /f:xml, or "
                                                "ndes-lab --events-xml): NDES events logged during the test count as "
                                                "evidence in the diagnosis."),
                                 QStringLiteral("FILE"));
    const QCommandLineOption caPinOpt = caPinOption();
    p.addOptions({subject, sanDns, sanIp, keySize, renew, templ, eku, chEnv, chStdin, eventsXml, caPinOpt});
    if (int rc = parseArgs(p, args, out,
                           QStringLiteral("Enroll end to end as a device does (challenge, key, PKCSReq, polling, "
                                          "checks of the certificate) and rank the likely causes of a failure.\n"
                                          "Exit codes: 0 the enrollment succeeded, 1 it failed (see the diagnosis), "
                                          "2 usage error."));
        rc >= 0)
        return rc;
    service::EnrollmentTestOptions o;
    if (Status s = fillTargetAndAccount(p, c, admin, o); !s)
        return out.fail(s.error());
    if (p.isSet(admin.adminUrl))
        o.adminUrl = QUrl(p.value(admin.adminUrl));
    if (p.isSet(chEnv) || p.isSet(chStdin)) {
        if (p.isSet(admin.adminUrl))
            return out.fail(makeError(ErrorKind::Usage, QStringLiteral("Give --admin-url (a fresh password is fetched) "
                                                                       "or a fixed challenge, not both.")));
        auto secret = readSecret(p, chEnv, chStdin, QStringLiteral("the challenge password"),
                                 QStringLiteral("--challenge-env VAR or --challenge-stdin"));
        if (!secret)
            return out.fail(secret.error());
        o.staticChallenge = std::move(*secret);
    }
    auto pin = caPin(p, caPinOpt);
    if (!pin)
        return out.fail(pin.error());
    o.caSha256Pin = *pin;
    o.subject = p.value(subject);
    o.dnsNames = p.values(sanDns);
    o.ipAddresses = p.values(sanIp);
    o.keyBits = p.value(keySize).toInt();
    if (o.keyBits != 2048 && o.keyBits != 3072 && o.keyBits != 4096)
        return out.fail(makeError(ErrorKind::Usage, QStringLiteral("--key-size must be 2048, 3072 or 4096.")));
    o.renew = p.isSet(renew);
    o.expectedTemplate = p.value(templ);
    o.expectedEkus = p.values(eku);
    auto diagnosis = service::Diagnosis::builtIn();
    if (!diagnosis)
        return out.fail(diagnosis.error());

    service::EnrollmentTest test;
    if (p.isSet(c.verbose))
        QObject::connect(&test, &service::EnrollmentTest::stepChanged, [](const service::TestStep& s) {
            if (s.status == service::TestStep::Status::Running)
                std::fprintf(stderr, "... %s\n", s.title.toLocal8Bit().constData());
        });
    service::EnrollmentTestReport report;
    QObject::connect(&test, &service::EnrollmentTest::finished, [&report](const service::EnrollmentTestReport& r) {
        report = r;
        QCoreApplication::quit();
    });
    test.start(std::move(o));
    QCoreApplication::exec();
    if (p.isSet(eventsXml)) {
        // NDES events from the test's start on (two seconds of slack for clocks that disagree a little).
        const events::EventXmlResult read = events::EventXmlReader::readFile(p.value(eventsXml));
        if (!read.error.isEmpty())
            out.warn(QStringLiteral("Events: %1").arg(read.error));
        for (const events::EventRecord& e : read.events)
            if (events::isNdesProvider(e.provider) && e.time.isValid() && e.time >= report.startedAt.addSecs(-2) &&
                !report.observed.eventIds.contains(e.eventId))
                report.observed.eventIds << e.eventId;
    }
    const QList<service::LikelyCause> causes = diagnosis->diagnose(report.observed);
    if (json) {
        QJsonArray diag;
        for (const service::LikelyCause& cause : causes)
            diag.append(cause.toJson());
        QJsonObject doc{{QStringLiteral("ok"), report.ok},
                        {QStringLiteral("steps"), report.stepsJson()},
                        {QStringLiteral("diagnosis"), diag},
                        {QStringLiteral("observed"), report.observed.toJson()},
                        {QStringLiteral("totalMs"), report.totalMs},
                        {QStringLiteral("warnings"), QJsonArray::fromStringList(report.warnings)}};
        if (!report.certificate.isNull())
            doc.insert(QStringLiteral("certificate"), certificateJson(report.certificate));
        out.document(doc);
        return report.ok ? ExitOk : ExitRefused;
    }
    out.text(report.ok ? QStringLiteral("Enrollment test PASSED in %1 ms").arg(report.totalMs)
                       : QStringLiteral("Enrollment test FAILED in %1 ms").arg(report.totalMs));
    for (const service::TestStep& s : report.steps) {
        out.text(QStringLiteral("  %1 %2 (%3 ms)")
                     .arg(service::testStepStatusName(s.status).toUpper().leftJustified(7), s.title)
                     .arg(s.ms));
        if (!s.sent.isEmpty())
            out.text(QStringLiteral("          sent: %1").arg(s.sent));
        if (!s.received.isEmpty())
            out.text(QStringLiteral("          received: %1").arg(s.received));
        if (!s.detail.isEmpty())
            out.text(QStringLiteral("          %1").arg(s.detail));
    }
    for (const QString& w : report.warnings)
        out.warn(w);
    if (!causes.isEmpty()) {
        out.text(report.ok ? QStringLiteral("\nWorth a look:") : QStringLiteral("\nLikely causes, most likely first:"));
        int n = 0;
        for (const service::LikelyCause& cause : causes) {
            out.text(
                QStringLiteral("%1. %2 (confidence %3)").arg(++n).arg(cause.title).arg(cause.confidence, 0, 'f', 2));
            out.text(QStringLiteral("   Confirm: %1").arg(cause.confirm));
            out.text(QStringLiteral("   Fix: %1")
                         .arg(QString(cause.fix).replace(QLatin1Char('\n'), QStringLiteral("\n        "))));
        }
    }
    return report.ok ? ExitOk : ExitRefused;
}

// `ndesctl load`: bounded concurrency, latency percentiles, errors by kind, throughput per second.
int runLoad(const QStringList& args, bool json) {
    const CtlOutput out(json);
    QCommandLineParser p;
    Common c;
    c.addTo(p);
    AdminOptions admin;
    admin.addTo(p);
    QCommandLineOption concurrency(QStringLiteral("concurrency"), QStringLiteral("Enrollments in flight (default 10)."),
                                   QStringLiteral("N"), QStringLiteral("10"));
    QCommandLineOption requests(QStringLiteral("requests"), QStringLiteral("Enrollments in all (default 100)."),
                                QStringLiteral("M"), QStringLiteral("100"));
    QCommandLineOption keySize(QStringLiteral("key-size"), QStringLiteral("RSA key size (default 2048)."),
                               QStringLiteral("BITS"), QStringLiteral("2048"));
    QCommandLineOption fresh(QStringLiteral("fresh-keys"),
                             QStringLiteral("A new key per request, as devices do (default: a pool made beforehand, "
                                            "so the figures measure the server)."));
    QCommandLineOption own(QStringLiteral("i-own-this-server"),
                           QStringLiteral("Allow a target that is not a loopback address. A load test enrolls real "
                                          "certificates and can take a production NDES down."));
    const QCommandLineOption caPinOpt = caPinOption();
    p.addOptions({concurrency, requests, keySize, fresh, own, caPinOpt});
    if (int rc = parseArgs(p, args, out,
                           QStringLiteral("Load-test an NDES server: M enrollments, N at a time, challenge passwords "
                                          "from the admin pages (round-robin) when given.\nExit codes: 0 every "
                                          "enrollment succeeded, 1 some failed, 2 usage error or refused target."));
        rc >= 0)
        return rc;
    service::LoadTestOptions o;
    if (Status s = fillTargetAndAccount(p, c, admin, o); !s)
        return out.fail(s.error());
    for (const QString& u : p.values(admin.adminUrl))
        o.adminUrls << QUrl(u);
    auto pin = caPin(p, caPinOpt);
    if (!pin)
        return out.fail(pin.error());
    o.caSha256Pin = *pin;
    if (o.caSha256Pin.isEmpty() && o.scepUrl.scheme() == QLatin1String("http") && !o.adminUrls.isEmpty())
        out.warn(QStringLiteral("The RA certificate is not authenticated: SCEP over plain HTTP without --ca-sha256, so "
                                "anyone in the path could read the challenge passwords."));
    bool ok1 = false;
    bool ok2 = false;
    o.concurrency = p.value(concurrency).toInt(&ok1);
    o.requests = p.value(requests).toInt(&ok2);
    if (!ok1 || !ok2)
        return out.fail(makeError(ErrorKind::Usage, QStringLiteral("--concurrency and --requests take numbers.")));
    o.keyBits = p.value(keySize).toInt();
    if (o.keyBits != 2048 && o.keyBits != 3072 && o.keyBits != 4096)
        return out.fail(makeError(ErrorKind::Usage, QStringLiteral("--key-size must be 2048, 3072 or 4096.")));
    o.freshKeys = p.isSet(fresh);
    o.iOwnThisServer = p.isSet(own);
    if (Status s = service::LoadTest::check(o); !s)
        return out.fail(s.error());

    service::LoadTest test;
    if (!json) {
        QObject::connect(&test, &service::LoadTest::preparing,
                         [](const QString& what) { std::fprintf(stderr, "%s\n", what.toLocal8Bit().constData()); });
        QObject::connect(&test, &service::LoadTest::progress, [](int done, int total) {
            if (done % qMax(1, total / 10) == 0 || done == total)
                std::fprintf(stderr, "%d/%d done\n", done, total);
        });
    }
    service::LoadTestResult result;
    QObject::connect(&test, &service::LoadTest::finished, [&result](const service::LoadTestResult& r) {
        result = r;
        QCoreApplication::quit();
    });
    test.start(std::move(o));
    QCoreApplication::exec();
    out.document(result.toJson());
    if (!result.stoppedBecause.isEmpty())
        out.warn(QStringLiteral("Stopped after the admin page refused the account (%1): %2 No further sign-in was "
                                "tried, so the account is not locked out by this run.")
                     .arg(result.stoppedBecause, result.stopMessage));
    out.text(QStringLiteral("%1 enrollments, %2 succeeded, %3 failed, in %4 s: %5 per second")
                 .arg(result.requests)
                 .arg(result.succeeded)
                 .arg(result.failed)
                 .arg(double(result.wallMs) / 1000.0, 0, 'f', 2)
                 .arg(result.perSecond, 0, 'f', 1));
    out.text(QStringLiteral("latency of successful enrollments: p50 %1 ms, p90 %2 ms, p99 %3 ms, max %4 ms")
                 .arg(result.p50)
                 .arg(result.p90)
                 .arg(result.p99)
                 .arg(result.maxMs));
    for (auto it = result.errorsByKind.begin(); it != result.errorsByKind.end(); ++it)
        out.text(QStringLiteral("errors: %1 x %2").arg(it.value()).arg(it.key()));
    QStringList perSecond;
    for (int n : result.completedPerSecond)
        perSecond << QString::number(n);
    out.text(QStringLiteral("completed per second: %1").arg(perSecond.join(QLatin1Char(' '))));
    return result.failed == 0 ? ExitOk : ExitRefused;
}

// The shape JsonEventParser reads back (core/events/EventJson), plus the catalogue's explanation.
QJsonObject eventJson(const events::EventRecord& e, const events::CatalogueEntry* known) {
    QJsonObject o = events::eventToJson(e);
    if (known) {
        o.insert(QStringLiteral("meaning"), known->meaning);
        o.insert(QStringLiteral("causes"), QJsonArray::fromStringList(known->causes));
        o.insert(QStringLiteral("fix"), known->fix);
    }
    return o;
}

// Prints one event as `ndesctl events` does.
void printEvent(const CtlOutput& out, bool json, const events::EventRecord& e, const events::CatalogueEntry* known) {
    if (json) {
        std::printf("%s\n", QJsonDocument(eventJson(e, known)).toJson(QJsonDocument::Compact).constData());
        std::fflush(stdout);
        return;
    }
    QStringList data;
    for (const auto& [k, v] : e.data)
        data << QStringLiteral("%1=%2").arg(k, v.simplified());
    out.text(QStringLiteral("%1  %2  %3 %4  %5")
                 .arg(e.time.toString(Qt::ISODate), e.computer, e.provider)
                 .arg(e.eventId)
                 .arg(data.join(QStringLiteral("; "))));
    if (known && !known->meaning.isEmpty())
        out.text(QStringLiteral("    %1").arg(known->meaning));
    if (known && !known->fix.isEmpty())
        out.text(QStringLiteral("    Fix: %1").arg(known->fix));
    std::fflush(stdout);
}

// `ndesctl events FILE...`: events from Event XML files, filtered, explained; JSON is one object per line.
int runEvents(const QStringList& args, bool json) {
    const CtlOutput out(json);
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Read Windows event logs (.evtx) or Event XML (wevtutil qe /f:xml, "
                                               "Event Viewer's Save as XML) and explain NDES events.\nExit codes: 0 "
                                               "read, 1 a file was damaged (what could be read is shown), 2 usage "
                                               "error."));
    p.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsOptions);
    QCommandLineOption provider(QStringLiteral("provider"), QStringLiteral("Only this provider (repeatable)."),
                                QStringLiteral("NAME"));
    QCommandLineOption id(QStringLiteral("id"), QStringLiteral("Only this event ID (repeatable)."),
                          QStringLiteral("N"));
    QCommandLineOption since(QStringLiteral("since"), QStringLiteral("Only events at or after this time (ISO 8601)."),
                             QStringLiteral("TIME"));
    QCommandLineOption jsonOpt(QStringLiteral("json"), QStringLiteral("One JSON object per event, one per line."));
    p.addOptions({provider, id, since, jsonOpt});
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("files"), QStringLiteral("EVTX or Event XML files."),
                            QStringLiteral("FILE..."));
    if (!p.parse(args))
        return out.fail(makeError(ErrorKind::Usage, p.errorText()));
    if (p.isSet(QStringLiteral("help"))) {
        std::fputs(p.helpText().toUtf8().constData(), stdout);
        return ExitOk;
    }
    if (p.positionalArguments().isEmpty())
        return out.fail(makeError(ErrorKind::Usage, QStringLiteral("Give one or more .evtx or Event XML files.")));
    QList<int> ids;
    for (const QString& v : p.values(id)) {
        bool ok = false;
        ids << v.toInt(&ok);
        if (!ok)
            return out.fail(makeError(ErrorKind::Usage, QStringLiteral("--id takes a number, not \"%1\".").arg(v)));
    }
    QDateTime from;
    if (p.isSet(since)) {
        from = QDateTime::fromString(p.value(since), Qt::ISODateWithMs);
        if (!from.isValid())
            return out.fail(makeError(
                ErrorKind::Usage,
                QStringLiteral("--since \"%1\" is not ISO 8601 (e.g. 2026-11-25T08:00:00Z).").arg(p.value(since))));
    }
    auto catalogue = events::EventCatalogue::builtIn();
    if (!catalogue)
        return out.fail(catalogue.error());
    const QStringList providers = p.values(provider);
    int rc = ExitOk;
    for (const QString& file : p.positionalArguments()) {
        Error why;
        auto reader = events::EventFileReader::forFile(file, &why);
        if (!reader) {
            out.warn(why.message);
            rc = ExitRefused;
            continue;
        }
        auto summary = reader->read(file, [&](events::EventRecord&& e) {
            bool providerOk = providers.isEmpty();
            for (const QString& pr : providers)
                providerOk = providerOk || e.provider.compare(pr, Qt::CaseInsensitive) == 0 ||
                             (events::isNdesProvider(pr) && events::isNdesProvider(e.provider));
            if (!providerOk || (!ids.isEmpty() && !ids.contains(e.eventId)) ||
                (from.isValid() && (!e.time.isValid() || e.time < from)))
                return true;
            printEvent(out, json, e, catalogue->find(e.provider, e.eventId));
            return true;
        });
        if (!summary) {
            out.warn(QStringLiteral("%1: %2").arg(file, summary.error().message));
            rc = ExitRefused;
            continue;
        }
        for (const QString& problem : summary->problems)
            out.warn(QStringLiteral("%1: %2").arg(file, problem));
        if (summary->damaged)
            rc = ExitRefused;
    }
    std::fflush(stdout);
    return rc;
}

// `ndesctl listen --syslog ADDR:PORT | --syslog-tls ADDR:PORT --tls-cert F --tls-key F | --json-lines ADDR:PORT`.
int runListen(const QStringList& args, bool json) {
    const CtlOutput out(json);
    QCommandLineParser p;
    QCommandLineOption syslog(QStringLiteral("syslog"),
                              QStringLiteral("Syslog over TCP and UDP on ADDR:PORT (port 0 picks one)."),
                              QStringLiteral("ADDR:PORT"));
    QCommandLineOption syslogTls(QStringLiteral("syslog-tls"),
                                 QStringLiteral("Syslog over TLS (RFC 5425) on ADDR:PORT."),
                                 QStringLiteral("ADDR:PORT"));
    QCommandLineOption jsonLines(QStringLiteral("json-lines"),
                                 QStringLiteral("JSON lines over TCP (NXLog to_json, Winlogbeat) on ADDR:PORT."),
                                 QStringLiteral("ADDR:PORT"));
    QCommandLineOption tlsCert(QStringLiteral("tls-cert"), QStringLiteral("PEM certificate (chain) for --syslog-tls."),
                               QStringLiteral("FILE"));
    QCommandLineOption tlsKey(QStringLiteral("tls-key"),
                              QStringLiteral("PEM private key for --syslog-tls (unencrypted, readable only by you)."),
                              QStringLiteral("FILE"));
    QCommandLineOption count(QStringLiteral("count"), QStringLiteral("Stop after N events."), QStringLiteral("N"));
    QCommandLineOption seconds(QStringLiteral("seconds"), QStringLiteral("Stop after S seconds."), QStringLiteral("S"));
    QCommandLineOption jsonOpt(QStringLiteral("json"), QStringLiteral("One JSON object per event, one per line."));
    p.addOptions({syslog, syslogTls, jsonLines, tlsCert, tlsKey, count, seconds, jsonOpt});
    p.addHelpOption();
    if (int rc = parseArgs(p, args, out,
                           QStringLiteral("Receive events live as NXLog, rsyslog, Winlogbeat or ndes-lab forward them: "
                                          "syslog (RFC 5424 or 3164; TCP with octet counting or newlines, UDP, or "
                                          "TLS) or JSON lines.\nThe listening address goes to stderr first, e.g. "
                                          "\"listening tcp+udp ADDR:PORT\"."));
        rc >= 0)
        return rc;
    const int chosen = int(p.isSet(syslog)) + int(p.isSet(syslogTls)) + int(p.isSet(jsonLines));
    if (chosen != 1)
        return out.fail(makeError(ErrorKind::Usage,
                                  QStringLiteral("Give one of --syslog, --syslog-tls or --json-lines, e.g. --syslog "
                                                 "127.0.0.1:5514.")));
    const char* scheme = p.isSet(syslog) ? "syslog://" : p.isSet(syslogTls) ? "syslog-tls://" : "json://";
    const QString addr = p.isSet(syslog)      ? p.value(syslog)
                         : p.isSet(syslogTls) ? p.value(syslogTls)
                                              : p.value(jsonLines);
    auto spec = events::ListenerSpec::parse(QLatin1String(scheme) + addr);
    if (!spec)
        return out.fail(
            makeError(ErrorKind::Usage,
                      QStringLiteral("The address must be ADDR:PORT, e.g. 127.0.0.1:5514 (got \"%1\").").arg(addr)));
    spec->certificateFile = p.value(tlsCert);
    spec->keyFile = p.value(tlsKey);
    const int maxEvents = p.isSet(count) ? p.value(count).toInt() : -1;
    auto catalogue = events::EventCatalogue::builtIn();
    if (!catalogue)
        return out.fail(catalogue.error());
    events::EventListener listener;
    if (Status st = listener.start(*spec); !st)
        return out.fail(st.error());
    const char* what = spec->protocol == events::ListenerSpec::Protocol::Syslog      ? "tcp+udp"
                       : spec->protocol == events::ListenerSpec::Protocol::SyslogTls ? "tls"
                                                                                     : "json";
    std::fprintf(stderr, "listening %s %s:%u\n", what, spec->address.toString().toLatin1().constData(),
                 listener.port());
    std::fflush(stderr);
    int received = 0;
    QObject::connect(&listener, &events::EventListener::eventsReceived, [&](const QList<events::EventRecord>& batch) {
        for (const events::EventRecord& e : batch) {
            if (received == maxEvents)
                return;
            printEvent(out, json, e, catalogue->find(e.provider, e.eventId));
            if (++received == maxEvents)
                QCoreApplication::quit();
        }
    });
    if (p.isSet(seconds))
        QTimer::singleShot(int(p.value(seconds).toDouble() * 1000), &QCoreApplication::quit);
    if (maxEvents != 0)
        QCoreApplication::exec();
    const quint64 notEvents = listener.rejected() - listener.refusedConnections();
    if (notEvents > 0)
        out.warn(QStringLiteral("%1 message(s) were not events (or too long) and were skipped.").arg(notEvents));
    if (listener.refusedConnections() > 0)
        out.warn(QStringLiteral("%1 connection(s) were refused: over %2 at once, or over %3 from one address.")
                     .arg(listener.refusedConnections())
                     .arg(events::EventListener::maxConnections)
                     .arg(events::EventListener::maxConnectionsPerAddress));
    if (listener.idleClosed() > 0)
        out.warn(QStringLiteral("%1 connection(s) were closed after %2 s without data.")
                     .arg(listener.idleClosed())
                     .arg(events::EventListener::defaultIdleTimeoutMs / 1000));
    return ExitOk;
}

// `ndesctl plan --check FILE` | `ndesctl plan --in FILE --out DIR`: the setup wizard, headless.
int runPlan(const QStringList& args, bool json) {
    const CtlOutput out(json);
    QCommandLineParser p;
    QCommandLineOption check(QStringLiteral("check"), QStringLiteral("Only validate the plan."),
                             QStringLiteral("FILE"));
    QCommandLineOption in(QStringLiteral("in"), QStringLiteral("The plan to write files for."), QStringLiteral("FILE"));
    QCommandLineOption outDir(QStringLiteral("out"), QStringLiteral("Directory for the files (created)."),
                              QStringLiteral("DIR"));
    QCommandLineOption jsonOpt(QStringLiteral("json"), QStringLiteral("The result as one JSON object."));
    p.addOptions({check, in, outDir, jsonOpt});
    p.addHelpOption();
    if (int rc = parseArgs(
            p, args, out,
            QStringLiteral(
                "Validate an NDES setup plan (see docs/examples/plan.json) and write what "
                "it describes: the NDES registry settings as a .reg file (regedit's "
                "UTF-16LE, the real MSCEP layout) and PowerShell for the registry, IIS and "
                "HTTP.sys, with a rollback and a read-only verification.\nExit codes: 0 written/valid (warnings "
                "printed), 1 the plan has errors (nothing written), 2 usage error."));
        rc >= 0)
        return rc;
    const bool checkOnly = p.isSet(check);
    if (checkOnly == p.isSet(in) || (!checkOnly && !p.isSet(outDir)))
        return out.fail(
            makeError(ErrorKind::Usage, QStringLiteral("Use plan --check FILE, or plan --in FILE --out DIR.")));
    auto plan = setup::SetupPlan::load(checkOnly ? p.value(check) : p.value(in));
    if (!plan)
        return out.fail(plan.error());
    const QList<setup::PlanIssue> issues = setup::validate(*plan);
    const bool errors = setup::hasErrors(issues);
    QStringList written;
    if (!errors && !checkOnly) {
        auto files = setup::writePlanFiles(*plan, p.value(outDir), QDateTime::currentDateTimeUtc());
        if (!files)
            return out.fail(files.error());
        written = *files;
    }
    if (json) {
        QJsonArray list;
        for (const setup::PlanIssue& i : issues)
            list.append(QJsonObject{{QStringLiteral("severity"), i.severity == setup::PlanIssue::Severity::Error
                                                                     ? QStringLiteral("error")
                                                                     : QStringLiteral("warning")},
                                    {QStringLiteral("field"), i.field},
                                    {QStringLiteral("code"), i.code},
                                    {QStringLiteral("message"), i.message}});
        std::printf("%s\n", QJsonDocument(QJsonObject{{QStringLiteral("ok"), !errors},
                                                      {QStringLiteral("issues"), list},
                                                      {QStringLiteral("written"), QJsonArray::fromStringList(written)}})
                                .toJson(QJsonDocument::Compact)
                                .constData());
    } else {
        for (const setup::PlanIssue& i : issues)
            out.text(QStringLiteral("%1 %2 (%3): %4")
                         .arg(i.severity == setup::PlanIssue::Severity::Error ? QStringLiteral("ERROR  ")
                                                                              : QStringLiteral("warning"),
                              i.field, i.code, i.message));
        if (errors)
            out.text(checkOnly ? QStringLiteral("The plan has errors: change what is listed above.")
                               : QStringLiteral("The plan has errors; nothing was written."));
        else if (checkOnly)
            out.text(issues.isEmpty() ? QStringLiteral("The plan is valid.")
                                      : QStringLiteral("The plan is valid; read the warnings above."));
        for (const QString& w : written)
            out.text(QStringLiteral("wrote %1").arg(w));
    }
    std::fflush(stdout);
    return errors ? ExitRefused : ExitOk;
}

// `ndesctl check`: one summary line first (the monitoring plugin convention), then a block per server.
// Exit codes are the plugin ones, not ndesctl's usual ones: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
int runCheck(const QStringList& args, bool json) {
    constexpr int unknown = 3;
    const CtlOutput out(json);
    QCommandLineParser p;
    p.setApplicationDescription(
        QStringLiteral("Probe NDES servers: TLS, GetCACaps, GetCACert (RA and CA expiry), CRL freshness, the admin "
                       "page. Prints one summary line first, then details.\n"
                       "Exit codes: 0 OK, 1 WARNING, 2 CRITICAL (an unreachable server is critical), 3 UNKNOWN."));
    p.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsOptions);
    QCommandLineOption url(QStringLiteral("url"), QStringLiteral("SCEP URL of a server to check (repeatable)."),
                           QStringLiteral("URL"));
    QCommandLineOption inventory(QStringLiteral("inventory"),
                                 QStringLiteral("Check every server of an NDES Console inventory file."),
                                 QStringLiteral("FILE"));
    QCommandLineOption warnDays(QStringLiteral("warn-days"),
                                QStringLiteral("WARNING when a certificate has this many days left or fewer (30)."),
                                QStringLiteral("DAYS"), QStringLiteral("30"));
    QCommandLineOption critDays(QStringLiteral("crit-days"),
                                QStringLiteral("CRITICAL when a certificate has this many days left or fewer (7)."),
                                QStringLiteral("DAYS"), QStringLiteral("7"));
    QCommandLineOption timeout(QStringLiteral("timeout"), QStringLiteral("Seconds per request (default 15)."),
                               QStringLiteral("SECONDS"), QStringLiteral("15"));
    QCommandLineOption concurrency(QStringLiteral("concurrency"),
                                   QStringLiteral("Servers probed at once (default 32)."), QStringLiteral("N"),
                                   QStringLiteral("32"));
    QCommandLineOption tlsCa(QStringLiteral("tls-ca"),
                             QStringLiteral("PEM file of CA certificates trusted for HTTPS, in addition to the "
                                            "system's."),
                             QStringLiteral("FILE"));
    QCommandLineOption noCrl(QStringLiteral("no-crl"), QStringLiteral("Do not fetch the CAs' CRLs."));
    QCommandLineOption jsonOpt(QStringLiteral("json"), QStringLiteral("Print one JSON document."));
    p.addOptions({url, inventory, warnDays, critDays, timeout, concurrency, tlsCa, noCrl, jsonOpt});
    p.addHelpOption();
    auto unknownError = [&](const QString& message) {
        out.fail(makeError(ErrorKind::Usage, message));
        if (!json)
            std::printf("NDES UNKNOWN - %s\n", message.toUtf8().constData());
        return unknown;
    };
    if (!p.parse(args))
        return unknownError(p.errorText());
    if (p.isSet(QStringLiteral("help"))) {
        std::fputs(p.helpText().toUtf8().constData(), stdout);
        return ExitOk;
    }
    if (!p.positionalArguments().isEmpty())
        return unknownError(QStringLiteral("Unexpected argument \"%1\".").arg(p.positionalArguments().first()));
    if (p.isSet(url) == p.isSet(inventory))
        return unknownError(QStringLiteral("Give --url URL (repeatable) or --inventory FILE."));

    service::HealthOptions options;
    bool ok1 = false;
    bool ok2 = false;
    bool ok3 = false;
    bool ok4 = false;
    options.thresholds.warningDays = p.value(warnDays).toInt(&ok1);
    options.thresholds.criticalDays = p.value(critDays).toInt(&ok2);
    const double secs = p.value(timeout).toDouble(&ok3);
    const int parallel = p.value(concurrency).toInt(&ok4);
    if (!ok1 || !ok2 || options.thresholds.criticalDays < 0 ||
        options.thresholds.warningDays < options.thresholds.criticalDays)
        return unknownError(QStringLiteral("--warn-days and --crit-days must be whole days, warn >= crit >= 0."));
    if (!ok3 || secs <= 0 || secs > 600)
        return unknownError(QStringLiteral("--timeout must be between 0 and 600 seconds."));
    if (!ok4 || parallel < 1 || parallel > 256)
        return unknownError(QStringLiteral("--concurrency must be between 1 and 256."));
    options.timeoutMs = int(secs * 1000);
    options.checkCrl = !p.isSet(noCrl);

    QList<QSslCertificate> extraCa;
    if (p.isSet(tlsCa)) {
        QFile f(p.value(tlsCa));
        if (!f.open(QIODevice::ReadOnly))
            return unknownError(QStringLiteral("Cannot read --tls-ca file %1: %2").arg(f.fileName(), f.errorString()));
        extraCa = QSslCertificate::fromData(f.readAll(), QSsl::Pem);
        if (extraCa.isEmpty())
            return unknownError(QStringLiteral("--tls-ca file %1 holds no PEM certificate.").arg(f.fileName()));
    }
    QList<service::HealthTarget> targets;
    if (p.isSet(inventory)) {
        if (!QFile::exists(p.value(inventory)))
            return unknownError(QStringLiteral("The inventory %1 does not exist.").arg(p.value(inventory)));
        auto inv = inventory::Inventory::load(p.value(inventory));
        if (!inv)
            return unknownError(inv.error().message);
        for (const inventory::ServerProfile& s : inv->servers())
            targets << s.healthTarget();
        if (targets.isEmpty())
            return unknownError(QStringLiteral("The inventory %1 lists no server.").arg(p.value(inventory)));
    } else {
        for (const QString& u : p.values(url)) {
            const QUrl parsed = QUrl::fromUserInput(u);
            if (!parsed.isValid() || parsed.host().isEmpty() ||
                (parsed.scheme() != QLatin1String("http") && parsed.scheme() != QLatin1String("https")))
                return unknownError(QStringLiteral("--url \"%1\" is not an http:// or https:// URL.").arg(u));
            service::HealthTarget t;
            t.name = parsed.port() > 0 ? QStringLiteral("%1:%2").arg(parsed.host()).arg(parsed.port()) : parsed.host();
            t.scepUrl = parsed;
            targets << t;
        }
    }
    for (service::HealthTarget& t : targets) {
        t.extraTlsCaCertificates += extraCa;
    }

    service::HealthMonitor monitor;
    monitor.setOptions(options);
    monitor.setConcurrency(parallel);
    QList<service::HealthReport> reports;
    QObject::connect(&monitor, &service::HealthMonitor::roundFinished, &monitor,
                     [&reports](const QList<service::HealthReport>& r) {
                         reports = r;
                         QCoreApplication::quit();
                     });
    monitor.probeAll(targets);
    QCoreApplication::exec();
    // Servers in the order given, not the order they answered.
    std::stable_sort(reports.begin(), reports.end(), [&targets](const auto& a, const auto& b) {
        auto index = [&targets](const service::HealthReport& r) {
            for (qsizetype i = 0; i < targets.size(); ++i)
                if (targets[i].scepUrl == r.url)
                    return i;
            return targets.size();
        };
        return index(a) < index(b);
    });
    const int code = service::monitoringExitCode(reports);
    const QString summary = service::monitoringSummary(reports);
    if (json) {
        QJsonArray servers;
        for (const service::HealthReport& r : reports)
            servers.append(r.toJson());
        static const char* const words[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};
        out.document({{QStringLiteral("status"), QLatin1String(words[code])},
                      {QStringLiteral("exitCode"), code},
                      {QStringLiteral("summary"), summary},
                      {QStringLiteral("servers"), servers}});
        return code;
    }
    out.text(summary);
    for (const service::HealthReport& r : reports) {
        out.text(QString());
        out.text(QStringLiteral("%1  %2  (%3, %4 ms)")
                     .arg(service::healthStatusName(r.status).toUpper(), r.server, r.url.toString())
                     .arg(r.totalMs));
        for (const service::HealthReason& reason : r.reasons)
            out.text(QStringLiteral("  [%1] %2: %3")
                         .arg(service::healthStatusName(reason.severity), reason.code, reason.message));
        for (const service::ExpiryItem& e : r.expiries)
            out.text(QStringLiteral("  %1 %2  %3  expires %4 (%5 days)")
                         .arg(service::expiryStatusName(e.status).leftJustified(8),
                              service::expiryRoleName(e.role).leftJustified(13), e.subject,
                              e.notAfter.toString(Qt::ISODate))
                         .arg(e.daysLeft));
        for (const service::ProbeStep& s : r.steps)
            out.text(QStringLiteral("  step %1 %2 %3 ms  %4")
                         .arg(s.name.leftJustified(6), s.ok ? QStringLiteral("ok  ") : QStringLiteral("FAIL"))
                         .arg(s.ms)
                         .arg(s.detail));
    }
    return code;
}

} // namespace

int main(int argc, char* argv[]) {
    // No core dumps, no ptrace by other processes of the user: this process holds private keys and passwords.
    hardenProcess();

    QCoreApplication app(argc, argv);
    inventory::setApplicationNames(); // the console's inventory and settings, under ndes-console/
    QCoreApplication::setApplicationVersion(QStringLiteral(NDES_VERSION));
    QStringList args = QCoreApplication::arguments();
    const bool json = args.contains(QStringLiteral("--json"));
    if (args.size() < 2 || args.at(1) == QLatin1String("--help") || args.at(1) == QLatin1String("-h") ||
        args.at(1) == QLatin1String("help")) {
        std::fputs(usageText, args.size() < 2 ? stderr : stdout);
        return args.size() < 2 ? ExitUsage : ExitOk;
    }
    if (args.at(1) == QLatin1String("--version")) {
        std::puts("ndesctl 0.1.0");
        return ExitOk;
    }
    const QString command = args.takeAt(1);
    if (command == QLatin1String("caps"))
        return runCaps(args, json);
    if (command == QLatin1String("cacert"))
        return runCaCert(args, json);
    if (command == QLatin1String("enroll"))
        return runEnrollment(args, json, false);
    if (command == QLatin1String("renew"))
        return runEnrollment(args, json, true);
    if (command == QLatin1String("challenge"))
        return runChallenge(args, json);
    if (command == QLatin1String("keychain"))
        return runKeychain(args, json);
    if (command == QLatin1String("check"))
        return runCheck(args, json);
    if (command == QLatin1String("test"))
        return runTest(args, json);
    if (command == QLatin1String("load"))
        return runLoad(args, json);
    if (command == QLatin1String("events"))
        return runEvents(args, json);
    if (command == QLatin1String("listen"))
        return runListen(args, json);
    if (command == QLatin1String("plan"))
        return runPlan(args, json);
    std::fprintf(stderr, "error: unknown command \"%s\"\n\n%s", command.toLocal8Bit().constData(), usageText);
    return ExitUsage;
}
