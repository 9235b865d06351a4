// SPDX-License-Identifier: Apache-2.0
#include "LabHttpServer.h"

#include <QSslConfiguration>
#include <QSslServer>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

namespace ndes::lab {

struct LabHttpServer::Connection {
    quint64 id = 0;
    QByteArray buffer;
    QTimer* headerTimer = nullptr;
    QTimer* idleTimer = nullptr;
    bool busy = false; // an answer is pending (delayed); later requests wait in the buffer
};

LabHttpResponse iisError(int status, const QByteArray& reason, const QString& detail) {
    LabHttpResponse r;
    r.status = status;
    r.reason = reason;
    r.headers.append(qMakePair(QByteArray("Content-Type"), QByteArray("text/html")));
    r.body = QStringLiteral("<!DOCTYPE html><html><head><title>IIS Detailed Error - %1</title></head><body>"
                            "<h1>HTTP Error %1 - %2</h1><p>%3</p></body></html>")
                 .arg(QString::number(status), QString::fromLatin1(reason), detail.toHtmlEscaped())
                 .toUtf8();
    return r;
}

LabHttpServer::LabHttpServer(Handler handler, QObject* parent)
    : QObject(parent)
    , m_handler(std::move(handler)) {}

LabHttpServer::~LabHttpServer() {
    qDeleteAll(m_connections);
}

void LabHttpServer::setTls(const QSslCertificate& cert, const QSslKey& key, const QList<QSslCertificate>& chain) {
    m_tls = true;
    m_cert = cert;
    m_key = key;
    m_chain = chain;
}

bool LabHttpServer::listen(const QHostAddress& address, quint16 port, QString* error) {
    if (m_tls) {
        auto* server = new QSslServer(this);
        QSslConfiguration config = QSslConfiguration::defaultConfiguration();
        config.setLocalCertificate(m_cert);
        config.setLocalCertificateChain(QList<QSslCertificate>{m_cert} + m_chain);
        config.setPrivateKey(m_key);
        config.setPeerVerifyMode(QSslSocket::VerifyNone);
        server->setSslConfiguration(config);
        server->setHandshakeTimeout(m_limits.headerTimeoutMs);
        m_server = server;
    } else {
        m_server = new QTcpServer(this);
    }
    connect(m_server, &QTcpServer::pendingConnectionAvailable, this, &LabHttpServer::accept);
    if (!m_server->listen(address, port)) {
        *error = m_server->errorString();
        return false;
    }
    m_address = address;
    return true;
}

quint16 LabHttpServer::port() const {
    return m_server ? m_server->serverPort() : 0;
}

QString LabHttpServer::baseUrl() const {
    const QString host = m_address.protocol() == QAbstractSocket::IPv6Protocol
                             ? QLatin1Char('[') + m_address.toString() + QLatin1Char(']')
                             : m_address.toString();
    return QStringLiteral("%1://%2:%3").arg(m_tls ? QStringLiteral("https") : QStringLiteral("http"), host).arg(port());
}

void LabHttpServer::accept() {
    while (m_server->hasPendingConnections()) {
        QTcpSocket* socket = m_server->nextPendingConnection();
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1); // as IIS: answers go out at once
        auto* c = new Connection;
        c->id = m_nextId++;
        c->headerTimer = new QTimer(socket);
        c->headerTimer->setSingleShot(true);
        c->idleTimer = new QTimer(socket);
        c->idleTimer->setSingleShot(true);
        connect(c->headerTimer, &QTimer::timeout, socket, [socket] { socket->abort(); });
        connect(c->idleTimer, &QTimer::timeout, socket, [socket] { socket->disconnectFromHost(); });
        c->headerTimer->start(m_limits.headerTimeoutMs); // a new connection must send its request soon
        m_connections.insert(socket, c);
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadyRead(socket); });
        connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
            Connection* conn = m_connections.take(socket);
            if (conn) {
                emit connectionClosed(conn->id);
                delete conn;
            }
            socket->deleteLater();
        });
        if (socket->bytesAvailable() > 0)
            onReadyRead(socket);
    }
}

void LabHttpServer::onReadyRead(QTcpSocket* socket) {
    Connection* c = m_connections.value(socket);
    if (!c)
        return;
    c->buffer += socket->readAll();
    c->idleTimer->stop();
    if (!c->headerTimer->isActive())
        c->headerTimer->start(m_limits.headerTimeoutMs);
    process(socket);
}

LabHttpServer::Parsed LabHttpServer::parseRequest(QByteArray& buffer, const Limits& limits, const QByteArray& baseUrl) {
    Parsed out;
    auto fatal = [&](int status, const QByteArray& reason, const QString& detail) {
        out.kind = Parsed::Kind::Error;
        out.error = iisError(status, reason, detail);
        out.keepAlive = false;
        buffer.clear();
        return out;
    };
    const qsizetype headEnd = buffer.indexOf("\r\n\r\n");
    if (headEnd < 0) {
        if (buffer.size() > limits.maxHeaderBytes + limits.maxUrl)
            return fatal(400, "Bad Request", QStringLiteral("Request header too long"));
        return out; // need more
    }
    const QByteArray head = buffer.left(headEnd);
    const qsizetype lineEnd = head.indexOf("\r\n");
    const QByteArray requestLine = lineEnd < 0 ? head : head.left(lineEnd);
    const QList<QByteArray> parts = requestLine.split(' ');
    if (parts.size() != 3 || !parts[2].startsWith("HTTP/1.") || parts[1].isEmpty())
        return fatal(400, "Bad Request", QStringLiteral("Invalid request line"));
    LabHttpRequest& req = out.request;
    req.method = parts[0];
    req.target = parts[1];
    out.keepAlive = parts[2] == "HTTP/1.1";
    if (head.size() - requestLine.size() > limits.maxHeaderBytes)
        return fatal(400, "Bad Request", QStringLiteral("Request header too long"));
    const QList<QByteArray> lines = lineEnd < 0 ? QList<QByteArray>() : head.mid(lineEnd + 2).split('\n');
    for (const QByteArray& raw : lines) {
        const QByteArray line = raw.trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        req.headers.insert(line.left(colon).trimmed().toLower(), line.mid(colon + 1).trimmed());
    }
    const QByteArray connection = req.headers.value("connection").toLower();
    if (connection.contains("close"))
        out.keepAlive = false;
    else if (connection.contains("keep-alive"))
        out.keepAlive = true;
    if (req.headers.contains("transfer-encoding"))
        return fatal(501, "Not Implemented", QStringLiteral("Chunked request bodies are not accepted"));
    bool lengthOk = true;
    const qint64 length = req.headers.value("content-length", "0").toLongLong(&lengthOk);
    if (!lengthOk || length < 0)
        return fatal(400, "Bad Request", QStringLiteral("Invalid Content-Length"));
    if (length > limits.maxBodyBytes)
        return fatal(413, "Request Entity Too Large", QStringLiteral("The request body is too large"));
    if (buffer.size() < headEnd + 4 + length) {
        out.request = {};
        return out; // need the body
    }
    req.body = buffer.mid(headEnd + 4, length);
    buffer.remove(0, headEnd + 4 + length);

    const qsizetype q = req.target.indexOf('?');
    const qsizetype pathLength = q < 0 ? req.target.size() : q;
    if (pathLength > limits.maxUrl || (q >= 0 && req.target.size() - q - 1 > limits.maxQueryString)) {
        // IIS request filtering: 404.14 (URL) or 404.15 (query string); the connection stays usable.
        out.kind = Parsed::Kind::Error;
        out.error = iisError(404, "Not Found",
                             pathLength > limits.maxUrl ? QStringLiteral("404.14 - URL too long")
                                                        : QStringLiteral("404.15 - Query string too long"));
        return out;
    }
    req.url = QUrl::fromEncoded(baseUrl + req.target);
    if (!req.url.isValid() || !req.target.startsWith('/'))
        return fatal(400, "Bad Request", QStringLiteral("Invalid URL"));
    out.kind = Parsed::Kind::Request;
    return out;
}

void LabHttpServer::process(QTcpSocket* socket) {
    Connection* c = m_connections.value(socket);
    while (c && !c->busy && !c->buffer.isEmpty()) {
        Parsed parsed = parseRequest(c->buffer, m_limits, baseUrl().toLatin1());
        if (parsed.kind == Parsed::Kind::NeedMore)
            return; // the header timer keeps running
        c->headerTimer->stop();
        if (parsed.kind == Parsed::Kind::Error) {
            send(socket, parsed.error, parsed.keepAlive);
            if (!parsed.keepAlive)
                return;
            continue;
        }
        LabHttpRequest& req = parsed.request;
        req.connectionId = c->id;
        req.localPort = socket->localPort();
        const bool keepAlive = parsed.keepAlive;
        LabHttpResponse resp = m_handler(req);
        ++m_served;
        if (req.method == "HEAD")
            resp.body.clear();
        if (resp.hang) {
            c->busy = true; // never answered: the connection stays until the client gives up
            return;
        }
        if (resp.delayMs > 0) {
            c->busy = true;
            QTimer::singleShot(resp.delayMs, socket, [this, socket, resp, keepAlive] {
                if (Connection* conn = m_connections.value(socket)) {
                    conn->busy = false;
                    send(socket, resp, keepAlive && !resp.close);
                    process(socket);
                }
            });
            return;
        }
        send(socket, resp, keepAlive && !resp.close);
        if (resp.close || !keepAlive)
            return;
    }
}

void LabHttpServer::send(QTcpSocket* socket, const LabHttpResponse& r, bool keepAlive) {
    QByteArray out = "HTTP/1.1 " + QByteArray::number(r.status) + ' ' + r.reason + "\r\n";
    bool hasType = false;
    for (const auto& [name, value] : r.headers) {
        out += name + ": " + value + "\r\n";
        hasType |= name.compare("content-type", Qt::CaseInsensitive) == 0;
    }
    if (!hasType && !r.body.isEmpty())
        out += "Content-Type: text/html\r\n";
    out += "Server: Microsoft-IIS/10.0 (ndes-lab)\r\nContent-Length: " + QByteArray::number(r.body.size()) + "\r\n";
    out += keepAlive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
    socket->write(out + r.body); // one write: head and body in the same segments (no Nagle/delayed-ACK stall)
    if (!keepAlive) {
        socket->disconnectFromHost();
    } else if (Connection* c = m_connections.value(socket)) {
        c->idleTimer->start(m_limits.keepAliveTimeoutMs);
    }
}

} // namespace ndes::lab
