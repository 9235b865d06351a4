// SPDX-License-Identifier: Apache-2.0
#include "commands/ChallengeCommand.h"

#include "Options.h"
#include "ndes/ChallengePasswordClient.h"

namespace ndesctl {

using namespace ndes;

ChallengeCommand::ChallengeCommand()
    : Command(QStringLiteral("challenge"), QStringLiteral("Get a one-time challenge password from NDES's admin page")) {
}

void ChallengeCommand::declare(QCommandLineParser& p) {
    opt::addAdmin(p);
    opt::addTimeout(p, 30);
    opt::addTlsCa(p);
}

int ChallengeCommand::run(const QCommandLineParser& p, const CtlOutput& out) {
    if (!opt::adminGiven(p))
        return out.fail(
            makeError(ErrorKind::Usage,
                      QStringLiteral("--admin-url is required, e.g. https://ndes.example.com/certsrv/mscep_admin/")));
    auto ms = opt::timeoutMs(p);
    if (!ms)
        return out.fail(ms.error());
    auto extraCa = opt::tlsCa(p);
    if (!extraCa)
        return out.fail(extraCa.error());
    auto built = opt::adminRequest(p);
    if (!built)
        return out.fail(built.error());
    service::ChallengeRequest req = std::move(*built);
    req.timeoutMs = *ms;
    req.extraCaPem = service::pemBundle(*extraCa);
    auto result = service::ChallengePasswordClient::fetch(req);
    req.password.wipe();
    if (!result)
        return out.fail(result.error());
    const QString pw = QString::fromLatin1(result->password.bytes());
    QString grouped;
    for (qsizetype i = 0; i < pw.size(); i += 4)
        grouped += (i ? QStringLiteral(" ") : QString()) + pw.mid(i, 4);
    const QString validity =
        result->neverExpires ? QStringLiteral("does not expire (single password mode)")
        : result->validityMinutes > 0
            ? QStringLiteral("valid for %1 minutes, until %2 UTC, single use")
                  .arg(result->validityMinutes)
                  .arg(
                      result->fetchedAt.addSecs(qint64(result->validityMinutes) * 60).toString(QStringLiteral("HH:mm")))
            : QStringLiteral("validity not stated by the page");
    out.text(QStringLiteral("Challenge password from %1:\n  %2\n%3\nCA thumbprint: %4")
                 .arg(result->server, grouped, validity,
                      result->caThumbprint.isEmpty() ? QStringLiteral("(not shown)") : result->caThumbprint));
    out.document({{QStringLiteral("password"), pw},
                  {QStringLiteral("validityMinutes"), result->validityMinutes},
                  {QStringLiteral("neverExpires"), result->neverExpires},
                  {QStringLiteral("caThumbprint"), result->caThumbprint},
                  {QStringLiteral("server"), result->server},
                  {QStringLiteral("fetchedAt"), result->fetchedAt.toString(Qt::ISODate)}});
    return ExitOk;
}

} // namespace ndesctl
