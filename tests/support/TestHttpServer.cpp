// SPDX-License-Identifier: Apache-2.0
#include "TestHttpServer.h"

#include <QSslConfiguration>
#include <QSslServer>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>

namespace ndes::test {

TestHttpServer::TestHttpServer(Handler handler, QObject* parent)
    : QObject(parent)
    , m_handler(std::move(handler))
    , m_server(new QTcpServer(this)) {
    connect(m_server, &QTcpServer::pendingConnectionAvailable, this, &TestHttpServer::accept);
    m_server->listen(QHostAddress::LocalHost, 0);
}

TestHttpServer::TestHttpServer(Handler handler, const QSslCertificate& cert, const QSslKey& key, QObject* parent)
    : QObject(parent)
    , m_handler(std::move(handler))
    , m_tls(true) {
    auto* server = new QSslServer(this);
    QSslConfiguration config = QSslConfiguration::defaultConfiguration();
    config.setLocalCertificate(cert);
    config.setPrivateKey(key);
    config.setPeerVerifyMode(QSslSocket::VerifyNone);
    server->setSslConfiguration(config);
    server->setHandshakeTimeout(5000);
    m_server = server;
    connect(m_server, &QTcpServer::pendingConnectionAvailable, this, &TestHttpServer::accept);
    m_server->listen(QHostAddress::LocalHost, 0);
}

TestHttpServer::~TestHttpServer() = default;

quint16 TestHttpServer::port() const {
    return m_server->serverPort();
}

QUrl TestHttpServer::url(const QString& path) const {
    QUrl u;
    u.setScheme(m_tls ? QStringLiteral("https") : QStringLiteral("http"));
    u.setHost(QStringLiteral("127.0.0.1"));
    u.setPort(port());
    u.setPath(path);
    return u;
}

void TestHttpServer::accept() {
    while (m_server->hasPendingConnections()) {
        QTcpSocket* socket = m_server->nextPendingConnection();
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadyRead(socket); });
        connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
            m_buffers.remove(socket);
            socket->deleteLater();
        });
        if (socket->bytesAvailable() > 0)
            onReadyRead(socket);
    }
}

void TestHttpServer::onReadyRead(QTcpSocket* socket) {
    QByteArray& buf = m_buffers[socket];
    buf += socket->readAll();
    for (;;) {
        const qsizetype headerEnd = buf.indexOf("\r\n\r\n");
        if (headerEnd < 0)
            return;
        const QList<QByteArray> lines = buf.left(headerEnd).split('\n');
        TestHttpRequest req;
        const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
        req.method = first.value(0);
        req.target = first.value(1);
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const qsizetype colon = lines[i].indexOf(':');
            if (colon > 0)
                req.headers.insert(lines[i].left(colon).trimmed().toLower(), lines[i].mid(colon + 1).trimmed());
        }
        const qsizetype length = req.headers.value("content-length", "0").toLongLong();
        if (buf.size() < headerEnd + 4 + length)
            return;
        req.body = buf.mid(headerEnd + 4, length);
        buf.remove(0, headerEnd + 4 + length);
        req.url = url(QString()).resolved(QUrl::fromEncoded(req.target));
        ++m_requests;

        const TestHttpResponse resp = m_handler(req);
        if (resp.hang)
            return;
        if (resp.dropConnection) {
            socket->abort();
            return;
        }
        QByteArray out = "HTTP/1.1 " + QByteArray::number(resp.status) + " Test\r\n";
        for (const auto& [name, value] : resp.headers)
            out += name + ": " + value + "\r\n";
        if (resp.closeDelimited)
            out += "Connection: close\r\n";
        else
            out += "Content-Length: " + QByteArray::number(resp.body.size()) + "\r\n";
        out += "\r\n";
        socket->write(out);
        socket->write(resp.body);
        if (resp.closeDelimited) {
            socket->disconnectFromHost();
            return;
        }
    }
}

} // namespace ndes::test
