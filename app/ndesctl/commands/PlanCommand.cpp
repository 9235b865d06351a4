// SPDX-License-Identifier: Apache-2.0
#include "commands/PlanCommand.h"

#include "setup/ScriptWriter.h"
#include "setup/SetupPlan.h"
#include "util/Clock.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <cstdio>

namespace ndesctl {

using namespace ndes;

namespace {
const QString checkName = QStringLiteral("check");
const QString inName = QStringLiteral("in");
const QString outName = QStringLiteral("out");

QJsonObject issueJson(const setup::PlanIssue& i) {
    return {{QStringLiteral("severity"),
             i.severity == setup::PlanIssue::Severity::Error ? QStringLiteral("error") : QStringLiteral("warning")},
            {QStringLiteral("field"), i.field},
            {QStringLiteral("code"), i.code},
            {QStringLiteral("message"), i.message}};
}
} // namespace

PlanCommand::PlanCommand()
    : Command(QStringLiteral("plan"),
              QStringLiteral("Check a setup plan (plan --check FILE) or write its files (plan --in FILE --out DIR)")) {}

QString PlanCommand::details() const {
    return QStringLiteral(
        "A plan (see docs/examples/plan.json) describes the NDES registry settings, written as a .reg "
        "file (regedit's UTF-16LE, the real MSCEP layout), and PowerShell for the registry, IIS and "
        "HTTP.sys, with a rollback and a read-only verification.\nExit codes: 0 written/valid "
        "(warnings printed), 1 the plan has errors (nothing written), 2 usage error.");
}

void PlanCommand::declare(QCommandLineParser& p) {
    p.addOptions({{checkName, QStringLiteral("Only validate the plan."), QStringLiteral("FILE")},
                  {inName, QStringLiteral("The plan to write files for."), QStringLiteral("FILE")},
                  {outName, QStringLiteral("Directory for the files (created)."), QStringLiteral("DIR")}});
}

int PlanCommand::run(const QCommandLineParser& p, const CtlOutput& out) {
    const bool checkOnly = p.isSet(checkName);
    if (checkOnly == p.isSet(inName) || (!checkOnly && !p.isSet(outName)))
        return out.fail(
            makeError(ErrorKind::Usage, QStringLiteral("Use plan --check FILE, or plan --in FILE --out DIR.")));
    auto plan = setup::SetupPlan::load(checkOnly ? p.value(checkName) : p.value(inName));
    if (!plan)
        return out.fail(plan.error());
    const QList<setup::PlanIssue> issues = setup::validate(*plan);
    const bool errors = setup::hasErrors(issues);
    QStringList written;
    if (!errors && !checkOnly) {
        auto files = setup::writePlanFiles(*plan, p.value(outName), Clock::instance().now());
        if (!files)
            return out.fail(files.error());
        written = *files;
    }
    if (out.json()) {
        QJsonArray list;
        for (const setup::PlanIssue& i : issues)
            list.append(issueJson(i));
        std::printf("%s\n", QJsonDocument(QJsonObject{{QStringLiteral("ok"), !errors},
                                                      {QStringLiteral("issues"), list},
                                                      {QStringLiteral("written"), QJsonArray::fromStringList(written)}})
                                .toJson(QJsonDocument::Compact)
                                .constData());
    } else {
        for (const setup::PlanIssue& i : issues)
            out.text(QStringLiteral("%1 %2 (%3): %4")
                         .arg(i.severity == setup::PlanIssue::Severity::Error ? QStringLiteral("ERROR  ")
                                                                              : QStringLiteral("warning"),
                              i.field, i.code, i.message));
        if (errors)
            out.text(checkOnly ? QStringLiteral("The plan has errors: change what is listed above.")
                               : QStringLiteral("The plan has errors; nothing was written."));
        else if (checkOnly)
            out.text(issues.isEmpty() ? QStringLiteral("The plan is valid.")
                                      : QStringLiteral("The plan is valid; read the warnings above."));
        for (const QString& w : written)
            out.text(QStringLiteral("wrote %1").arg(w));
    }
    std::fflush(stdout);
    return errors ? ExitRefused : ExitOk;
}

} // namespace ndesctl
