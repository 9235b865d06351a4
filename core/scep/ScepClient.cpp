// SPDX-License-Identifier: Apache-2.0
#include "scep/ScepClient.h"

#include <QCoreApplication>
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

// State of one request in flight; deleted with its reply.
struct Exchange {
    QByteArray body;
    bool timedOut = false;
    bool tooLarge = false;
    QString redirectRefused;
    QStringList sslErrors;
    int redirects = 0;
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
    m_nam->setRedirectPolicy(QNetworkRequest::UserVerifiedRedirectPolicy);
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

void ScepClient::send(QNetworkRequest request, const QByteArray* postBody,
                      std::function<void(Result<HttpAnswer>)> done) {
    const QUrl requested = request.url();
    if (requested.scheme() != QLatin1String("http") && requested.scheme() != QLatin1String("https")) {
        QTimer::singleShot(0, this, [done = std::move(done), requested] {
            done(
                makeError(ErrorKind::Usage, tr("\"%1\" is not an http:// or https:// URL.").arg(requested.toString())));
        });
        return;
    }
    request.setMaximumRedirectsAllowed(m_options.maxRedirects + 1); // our own count stops first
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    request.setHeader(QNetworkRequest::UserAgentHeader, QStringLiteral("NDES-Console/0.1"));
    if (requested.scheme() == QLatin1String("https")) {
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setPeerVerifyMode(QSslSocket::VerifyPeer);
        if (!m_options.extraTlsCaCertificates.isEmpty())
            tls.addCaCertificates(m_options.extraTlsCaCertificates);
        request.setSslConfiguration(tls);
    }

    QNetworkReply* reply = postBody ? m_nam->post(request, *postBody) : m_nam->get(request);
    auto state = std::make_shared<Exchange>();
    auto* timer = new QTimer(reply);
    timer->setSingleShot(true);
    connect(timer, &QTimer::timeout, reply, [reply, state] {
        state->timedOut = true;
        reply->abort();
    });
    timer->start(m_options.timeoutMs);

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
    connect(reply, &QNetworkReply::sslErrors, reply, [state](const QList<QSslError>& errors) {
        for (const QSslError& e : errors)
            state->sslErrors << e.errorString();
    });
    const ScepClientOptions options = m_options;
    connect(reply, &QNetworkReply::redirected, reply, [reply, state, requested, options](const QUrl& target) {
        const QUrl abs = requested.resolved(target);
        if (!options.allowRedirectToHttp && requested.scheme() == QLatin1String("https") &&
            abs.scheme() != QLatin1String("https")) {
            state->redirectRefused =
                tr("The server redirected from HTTPS to plain HTTP (%1); that was refused.").arg(abs.toString());
        } else if (!options.allowRedirectToOtherHost &&
                   (abs.host().compare(requested.host(), Qt::CaseInsensitive) != 0 ||
                    abs.port(0) != requested.port(0))) {
            state->redirectRefused =
                tr("The server redirected to another host (%1); that was refused.").arg(abs.toString());
        }
        if (state->redirectRefused.isEmpty() && ++state->redirects > options.maxRedirects)
            state->redirectRefused = tr("The server redirected more than %1 times (last to %2); a redirect loop was "
                                        "stopped.")
                                         .arg(options.maxRedirects)
                                         .arg(abs.toString());
        if (!state->redirectRefused.isEmpty()) {
            reply->abort();
            return;
        }
        emit reply->redirectAllowed();
    });

    connect(reply, &QNetworkReply::finished, this, [this, reply, state, requested, done = std::move(done)] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (state->timedOut)
            return done(makeError(ErrorKind::Timeout,
                                  tr("%1 did not answer within %2 seconds. Check that the server is up, or raise the "
                                     "timeout.")
                                      .arg(requested.host())
                                      .arg(m_options.timeoutMs / 1000.0)));
        if (state->tooLarge)
            return done(
                makeError(ErrorKind::BadReply, tr("The answer from %1 is larger than %2 MB and was cut off; a SCEP "
                                                  "answer is a few kilobytes. Check the URL.")
                                                   .arg(requested.host(), mb(m_options.maxBodyBytes))));
        if (!state->redirectRefused.isEmpty())
            return done(makeError(ErrorKind::Network, state->redirectRefused,
                                  tr("allow it explicitly if this redirect is expected")));
        if (!state->sslErrors.isEmpty() || reply->error() == QNetworkReply::SslHandshakeFailedError) {
            return done(makeError(
                ErrorKind::Tls,
                tr("The TLS connection to %1 could not be trusted: %2. Check the server's certificate, "
                   "or give its CA with --tls-ca.")
                    .arg(requested.host(), state->sslErrors.isEmpty() ? reply->errorString()
                                                                      : state->sslErrors.join(QStringLiteral("; "))),
                reply->errorString()));
        }
        if (status == 0 || (reply->error() != QNetworkReply::NoError && status < 400)) {
            if (reply->error() == QNetworkReply::TooManyRedirectsError)
                return done(makeError(ErrorKind::Network, tr("%1 redirected too many times.").arg(requested.host())));
            return done(makeError(ErrorKind::Network,
                                  tr("Could not reach %1: %2. Check the URL, the server and any firewall in between.")
                                      .arg(requested.toString(QUrl::RemoveQuery), reply->errorString()),
                                  QStringLiteral("QNetworkReply error %1").arg(int(reply->error()))));
        }
        if (status >= 300 && status < 400)
            return done(makeError(ErrorKind::Network,
                                  tr("%1 answered with a redirect (HTTP %2) that could not be followed.")
                                      .arg(requested.host())
                                      .arg(status),
                                  QString::fromLatin1(reply->rawHeader("Location"))));
        if (!state->tooLarge && state->body.size() <= m_options.maxBodyBytes)
            state->body += reply->read(m_options.maxBodyBytes + 1 - state->body.size());
        HttpAnswer answer;
        answer.status = status;
        answer.body = std::move(state->body);
        answer.contentType = reply->header(QNetworkRequest::ContentTypeHeader).toString();
        answer.finalUrl = reply->url();
        done(std::move(answer));
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
        send(std::move(request), &message, std::move(handle));
    } else {
        send(QNetworkRequest(operationUrl(QStringLiteral("PKIOperation"), QString::fromLatin1(message.toBase64()))),
             nullptr, std::move(handle));
    }
}

} // namespace ndes::scep
