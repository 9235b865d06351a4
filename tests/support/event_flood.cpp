// SPDX-License-Identifier: Apache-2.0
// A sender for live-event tests: RFC 5424 syslog over TCP (octet counting) at a steady rate, each message
// carrying a sequence number ("seq=N"), so the receiver can prove that none was lost or duplicated.
//   event-flood HOST PORT RATE SECONDS
// Prints "sent N in S s" on stdout when done.
#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QHostAddress>
#include <QTcpSocket>
#include <QTimer>

#include <cstdio>

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    const QStringList a = app.arguments();
    if (a.size() != 5) {
        std::fprintf(stderr, "usage: event-flood HOST PORT RATE SECONDS\n");
        return 2;
    }
    const QHostAddress host(a.at(1));
    if (!host.isLoopback()) {
        std::fprintf(stderr, "event-flood sends to loopback only\n");
        return 2;
    }
    const auto port = quint16(a.at(2).toUInt());
    const qint64 rate = a.at(3).toLongLong();
    const qint64 total = rate * a.at(4).toLongLong();
    QTcpSocket socket;
    socket.setSocketOption(QAbstractSocket::LowDelayOption, 1);
    socket.connectToHost(host, port);
    if (!socket.waitForConnected(5000)) {
        std::fprintf(stderr, "cannot connect: %s\n", qPrintable(socket.errorString()));
        return 1;
    }
    qint64 sent = 0;
    QElapsedTimer clock;
    clock.start();
    QTimer tick;
    QObject::connect(&tick, &QTimer::timeout, [&] {
        // As many as the clock allows: a steady rate, catching up after a slow tick.
        const qint64 due = std::min(total, clock.elapsed() * rate / 1000);
        QByteArray batch;
        for (; sent < due; ++sent) {
            const QByteArray msg =
                QByteArrayLiteral("<11>1 ") + QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs).toLatin1() +
                QByteArrayLiteral(" NDES01.corp.example Microsoft-Windows-NetworkDeviceEnrollmentService - ") +
                QByteArray::number(sent % 3 ? 10 : 31) + QByteArrayLiteral(" - seq=") + QByteArray::number(sent) +
                QByteArrayLiteral(" The NDES service could not obtain a certificate for the device.");
            batch += QByteArray::number(msg.size()) + ' ' + msg;
        }
        if (!batch.isEmpty())
            socket.write(batch);
        if (sent >= total) {
            tick.stop();
            socket.flush();
            socket.disconnectFromHost();
            if (socket.state() != QAbstractSocket::UnconnectedState)
                socket.waitForDisconnected(30000);
            std::printf("sent %lld in %.2f s\n", static_cast<long long>(sent), double(clock.elapsed()) / 1000.0);
            std::fflush(stdout);
            QCoreApplication::quit();
        }
    });
    tick.start(5);
    return QCoreApplication::exec();
}
