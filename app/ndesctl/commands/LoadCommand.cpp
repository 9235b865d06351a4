// SPDX-License-Identifier: Apache-2.0
#include "commands/LoadCommand.h"

#include "Options.h"
#include "ndes/LoadTest.h"

#include <cstdio>

namespace ndesctl {

using namespace ndes;

namespace {
const QString concurrencyName = QStringLiteral("concurrency");
const QString requestsName = QStringLiteral("requests");
const QString freshName = QStringLiteral("fresh-keys");
const QString ownName = QStringLiteral("i-own-this-server");

void printText(const CtlOutput& out, const service::LoadTestResult& result) {
    out.text(QStringLiteral("%1 enrollments, %2 succeeded, %3 failed, in %4 s: %5 per second")
                 .arg(result.requests)
                 .arg(result.succeeded)
                 .arg(result.failed)
                 .arg(double(result.wallMs) / 1000.0, 0, 'f', 2)
                 .arg(result.perSecond, 0, 'f', 1));
    out.text(QStringLiteral("latency of successful enrollments: p50 %1 ms, p90 %2 ms, p99 %3 ms, max %4 ms")
                 .arg(result.p50)
                 .arg(result.p90)
                 .arg(result.p99)
                 .arg(result.maxMs));
    for (auto it = result.errorsByKind.begin(); it != result.errorsByKind.end(); ++it)
        out.text(QStringLiteral("errors: %1 x %2").arg(it.value()).arg(it.key()));
    QStringList perSecond;
    for (int n : result.completedPerSecond)
        perSecond << QString::number(n);
    out.text(QStringLiteral("completed per second: %1").arg(perSecond.join(QLatin1Char(' '))));
}
} // namespace

LoadCommand::LoadCommand()
    : Command(QStringLiteral("load"),
              QStringLiteral("Load-test an NDES: N enrollments in flight, M in all; latency percentiles and errors")) {}

QString LoadCommand::details() const {
    return QStringLiteral("Challenge passwords come from the admin pages (round-robin) when given. Only loopback "
                          "targets without --i-own-this-server.\nExit codes: 0 every enrollment succeeded, 1 some "
                          "failed, 2 usage error or refused target.");
}

void LoadCommand::declare(QCommandLineParser& p) {
    opt::addUrl(p);
    opt::addTimeout(p, 30);
    opt::addTlsCa(p);
    opt::addAdmin(p, true);
    opt::addKeySize(p);
    opt::addCaPin(p);
    p.addOptions({{concurrencyName, QStringLiteral("Enrollments in flight (default 10)."), QStringLiteral("N"),
                   QStringLiteral("10")},
                  {requestsName, QStringLiteral("Enrollments in all (default 100)."), QStringLiteral("M"),
                   QStringLiteral("100")},
                  {freshName, QStringLiteral("A new key per request, as devices do (default: a pool made "
                                             "beforehand, so the figures measure the server).")},
                  {ownName, QStringLiteral("Allow a target that is not a loopback address. A load test enrolls "
                                           "real certificates and can take a production NDES down.")}});
}

int LoadCommand::run(const QCommandLineParser& p, const CtlOutput& out) {
    service::LoadTestOptions o;
    if (Status s = opt::fillTargetAndAccount(p, o); !s)
        return out.fail(s.error());
    o.adminUrls = opt::adminUrls(p);
    auto pin = opt::caPin(p);
    if (!pin)
        return out.fail(pin.error());
    o.caSha256Pin = *pin;
    if (o.caSha256Pin.isEmpty() && o.scepUrl.scheme() == QLatin1String("http") && !o.adminUrls.isEmpty())
        out.warn(QStringLiteral("The RA certificate is not authenticated: SCEP over plain HTTP without --ca-sha256, so "
                                "anyone in the path could read the challenge passwords."));
    bool ok1 = false;
    bool ok2 = false;
    o.concurrency = p.value(concurrencyName).toInt(&ok1);
    o.requests = p.value(requestsName).toInt(&ok2);
    if (!ok1 || !ok2)
        return out.fail(makeError(ErrorKind::Usage, QStringLiteral("--concurrency and --requests take numbers.")));
    auto bits = opt::keySize(p);
    if (!bits)
        return out.fail(bits.error());
    o.keyBits = *bits;
    o.freshKeys = p.isSet(freshName);
    o.iOwnThisServer = p.isSet(ownName);
    if (Status s = service::LoadTest::check(o); !s)
        return out.fail(s.error());

    service::LoadTest test;
    if (!out.json()) {
        QObject::connect(&test, &service::LoadTest::preparing,
                         [](const QString& what) { std::fprintf(stderr, "%s\n", what.toLocal8Bit().constData()); });
        QObject::connect(&test, &service::LoadTest::progress, [](int done, int total) {
            if (done % qMax(1, total / 10) == 0 || done == total)
                std::fprintf(stderr, "%d/%d done\n", done, total);
        });
    }
    service::LoadTestResult result;
    runUntilDone([&](const auto& done) {
        QObject::connect(&test, &service::LoadTest::finished, [&result, done](const service::LoadTestResult& r) {
            result = r;
            done(ExitOk);
        });
        test.start(std::move(o));
    });
    out.document(result.toJson());
    if (!result.stoppedBecause.isEmpty())
        out.warn(QStringLiteral("Stopped after the admin page refused the account (%1): %2 No further sign-in was "
                                "tried, so the account is not locked out by this run.")
                     .arg(result.stoppedBecause, result.stopMessage));
    printText(out, result);
    return result.failed == 0 ? ExitOk : ExitRefused;
}

} // namespace ndesctl
