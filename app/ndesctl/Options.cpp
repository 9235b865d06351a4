// SPDX-License-Identifier: Apache-2.0
#include "Options.h"

#include "CtlOutput.h"
#include "SecretInput.h"
#include "inventory/AppFiles.h"
#include "inventory/CredentialStore.h"
#include "inventory/Inventory.h"

#include <QFile>

#include <cstdio>

namespace ndesctl::opt {

using namespace ndes;

namespace {
const QString urlName = QStringLiteral("url");
const QString timeoutName = QStringLiteral("timeout");
const QString tlsCaName = QStringLiteral("tls-ca");
const QString verboseName = QStringLiteral("verbose");
const QString caPinName = QStringLiteral("ca-sha256");
const QString keySizeName = QStringLiteral("key-size");
const QString redirectHostName = QStringLiteral("allow-redirect-host");
const QString redirectHttpName = QStringLiteral("allow-redirect-http");
const QString caIdentName = QStringLiteral("ca-ident");
const QString challengeEnvName = QStringLiteral("challenge-env");
const QString challengeStdinName = QStringLiteral("challenge-stdin");
const QString adminUrlName = QStringLiteral("admin-url");
const QString authName = QStringLiteral("auth");
const QString userName = QStringLiteral("user");
const QString passwordEnvName = QStringLiteral("password-env");
const QString passwordStdinName = QStringLiteral("password-stdin");
const QString keychainName = QStringLiteral("keychain");
const QString allowHttpName = QStringLiteral("allow-http");

const inventory::ServerProfile* findProfile(const QString& name, inventory::Inventory& storage) {
    // The console's inventory; one an earlier console left in its old folder is read where it is (the console moves
    // it when it starts; ndesctl moves nothing).
    QString path = inventory::Inventory::defaultPath();
    if (!QFile::exists(path) && QFile::exists(inventory::legacyInventoryPath()))
        path = inventory::legacyInventoryPath();
    auto inv = inventory::Inventory::load(path);
    if (!inv)
        return nullptr;
    storage = std::move(*inv);
    return storage.find(name);
}

} // namespace

void addUrl(QCommandLineParser& p, bool repeatable) {
    p.addOption({urlName,
                 repeatable ? QStringLiteral("SCEP endpoint of a server, e.g. "
                                             "https://ndes.example.com/certsrv/mscep/mscep.dll (repeatable).")
                            : QStringLiteral("SCEP endpoint, e.g. https://ndes.example.com/certsrv/mscep/mscep.dll"),
                 QStringLiteral("URL")});
}

Result<QUrl> parseUrl(const QString& text) {
    const QUrl url = QUrl::fromUserInput(text);
    if (!url.isValid() || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")) ||
        url.host().isEmpty())
        return makeError(ErrorKind::Usage, QStringLiteral("--url \"%1\" is not an http:// or https:// URL.").arg(text));
    return url;
}

Result<QUrl> url(const QCommandLineParser& p) {
    if (!p.isSet(urlName))
        return makeError(ErrorKind::Usage, QStringLiteral("--url is required (the SCEP endpoint, for NDES "
                                                          "https://HOST/certsrv/mscep/mscep.dll)."));
    return parseUrl(p.value(urlName));
}

void addTimeout(QCommandLineParser& p, int defaultSeconds) {
    p.addOption({timeoutName,
                 QStringLiteral("Seconds each request to a server may take, its answer included (default %1).")
                     .arg(defaultSeconds),
                 QStringLiteral("SECONDS"), QString::number(defaultSeconds)});
}

Result<int> timeoutMs(const QCommandLineParser& p) {
    bool ok = false;
    const double secs = p.value(timeoutName).toDouble(&ok);
    if (!ok || secs <= 0 || secs > 3600)
        return makeError(ErrorKind::Usage, QStringLiteral("--timeout must be a number of seconds between 0 and 3600."));
    return int(secs * 1000);
}

void addTlsCa(QCommandLineParser& p) {
    p.addOption({tlsCaName,
                 QStringLiteral("PEM file of CA certificates trusted for HTTPS, in addition to the system's."),
                 QStringLiteral("FILE")});
}

Result<QList<QSslCertificate>> tlsCa(const QCommandLineParser& p) {
    if (!p.isSet(tlsCaName))
        return QList<QSslCertificate>();
    QFile f(p.value(tlsCaName));
    if (!f.open(QIODevice::ReadOnly))
        return makeError(ErrorKind::Usage,
                         QStringLiteral("Cannot read --tls-ca file %1: %2").arg(f.fileName(), f.errorString()));
    const QList<QSslCertificate> certs = QSslCertificate::fromData(f.read(qint64(16) * 1024 * 1024), QSsl::Pem);
    if (certs.isEmpty())
        return makeError(ErrorKind::Usage,
                         QStringLiteral("--tls-ca file %1 holds no PEM certificate.").arg(f.fileName()));
    return certs;
}

void addVerbose(QCommandLineParser& p) {
    p.addOption({verboseName, QStringLiteral("Print each step to stderr.")});
}

bool verbose(const QCommandLineParser& p) {
    return p.isSet(verboseName);
}

void addCaPin(QCommandLineParser& p) {
    p.addOption({caPinName,
                 QStringLiteral("SHA-256 fingerprint (hex) of the CA to trust: the RA certificate the request is "
                                "encrypted to and the reply's signer must chain to it, or nothing is sent."),
                 QStringLiteral("HEX")});
}

Result<QByteArray> caPin(const QCommandLineParser& p) {
    if (!p.isSet(caPinName))
        return QByteArray();
    const QString hex = p.value(caPinName).remove(QLatin1Char(':')).remove(QLatin1Char(' '));
    const QByteArray pin = QByteArray::fromHex(hex.toLatin1());
    if (hex.size() != 64 || pin.size() != 32)
        return makeError(ErrorKind::Usage, QStringLiteral("--ca-sha256 must be 64 hex digits (colons allowed)."));
    return pin;
}

void addKeySize(QCommandLineParser& p) {
    p.addOption({keySizeName, QStringLiteral("RSA key size: 2048, 3072 or 4096 (default 2048)."),
                 QStringLiteral("BITS"), QStringLiteral("2048")});
}

Result<int> keySize(const QCommandLineParser& p) {
    bool ok = false;
    const int bits = p.value(keySizeName).toInt(&ok);
    if (!ok || (bits != 2048 && bits != 3072 && bits != 4096))
        return makeError(ErrorKind::Usage, QStringLiteral("--key-size must be 2048, 3072 or 4096."));
    return bits;
}

void addNames(QCommandLineParser& p, const QString& subjectHelp) {
    p.addOptions({{QStringLiteral("subject"), subjectHelp, QStringLiteral("DN")},
                  {QStringLiteral("san-dns"), QStringLiteral("DNS subject alternative name (repeatable)."),
                   QStringLiteral("NAME")},
                  {QStringLiteral("san-ip"), QStringLiteral("IP subject alternative name (repeatable)."),
                   QStringLiteral("IP")}});
}

void addScepClient(QCommandLineParser& p) {
    p.addOptions(
        {{redirectHostName, QStringLiteral("Follow redirects to another host.")},
         {redirectHttpName, QStringLiteral("Follow redirects from HTTPS to plain HTTP.")},
         {caIdentName, QStringLiteral("CA identifier sent as the message of GetCACert."), QStringLiteral("TEXT")}});
}

Result<scep::ScepClientOptions> scepClientOptions(const QCommandLineParser& p) {
    scep::ScepClientOptions o;
    auto ms = timeoutMs(p);
    if (!ms)
        return ms.error();
    o.timeoutMs = *ms;
    auto extra = tlsCa(p);
    if (!extra)
        return extra.error();
    o.extraTlsCaCertificates = *extra;
    o.allowRedirectToOtherHost = p.isSet(redirectHostName);
    o.allowRedirectToHttp = p.isSet(redirectHttpName);
    o.caIdentifier = p.value(caIdentName);
    return o;
}

void addChallenge(QCommandLineParser& p, const QString& envHelp, const QString& stdinHelp) {
    p.addOptions({{challengeEnvName, envHelp, QStringLiteral("VAR")}, {challengeStdinName, stdinHelp}});
}

bool challengeGiven(const QCommandLineParser& p) {
    return p.isSet(challengeEnvName) || p.isSet(challengeStdinName);
}

Result<SecretBytes> challenge(const QCommandLineParser& p) {
    return readSecret(p, challengeEnvName, challengeStdinName, QStringLiteral("the challenge password"),
                      QStringLiteral("--challenge-env VAR or --challenge-stdin"));
}

void addAdmin(QCommandLineParser& p, bool repeatableUrl) {
    p.addOptions(
        {{adminUrlName,
          repeatableUrl
              ? QStringLiteral("NDES admin page, e.g. https://ndes.example.com/certsrv/mscep_admin/ (repeatable: "
                               "challenge passwords are taken from each in turn).")
              : QStringLiteral("NDES admin page, e.g. https://ndes.example.com/certsrv/mscep_admin/"),
          QStringLiteral("URL")},
         {authName, QStringLiteral("ntlm (default), negotiate (your Kerberos ticket), basic or none."),
          QStringLiteral("METHOD"), QStringLiteral("ntlm")},
         {userName, QStringLiteral("Account for NTLM or Basic, DOMAIN\\user."), QStringLiteral("USER")},
         {passwordEnvName, QStringLiteral("Environment variable that holds the account's password."),
          QStringLiteral("VAR")},
         {passwordStdinName, QStringLiteral("Read the account's password from the first line of standard input.")},
         {keychainName,
          QStringLiteral("Take the account's password from the OS keychain: the entry of server profile NAME, or "
                         "the entry NAME stored with \"ndesctl keychain set\"."),
          QStringLiteral("NAME")},
         {allowHttpName, QStringLiteral("Allow a plain-HTTP admin page (the password travels in clear).")}});
}

bool adminGiven(const QCommandLineParser& p) {
    return p.isSet(adminUrlName);
}

QList<QUrl> adminUrls(const QCommandLineParser& p) {
    QList<QUrl> urls;
    for (const QString& u : p.values(adminUrlName))
        urls << QUrl(u);
    return urls;
}

Result<service::ChallengeRequest> adminRequest(const QCommandLineParser& p) {
    service::ChallengeRequest req;
    req.adminUrl = QUrl(p.value(adminUrlName));
    const auto method = service::adminAuthFromName(p.value(authName));
    if (!method)
        return makeError(ErrorKind::Usage, QStringLiteral("--auth must be ntlm, negotiate, basic or none."));
    req.auth = *method;
    req.user = p.value(userName);
    req.allowHttp = p.isSet(allowHttpName);
    if (req.allowHttp && req.adminUrl.scheme().compare(QLatin1String("http"), Qt::CaseInsensitive) == 0)
        CtlOutput(false).warn(QStringLiteral(
            "--allow-http: the admin page is read over plain HTTP, so the challenge password (and with Basic, the "
            "account's password) crosses the network in clear. Use https:// outside a lab."));
    if (req.auth != service::AdminAuth::Ntlm && req.auth != service::AdminAuth::Basic)
        return req;
    if (req.user.isEmpty())
        return makeError(ErrorKind::Usage,
                         QStringLiteral("--user DOMAIN\\user is required for %1.").arg(p.value(authName)));
    if (p.isSet(keychainName)) {
        if (p.isSet(passwordEnvName) || p.isSet(passwordStdinName))
            return makeError(ErrorKind::Usage, QStringLiteral("Give the password with one of --password-env, "
                                                              "--password-stdin or --keychain."));
        // A server's saved password goes to that server's admin page only, as the console sends it.
        inventory::Inventory inv;
        if (const inventory::ServerProfile* profile = findProfile(p.value(keychainName), inv)) {
            const QUrl saved = profile->adminUrl;
            if (saved.scheme().compare(req.adminUrl.scheme(), Qt::CaseInsensitive) != 0 ||
                saved.host().compare(req.adminUrl.host(), Qt::CaseInsensitive) != 0 ||
                saved.port(saved.scheme() == QLatin1String("https") ? 443 : 80) !=
                    req.adminUrl.port(req.adminUrl.scheme() == QLatin1String("https") ? 443 : 80))
                return makeError(ErrorKind::Usage,
                                 QStringLiteral("The keychain entry of server \"%1\" is for its admin page %2, not %3: "
                                                "its password is sent nowhere else. Give that --admin-url, or store "
                                                "another entry with \"ndesctl keychain set NAME\".")
                                     .arg(profile->name, saved.toString(), req.adminUrl.toString()));
            if (saved.scheme() == QLatin1String("http") && !profile->allowHttp)
                return makeError(ErrorKind::Usage,
                                 QStringLiteral("Server \"%1\" is not allowed plain HTTP in the console; its saved "
                                                "password is not sent over it.")
                                     .arg(profile->name));
            if (req.user.compare(profile->user, Qt::CaseInsensitive) != 0)
                return makeError(ErrorKind::Usage,
                                 QStringLiteral("The keychain entry of server \"%1\" is the password of %2, not of %3.")
                                     .arg(profile->name, profile->user, req.user));
        }
        auto secret = inventory::CredentialStore::readBlocking(keychainKey(p.value(keychainName)));
        if (!secret)
            return secret.error();
        req.password = std::move(*secret);
        return req;
    }
    auto secret = readSecret(p, passwordEnvName, passwordStdinName, QStringLiteral("the account's password"),
                             QStringLiteral("--password-env VAR, --password-stdin or --keychain NAME"));
    if (!secret)
        return secret.error();
    req.password = std::move(*secret);
    return req;
}

QString keychainKey(const QString& name) {
    inventory::Inventory inv;
    if (const inventory::ServerProfile* profile = findProfile(name, inv))
        return inventory::CredentialStore::keyForServer(profile->id);
    return name;
}

} // namespace ndesctl::opt
