// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArrayList>
#include <QHostAddress>
#include <QObject>

class QTcpSocket;

namespace ndes::lab {

// Streams events as RFC 5424 syslog messages over TCP with octet-counting framing (RFC 6587), the way NXLog
// or rsyslog forward Windows events. Reconnects with backoff; while disconnected at most `maxQueued` messages
// wait, older ones are dropped and counted.
class SyslogSender : public QObject {
    Q_OBJECT
public:
    SyslogSender(const QHostAddress& host, quint16 port, QObject* parent = nullptr);

    // severity: RFC 5424 (3 error, 4 warning, 6 informational); msgId: the event ID.
    void send(int severity, const QString& hostName, const QString& msgId, const QString& structuredData,
              const QString& message);
    [[nodiscard]] quint64 dropped() const { return m_dropped; }

    static constexpr int maxQueued = 10000;

private:
    void connectNow();
    void flush();

    QHostAddress m_host;
    quint16 m_port;
    QTcpSocket* m_socket;
    QByteArrayList m_queue;
    quint64 m_dropped = 0;
    int m_backoffMs = 250;
};

} // namespace ndes::lab
