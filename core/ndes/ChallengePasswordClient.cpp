// SPDX-License-Identifier: Apache-2.0
#include "ndes/ChallengePasswordClient.h"
#include "util/Access.h"

#include "util/Clock.h"

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/x509.h>

#include <QCoreApplication>
#include <QThread>
#include <QtConcurrent/QtConcurrentRun>

#include <cstdlib>
#include <mutex>

namespace ndes::service {

namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("ChallengePasswordClient", text);
}

Error coded(ErrorKind kind, const char* code, QString message, QString detail = {}) {
    Error e = makeError(kind, std::move(message), std::move(detail));
    e.code = QString::fromLatin1(code);
    return e;
}

struct Transfer {
    // The page holds the password: its buffer is reserved once (no reallocation leaves copies behind in freed
    // memory) and wiped when the transfer ends, however it ends.
    Transfer() { body.reserve(AdminPage::maxBytes); }
    ~Transfer() { SecretBytes::cleanse(body); }
    Transfer(const Transfer&) = delete;
    Transfer& operator=(const Transfer&) = delete;
    QByteArray body;
    bool tooLarge = false;
    int requests = 0;
    int maxRequests = 4;
    bool tooManyRequests = false;
};

size_t onBody(char* data, size_t size, size_t count, void* user) {
    auto* t = static_cast<Transfer*>(user);
    const size_t n = size * count;
    if (t->body.size() + qsizetype(n) > AdminPage::maxBytes) {
        t->tooLarge = true;
        return 0; // aborts the transfer
    }
    t->body.append(data, qsizetype(n));
    return n;
}

// Counts requests: curl reports each new response's status line as a header starting with "HTTP/".
size_t onHeader(char* data, size_t size, size_t count, void* user) {
    auto* t = static_cast<Transfer*>(user);
    const size_t n = size * count;
    if (n >= 5 && std::memcmp(data, "HTTP/", 5) == 0) {
        // Only the last response's body counts: wipe the earlier one, keep the reserved buffer.
        if (!t->body.isEmpty())
            OPENSSL_cleanse(t->body.data(), size_t(t->body.size()));
        t->body.resize(0);
        if (++t->requests > t->maxRequests) {
            t->tooManyRequests = true;
            return 0;
        }
    }
    return n;
}

struct CurlDeleter {
    void operator()(CURL* c) const { curl_easy_cleanup(c); }
};

// Makes curl trust these CA certificates in addition to the system's (what --tls-ca and a profile's TLS CA file mean
// everywhere, as for the SCEP requests); `pem` and `blob` must outlive the transfer. A CA blob replaces curl's CA
// file, not its CA directory: the system's certificates stay trusted through OpenSSL's certificate directory, looked
// up by hash when needed (a bundle of all ~150 parsed into every transfer took seconds under a sanitizer).
void trustAlso(CURL* c, QByteArray& pem, curl_blob& blob) {
    if (pem.isEmpty())
        return;
    blob.data = pem.data();
    blob.len = size_t(pem.size());
    blob.flags = CURL_BLOB_NOCOPY;
    curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &blob);
    // OpenSSL's certificate directory, or SSL_CERT_DIR when set, as OpenSSL itself and Qt read it.
    const char* dir = std::getenv(X509_get_default_cert_dir_env());
    curl_easy_setopt(c, CURLOPT_CAPATH, dir && *dir ? dir : X509_get_default_cert_dir());
}

void globalInit() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

} // namespace

QString adminAuthName(AdminAuth auth) {
    switch (auth) {
    case AdminAuth::Ntlm:
        return QStringLiteral("ntlm");
    case AdminAuth::Negotiate:
        return QStringLiteral("negotiate");
    case AdminAuth::Basic:
        return QStringLiteral("basic");
    case AdminAuth::None:
        return QStringLiteral("none");
    }
    return {};
}

std::optional<AdminAuth> adminAuthFromName(const QString& name) {
    for (AdminAuth a : {AdminAuth::Ntlm, AdminAuth::Negotiate, AdminAuth::Basic, AdminAuth::None})
        if (name.compare(adminAuthName(a), Qt::CaseInsensitive) == 0)
            return a;
    return std::nullopt;
}

namespace {

// libcurl runs OpenSSL on whatever thread calls it; a worker of a thread pool lives on idle and keeps OpenSSL's
// per-thread state (error queue, DRBG) until the process ends. Freed at the end of each blocking call instead.
struct WorkerOpenSslState {
    WorkerOpenSslState() = default;
    WorkerOpenSslState(const WorkerOpenSslState&) = delete;
    WorkerOpenSslState& operator=(const WorkerOpenSslState&) = delete;
    ~WorkerOpenSslState() {
        const QCoreApplication* app = QCoreApplication::instance();
        if (app && QThread::currentThread() != app->thread())
            OPENSSL_thread_stop();
    }
};

} // namespace

QByteArray pemBundle(const QList<QSslCertificate>& certificates) {
    QByteArray pem;
    for (const QSslCertificate& c : certificates)
        pem += c.toPem();
    return pem;
}

Result<ChallengePassword> ChallengePasswordClient::fetch(const ChallengeRequest& request) {
    // Each password fills a slot of NDES's password cache: never in auditor mode.
    if (auto capability = Access::request(WriteOperation::ChallengePassword); !capability)
        return capability.error();
    const WorkerOpenSslState freeOpenSslStateOnReturn;
    const QUrl& url = request.adminUrl;
    const QString host = url.host();
    if (!url.isValid() || host.isEmpty() ||
        (url.scheme() != QLatin1String("https") && url.scheme() != QLatin1String("http")))
        return coded(ErrorKind::Usage, "bad-url",
                     tr("\"%1\" is not an http(s) URL of an NDES admin page.").arg(url.toString()));
    if (url.scheme() == QLatin1String("http") && !request.allowHttp)
        return coded(ErrorKind::Usage, "http-not-allowed",
                     tr("The admin URL uses plain HTTP, so the challenge password (and for Basic, your password) would "
                        "travel in clear. Use https://, or allow HTTP for this server explicitly."));
    if ((request.auth == AdminAuth::Ntlm || request.auth == AdminAuth::Basic) && request.user.isEmpty())
        return coded(
            ErrorKind::Usage, "no-user",
            tr("%1 authentication needs a user name (DOMAIN\\user).").arg(adminAuthName(request.auth).toUpper()));

    globalInit();
    std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
    if (!curl)
        return coded(ErrorKind::Internal, "internal", tr("libcurl could not be initialised."));
    Transfer t;
    t.maxRequests = qMax(1, request.maxRequests);
    const QByteArray urlBytes = url.toEncoded();
    QByteArray user = request.user.toUtf8();
    QByteArray password = request.password.bytes();
    password.detach();
    CURL* c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, urlBytes.constData());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L); // an admin page does not redirect; never follow one blindly
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, long(request.timeoutMs));
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, long(qMin(request.timeoutMs, 15000)));
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, onBody);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, onHeader);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "NDES-Console/0.1");
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_blob caBlob{};
    QByteArray caPem = request.extraCaPem;
    trustAlso(c, caPem, caBlob);
    switch (request.auth) {
    case AdminAuth::Ntlm:
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, long(CURLAUTH_NTLM));
        curl_easy_setopt(c, CURLOPT_USERNAME, user.constData());
        curl_easy_setopt(c, CURLOPT_PASSWORD, password.constData());
        break;
    case AdminAuth::Negotiate:
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, long(CURLAUTH_NEGOTIATE));
        curl_easy_setopt(c, CURLOPT_USERNAME, "");
        curl_easy_setopt(c, CURLOPT_PASSWORD, "");
        break;
    case AdminAuth::Basic:
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, long(CURLAUTH_BASIC));
        curl_easy_setopt(c, CURLOPT_USERNAME, user.constData());
        curl_easy_setopt(c, CURLOPT_PASSWORD, password.constData());
        break;
    case AdminAuth::None:
        break;
    }
    char errorBuffer[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errorBuffer);
    const CURLcode rc = curl_easy_perform(c);
    // The user's password leaves curl's handle and our copy now.
    curl_easy_setopt(c, CURLOPT_PASSWORD, "");
    if (!password.isEmpty())
        OPENSSL_cleanse(password.data(), size_t(password.size()));
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    const QString detail = QString::fromLatin1(errorBuffer);

    if (t.tooManyRequests)
        return coded(ErrorKind::HttpStatus, "auth-loop",
                     tr("%1 kept asking for authentication (%2 requests); the fetch was stopped. Check the user name "
                        "and password, and which authentication the server offers.")
                         .arg(host)
                         .arg(t.maxRequests));
    if (t.tooLarge)
        return coded(ErrorKind::BadReply, "too-large",
                     tr("The answer from %1 is larger than 1 MB; that is not NDES's "
                        "admin page. Check the admin URL.")
                         .arg(host));
    switch (rc) {
    case CURLE_OK:
        break;
    case CURLE_OPERATION_TIMEDOUT:
        return coded(ErrorKind::Timeout, "timeout",
                     tr("%1 did not answer within %2 seconds. Check that IIS is running "
                        "on the NDES server and reachable from here.")
                         .arg(host)
                         .arg(request.timeoutMs / 1000.0),
                     detail);
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
        return coded(ErrorKind::Network, "network",
                     tr("Could not reach %1: %2. Check the URL, the server and any "
                        "firewall in between.")
                         .arg(host, detail),
                     detail);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
        return coded(ErrorKind::Tls, "tls",
                     tr("The TLS connection to %1 could not be trusted: %2. Check the server's "
                        "certificate and its host name, or add its CA to this computer's trusted certificates "
                        "(ndesctl: --tls-ca).")
                         .arg(host, detail),
                     detail);
    default:
        return coded(ErrorKind::Network, "network", tr("Fetching the admin page from %1 failed: %2").arg(host, detail),
                     detail);
    }

    Error e;
    switch (status) {
    case 200:
        break;
    case 401:
        if (request.auth == AdminAuth::Negotiate)
            return coded(ErrorKind::HttpStatus, "unauthorized",
                         tr("%1 did not accept your Kerberos ticket (HTTP 401). Check that you have a ticket (klist), "
                            "that the URL uses the server's DNS name, and that the service account has the SPN "
                            "HTTP/%1.")
                             .arg(host));
        return coded(ErrorKind::HttpStatus, "unauthorized",
                     tr("%1 refused the credentials of %2 (HTTP 401). Check user name (DOMAIN\\user) and password, "
                        "and that the account is not locked.")
                         .arg(host, request.user.isEmpty() ? tr("this request") : request.user));
    case 403:
        return coded(ErrorKind::HttpStatus, "forbidden",
                     tr("%1 forbids the admin page (HTTP 403). Use HTTPS if the site requires SSL, and check IIS's "
                        "authorization rules for /CertSrv/mscep_admin.")
                         .arg(host));
    case 404:
        return coded(ErrorKind::HttpStatus, "not-found",
                     tr("%1 has no admin page at %2 (HTTP 404). For NDES it is "
                        "/certsrv/mscep_admin/.")
                         .arg(host, url.path()));
    case 500:
        return coded(ErrorKind::HttpStatus, "server-error",
                     tr("NDES on %1 failed (HTTP 500). Look at the NDES events in the Application log (RA "
                        "certificates, CA reachability).")
                         .arg(host));
    case 503:
        return coded(ErrorKind::HttpStatus, "app-pool-stopped",
                     tr("The SCEP application pool on %1 is stopped (HTTP 503). Start it: Start-WebAppPool SCEP, or "
                        "restart IIS.")
                         .arg(host));
    default:
        e = coded(ErrorKind::HttpStatus, "http-status", tr("%1 answered HTTP %2.").arg(host).arg(status));
        e.httpStatus = int(status);
        return e;
    }

    auto page = AdminPage::parse(t.body);
    if (!page) {
        Error pe = page.error();
        pe.code = QStringLiteral("not-ndes-page");
        return pe;
    }
    if (page->kind == AdminPageContent::Kind::CacheFull)
        return coded(ErrorKind::HttpStatus, "cache-full",
                     tr("NDES's password cache on %1 is full: %2 unused passwords wait to be used or to expire. Use a "
                        "password already handed out, wait for one to expire, restart IIS (iisreset) to clear the "
                        "cache, or raise PasswordMax in HKLM\\SOFTWARE\\Microsoft\\Cryptography\\MSCEP\\PasswordMax.")
                         .arg(host, page->cacheSize > 0 ? QString::number(page->cacheSize) : tr("all")));
    if (page->kind == AdminPageContent::Kind::InsufficientPermission)
        return coded(ErrorKind::HttpStatus, "insufficient-permission",
                     tr("%1 may not request challenge passwords on %2: the account needs the Enroll permission on the "
                        "certificate templates NDES uses (Certificate Templates console, template Properties, "
                        "Security). NDES logs event 6.")
                         .arg(request.user.isEmpty() ? tr("This account") : request.user, host));
    ChallengePassword out;
    out.password = std::move(page->password);
    out.validityMinutes = page->validityMinutes;
    out.neverExpires = page->neverExpires;
    out.caThumbprint = page->caThumbprint;
    out.fetchedAt = Clock::instance().now();
    out.server = host;
    out.httpRequests = t.requests;
    return out;
}

namespace {
size_t collectSchemes(char* data, size_t size, size_t count, void* user) {
    auto* schemes = static_cast<QStringList*>(user);
    const QByteArray line = QByteArray(data, qsizetype(size * count)).trimmed();
    if (line.startsWith("HTTP/"))
        schemes->clear();
    if (line.toLower().startsWith("www-authenticate:")) {
        const QString value = QString::fromLatin1(line.mid(17)).trimmed();
        const QString scheme = value.section(QLatin1Char(' '), 0, 0);
        if (!scheme.isEmpty() && !schemes->contains(scheme))
            schemes->append(scheme);
    }
    return size * count;
}
} // namespace

Result<AdminPageProbe> ChallengePasswordClient::probe(const QUrl& url, bool allowHttp, const QByteArray& extraCaPem,
                                                      int timeoutMs) {
    const WorkerOpenSslState freeOpenSslStateOnReturn;
    if (!url.isValid() || url.host().isEmpty() ||
        (url.scheme() != QLatin1String("https") && url.scheme() != QLatin1String("http")))
        return coded(ErrorKind::Usage, "bad-url", tr("\"%1\" is not an http(s) URL.").arg(url.toString()));
    if (url.scheme() == QLatin1String("http") && !allowHttp)
        return coded(ErrorKind::Usage, "http-not-allowed",
                     tr("The admin URL uses plain HTTP and this server does not allow it."));
    globalInit();
    std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
    if (!curl)
        return coded(ErrorKind::Internal, "internal", tr("libcurl could not be initialised."));
    CURL* c = curl.get();
    const QByteArray urlBytes = url.toEncoded();
    AdminPageProbe out;
    curl_easy_setopt(c, CURLOPT_URL, urlBytes.constData());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, long(timeoutMs));
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collectSchemes);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &out.offeredSchemes);
    QByteArray caPem = extraCaPem;
    curl_blob caBlob{};
    trustAlso(c, caPem, caBlob);
    char errorBuffer[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errorBuffer);
    const CURLcode rc = curl_easy_perform(c);
    if (rc == CURLE_OPERATION_TIMEDOUT)
        return coded(ErrorKind::Timeout, "timeout",
                     tr("%1 did not answer within %2 seconds.").arg(url.host()).arg(timeoutMs / 1000.0));
    if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CONNECT_ERROR)
        return coded(
            ErrorKind::Tls, "tls",
            tr("The TLS connection to %1 could not be trusted: %2").arg(url.host(), QString::fromLatin1(errorBuffer)));
    if (rc != CURLE_OK)
        return coded(ErrorKind::Network, "network",
                     tr("Could not reach %1: %2").arg(url.host(), QString::fromLatin1(errorBuffer)));
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    out.httpStatus = int(status);
    return out;
}

QFuture<Result<ChallengePassword>> ChallengePasswordClient::fetchAsync(ChallengeRequest request) {
    return QtConcurrent::run([request = std::move(request)] { return fetch(request); });
}

} // namespace ndes::service
