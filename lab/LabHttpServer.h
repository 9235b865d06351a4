// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QHostAddress>
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

namespace ndes::lab {

struct LabHttpRequest {
    QByteArray method;
    QByteArray target;                    // as sent
    QUrl url;                             // decoded
    QMap<QByteArray, QByteArray> headers; // lower-case names
    QByteArray body;
    quint64 connectionId = 0; // lets authentication be bound to the TCP connection, as IIS does it
    quint16 localPort = 0;    // the port the request came in on (the Host header must name it for control requests)
};

struct LabHttpResponse {
    int status = 200;
    QByteArray reason = "OK";
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    int delayMs = 0;    // fault: answer late
    bool hang = false;  // fault: never answer (the client's timeout must end it)
    bool close = false; // close the connection after this answer
};

// The lab's HTTP/1.1 server: keep-alive, optional TLS, and the limits of a tuned IIS/HTTP.sys so hostile
// clients cannot hold it: URL and query string at most 65534 bytes (IIS's 404.14 / 404.15), headers at most
// 128 KiB (400), bodies at most 1 MiB (413), a request head must arrive within the read timeout (slowloris),
// idle connections close after the keep-alive timeout.
class LabHttpServer : public QObject {
    Q_OBJECT
public:
    using Handler = std::function<LabHttpResponse(const LabHttpRequest&)>;

    struct Limits {
        int maxUrl = 65534;
        int maxQueryString = 65534;
        int maxHeaderBytes = 128 * 1024;
        int maxBodyBytes = 1024 * 1024;
        int headerTimeoutMs = 10000;
        int keepAliveTimeoutMs = 120000;
    };

    explicit LabHttpServer(Handler handler, QObject* parent = nullptr);
    ~LabHttpServer() override;

    void setTls(const QSslCertificate& cert, const QSslKey& key, const QList<QSslCertificate>& chain);
    void setLimits(const Limits& limits) { m_limits = limits; }
    bool listen(const QHostAddress& address, quint16 port, QString* error);
    [[nodiscard]] quint16 port() const;
    [[nodiscard]] QString baseUrl() const;
    [[nodiscard]] quint64 requestsServed() const { return m_served; }

    // One step of reading a connection's buffer: a complete request, an error answer, or "need more bytes".
    // Consumes what it used from `buffer`. Pure, so it can be fuzzed without sockets.
    struct Parsed {
        enum class Kind { NeedMore, Request, Error } kind = Kind::NeedMore;
        LabHttpRequest request;
        LabHttpResponse error;
        bool keepAlive = false;
    };
    static Parsed parseRequest(QByteArray& buffer, const Limits& limits, const QByteArray& baseUrl);

signals:
    void connectionClosed(quint64 connectionId);

private:
    struct Connection;
    void accept();
    void onReadyRead(QTcpSocket* socket);
    void process(QTcpSocket* socket);
    void send(QTcpSocket* socket, const LabHttpResponse& response, bool keepAlive);

    Handler m_handler;
    QTcpServer* m_server = nullptr;
    bool m_tls = false;
    QSslCertificate m_cert;
    QSslKey m_key;
    QList<QSslCertificate> m_chain;
    Limits m_limits;
    QHostAddress m_address;
    quint64 m_nextId = 1;
    quint64 m_served = 0;
    QMap<QTcpSocket*, Connection*> m_connections;
};

// The status line and body IIS sends for an error (a short HTML page).
LabHttpResponse iisError(int status, const QByteArray& reason, const QString& detail);

} // namespace ndes::lab
