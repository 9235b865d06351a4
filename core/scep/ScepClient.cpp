// SPDX-License-Identifier: Apache-2.0
#include "scep/ScepClient.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPointer>
#include <QSslConfiguration>
#include <QTimer>
#include <QUrlQuery>

namespace ndes::scep {

namespace {
QString tr(const char* text) {
    return QCoreApplication::translate("ScepClient", text);
}

// State of one HTTP request (hop) in flight.
struct HopState {
    QByteArray body;
    bool timedOut = false;
    bool tooLarge = false;
    QStringList sslErrors;
};

QString mb(qint64 bytes) {
    return QString::number(double(bytes) / (1024.0 * 1024.0), 'f', 1);
}
} // namespace

ScepClient::ScepClient(QUrl url, ScepClientOptions options, QObject* parent)
    : QObject(parent)
    , m_url(std::move(url))
    , m_options(std::move(options))
    , m_nam(new QNetworkAccessManager(this)) {
    m_nam->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
}

ScepClient::~ScepClient() = default;

QUrl ScepClient::operationUrl(const QString& operation, const QString& message) const {
    QUrl url = m_url;
    QString query = QStringLiteral("operation=") + operation;
    if (!message.isEmpty())
        query += QStringLiteral("&message=") + QString::fromLatin1(QUrl::toPercentEncoding(message));
    url.setQuery(query, QUrl::StrictMode);
    return url;
}

void ScepClient::get(const QString& operation, const QString& message, std::function<void(Result<HttpAnswer>)> done) {
    send(QNetworkRequest(operationUrl(operation, message)), nullptr, std::move(done));
}

void ScepClient::fetchUrl(const QUrl& url, std::function<void(Result<HttpAnswer>)> done) {
    send(QNetworkRequest(url), nullptr, std::move(done));
}

void ScepClient::send(const QNetworkRequest& request, const QByteArray* postBody,
                      std::function<void(Result<HttpAnswer>)> done) {
    const QUrl requested = request.url();
    if (requested.scheme() != QLatin1String("http") && requested.scheme() != QLatin1String("https")) {
        QTimer::singleShot(0, this, [done = std::move(done), requested] {
            done(
                makeError(ErrorKind::Usage, tr("\"%1\" is not an http:// or https:// URL.").arg(requested.toString())));
        });
        return;
    }
    auto exchange = std::make_shared<Exchange>();
    exchange->deadline = QDeadlineTimer(m_options.timeoutMs);
    exchange->body = postBody ? *postBody : QByteArray();
    exchange->isPost = postBody != nullptr;
    exchange->done = std::move(done);
    exchange->original = requested;
    sendHop(request, exchange);
}

// One HTTP request of an exchange. Redirects are never followed by Qt: each hop is checked here (same host,
// no downgrade to plain HTTP, bounded count), so a hostile server cannot lead the client anywhere or loop it.
void ScepClient::sendHop(const QNetworkRequest& original, const std::shared_ptr<Exchange>& exchange) {
    QNetworkRequest request = original;
    const QUrl requested = request.url();
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    request.setHeader(QNetworkRequest::UserAgentHeader, QStringLiteral("NDES-Console/0.1"));
    if (requested.scheme() == QLatin1String("https")) {
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setPeerVerifyMode(QSslSocket::VerifyPeer);
        if (!m_options.extraTlsCaCertificates.isEmpty())
            tls.addCaCertificates(m_options.extraTlsCaCertificates);
        request.setSslConfiguration(tls);
    }

    QNetworkReply* reply = exchange->isPost ? m_nam->post(request, exchange->body) : m_nam->get(request);
    auto state = std::make_shared<HopState>();
    auto* timer = new QTimer(reply);
    timer->setSingleShot(true);
    connect(timer, &QTimer::timeout, reply, [reply, state] {
        state->timedOut = true;
        reply->abort();
    });
    timer->start(int(qMax<qint64>(1, exchange->deadline.remainingTime())));

    const qint64 cap = m_options.maxBodyBytes;
    auto checkSize = [reply, state, cap] {
        const QVariant len = reply->header(QNetworkRequest::ContentLengthHeader);
        if (len.isValid() && len.toLongLong() > cap) {
            state->tooLarge = true;
            reply->abort();
        }
    };
    connect(reply, &QNetworkReply::metaDataChanged, reply, checkSize);
    connect(reply, &QNetworkReply::readyRead, reply, [reply, state, cap] {
        if (state->tooLarge)
            return;
        state->body += reply->read(cap + 1 - state->body.size());
        if (state->body.size() > cap) {
            state->tooLarge = true;
            state->body.clear();
            reply->abort();
        }
    });
    connect(reply, &QNetworkReply::sslErrors, reply, [this, reply, state](const QList<QSslError>& errors) {
        bool allAccepted = !m_options.acceptedTlsErrors.isEmpty();
        for (const QSslError& e : errors)
            allAccepted = allAccepted && m_options.acceptedTlsErrors.contains(e);
        if (allAccepted) {
            reply->ignoreSslErrors(errors);
            return;
        }
        for (const QSslError& e : errors)
            state->sslErrors << e.errorString();
    });

    connect(reply, &QNetworkReply::finished, this, [this, reply, state, exchange, requested] {
        reply->deleteLater();
        auto finish = [exchange](Result<HttpAnswer> r) {
            auto done = std::move(exchange->done);
            exchange->done = nullptr;
            if (done)
                done(std::move(r));
        };
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (state->timedOut)
            return finish(makeError(ErrorKind::Timeout,
                                    tr("%1 did not answer within %2 seconds. Check that the server is up, or raise the "
                                       "timeout.")
                                        .arg(requested.host())
                                        .arg(m_options.timeoutMs / 1000.0)));
        if (state->tooLarge)
            return finish(
                makeError(ErrorKind::BadReply, tr("The answer from %1 is larger than %2 MB and was cut off; a "
                                                  "SCEP answer is a few kilobytes. Check the URL.")
                                                   .arg(requested.host(), mb(m_options.maxBodyBytes))));
        if (!state->sslErrors.isEmpty() || reply->error() == QNetworkReply::SslHandshakeFailedError) {
            return finish(makeError(ErrorKind::Tls,
                                    tr("The TLS connection to %1 could not be trusted: %2. Check the server's "
                                       "certificate, or give its CA with --tls-ca.")
                                        .arg(requested.host(), state->sslErrors.isEmpty()
                                                                   ? reply->errorString()
                                                                   : state->sslErrors.join(QStringLiteral("; "))),
                                    reply->errorString()));
        }
        if (status >= 300 && status < 400 && reply->hasRawHeader("Location")) {
            const QUrl target = requested.resolved(QUrl::fromEncoded(reply->rawHeader("Location")));
            QString refused;
            if (!target.isValid() ||
                (target.scheme() != QLatin1String("http") && target.scheme() != QLatin1String("https")))
                refused = tr("The server redirected to \"%1\", which is not an HTTP URL; that was refused.")
                              .arg(QString::fromLatin1(reply->rawHeader("Location").left(200)));
            else if (!m_options.allowRedirectToHttp && requested.scheme() == QLatin1String("https") &&
                     target.scheme() != QLatin1String("https"))
                refused =
                    tr("The server redirected from HTTPS to plain HTTP (%1); that was refused.").arg(target.toString());
            else if (!m_options.allowRedirectToOtherHost &&
                     (target.host().compare(requested.host(), Qt::CaseInsensitive) != 0 ||
                      target.port(target.scheme() == QLatin1String("https") ? 443 : 80) !=
                          requested.port(requested.scheme() == QLatin1String("https") ? 443 : 80)))
                refused = tr("The server redirected to another host (%1); that was refused.").arg(target.toString());
            else if (++exchange->redirects > m_options.maxRedirects)
                refused = tr("The server redirected more than %1 times (last to %2); a redirect loop was stopped.")
                              .arg(m_options.maxRedirects)
                              .arg(target.toString());
            if (!refused.isEmpty())
                return finish(makeError(ErrorKind::Network, refused,
                                        tr("if this redirect is expected, allow it (ndesctl: --allow-redirect-host or "
                                           "--allow-redirect-http)")));
            if (exchange->deadline.hasExpired())
                return finish(makeError(ErrorKind::Timeout, tr("%1 did not answer within %2 seconds.")
                                                                .arg(exchange->original.host())
                                                                .arg(m_options.timeoutMs / 1000.0)));
            return sendHop(QNetworkRequest(target), exchange);
        }
        if (status == 0 || (reply->error() != QNetworkReply::NoError && status < 400)) {
            return finish(makeError(ErrorKind::Network,
                                    tr("Could not reach %1: %2. Check the URL, the server and any firewall in between.")
                                        .arg(requested.toString(QUrl::RemoveQuery), reply->errorString()),
                                    QStringLiteral("QNetworkReply error %1").arg(int(reply->error()))));
        }
        if (status >= 300 && status < 400)
            return finish(makeError(
                ErrorKind::Network,
                tr("%1 answered with a redirect (HTTP %2) without a Location.").arg(requested.host()).arg(status)));
        state->body += reply->read(m_options.maxBodyBytes + 1 - state->body.size());
        if (state->body.size() > m_options.maxBodyBytes)
            return finish(
                makeError(ErrorKind::BadReply, tr("The answer from %1 is larger than %2 MB and was cut off; a "
                                                  "SCEP answer is a few kilobytes. Check the URL.")
                                                   .arg(requested.host(), mb(m_options.maxBodyBytes))));
        HttpAnswer answer;
        answer.status = status;
        answer.body = std::move(state->body);
        answer.contentType = reply->header(QNetworkRequest::ContentTypeHeader).toString();
        answer.finalUrl = reply->url();
        finish(std::move(answer));
    });
}

namespace {
// Turns an HTTP answer with status >= 400 into an error that names the usual NDES cause.
Error httpStatusError(const HttpAnswer& a, const QString& what) {
    QString hint;
    switch (a.status) {
    case 403:
        hint = tr("NDES answers 403 when its service account may not request certificates, the template is not "
                  "available, an RA certificate expired, or (with the Intune connector) to plain browser requests.");
        break;
    case 404:
        hint = tr("Check the path; for NDES it is /certsrv/mscep/mscep.dll.");
        break;
    case 500:
        hint = tr("NDES answers 500 when it cannot use its RA certificates or keys, or cannot reach the CA; see the "
                  "NDES events in the Application log.");
        break;
    case 503:
        hint = tr("The SCEP application pool is stopped; start it in IIS (Start-WebAppPool SCEP).");
        break;
    default:
        hint = a.status >= 500 ? tr("The server failed; look at its logs.") : tr("The server refused the request.");
    }
    Error e = makeError(ErrorKind::HttpStatus, tr("%1 failed with HTTP %2. %3").arg(what).arg(a.status).arg(hint));
    e.httpStatus = a.status;
    e.detail = QString::fromLatin1(a.body.left(200)).simplified();
    return e;
}
} // namespace

void ScepClient::getCaCaps(std::function<void(Result<CaCapabilities>)> done) {
    get(QStringLiteral("GetCACaps"), m_options.caIdentifier, [done = std::move(done)](Result<HttpAnswer> r) {
        if (!r)
            return done(r.error());
        if (r->status >= 400)
            return done(httpStatusError(*r, tr("GetCACaps")));
        done(CaCapabilities::parse(r->body));
    });
}

void ScepClient::getCaCert(std::function<void(Result<CaCertificates>)> done) {
    get(QStringLiteral("GetCACert"), m_options.caIdentifier, [done = std::move(done)](Result<HttpAnswer> r) {
        if (!r)
            return done(r.error());
        if (r->status >= 400)
            return done(httpStatusError(*r, tr("GetCACert")));
        done(CaCertificates::parse(r->body, r->contentType));
    });
}

void ScepClient::getNextCaCert(std::function<void(Result<CaCertificates>)> done) {
    get(QStringLiteral("GetNextCACert"), m_options.caIdentifier, [done = std::move(done)](Result<HttpAnswer> r) {
        if (!r)
            return done(r.error());
        if (r->status >= 400)
            return done(httpStatusError(*r, tr("GetNextCACert")));
        // The rollover certificate comes signed; the certificates inside are what matter here.
        done(CaCertificates::parse(r->body, r->contentType));
    });
}

void ScepClient::pkiOperation(const QByteArray& message, bool usePost, std::function<void(Result<QByteArray>)> done) {
    auto handle = [done = std::move(done)](Result<HttpAnswer> r) {
        if (!r)
            return done(r.error());
        if (r->status >= 400)
            return done(httpStatusError(*r, tr("PKIOperation")));
        if (r->body.isEmpty())
            return done(makeError(ErrorKind::BadReply, tr("The server answered the request with an empty body.")));
        if (r->body.trimmed().startsWith('<'))
            return done(
                makeError(ErrorKind::BadReply, tr("The server answered the request with an HTML page instead of "
                                                  "a SCEP message. Check the URL.")));
        done(std::move(r->body));
    };
    if (usePost) {
        QNetworkRequest request(operationUrl(QStringLiteral("PKIOperation"), {}));
        request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/x-pki-message"));
        send(request, &message, std::move(handle));
    } else {
        send(QNetworkRequest(operationUrl(QStringLiteral("PKIOperation"), QString::fromLatin1(message.toBase64()))),
             nullptr, std::move(handle));
    }
}

} // namespace ndes::scep
