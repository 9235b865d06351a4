// SPDX-License-Identifier: Apache-2.0
#include "SyslogSender.h"

#include "util/Clock.h"

#include <QCoreApplication>
#include <QTcpSocket>
#include <QTimer>

namespace ndes::lab {

SyslogSender::SyslogSender(const QHostAddress& host, quint16 port, QObject* parent)
    : QObject(parent)
    , m_host(host)
    , m_port(port)
    , m_socket(new QTcpSocket(this)) {
    connect(m_socket, &QTcpSocket::connected, this, [this] {
        m_backoffMs = 250;
        flush();
    });
    connect(m_socket, &QTcpSocket::disconnected, this,
            [this] { QTimer::singleShot(m_backoffMs, this, &SyslogSender::connectNow); });
    connect(m_socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError) {
        if (m_socket->state() == QAbstractSocket::UnconnectedState) {
            QTimer::singleShot(m_backoffMs, this, &SyslogSender::connectNow);
            m_backoffMs = qMin(m_backoffMs * 2, 4000); // a loopback receiver: retry often
        }
    });
    connectNow();
}

void SyslogSender::connectNow() {
    if (m_socket->state() == QAbstractSocket::UnconnectedState)
        m_socket->connectToHost(m_host, m_port);
}

void SyslogSender::send(int severity, const QString& hostName, const QString& msgId, const QString& structuredData,
                        const QString& message) {
    constexpr int facilityUser = 1;
    const QByteArray line = QStringLiteral("<%1>1 %2 %3 NetworkDeviceEnrollmentService %4 %5 %6 %7")
                                .arg(facilityUser * 8 + severity)
                                .arg(Clock::instance().now().toString(Qt::ISODateWithMs), hostName)
                                .arg(QCoreApplication::applicationPid())
                                .arg(msgId, structuredData.isEmpty() ? QStringLiteral("-") : structuredData, message)
                                .toUtf8();
    m_queue.append(QByteArray::number(line.size()) + ' ' + line);
    while (m_queue.size() > maxQueued) {
        m_queue.removeFirst();
        ++m_dropped;
    }
    flush();
}

void SyslogSender::flush() {
    if (m_socket->state() != QAbstractSocket::ConnectedState)
        return;
    for (const QByteArray& frame : std::as_const(m_queue))
        m_socket->write(frame);
    m_queue.clear();
}

} // namespace ndes::lab
