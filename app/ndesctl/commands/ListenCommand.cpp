// SPDX-License-Identifier: Apache-2.0
#include "commands/ListenCommand.h"

#include "events/EventCatalogue.h"
#include "events/EventListener.h"

#include <QCoreApplication>
#include <QTimer>

#include <cstdio>

namespace ndesctl {

using namespace ndes;

namespace {
const QString syslogName = QStringLiteral("syslog");
const QString syslogTlsName = QStringLiteral("syslog-tls");
const QString jsonLinesName = QStringLiteral("json-lines");
const QString tlsCertName = QStringLiteral("tls-cert");
const QString tlsKeyName = QStringLiteral("tls-key");
const QString countName = QStringLiteral("count");
const QString secondsName = QStringLiteral("seconds");

void reportSkipped(const CtlOutput& out, const events::EventListener& listener) {
    const quint64 notEvents = listener.rejected() - listener.refusedConnections();
    if (notEvents > 0)
        out.warn(QStringLiteral("%1 message(s) were not events (or too long) and were skipped.").arg(notEvents));
    if (listener.refusedConnections() > 0)
        out.warn(QStringLiteral("%1 connection(s) were refused: over %2 at once, or over %3 from one address.")
                     .arg(listener.refusedConnections())
                     .arg(events::EventListener::maxConnections)
                     .arg(events::EventListener::maxConnectionsPerAddress));
    if (listener.idleClosed() > 0)
        out.warn(QStringLiteral("%1 connection(s) were closed after %2 s without data.")
                     .arg(listener.idleClosed())
                     .arg(events::EventListener::defaultIdleTimeoutMs / 1000));
}
} // namespace

ListenCommand::ListenCommand()
    : Command(QStringLiteral("listen"),
              QStringLiteral("Receive events live (syslog over TCP/UDP/TLS, JSON lines) and explain them")) {}

QString ListenCommand::details() const {
    return QStringLiteral("As NXLog, rsyslog, Winlogbeat or ndes-lab forward them: syslog (RFC 5424 or 3164; TCP with "
                          "octet counting or newlines, UDP, or TLS) or JSON lines. With --json, one object per event, "
                          "one per line.\nThe listening address goes to stderr first, e.g. \"listening tcp+udp "
                          "ADDR:PORT\".");
}

void ListenCommand::declare(QCommandLineParser& p) {
    p.addOptions(
        {{syslogName, QStringLiteral("Syslog over TCP and UDP on ADDR:PORT (port 0 picks one)."),
          QStringLiteral("ADDR:PORT")},
         {syslogTlsName, QStringLiteral("Syslog over TLS (RFC 5425) on ADDR:PORT."), QStringLiteral("ADDR:PORT")},
         {jsonLinesName, QStringLiteral("JSON lines over TCP (NXLog to_json, Winlogbeat) on ADDR:PORT."),
          QStringLiteral("ADDR:PORT")},
         {tlsCertName, QStringLiteral("PEM certificate (chain) for --syslog-tls."), QStringLiteral("FILE")},
         {tlsKeyName, QStringLiteral("PEM private key for --syslog-tls (unencrypted, readable only by you)."),
          QStringLiteral("FILE")},
         {countName, QStringLiteral("Stop after N events."), QStringLiteral("N")},
         {secondsName, QStringLiteral("Stop after S seconds."), QStringLiteral("S")}});
}

int ListenCommand::run(const QCommandLineParser& p, const CtlOutput& out) {
    const int chosen = int(p.isSet(syslogName)) + int(p.isSet(syslogTlsName)) + int(p.isSet(jsonLinesName));
    if (chosen != 1)
        return out.fail(makeError(ErrorKind::Usage,
                                  QStringLiteral("Give one of --syslog, --syslog-tls or --json-lines, e.g. --syslog "
                                                 "127.0.0.1:5514.")));
    const char* scheme = p.isSet(syslogName) ? "syslog://" : p.isSet(syslogTlsName) ? "syslog-tls://" : "json://";
    const QString addr = p.isSet(syslogName)      ? p.value(syslogName)
                         : p.isSet(syslogTlsName) ? p.value(syslogTlsName)
                                                  : p.value(jsonLinesName);
    auto spec = events::ListenerSpec::parse(QLatin1String(scheme) + addr);
    if (!spec)
        return out.fail(
            makeError(ErrorKind::Usage,
                      QStringLiteral("The address must be ADDR:PORT, e.g. 127.0.0.1:5514 (got \"%1\").").arg(addr)));
    spec->certificateFile = p.value(tlsCertName);
    spec->keyFile = p.value(tlsKeyName);
    bool ok = true;
    const int maxEvents = p.isSet(countName) ? p.value(countName).toInt(&ok) : -1;
    if (!ok || maxEvents < -1)
        return out.fail(makeError(ErrorKind::Usage, QStringLiteral("--count takes a number of events.")));
    const double seconds = p.isSet(secondsName) ? p.value(secondsName).toDouble(&ok) : 0;
    if (!ok || seconds < 0 || seconds > 2e6) // the timer counts milliseconds in an int
        return out.fail(
            makeError(ErrorKind::Usage, QStringLiteral("--seconds takes a number of seconds, up to 2000000.")));
    auto catalogue = events::EventCatalogue::builtIn();
    if (!catalogue)
        return out.fail(catalogue.error());
    events::EventListener listener;
    if (Status st = listener.start(*spec); !st)
        return out.fail(st.error());
    const char* what = spec->protocol == events::ListenerSpec::Protocol::Syslog      ? "tcp+udp"
                       : spec->protocol == events::ListenerSpec::Protocol::SyslogTls ? "tls"
                                                                                     : "json";
    std::fprintf(stderr, "listening %s %s:%u\n", what, spec->address.toString().toLatin1().constData(),
                 listener.port());
    std::fflush(stderr);
    if (maxEvents != 0) {
        runUntilDone([&](const auto& done) {
            int received = 0;
            QObject::connect(&listener, &events::EventListener::eventsReceived,
                             [&, received, done](const QList<events::EventRecord>& batch) mutable {
                                 for (const events::EventRecord& e : batch) {
                                     if (received == maxEvents)
                                         return;
                                     printEvent(out, e, catalogue->find(e.provider, e.eventId));
                                     if (++received == maxEvents)
                                         done(ExitOk);
                                 }
                             });
            if (p.isSet(secondsName))
                QTimer::singleShot(int(seconds * 1000), &listener, [done] { done(ExitOk); });
        });
    }
    reportSkipped(out, listener);
    return ExitOk;
}

} // namespace ndesctl
