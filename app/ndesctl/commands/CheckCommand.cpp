// SPDX-License-Identifier: Apache-2.0
#include "commands/CheckCommand.h"

#include "Options.h"
#include "inventory/CredentialStore.h"
#include "inventory/Inventory.h"
#include "ndes/HealthProbe.h"

#include <QFile>
#include <QJsonArray>
#include <QSet>

#include <algorithm>
#include <cstdio>

namespace ndesctl {

using namespace ndes;

namespace {
constexpr int unknown = 3; // the monitoring plugins' UNKNOWN

const QString inventoryName = QStringLiteral("inventory");
const QString warnDaysName = QStringLiteral("warn-days");
const QString critDaysName = QStringLiteral("crit-days");
const QString concurrencyName = QStringLiteral("concurrency");
const QString noCrlName = QStringLiteral("no-crl");
const QString directoryPasswordEnvName = QStringLiteral("directory-password-env");

void printText(const CtlOutput& out, const QString& summary, const QList<service::HealthReport>& reports) {
    out.text(summary);
    for (const service::HealthReport& r : reports) {
        out.text(QString());
        out.text(QStringLiteral("%1  %2  (%3, %4 ms)")
                     .arg(service::healthStatusName(r.status).toUpper(), r.server, r.url.toString())
                     .arg(r.totalMs));
        for (const service::HealthReason& reason : r.reasons)
            out.text(QStringLiteral("  [%1] %2: %3")
                         .arg(service::healthStatusName(reason.severity), reason.code, reason.message));
        for (const service::ExpiryItem& e : r.expiries)
            out.text(QStringLiteral("  %1 %2  %3  expires %4 (%5 days)")
                         .arg(service::expiryStatusName(e.status).leftJustified(8),
                              service::expiryRoleName(e.role).leftJustified(13), e.subject,
                              e.notAfter.toString(Qt::ISODate))
                         .arg(e.daysLeft));
        for (const service::ProbeStep& s : r.steps)
            out.text(QStringLiteral("  step %1 %2 %3 ms  %4")
                         .arg(s.name.leftJustified(6), s.ok ? QStringLiteral("ok  ") : QStringLiteral("FAIL"))
                         .arg(s.ms)
                         .arg(s.detail));
    }
}
} // namespace

CheckCommand::CheckCommand()
    : Command(QStringLiteral("check"),
              QStringLiteral("Health and expiry of NDES servers, for cron and Nagios/Icinga/Zabbix (exit 0/1/2/3)")) {}

QString CheckCommand::details() const {
    return QStringLiteral("Probes TLS, GetCACaps, GetCACert (RA and CA expiry), CRL freshness and the admin page, "
                          "without a secret. Prints one summary line first, then details.\nExit codes: 0 OK, 1 "
                          "WARNING, 2 CRITICAL (an unreachable server is critical), 3 UNKNOWN.");
}

int CheckCommand::usageError(const CtlOutput& out, const QString& message) const {
    out.fail(makeError(ErrorKind::Usage, message));
    if (!out.json())
        std::printf("NDES UNKNOWN - %s\n", message.toUtf8().constData());
    return unknown;
}

void CheckCommand::declare(QCommandLineParser& p) {
    opt::addUrl(p, true);
    p.addOption({inventoryName, QStringLiteral("Check every server of an NDES Console inventory file."),
                 QStringLiteral("FILE")});
    p.addOptions({{warnDaysName, QStringLiteral("WARNING when a certificate has this many days left or fewer (30)."),
                   QStringLiteral("DAYS"), QStringLiteral("30")},
                  {critDaysName, QStringLiteral("CRITICAL when a certificate has this many days left or fewer (7)."),
                   QStringLiteral("DAYS"), QStringLiteral("7")}});
    opt::addTimeout(p, 15);
    p.addOption({concurrencyName, QStringLiteral("Servers probed at once (default 32)."), QStringLiteral("N"),
                 QStringLiteral("32")});
    opt::addTlsCa(p);
    p.addOption({noCrlName, QStringLiteral("Do not fetch the CAs' CRLs.")});
    p.addOption({directoryPasswordEnvName,
                 QStringLiteral("With --inventory: environment variable that holds the password of the directory "
                                "account the servers' profiles bind to AD with (default: each one's from the "
                                "keychain)."),
                 QStringLiteral("VAR")});
}

int CheckCommand::run(const QCommandLineParser& p, const CtlOutput& out) {
    const bool byUrl = p.isSet(QStringLiteral("url"));
    if (byUrl == p.isSet(inventoryName))
        return usageError(out, QStringLiteral("Give --url URL (repeatable) or --inventory FILE."));

    service::HealthOptions options;
    bool ok1 = false;
    bool ok2 = false;
    bool ok3 = false;
    options.thresholds.warningDays = p.value(warnDaysName).toInt(&ok1);
    options.thresholds.criticalDays = p.value(critDaysName).toInt(&ok2);
    const int parallel = p.value(concurrencyName).toInt(&ok3);
    if (!ok1 || !ok2 || options.thresholds.criticalDays < 0 ||
        options.thresholds.warningDays < options.thresholds.criticalDays)
        return usageError(out, QStringLiteral("--warn-days and --crit-days must be whole days, warn >= crit >= 0."));
    if (!ok3 || parallel < 1 || parallel > 256)
        return usageError(out, QStringLiteral("--concurrency must be between 1 and 256."));
    auto ms = opt::timeoutMs(p);
    if (!ms)
        return usageError(out, ms.error().message);
    options.timeoutMs = *ms;
    options.checkCrl = !p.isSet(noCrlName);
    auto extraCa = opt::tlsCa(p);
    if (!extraCa)
        return usageError(out, extraCa.error().message);

    QList<service::HealthTarget> targets;
    if (!byUrl) {
        const QString path = p.value(inventoryName);
        if (!QFile::exists(path))
            return usageError(out, QStringLiteral("The inventory %1 does not exist.").arg(path));
        auto inv = inventory::Inventory::load(path);
        if (!inv)
            return usageError(out, inv.error().message);
        for (const inventory::ServerProfile& s : inv->servers())
            targets << s.healthTarget();
        if (targets.isEmpty())
            return usageError(out, QStringLiteral("The inventory %1 lists no server.").arg(path));
    } else {
        for (const QString& u : p.values(QStringLiteral("url"))) {
            auto parsed = opt::parseUrl(u);
            if (!parsed)
                return usageError(out, parsed.error().message);
            service::HealthTarget t;
            t.name =
                parsed->port() > 0 ? QStringLiteral("%1:%2").arg(parsed->host()).arg(parsed->port()) : parsed->host();
            t.scepUrl = *parsed;
            targets << t;
        }
    }
    for (service::HealthTarget& t : targets)
        t.extraTlsCaCertificates += *extraCa;
    // The directory account's password for servers whose profile names AD: the variable given, else the keychain.
    std::optional<SecretBytes> directoryPassword;
    if (p.isSet(directoryPasswordEnvName)) {
        const QByteArray var = p.value(directoryPasswordEnvName).toLocal8Bit();
        if (byUrl)
            return usageError(out, QStringLiteral("--directory-password-env goes with --inventory (the profiles name "
                                                  "the directory)."));
        if (!qEnvironmentVariableIsSet(var.constData()))
            return usageError(
                out, QStringLiteral("The environment variable %1 is not set.").arg(QString::fromLocal8Bit(var)));
        // One password for one directory account: profiles that bind elsewhere would all be sent it.
        QSet<QString> bindings;
        for (const service::HealthTarget& t : targets)
            if (t.directory.configured() && !t.directory.kerberos)
                bindings << t.directory.url.host().toLower() + QLatin1Char('|') +
                                t.directory.bindDn.trimmed().toLower();
        if (bindings.size() > 1)
            return usageError(out, QStringLiteral("--directory-password-env gives one password, but the inventory's "
                                                  "profiles bind to %1 different directories or accounts; check them "
                                                  "one inventory at a time, or use the keychain.")
                                       .arg(bindings.size()));
        directoryPassword = SecretBytes(qgetenv(var.constData()));
        qunsetenv(var.constData()); // not inherited by anything this process starts
    }
    options.directoryPassword = [directoryPassword](const QString& key, std::function<void(Result<SecretBytes>)> done) {
        if (directoryPassword)
            return done(*directoryPassword);
        done(inventory::CredentialStore::readBlocking(key));
    };

    service::HealthMonitor monitor;
    monitor.setOptions(options);
    monitor.setConcurrency(parallel);
    QList<service::HealthReport> reports;
    runUntilDone([&](const auto& done) {
        QObject::connect(&monitor, &service::HealthMonitor::roundFinished, &monitor,
                         [&reports, done](const QList<service::HealthReport>& r) {
                             reports = r;
                             done(ExitOk);
                         });
        monitor.probeAll(targets);
    });
    // Servers in the order given, not the order they answered.
    std::stable_sort(reports.begin(), reports.end(), [&targets](const auto& a, const auto& b) {
        auto index = [&targets](const service::HealthReport& r) {
            for (qsizetype i = 0; i < targets.size(); ++i)
                if (targets[i].scepUrl == r.url)
                    return i;
            return targets.size();
        };
        return index(a) < index(b);
    });
    const int code = service::monitoringExitCode(reports);
    const QString summary = service::monitoringSummary(reports);
    if (!out.json()) {
        printText(out, summary, reports);
        return code;
    }
    QJsonArray servers;
    for (const service::HealthReport& r : reports)
        servers.append(r.toJson());
    static const char* const words[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};
    out.document({{QStringLiteral("status"), QLatin1String(words[code])},
                  {QStringLiteral("exitCode"), code},
                  {QStringLiteral("summary"), summary},
                  {QStringLiteral("servers"), servers}});
    return code;
}

} // namespace ndesctl
