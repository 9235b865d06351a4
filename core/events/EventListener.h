// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "events/EventRecord.h"
#include "util/Result.h"

#include <QElapsedTimer>
#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QPointer>

class QTcpServer;
class QUdpSocket;
class QTcpSocket;

namespace ndes::events {

// Where and how to listen: "syslog://ADDR:PORT" (TCP and UDP on one port), "syslog-tls://ADDR:PORT" (TCP with
// TLS, RFC 5425; needs a certificate and key), "json://ADDR:PORT" (JSON lines over TCP, NXLog/Winlogbeat).
struct ListenerSpec {
    enum class Protocol { Syslog, SyslogTls, JsonLines };
    Protocol protocol = Protocol::Syslog;
    QHostAddress address = QHostAddress::LocalHost;
    quint16 port = 0;                 // 0 picks one
    QString certificateFile, keyFile; // PEM, for syslog-tls

    [[nodiscard]] static Result<ListenerSpec> parse(const QString& url);
    [[nodiscard]] QString toUrl(quint16 actualPort = 0) const;
};

// Receives events live and hands them over in batches (one per read). Counts what it could not take: messages
// that are not events, frames over the size bound, connections over the limits. Idle connections cannot hold the
// listener: a connection that delivers no whole message for idleTimeoutMs is closed (a byte now and then does not
// count); one address group (this machine; an IPv4 /24; an IPv6 /64) may hold at most maxConnectionsPerAddress of
// the maxConnections; and when there is no room, the oldest connection that has never delivered a message (and is
// older than evictAfterMs) makes room for the newcomer. A flood of silent connections leaves room for real senders.
class EventListener : public QObject {
    Q_OBJECT
public:
    static constexpr int maxConnections = 256;
    static constexpr int maxConnectionsPerAddress = 32;
    static constexpr int defaultIdleTimeoutMs = 5 * 60 * 1000; // syslog senders keep a connection open between events
    static constexpr int defaultEvictAfterMs = 10 * 1000;

    explicit EventListener(QObject* parent = nullptr);
    ~EventListener() override;

    Status start(const ListenerSpec& spec);
    void stop();
    [[nodiscard]] bool isListening() const;
    [[nodiscard]] quint16 port() const;
    [[nodiscard]] QString url() const;
    [[nodiscard]] const ListenerSpec& spec() const { return m_spec; }

    [[nodiscard]] quint64 received() const { return m_received; }
    [[nodiscard]] quint64 rejected() const { return m_rejected; } // not an event, too long, refused connection
    [[nodiscard]] int connections() const { return int(m_sockets.size()); }
    [[nodiscard]] quint64 refusedConnections() const { return m_refusedConnections; } // over a limit (also in rejected)
    [[nodiscard]] quint64 idleClosed() const { return m_idleClosed; } // closed after idleTimeoutMs without a message
    [[nodiscard]] quint64 evictedConnections() const { return m_evictedConnections; } // silent, made room
    // Apply to connections accepted from then on (tests shorten them).
    void setIdleTimeoutMs(int ms) { m_idleTimeoutMs = ms; }
    void setEvictAfterMs(int ms) { m_evictAfterMs = ms; }
    // The group an address counts in for maxConnectionsPerAddress.
    [[nodiscard]] static QString addressGroup(const QHostAddress& address);

signals:
    void eventsReceived(const QList<ndes::events::EventRecord>& events);
    void rejectedChanged(quint64 rejected);

private:
    void onNewConnection();
    void onUdp();
    void deliver(const QList<QByteArray>& messages, bool json);
    bool evictOneSilent(const QString& group); // empty group: any

    struct ConnInfo {
        QString group;
        QElapsedTimer since;
        bool framed = false; // delivered at least one whole message
    };
    QHash<QTcpSocket*, ConnInfo> m_conns;

    ListenerSpec m_spec;
    QTcpServer* m_server = nullptr;
    QUdpSocket* m_udp = nullptr;
    QList<QPointer<QTcpSocket>> m_sockets;
    quint64 m_received = 0;
    quint64 m_rejected = 0;
    quint64 m_refusedConnections = 0;
    quint64 m_idleClosed = 0;
    quint64 m_evictedConnections = 0;
    int m_idleTimeoutMs = defaultIdleTimeoutMs;
    int m_evictAfterMs = defaultEvictAfterMs;
};

} // namespace ndes::events
