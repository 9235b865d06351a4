// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ndes/ChallengePasswordClient.h"
#include "scep/ScepClient.h"
#include "util/Result.h"
#include "util/SecretBytes.h"

#include <QCommandLineParser>
#include <QSslCertificate>
#include <QUrl>

// The options more than one command takes, each defined here once with one meaning, and what reads them.
namespace ndesctl::opt {

// --url URL: the SCEP endpoint.
void addUrl(QCommandLineParser& p, bool repeatable = false);
ndes::Result<QUrl> url(const QCommandLineParser& p); // required, http(s)
ndes::Result<QUrl> parseUrl(const QString& text);

// --timeout SECONDS: how long each request to a server may take, its answer included.
void addTimeout(QCommandLineParser& p, int defaultSeconds);
ndes::Result<int> timeoutMs(const QCommandLineParser& p);

// --tls-ca FILE: CA certificates trusted for HTTPS in addition to the system's (SCEP and admin page alike).
void addTlsCa(QCommandLineParser& p);
ndes::Result<QList<QSslCertificate>> tlsCa(const QCommandLineParser& p);

// --verbose: each step to stderr (enroll, renew, test).
void addVerbose(QCommandLineParser& p);
[[nodiscard]] bool verbose(const QCommandLineParser& p);

// --ca-sha256 HEX: the CA the RA certificate and the reply's signer must chain to (commands that send a challenge).
void addCaPin(QCommandLineParser& p);
ndes::Result<QByteArray> caPin(const QCommandLineParser& p); // empty when not given

// --key-size BITS: 2048 (default), 3072 or 4096.
void addKeySize(QCommandLineParser& p);
ndes::Result<int> keySize(const QCommandLineParser& p);

// --subject, --san-dns, --san-ip: what the requested certificate names.
void addNames(QCommandLineParser& p, const QString& subjectHelp);

// --allow-redirect-host, --allow-redirect-http, --ca-ident: how the SCEP client talks (caps, cacert, enroll, renew).
void addScepClient(QCommandLineParser& p);
// The SCEP client's options from --timeout, --tls-ca and the addScepClient ones (which must be declared).
ndes::Result<ndes::scep::ScepClientOptions> scepClientOptions(const QCommandLineParser& p);

// --challenge-env VAR | --challenge-stdin: the challenge password, never on the command line.
void addChallenge(QCommandLineParser& p, const QString& envHelp, const QString& stdinHelp);
[[nodiscard]] bool challengeGiven(const QCommandLineParser& p);
ndes::Result<ndes::SecretBytes> challenge(const QCommandLineParser& p);

// The NDES admin page and its account (challenge, test, load): --admin-url, --auth, --user, --password-env,
// --password-stdin, --keychain, --allow-http.
void addAdmin(QCommandLineParser& p, bool repeatableUrl = false);
[[nodiscard]] bool adminGiven(const QCommandLineParser& p);
QList<QUrl> adminUrls(const QCommandLineParser& p);
// The request for the (first) admin page, the password read as asked; no URL check beyond presence.
ndes::Result<ndes::service::ChallengeRequest> adminRequest(const QCommandLineParser& p);

// What `test` and `load` share: the SCEP target (--url, --timeout, --tls-ca) and, when --admin-url is given, the
// admin page's account, filled into their options; the admin page URL(s) themselves are theirs to take.
template <typename Options> ndes::Status fillTargetAndAccount(const QCommandLineParser& p, Options& o) {
    auto target = url(p);
    if (!target)
        return target.error();
    auto ms = timeoutMs(p);
    if (!ms)
        return ms.error();
    auto extraCa = tlsCa(p);
    if (!extraCa)
        return extraCa.error();
    o.scepUrl = *target;
    o.timeoutMs = *ms;
    o.extraTlsCaCertificates = *extraCa;
    if (!adminGiven(p))
        return {};
    auto built = adminRequest(p);
    if (!built)
        return built.error();
    o.auth = built->auth;
    o.user = built->user;
    o.password = std::move(built->password);
    o.allowHttp = built->allowHttp;
    return {};
}

// The keychain entry for NAME: the server profile of that name or id in the inventory, else NAME itself.
QString keychainKey(const QString& name);

} // namespace ndesctl::opt
