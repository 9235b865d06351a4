// SPDX-License-Identifier: Apache-2.0
#include "commands/TestCommand.h"

#include "Options.h"
#include "events/EventCatalogue.h"
#include "events/EventXmlReader.h"
#include "ndes/Diagnosis.h"
#include "ndes/EnrollmentTest.h"

#include <QJsonArray>

#include <cstdio>

namespace ndesctl {

using namespace ndes;

namespace {
const QString templateName = QStringLiteral("template");
const QString ekuName = QStringLiteral("eku");
const QString renewName = QStringLiteral("renew");
const QString eventsXmlName = QStringLiteral("events-xml");

void printText(const CtlOutput& out, const service::EnrollmentTestReport& report,
               const QList<service::LikelyCause>& causes) {
    out.text(report.ok ? QStringLiteral("Enrollment test PASSED in %1 ms").arg(report.totalMs)
                       : QStringLiteral("Enrollment test FAILED in %1 ms").arg(report.totalMs));
    for (const service::TestStep& s : report.steps) {
        out.text(QStringLiteral("  %1 %2 (%3 ms)")
                     .arg(service::testStepStatusName(s.status).toUpper().leftJustified(7), s.title)
                     .arg(s.ms));
        if (!s.sent.isEmpty())
            out.text(QStringLiteral("          sent: %1").arg(s.sent));
        if (!s.received.isEmpty())
            out.text(QStringLiteral("          received: %1").arg(s.received));
        if (!s.detail.isEmpty())
            out.text(QStringLiteral("          %1").arg(s.detail));
    }
    for (const QString& w : report.warnings)
        out.warn(w);
    if (causes.isEmpty())
        return;
    out.text(report.ok ? QStringLiteral("\nWorth a look:") : QStringLiteral("\nLikely causes, most likely first:"));
    int n = 0;
    for (const service::LikelyCause& cause : causes) {
        out.text(QStringLiteral("%1. %2 (confidence %3)").arg(++n).arg(cause.title).arg(cause.confidence, 0, 'f', 2));
        out.text(QStringLiteral("   Confirm: %1").arg(cause.confirm));
        out.text(QStringLiteral("   Fix: %1")
                     .arg(QString(cause.fix).replace(QLatin1Char('\n'), QStringLiteral("\n        "))));
    }
}
} // namespace

TestCommand::TestCommand()
    : Command(QStringLiteral("test"), QStringLiteral("Enroll end to end as a device does, and diagnose what fails")) {}

QString TestCommand::details() const {
    return QStringLiteral("Challenge, key, PKCSReq, polling, checks of the certificate; the likely causes of a "
                          "failure, ranked.\nExit codes: 0 the enrollment succeeded, 1 it failed (see the diagnosis), "
                          "2 usage error.");
}

void TestCommand::declare(QCommandLineParser& p) {
    opt::addUrl(p);
    opt::addTimeout(p, 30);
    opt::addTlsCa(p);
    opt::addVerbose(p);
    opt::addAdmin(p);
    opt::addChallenge(p,
                      QStringLiteral("Without --admin-url: a fixed challenge password from this environment variable "
                                     "(single-password mode, other SCEP servers)."),
                      QStringLiteral("Without --admin-url: a fixed challenge password from standard input."));
    opt::addNames(p, QStringLiteral("Subject DN of the test certificate (default CN=ndes-console-test-TIME)."));
    opt::addKeySize(p);
    opt::addCaPin(p);
    p.addOptions(
        {{renewName, QStringLiteral("Also renew the new certificate (RenewalReq).")},
         {templateName, QStringLiteral("The template the certificate must come from (case matters)."),
          QStringLiteral("NAME")},
         {ekuName, QStringLiteral("An EKU OID the certificate must carry (repeatable)."), QStringLiteral("OID")},
         {eventsXmlName,
          QStringLiteral("Event XML the server writes (wevtutil qe Application /f:xml, or ndes-lab --events-xml): "
                         "NDES events logged during the test count as evidence in the diagnosis."),
          QStringLiteral("FILE")}});
}

int TestCommand::run(const QCommandLineParser& p, const CtlOutput& out) {
    service::EnrollmentTestOptions o;
    if (Status s = opt::fillTargetAndAccount(p, o); !s)
        return out.fail(s.error());
    if (opt::adminGiven(p))
        o.adminUrl = opt::adminUrls(p).constFirst();
    if (opt::challengeGiven(p)) {
        if (opt::adminGiven(p))
            return out.fail(makeError(ErrorKind::Usage, QStringLiteral("Give --admin-url (a fresh password is fetched) "
                                                                       "or a fixed challenge, not both.")));
        auto secret = opt::challenge(p);
        if (!secret)
            return out.fail(secret.error());
        o.staticChallenge = std::move(*secret);
    }
    auto pin = opt::caPin(p);
    if (!pin)
        return out.fail(pin.error());
    o.caSha256Pin = *pin;
    o.subject = p.value(QStringLiteral("subject"));
    o.dnsNames = p.values(QStringLiteral("san-dns"));
    o.ipAddresses = p.values(QStringLiteral("san-ip"));
    auto bits = opt::keySize(p);
    if (!bits)
        return out.fail(bits.error());
    o.keyBits = *bits;
    o.renew = p.isSet(renewName);
    o.expectedTemplate = p.value(templateName);
    o.expectedEkus = p.values(ekuName);
    auto diagnosis = service::Diagnosis::builtIn();
    if (!diagnosis)
        return out.fail(diagnosis.error());

    service::EnrollmentTest test;
    if (opt::verbose(p))
        QObject::connect(&test, &service::EnrollmentTest::stepChanged, [](const service::TestStep& s) {
            if (s.status == service::TestStep::Status::Running)
                std::fprintf(stderr, "... %s\n", s.title.toLocal8Bit().constData());
        });
    service::EnrollmentTestReport report;
    runUntilDone([&](const auto& done) {
        QObject::connect(&test, &service::EnrollmentTest::finished,
                         [&report, done](const service::EnrollmentTestReport& r) {
                             report = r;
                             done(ExitOk);
                         });
        test.start(std::move(o));
    });
    if (p.isSet(eventsXmlName)) {
        // NDES events from the test's start on (two seconds of slack for clocks that disagree a little).
        const events::EventXmlResult read = events::EventXmlReader::readFile(p.value(eventsXmlName));
        if (!read.error.isEmpty())
            out.warn(QStringLiteral("Events: %1").arg(read.error));
        for (const events::EventRecord& e : read.events)
            if (events::isNdesProvider(e.provider) && e.time.isValid() && e.time >= report.startedAt.addSecs(-2) &&
                !report.observed.eventIds.contains(e.eventId))
                report.observed.eventIds << e.eventId;
    }
    const QList<service::LikelyCause> causes = diagnosis->diagnose(report.observed);
    if (!out.json()) {
        printText(out, report, causes);
        return report.ok ? ExitOk : ExitRefused;
    }
    QJsonArray diag;
    for (const service::LikelyCause& cause : causes)
        diag.append(cause.toJson());
    QJsonObject doc{{QStringLiteral("ok"), report.ok},
                    {QStringLiteral("steps"), report.stepsJson()},
                    {QStringLiteral("diagnosis"), diag},
                    {QStringLiteral("observed"), report.observed.toJson()},
                    {QStringLiteral("totalMs"), report.totalMs},
                    {QStringLiteral("warnings"), QJsonArray::fromStringList(report.warnings)}};
    if (!report.certificate.isNull())
        doc.insert(QStringLiteral("certificate"), certificateJson(report.certificate));
    out.document(doc);
    return report.ok ? ExitOk : ExitRefused;
}

} // namespace ndesctl
