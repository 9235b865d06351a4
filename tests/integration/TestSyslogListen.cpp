// SPDX-License-Identifier: Apache-2.0
// `ndesctl listen` receiving events live from independent senders: util-linux `logger` (RFC 5424 over TCP with
// octet counting, RFC 3164 over UDP) and ndes-lab's own syslog stream (Event XML inside RFC 5424).
#include "NdesLabProcess.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QtTest>

#include <algorithm>

using ndes::test::NdesLabProcess;

class TestSyslogListen : public QObject {
    Q_OBJECT

private slots:
    void loggerAndLabEventsArrive() {
        QProcess listen;
        listen.start(QString::fromLocal8Bit(qgetenv("NDESCTL")),
                     {QStringLiteral("listen"), QStringLiteral("--syslog"), QStringLiteral("127.0.0.1:0"),
                      QStringLiteral("--count"), QStringLiteral("3"), QStringLiteral("--seconds"), QStringLiteral("60"),
                      QStringLiteral("--json")});
        QVERIFY(listen.waitForStarted());
        QString err;
        quint16 port = 0;
        for (int i = 0; i < 100 && port == 0; ++i) {
            listen.waitForReadyRead(100);
            err += QString::fromUtf8(listen.readAllStandardError());
            const auto m = QRegularExpression(QStringLiteral("listening tcp\\+udp 127.0.0.1:(\\d+)")).match(err);
            if (m.hasMatch())
                port = quint16(m.captured(1).toUInt());
        }
        QVERIFY2(port != 0, qPrintable(err));
        const QString p = QString::number(port);
        QCOMPARE(QProcess::execute(QStringLiteral("logger"),
                                   {QStringLiteral("-n"), QStringLiteral("127.0.0.1"), QStringLiteral("-P"), p,
                                    QStringLiteral("-T"), QStringLiteral("--octet-count"), QStringLiteral("--rfc5424"),
                                    QStringLiteral("--sd-id"), QStringLiteral("ndes@32473"),
                                    QStringLiteral("--sd-param"), QStringLiteral("EventID=\"10\""),
                                    QStringLiteral("-t"), QStringLiteral("NetworkDeviceEnrollmentService"),
                                    QStringLiteral("RA certificate gone")}),
                 0);
        QCOMPARE(QProcess::execute(QStringLiteral("logger"),
                                   {QStringLiteral("-n"), QStringLiteral("127.0.0.1"), QStringLiteral("-P"), p,
                                    QStringLiteral("-d"), QStringLiteral("--rfc3164"), QStringLiteral("-t"),
                                    QStringLiteral("nxlog"), QStringLiteral("over udp")}),
                 0);
        QTest::qWait(300); // UDP has no order with TCP; let it land before the lab's event
        NdesLabProcess lab;
        QVERIFY2(lab.start({QStringLiteral("--syslog"), QStringLiteral("127.0.0.1:") + p}, &err), qPrintable(err));
        QVERIFY(listen.waitForFinished(30000));
        QCOMPARE(listen.exitCode(), 0);
        const QList<QByteArray> lines = listen.readAllStandardOutput().trimmed().split('\n');
        QCOMPARE(lines.size(), 3);
        QList<QJsonObject> events;
        for (const QByteArray& l : lines)
            events << QJsonDocument::fromJson(l).object();
        // TCP and UDP have no order between them (a datagram can be read before a connection's first bytes): put
        // the three in the order the checks below expect — logger over TCP, logger over UDP, the lab.
        const auto rank = [](const QJsonObject& e) {
            if (e.value(QStringLiteral("provider")).toString() == QLatin1String("nxlog"))
                return 1;
            return e.value(QStringLiteral("id")).toInt() == 10 ? 0 : 2;
        };
        std::stable_sort(events.begin(), events.end(),
                         [&](const QJsonObject& a, const QJsonObject& b) { return rank(a) < rank(b); });
        QCOMPARE(events[0].value(QStringLiteral("id")).toInt(), 10);
        QVERIFY(events[0].value(QStringLiteral("meaning")).toString().contains(QStringLiteral("RA")));
        QCOMPARE(events[0].value(QStringLiteral("data")).toObject().value(QStringLiteral("Message")).toString(),
                 QStringLiteral("RA certificate gone"));
        QCOMPARE(events[1].value(QStringLiteral("provider")).toString(), QStringLiteral("nxlog"));
        QCOMPARE(events[1].value(QStringLiteral("data")).toObject().value(QStringLiteral("Message")).toString(),
                 QStringLiteral("over udp"));
        // The lab's start event: Event XML inside the syslog message, read as the event it is.
        QCOMPARE(events[2].value(QStringLiteral("provider")).toString(),
                 QStringLiteral("Microsoft-Windows-NetworkDeviceEnrollmentService"));
        QCOMPARE(events[2].value(QStringLiteral("id")).toInt(), 1);
        QCOMPARE(events[2].value(QStringLiteral("computer")).toString(), QStringLiteral("NDESLAB.lab.example"));
    }
};

QTEST_GUILESS_MAIN(TestSyslogListen)
#include "TestSyslogListen.moc"
