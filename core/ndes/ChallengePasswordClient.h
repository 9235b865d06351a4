// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ndes/AdminPage.h"
#include "util/Result.h"
#include "util/SecretBytes.h"

#include <QByteArray>
#include <QDateTime>
#include <QFuture>
#include <QList>
#include <QSslCertificate>
#include <QStringList>
#include <QUrl>

namespace ndes::service {

enum class AdminAuth { Ntlm, Negotiate, Basic, None };

[[nodiscard]] QString adminAuthName(AdminAuth auth); // "ntlm", "negotiate", "basic", "none"
[[nodiscard]] std::optional<AdminAuth> adminAuthFromName(const QString& name);
// The PEM bundle libcurl takes as its CA list (ChallengeRequest::extraCaPem), from Qt's certificates.
[[nodiscard]] QByteArray pemBundle(const QList<QSslCertificate>& certificates);

struct ChallengeRequest {
    QUrl adminUrl; // https://HOST/certsrv/mscep_admin/
    AdminAuth auth = AdminAuth::Ntlm;
    QString user;           // DOMAIN\user (NTLM, Basic); empty for Negotiate (the current ticket)
    SecretBytes password;   // NTLM, Basic
    bool allowHttp = false; // plain HTTP only when a profile explicitly allows it
    QByteArray extraCaPem;  // CA certificates trusted for this server's TLS, in addition to the system's
    int timeoutMs = 30000;  // the whole fetch, every authentication leg included
    int maxRequests = 4;    // HTTP requests per fetch: 401 forever ends here
};

struct ChallengePassword {
    SecretBytes password;
    int validityMinutes = -1;
    bool neverExpires = false;
    QString caThumbprint;
    QDateTime fetchedAt; // UTC, from the injectable clock
    QString server;      // host of the admin URL
    int httpRequests = 0;
};

// Fetches a one-time challenge password from NDES's admin page through libcurl (NTLM with typed
// credentials, Negotiate/Kerberos with the user's ticket, or Basic); Qt's QAuthenticator is not fit for this
// (DESIGN.md). Every failure becomes an Error whose `code` names it ("cache-full", "insufficient-permission",
// "unauthorized", "forbidden", "app-pool-stopped", "tls", "timeout", ...) and whose message says what to do.
struct AdminPageProbe {
    int httpStatus = 0;
    QStringList offeredSchemes; // from WWW-Authenticate, e.g. "Negotiate", "NTLM"
};

class ChallengePasswordClient {
public:
    // Checks that the admin page answers, without credentials (HEAD): a 401 offering Windows authentication is
    // the healthy answer; a 200 means the page is open to anyone. Blocking; run it on a worker.
    static Result<AdminPageProbe> probe(const QUrl& adminUrl, bool allowHttp, const QByteArray& extraCaPem = {},
                                        int timeoutMs = 15000);
    // Blocking; call from a worker thread (fetchAsync does).
    static Result<ChallengePassword> fetch(const ChallengeRequest& request);
    static QFuture<Result<ChallengePassword>> fetchAsync(ChallengeRequest request);
};

} // namespace ndes::service
