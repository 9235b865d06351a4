// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QObject>
#include <QPair>
#include <QSslCertificate>
#include <QSslKey>
#include <QUrl>
#include <functional>

class QTcpServer;
class QTcpSocket;

namespace ndes::test {

struct TestHttpRequest {
    QByteArray method;
    QByteArray target;
    QUrl url;
    QMap<QByteArray, QByteArray> headers; // lower-case names
    QByteArray body;
};

struct TestHttpResponse {
    int status = 200;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    bool hang = false;           // never answer
    bool closeDelimited = false; // no Content-Length; end of body = connection close
    bool dropConnection = false; // close without any answer
};

// A tiny HTTP/1.1 server on 127.0.0.1 (random port), plain or TLS, whose answers a test scripts. It stands in
// for hostile or broken servers (garbage, HTML, huge bodies, hangs, redirects), which no real peer produces.
class TestHttpServer : public QObject {
    Q_OBJECT
public:
    using Handler = std::function<TestHttpResponse(const TestHttpRequest&)>;

    explicit TestHttpServer(Handler handler, QObject* parent = nullptr);
    // TLS with the given certificate and key.
    TestHttpServer(Handler handler, const QSslCertificate& cert, const QSslKey& key, QObject* parent = nullptr);
    ~TestHttpServer() override;

    [[nodiscard]] quint16 port() const;
    [[nodiscard]] QUrl url(const QString& path) const;
    [[nodiscard]] int requestCount() const { return m_requests; }

private:
    void accept();
    void onReadyRead(QTcpSocket* socket);

    Handler m_handler;
    QTcpServer* m_server = nullptr;
    bool m_tls = false;
    int m_requests = 0;
    QMap<QTcpSocket*, QByteArray> m_buffers;
};

} // namespace ndes::test
