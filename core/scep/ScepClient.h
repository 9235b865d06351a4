// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "scep/CaCapabilities.h"
#include "scep/CaCertificates.h"
#include "util/Result.h"

#include <QDeadlineTimer>
#include <QList>
#include <QObject>
#include <QSslCertificate>
#include <QSslError>
#include <QUrl>
#include <functional>
#include <memory>

class QNetworkAccessManager;
class QNetworkReply;
class QNetworkRequest;

namespace ndes::scep {

struct ScepClientOptions {
    int timeoutMs = 30000;                         // whole request, connection to last byte
    qint64 maxBodyBytes = qint64(8) * 1024 * 1024; // replies beyond this are aborted
    int maxRedirects = 3;
    bool allowRedirectToOtherHost = false;
    bool allowRedirectToHttp = false;              // from https to http
    QList<QSslCertificate> extraTlsCaCertificates; // trusted for HTTPS in addition to the system store
    QString caIdentifier;                          // the optional "message" of GetCACert/GetCACaps
    // TLS errors the caller has already seen, reported, and chosen to accept for read-only lookups of public data
    // (a health probe that goes on to read the RA certificates behind a name mismatch). Only these exact errors,
    // for these exact certificates, are ignored; never set for requests that carry secrets.
    QList<QSslError> acceptedTlsErrors;
};

struct HttpAnswer {
    int status = 0;
    QByteArray body;
    QString contentType;
    QUrl finalUrl;
};

// Asynchronous SCEP transport (RFC 8894 section 4) on QNetworkAccessManager. Every call ends in exactly one
// callback, on the thread that owns the client, with a value or an Error that says what to do: timeouts,
// TLS errors, refused redirects, oversized or wrong answers never hang and never crash.
class ScepClient : public QObject {
    Q_OBJECT
public:
    ScepClient(QUrl url, ScepClientOptions options = {}, QObject* parent = nullptr);
    ~ScepClient() override;

    [[nodiscard]] const QUrl& url() const { return m_url; }
    [[nodiscard]] const ScepClientOptions& options() const { return m_options; }

    void getCaCaps(std::function<void(Result<CaCapabilities>)> done);
    void getCaCert(std::function<void(Result<CaCertificates>)> done);
    void getNextCaCert(std::function<void(Result<CaCertificates>)> done);
    // Sends a pkiMessage by POST (body) or GET (base64 in the URL) and returns the reply's DER.
    void pkiOperation(const QByteArray& message, bool usePost, std::function<void(Result<QByteArray>)> done);

    // The raw HTTP exchange, for health probes.
    void get(const QString& operation, const QString& message, std::function<void(Result<HttpAnswer>)> done);
    // A GET of any http(s) URL with the same limits (timeout, size, checked redirects): CRLs at CDP URLs.
    void fetchUrl(const QUrl& url, std::function<void(Result<HttpAnswer>)> done);

private:
    // One request through redirects: shared by its hops.
    struct Exchange {
        QDeadlineTimer deadline;
        QByteArray body;
        bool isPost = false;
        int redirects = 0;
        QUrl original;
        std::function<void(Result<HttpAnswer>)> done;
    };

    void sendHop(const QNetworkRequest& request, const std::shared_ptr<Exchange>& exchange);
    void send(const QNetworkRequest& request, const QByteArray* postBody, std::function<void(Result<HttpAnswer>)> done);
    [[nodiscard]] QUrl operationUrl(const QString& operation, const QString& message) const;

    QUrl m_url;
    ScepClientOptions m_options;
    QNetworkAccessManager* m_nam = nullptr;
};

} // namespace ndes::scep
