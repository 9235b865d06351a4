// SPDX-License-Identifier: Apache-2.0
#include "events/EventListener.h"

#include "events/EventJson.h"
#include "events/Syslog.h"

#include <QCoreApplication>
#include <QFile>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslServer>
#include <QSslSocket>
#include <QTcpServer>
#include <QTimer>
#include <QUdpSocket>
#include <QUrl>

#include <memory>

namespace ndes::events {

namespace {
QString tr(const char* text) {
    return QCoreApplication::translate("EventListener", text);
}
} // namespace

Result<ListenerSpec> ListenerSpec::parse(const QString& text) {
    const QUrl url(text.contains(QLatin1String("://")) ? text : QStringLiteral("syslog://") + text);
    ListenerSpec s;
    const QString scheme = url.scheme().toLower();
    if (scheme == QLatin1String("syslog") || scheme == QLatin1String("udp") || scheme == QLatin1String("tcp"))
        s.protocol = Protocol::Syslog;
    else if (scheme == QLatin1String("syslog-tls") || scheme == QLatin1String("tls"))
        s.protocol = Protocol::SyslogTls;
    else if (scheme == QLatin1String("json"))
        s.protocol = Protocol::JsonLines;
    else
        return makeError(ErrorKind::Usage,
                         tr("Unknown listener \"%1\": use syslog://ADDR:PORT, syslog-tls://ADDR:PORT or "
                            "json://ADDR:PORT.")
                             .arg(text));
    s.address = QHostAddress(url.host());
    if (!url.isValid() || s.address.isNull() || url.port() < 0)
        return makeError(ErrorKind::Usage,
                         tr("\"%1\" needs an IP address and a port, e.g. syslog://127.0.0.1:5514.").arg(text));
    s.port = quint16(url.port());
    return s;
}

QString ListenerSpec::toUrl(quint16 actualPort) const {
    const char* scheme = protocol == Protocol::Syslog      ? "syslog"
                         : protocol == Protocol::SyslogTls ? "syslog-tls"
                                                           : "json";
    const QString host = address.protocol() == QAbstractSocket::IPv6Protocol
                             ? QStringLiteral("[%1]").arg(address.toString())
                             : address.toString();
    return QStringLiteral("%1://%2:%3").arg(QLatin1String(scheme), host).arg(actualPort ? actualPort : port);
}

EventListener::EventListener(QObject* parent)
    : QObject(parent) {}

EventListener::~EventListener() {
    stop();
}

bool EventListener::isListening() const {
    return m_server && m_server->isListening();
}
quint16 EventListener::port() const {
    return m_server ? m_server->serverPort() : 0;
}
QString EventListener::url() const {
    return m_spec.toUrl(port());
}

Status EventListener::start(const ListenerSpec& spec) {
    stop();
    m_spec = spec;
    if (spec.protocol == ListenerSpec::Protocol::SyslogTls) {
        QFile certFile(spec.certificateFile), keyFile(spec.keyFile);
        if (spec.certificateFile.isEmpty() || spec.keyFile.isEmpty())
            return makeError(ErrorKind::Usage,
                             tr("Syslog over TLS needs the listener's certificate and private key (PEM files)."));
        if (!certFile.open(QIODevice::ReadOnly) || !keyFile.open(QIODevice::ReadOnly))
            return makeError(ErrorKind::Io,
                             tr("Cannot read the TLS certificate or key: %1")
                                 .arg(certFile.isOpen() ? keyFile.errorString() : certFile.errorString()));
        const QList<QSslCertificate> chain = QSslCertificate::fromData(certFile.readAll(), QSsl::Pem);
        QByteArray keyPem = keyFile.readAll();
        const QSslKey key(keyPem, QSsl::Ec, QSsl::Pem);
        const QSslKey rsaKey = key.isNull() ? QSslKey(keyPem, QSsl::Rsa, QSsl::Pem) : QSslKey();
        keyPem.fill('\0');
        if (chain.isEmpty() || (key.isNull() && rsaKey.isNull()))
            return makeError(ErrorKind::Usage, tr("The TLS certificate or key file is not PEM (or the key is "
                                                  "encrypted; give an unencrypted key readable only by you)."));
        auto* server = new QSslServer(this);
        QSslConfiguration config = QSslConfiguration::defaultConfiguration();
        config.setLocalCertificateChain(chain);
        config.setPrivateKey(key.isNull() ? rsaKey : key);
        config.setPeerVerifyMode(QSslSocket::VerifyNone); // senders are not asked for certificates
        config.setProtocol(QSsl::TlsV1_2OrLater);
        server->setSslConfiguration(config);
        server->setHandshakeTimeout(10000);
        connect(server, &QSslServer::errorOccurred, this, [this](QSslSocket*, QAbstractSocket::SocketError) {
            ++m_rejected;
            emit rejectedChanged(m_rejected);
        });

        m_server = server;
    } else {
        m_server = new QTcpServer(this);
    }
    m_server->setMaxPendingConnections(64);
    if (!m_server->listen(spec.address, spec.port)) {
        const QString why = m_server->errorString();
        stop();
        return makeError(ErrorKind::Network,
                         tr("Cannot listen on %1: %2. Pick another port or stop what uses it.").arg(spec.toUrl(), why));
    }
    connect(m_server, &QTcpServer::pendingConnectionAvailable, this, &EventListener::onNewConnection);
    if (spec.protocol == ListenerSpec::Protocol::Syslog) {
        m_udp = new QUdpSocket(this);
        m_udp->setReadBufferSize(0);
        if (!m_udp->bind(spec.address, m_server->serverPort())) {
            const QString why = m_udp->errorString();
            stop();
            return makeError(ErrorKind::Network, tr("Cannot listen on UDP %1: %2").arg(spec.toUrl(), why));
        }
        m_udp->setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 4 * 1024 * 1024);
        connect(m_udp, &QUdpSocket::readyRead, this, &EventListener::onUdp);
    }
    return {};
}

void EventListener::stop() {
    for (const auto& s : m_sockets)
        if (s)
            s->deleteLater();
    m_sockets.clear();
    m_conns.clear();
    if (m_server) {
        m_server->close();
        m_server->deleteLater();
        m_server = nullptr;
    }
    if (m_udp) {
        m_udp->close();
        m_udp->deleteLater();
        m_udp = nullptr;
    }
}

QString EventListener::addressGroup(const QHostAddress& address) {
    // One group for the machine itself (any 127/8 source and ::1), a /24 for IPv4, a /64 for IPv6: a local
    // process or a remote host with many addresses still counts once.
    if (address.isLoopback())
        return QStringLiteral("loopback");
    bool v4 = false;
    const quint32 ip4 = address.toIPv4Address(&v4);
    if (v4)
        return QStringLiteral("v4/%1").arg(ip4 >> 8);
    const Q_IPV6ADDR ip6 = address.toIPv6Address();
    return QStringLiteral("v6/") + QString::fromLatin1(QByteArray(reinterpret_cast<const char*>(ip6.c), 8).toHex());
}

bool EventListener::evictOneSilent(const QString& group) {
    // The oldest connection (of the group, when given) that has not delivered one whole message since it connected,
    // and is older than the eviction age: a real sender connects when it has something to send.
    QTcpSocket* oldest = nullptr;
    qint64 oldestAge = -1;
    for (auto it = m_conns.cbegin(); it != m_conns.cend(); ++it) {
        if (it->framed || (!group.isEmpty() && it->group != group))
            continue;
        const qint64 age = it->since.elapsed();
        if (age >= m_evictAfterMs && age > oldestAge) {
            oldest = it.key();
            oldestAge = age;
        }
    }
    if (!oldest)
        return false;
    ++m_evictedConnections;
    m_conns.remove(oldest);
    m_sockets.removeAll(oldest);
    oldest->abort();
    oldest->deleteLater();
    return true;
}

void EventListener::onNewConnection() {
    while (m_server && m_server->hasPendingConnections()) {
        QTcpSocket* socket = m_server->nextPendingConnection();
        m_sockets.removeAll(nullptr);
        const QString group = addressGroup(socket->peerAddress());
        int inGroup = 0;
        for (const ConnInfo& c : std::as_const(m_conns))
            inGroup += c.group == group;
        bool room = m_sockets.size() < maxConnections && inGroup < maxConnectionsPerAddress;
        if (!room && inGroup >= maxConnectionsPerAddress)
            room = evictOneSilent(group);
        else if (!room)
            room = evictOneSilent({});
        if (!room) {
            ++m_rejected;
            ++m_refusedConnections;
            emit rejectedChanged(m_rejected);
            socket->abort();
            socket->deleteLater();
            continue;
        }
        m_sockets << socket;
        ConnInfo& info = m_conns[socket];
        info.group = group;
        info.since.start();
        // A connection that delivers no whole message for the idle timeout is closed (a sender reconnects when it
        // has events). Only whole messages count: a byte now and then does not keep a connection.
        auto* idle = new QTimer(socket);
        idle->setSingleShot(true);
        idle->setInterval(m_idleTimeoutMs);
        connect(idle, &QTimer::timeout, this, [this, socket] {
            ++m_idleClosed;
            m_conns.remove(socket);
            socket->abort();
            socket->deleteLater();
        });
        idle->start();
        const bool json = m_spec.protocol == ListenerSpec::Protocol::JsonLines;
        auto syslogFramer = std::make_shared<SyslogFramer>();
        auto lineFramer = std::make_shared<LineFramer>(JsonEventParser::maxLineBytes);
        connect(socket, &QTcpSocket::readyRead, this, [this, socket, idle, json, syslogFramer, lineFramer] {
            const QByteArray bytes = socket->readAll();
            const int droppedBefore = json ? lineFramer->dropped() : syslogFramer->dropped();
            const QList<QByteArray> frames = json ? lineFramer->feed(bytes) : syslogFramer->feed(bytes);
            const int newlyDropped = (json ? lineFramer->dropped() : syslogFramer->dropped()) - droppedBefore;
            if (newlyDropped > 0) {
                m_rejected += quint64(newlyDropped);
                emit rejectedChanged(m_rejected);
            }
            if (!frames.isEmpty()) {
                idle->start();
                const auto it = m_conns.find(socket);
                if (it != m_conns.end())
                    it->framed = true;
            }
            deliver(frames, json);
        });
        connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
            m_conns.remove(socket);
            socket->deleteLater();
        });
    }
}

void EventListener::onUdp() {
    QList<QByteArray> datagrams;
    while (m_udp && m_udp->hasPendingDatagrams()) {
        const qint64 size = m_udp->pendingDatagramSize();
        QByteArray d(qsizetype(qBound(qint64(0), size, qint64(65536))), '\0');
        m_udp->readDatagram(d.data(), d.size());
        datagrams << d;
        if (datagrams.size() >= 512) {
            deliver(datagrams, false);
            datagrams.clear();
        }
    }
    deliver(datagrams, false);
}

void EventListener::deliver(const QList<QByteArray>& messages, bool json) {
    if (messages.isEmpty())
        return;
    QList<EventRecord> events;
    events.reserve(messages.size());
    quint64 bad = 0;
    for (const QByteArray& m : messages) {
        if (json) {
            auto e = JsonEventParser::parse(m);
            if (e)
                events << std::move(*e);
            else
                ++bad;
        } else {
            auto s = SyslogParser::parse(m);
            if (s)
                events << s->toEvent();
            else
                ++bad;
        }
    }
    if (bad) {
        m_rejected += bad;
        emit rejectedChanged(m_rejected);
    }
    m_received += quint64(events.size());
    if (!events.isEmpty())
        emit eventsReceived(events);
}

} // namespace ndes::events
