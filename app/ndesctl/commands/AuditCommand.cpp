// SPDX-License-Identifier: Apache-2.0
#include "commands/AuditCommand.h"

#include "Options.h"
#include "audit/Audit.h"
#include "audit/AuditPdf.h"
#include "audit/AuditReport.h"
#include "audit/Drift.h"
#include "commands/DirectoryCommand.h"
#include "ndes/HealthProbe.h"
#include "util/AtomicFile.h"
#include "util/Clock.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>

#include <cstdio>

namespace ndesctl {

using namespace ndes;

namespace {
constexpr int couldNotRun = 3;

const QString snapshotName = QStringLiteral("snapshot");
const QString inName = QStringLiteral("in");
const QString htmlName = QStringLiteral("html");
const QString pdfName = QStringLiteral("pdf");
const QString csvName = QStringLiteral("csv");
const QString jsonOutName = QStringLiteral("json-out");
const QString failOnName = QStringLiteral("fail-on");
const QString accountName = QStringLiteral("account");
const QString daysName = QStringLiteral("days");
const QString catalogueName = QStringLiteral("catalogue");
const QString compareName = QStringLiteral("compare");

// Evidence is the server's text: control characters (a terminal's escape sequences) are shown, not obeyed.
QString printable(QString s) {
    for (QChar& c : s)
        if (c.unicode() < 0x20 || (c.unicode() >= 0x7F && c.unicode() < 0xA0))
            c = QChar(0xFFFD);
    return s;
}

QString severityWord(audit::Severity s) {
    return audit::severityName(s).toUpper();
}

void printText(const CtlOutput& out, const audit::AuditResult& r) {
    out.text(QStringLiteral("NDES configuration audit of %1 (collected %2; catalogue %3)%4")
                 .arg(r.host.isEmpty() ? QStringLiteral("an unnamed server") : r.host,
                      r.collectedAt.toUTC().toString(Qt::ISODate), r.catalogueVersion,
                      r.liveUrl.isEmpty() ? QString() : QStringLiteral("; live look at ") + r.liveUrl));
    out.text(QStringLiteral("%1 findings: %2 critical, %3 high, %4 medium, %5 low, %6 info; %7 not checked, %8 passed")
                 .arg(r.findings.size())
                 .arg(r.count(audit::Severity::Critical))
                 .arg(r.count(audit::Severity::High))
                 .arg(r.count(audit::Severity::Medium))
                 .arg(r.count(audit::Severity::Low))
                 .arg(r.count(audit::Severity::Info))
                 .arg(r.notChecked.size())
                 .arg(r.passed.size()));
    for (const audit::Finding& f : r.findings) {
        out.text(QString());
        out.text(QStringLiteral("[%1] %2: %3").arg(severityWord(f.severity), f.id, f.title));
        out.text(QStringLiteral("  %1").arg(printable(f.detail)));
        for (const audit::Evidence& e : f.evidence)
            out.text(
                printable(QStringLiteral("  evidence: %1%2 = %3")
                              .arg(e.source.isEmpty() ? QString() : e.source + QStringLiteral(": "), e.path, e.value)));
        out.text(QStringLiteral("  remedy: %1").arg(f.remedy));
    }
    if (!r.notChecked.isEmpty()) {
        out.text(QString());
        out.text(QStringLiteral("Not checked:"));
        for (const audit::NotChecked& n : r.notChecked)
            out.text(printable(QStringLiteral("  %1: %2").arg(n.id, n.why)));
    }
    if (!r.problems.isEmpty()) {
        out.text(QString());
        out.text(QStringLiteral("Files that could not be used:"));
        for (const QString& p : r.problems)
            out.text(QStringLiteral("  %1").arg(printable(p)));
    }
}
} // namespace

AuditCommand::AuditCommand()
    : Command(QStringLiteral("audit"), QStringLiteral("Configuration audit of an NDES server from a snapshot "
                                                      "(Collect-NdesSnapshot.ps1) or a folder of exported files")) {}

QString AuditCommand::details() const {
    return QStringLiteral(
        "Reads the zip or folder Collect-NdesSnapshot.ps1 wrote (see `ndesctl collector`), or any folder of files "
        "exported "
        "from the server: .reg exports, applicationHost.config, certificates, secedit's user rights, netsh http show "
        "sslcert, EVTX or Event XML, IIS logs (recognised by content). Nothing is written but the reports asked "
        "for.\nExit codes: 0 no finding at or above --fail-on and none at medium or above, 1 findings below "
        "--fail-on but at least medium, 2 findings at or above --fail-on, 3 the audit could not run.\n"
        "--compare A B compares two snapshots (zips or folders) setting by setting, certificate by certificate: the "
        "same server before and after a change, or servers that should be alike. Exit codes: 0 alike, 1 "
        "differences, 3 could not run.");
}

int AuditCommand::usageError(const CtlOutput& out, const QString& message) const {
    out.fail(makeError(ErrorKind::Usage, message));
    return couldNotRun;
}

void AuditCommand::declare(QCommandLineParser& p) {
    p.addOptions(
        {{snapshotName, QStringLiteral("The zip (or its folder) Collect-NdesSnapshot.ps1 wrote."),
          QStringLiteral("ZIP|DIR")},
         {inName, QStringLiteral("A folder of files exported from the server (no manifest needed)."),
          QStringLiteral("DIR")},
         {htmlName, QStringLiteral("Write the report as one self-contained HTML page."), QStringLiteral("FILE")},
         {pdfName, QStringLiteral("Write the report as PDF (A4, fonts embedded)."), QStringLiteral("FILE")},
         {csvName, QStringLiteral("Write the findings as CSV."), QStringLiteral("FILE")},
         {jsonOutName, QStringLiteral("Write the JSON report to a file (--json prints it)."), QStringLiteral("FILE")},
         {failOnName,
          QStringLiteral("Exit 2 when a finding is at or above this severity: critical, high (default), "
                         "medium, low."),
          QStringLiteral("SEVERITY"), QStringLiteral("high")},
         {accountName, QStringLiteral("The account the SCEP pool should run as (DOMAIN\\name)."),
          QStringLiteral("ACCOUNT")},
         {daysName, QStringLiteral("How many days of events before the snapshot count as recent (14)."),
          QStringLiteral("DAYS"), QStringLiteral("14")},
         {catalogueName, QStringLiteral("Use this check catalogue (JSON) instead of the built-in one."),
          QStringLiteral("FILE")},
         {compareName, QStringLiteral("Compare two snapshots given as arguments: audit --compare A B.")}});
    p.addOption({QStringLiteral("url"),
                 QStringLiteral("Also look at the server live, read-only, as ndesctl check does (no secret sent, no "
                                "password used up); alone, or with a snapshot."),
                 QStringLiteral("URL")});
    p.addOptions({{QStringLiteral("directory"),
                   QStringLiteral("Also read Active Directory over LDAPS (templates, the CA's published list, the "
                                  "service account), read-only, with --bind-dn or --kerberos."),
                   QStringLiteral("LDAPS_URL")},
                  {QStringLiteral("directory-ldif"),
                   QStringLiteral("Instead of a live read: the LDIF `ndesctl directory export` (or ldapsearch) wrote."),
                   QStringLiteral("FILE")},
                  {QStringLiteral("at"),
                   QStringLiteral("Audit as of this time (ISO 8601), e.g. when a password will have expired."),
                   QStringLiteral("TIME")}});
    addDirectoryBind(p, true);
    opt::addTimeout(p, 15);
    opt::addTlsCa(p);
}

int AuditCommand::compare(const QCommandLineParser& p, const CtlOutput& out) const {
    const QStringList args = p.positionalArguments();
    if (args.size() != 2 || p.isSet(snapshotName) || p.isSet(inName))
        return usageError(out, QStringLiteral("Give two snapshots: audit --compare A B (zips or folders)."));
    auto a = audit::Snapshot::load(args[0]);
    if (!a) {
        out.fail(a.error());
        return couldNotRun;
    }
    auto b = audit::Snapshot::load(args[1]);
    if (!b) {
        out.fail(b.error());
        return couldNotRun;
    }
    const audit::DriftReport r = audit::compareSnapshots(*a, *b);
    if (out.json()) {
        out.document(r.toJson());
    } else {
        out.text(QStringLiteral("A: %1 (collected %2)  B: %3 (collected %4)")
                     .arg(r.hostA, r.collectedA.toUTC().toString(Qt::ISODate), r.hostB,
                          r.collectedB.toUTC().toString(Qt::ISODate)));
        out.text(QStringLiteral("%1 differences, %2 settings alike").arg(r.differences.size()).arg(r.same));
        QString area;
        for (const audit::DriftItem& d : r.differences) {
            if (d.area != area) {
                area = d.area;
                out.text(QString());
                out.text(QStringLiteral("[%1]").arg(area));
            }
            out.text(QStringLiteral("  %1").arg(printable(d.setting)));
            out.text(QStringLiteral("    A: %1").arg(printable(d.a)));
            out.text(QStringLiteral("    B: %1").arg(printable(d.b)));
        }
        for (const QString& n : r.notSeen)
            out.text(QStringLiteral("not compared: %1").arg(n));
    }
    std::fflush(stdout);
    return r.differences.isEmpty() ? 0 : 1;
}

int AuditCommand::run(const QCommandLineParser& p, const CtlOutput& out) {
    if (p.isSet(compareName))
        return compare(p, out);
    if (!p.positionalArguments().isEmpty())
        return usageError(out, QStringLiteral("Unexpected argument \"%1\" (snapshots are given with --snapshot or "
                                              "--in; two with --compare).")
                                   .arg(p.positionalArguments().first()));
    const bool live = p.isSet(QStringLiteral("url"));
    if ((p.isSet(snapshotName) && p.isSet(inName)) || (!live && !p.isSet(snapshotName) && !p.isSet(inName)))
        return usageError(out, QStringLiteral("Give --snapshot ZIP|DIR (the collector's zip or folder) or --in DIR "
                                              "(exported files), and/or --url URL for a live look."));
    const auto failOn = audit::severityFromName(p.value(failOnName));
    if (!failOn || *failOn == audit::Severity::Info)
        return usageError(out, QStringLiteral("--fail-on is critical, high, medium or low."));
    bool ok = false;
    const int days = p.value(daysName).toInt(&ok);
    if (!ok || days < 1 || days > 3650)
        return usageError(out, QStringLiteral("--days must be a whole number of days, 1 to 3650."));
    for (const QString& name : {htmlName, pdfName, csvName, jsonOutName})
        if (p.isSet(name)) {
            if (Status target = AtomicFile::checkTarget(p.value(name)); !target)
                return usageError(out, target.error().message);
        }

    Result<audit::Catalogue> catalogue = makeError(ErrorKind::Internal, QString());
    if (p.isSet(catalogueName)) {
        QFile f(p.value(catalogueName));
        if (!f.open(QIODevice::ReadOnly) || f.size() > 8 * 1024 * 1024)
            return usageError(out, QStringLiteral("Cannot read the catalogue %1.").arg(p.value(catalogueName)));
        catalogue = audit::Catalogue::fromJson(f.readAll());
    } else {
        catalogue = audit::Catalogue::builtIn();
    }
    if (!catalogue)
        return usageError(out, catalogue.error().message);

    const QString folder = p.isSet(snapshotName) ? p.value(snapshotName) : p.value(inName);
    Result<audit::Snapshot> snapshot = audit::Snapshot();
    if (!folder.isEmpty())
        snapshot = audit::Snapshot::load(folder);
    if (!snapshot) {
        out.fail(snapshot.error());
        return couldNotRun;
    }
    if (p.isSet(snapshotName) && !snapshot->manifest())
        out.warn(QStringLiteral("%1 has no manifest.json: it was not written by Collect-NdesSnapshot.ps1, so its files "
                                "cannot be proven unchanged (use --in for a folder of exported files).")
                     .arg(folder));

    audit::AuditOptions options;
    options.now = Clock::instance().now();
    if (p.isSet(QStringLiteral("at"))) {
        options.now = QDateTime::fromString(p.value(QStringLiteral("at")), Qt::ISODate);
        if (!options.now.isValid())
            return usageError(out, QStringLiteral("--at takes an ISO 8601 time, e.g. 2027-03-01T12:00:00Z."));
    }
    // Active Directory: a live read over LDAPS, or an LDIF export of the same objects.
    std::optional<directory::DirectoryData> directoryData;
    if (p.isSet(QStringLiteral("directory")) && p.isSet(QStringLiteral("directory-ldif")))
        return usageError(out, QStringLiteral("Give --directory (live) or --directory-ldif (an export), not both."));
    QString serviceAccountName = p.value(accountName);
    if (serviceAccountName.isEmpty())
        serviceAccountName = audit::scepPoolAccount(*snapshot);
    if (p.isSet(QStringLiteral("directory"))) {
        auto ldapOptions = directoryOptions(p, p.value(QStringLiteral("directory")));
        if (!ldapOptions)
            return usageError(out, ldapOptions.error().message);
        QString error;
        const auto ldap = directory::LdapConnection::open(*ldapOptions, &error);
        directory::DirectoryRequest request;
        if (!serviceAccountName.isEmpty())
            request.accounts << serviceAccountName;
        if (ldap)
            directoryData = directory::readDirectory(*ldap, request, &error);
        if (!directoryData) {
            out.fail(makeError(ErrorKind::Network, error));
            return couldNotRun;
        }
    } else if (p.isSet(QStringLiteral("directory-ldif"))) {
        const QString path = p.value(QStringLiteral("directory-ldif"));
        QFile f(path);
        constexpr qint64 maxLdif = 512LL * 1024 * 1024;
        if (!f.open(QIODevice::ReadOnly))
            return usageError(out, QStringLiteral("Cannot read %1.").arg(path));
        const QByteArray text = f.read(maxLdif + 1); // bounded also when it is a pipe
        if (text.size() > maxLdif)
            return usageError(out, QStringLiteral("%1 is larger than 512 MB.").arg(path));
        QString error;
        auto entries = directory::parseLdif(text, &error);
        if (!entries)
            return usageError(out, QStringLiteral("%1: %2").arg(path, error));
        directoryData =
            directory::DirectoryData::fromEntries(std::move(*entries), path, QFileInfo(f).lastModified().toUTC());
    }
    if (directoryData)
        options.directory = &*directoryData;
    options.recentDays = days;
    options.expectedAccount = p.value(accountName);
    if (live) {
        auto url = opt::parseUrl(p.value(QStringLiteral("url")));
        if (!url)
            return usageError(out, url.error().message);
        auto ms = opt::timeoutMs(p);
        if (!ms)
            return usageError(out, ms.error().message);
        auto extraCa = opt::tlsCa(p);
        if (!extraCa)
            return usageError(out, extraCa.error().message);
        service::HealthTarget target;
        target.name = url->host();
        target.scepUrl = *url;
        target.extraTlsCaCertificates = *extraCa;
        service::HealthOptions probeOptions;
        probeOptions.timeoutMs = *ms;
        service::HealthMonitor monitor;
        monitor.setOptions(probeOptions);
        runUntilDone([&](const auto& done) {
            QObject::connect(&monitor, &service::HealthMonitor::roundFinished, &monitor,
                             [&options, done](const QList<service::HealthReport>& reports) {
                                 if (!reports.isEmpty())
                                     options.live = reports.first();
                                 done(ExitOk);
                             });
            monitor.probeAll({target});
        });
        if (!options.live) {
            out.fail(makeError(ErrorKind::Internal,
                               QStringLiteral("The live probe of %1 gave no report.").arg(url->toString())));
            return couldNotRun;
        }
    }
    const audit::AuditResult result = audit::runAudit(*catalogue, *snapshot, options);

    const QDateTime generatedAt = Clock::instance().now();
    const QList<std::pair<QString, QString>> reports = {
        {htmlName, p.value(htmlName)}, {csvName, p.value(csvName)}, {jsonOutName, p.value(jsonOutName)}};
    for (const auto& [kind, path] : reports) {
        if (path.isEmpty())
            continue;
        QByteArray bytes = kind == htmlName  ? audit::AuditReport::html(result, generatedAt).toUtf8()
                           : kind == csvName ? audit::AuditReport::csv(result)
                                             : audit::AuditReport::json(result);
        if (Status written = AtomicFile::write(path, bytes, AtomicFile::Access::OwnerOnly); !written) {
            out.fail(written.error());
            return couldNotRun;
        }
        if (!out.json())
            std::fprintf(stderr, "wrote %s\n", path.toUtf8().constData());
    }
    if (p.isSet(pdfName)) {
        if (Status written = audit::writeAuditPdf(result, p.value(pdfName), generatedAt); !written) {
            out.fail(written.error());
            return couldNotRun;
        }
        if (!out.json())
            std::fprintf(stderr, "wrote %s\n", p.value(pdfName).toUtf8().constData());
    }
    if (out.json())
        out.document(result.toJson());
    else
        printText(out, result);
    std::fflush(stdout);

    // Nothing evaluated at all (no evidence NDES Console knows): not a clean bill of health.
    if (result.findings.isEmpty() && result.passed.isEmpty()) {
        out.warn(
            QStringLiteral("No check could run on %1: it holds no evidence of an NDES server (see \"Not checked\").")
                .arg(folder));
        return couldNotRun;
    }
    const auto worst = result.worst();
    if (worst && *worst >= *failOn)
        return 2;
    if (worst && *worst >= audit::Severity::Medium)
        return 1;
    return 0;
}

CollectorCommand::CollectorCommand()
    : Command(QStringLiteral("collector"),
              QStringLiteral("Save Collect-NdesSnapshot.ps1, the read-only collector to run on the NDES server")) {}

QString CollectorCommand::details() const {
    return QStringLiteral("Run it on the NDES server in Windows PowerShell 5.1 as an administrator:\n"
                          "  powershell -ExecutionPolicy Bypass -File .\\Collect-NdesSnapshot.ps1 -OutputFolder "
                          "C:\\ndes-audit\nIt changes nothing and writes only inside that folder; then audit the "
                          "folder (or its zip) with `ndesctl audit --snapshot`.");
}

void CollectorCommand::declare(QCommandLineParser& p) {
    p.addOption({QStringLiteral("out"), QStringLiteral("Where to save the script."), QStringLiteral("FILE")});
}

int CollectorCommand::run(const QCommandLineParser& p, const CtlOutput& out) {
    if (!p.isSet(QStringLiteral("out")))
        return out.fail(makeError(ErrorKind::Usage, QStringLiteral("Give --out FILE.")));
    QFile script(QStringLiteral(":/audit/Collect-NdesSnapshot.ps1"));
    if (!script.open(QIODevice::ReadOnly))
        return out.fail(makeError(ErrorKind::Internal, QStringLiteral("The collector is missing from this build.")));
    QByteArray text = script.readAll();
    // Windows PowerShell 5.1 reads a script without a BOM in the ANSI code page; CRLF for Notepad.
    text.replace("\r\n", "\n");
    text.replace("\n", "\r\n");
    const QString path = p.value(QStringLiteral("out"));
    if (Status written = AtomicFile::write(path, "\xEF\xBB\xBF" + text, AtomicFile::Access::WorldReadable); !written)
        return out.fail(written.error());
    if (out.json())
        out.document({{QStringLiteral("written"), path}});
    else
        out.text(QStringLiteral("wrote %1").arg(path));
    return ExitOk;
}

} // namespace ndesctl
