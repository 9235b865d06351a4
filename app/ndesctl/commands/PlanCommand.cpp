// SPDX-License-Identifier: Apache-2.0
#include "commands/PlanCommand.h"

#include "Options.h"
#include "commands/DirectoryCommand.h"
#include "directory/AdApply.h"
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
const QString applyAdName = QStringLiteral("apply-ad");
const QString commitName = QStringLiteral("commit");
const QString accountPasswordEnvName = QStringLiteral("account-password-env");

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
        "(warnings printed), 1 the plan has errors (nothing written), 2 usage error.\n"
        "plan --in FILE --apply-ad LDAPS_URL (--bind-dn DN --password-env VAR | --kerberos) [--tls-ca FILE] "
        "[--commit] [--account-password-env VAR]: the AD part of the plan over LDAPS. Without --commit a preview of "
        "every LDAP change (the default); with it the changes, a log and a read-back. An existing template is "
        "compared and reported, never changed. Exit codes: 0 done or nothing to do, 1 something stops it (listed), "
        "3 a change failed.");
}

void PlanCommand::declare(QCommandLineParser& p) {
    p.addOptions({{checkName, QStringLiteral("Only validate the plan."), QStringLiteral("FILE")},
                  {inName, QStringLiteral("The plan to write files for."), QStringLiteral("FILE")},
                  {outName, QStringLiteral("Directory for the files (created)."), QStringLiteral("DIR")},
                  {applyAdName,
                   QStringLiteral("Apply the plan's Active Directory part (service account, SPN, template, Read and "
                                  "Enroll, published on the CA) over LDAPS: a preview unless --commit."),
                   QStringLiteral("LDAPS_URL")},
                  {commitName, QStringLiteral("With --apply-ad: make the changes the preview lists.")},
                  {accountPasswordEnvName,
                   QStringLiteral("With --apply-ad --commit, for a plan that asks for the new account's password: the "
                                  "environment variable that holds it (a plan that generates one shows it once)."),
                   QStringLiteral("VAR")}});
    addDirectoryBind(p, true);
    opt::addTimeout(p, 30);
    opt::addTlsCa(p);
}

int PlanCommand::applyAd(const QCommandLineParser& p, const CtlOutput& out, const setup::SetupPlan& plan) {
    const bool commit = p.isSet(commitName);
    SecretBytes accountPassword;
    if (p.isSet(accountPasswordEnvName)) {
        const QByteArray var = p.value(accountPasswordEnvName).toLocal8Bit();
        if (!qEnvironmentVariableIsSet(var.constData()))
            return out.fail(
                makeError(ErrorKind::Usage,
                          QStringLiteral("The environment variable %1 is not set.").arg(QString::fromLocal8Bit(var))));
        accountPassword = SecretBytes(qgetenv(var.constData()));
        qunsetenv(var.constData());
    }
    auto options = directoryOptions(p, p.value(applyAdName));
    if (!options)
        return out.fail(options.error());
    QString error;
    const auto ldap = directory::LdapConnection::open(*options, &error);
    if (!ldap)
        return out.fail(makeError(ErrorKind::Network, error));
    auto changes = directory::planDirectoryChanges(*ldap, plan, &error);
    if (!changes)
        return out.fail(makeError(ErrorKind::BadReply, error));
    const auto changeJson = [](const directory::AdPlan& ad) {
        QJsonArray list;
        for (const directory::AdChange& c : ad.changes)
            list.append(QJsonObject{{QStringLiteral("summary"), c.summary},
                                    {QStringLiteral("dn"), c.dn},
                                    {QStringLiteral("details"), QJsonArray::fromStringList(c.details)}});
        return QJsonObject{{QStringLiteral("changes"), list},
                           {QStringLiteral("asPlanned"), QJsonArray::fromStringList(ad.asPlanned)},
                           {QStringLiteral("differences"), QJsonArray::fromStringList(ad.differences)},
                           {QStringLiteral("blockers"), QJsonArray::fromStringList(ad.blockers)}};
    };
    QJsonObject json{{QStringLiteral("directory"), options->url.toString()},
                     {QStringLiteral("preview"), changeJson(*changes)},
                     {QStringLiteral("committed"), commit}};
    if (!out.json())
        out.text(changes->previewText());
    int code = changes->blockers.isEmpty() ? ExitOk : ExitRefused;
    bool generated = false;
    if (commit && changes->blockers.isEmpty() && !changes->nothingToDo()) {
        if (changes->createsAccount && accountPassword.isEmpty()) {
            if (plan.passwordPolicy != setup::SetupPlan::PasswordPolicy::Generate)
                return out.fail(makeError(ErrorKind::Usage,
                                          QStringLiteral("The plan creates %1 and asks for its password: give it with "
                                                         "--account-password-env VAR.")
                                              .arg(plan.accountName)));
            if (out.json())
                return out.fail(makeError(ErrorKind::Usage,
                                          QStringLiteral("With --json give the new account's password with "
                                                         "--account-password-env VAR: a generated one is shown only "
                                                         "as text, once, never in JSON that scripts keep.")));
            accountPassword = directory::generateAccountPassword();
            generated = true;
        }
        const directory::AdApplyResult result = directory::applyDirectoryChanges(*ldap, *changes, accountPassword);
        json.insert(QStringLiteral("log"), QJsonArray::fromStringList(result.log));
        if (!out.json()) {
            out.text(QString());
            out.text(QStringLiteral("Applied:"));
            for (const QString& line : result.log)
                out.text(QStringLiteral("  ") + line);
        }
        if (generated && result.accountCreated) {
            // Shown once, at once (before anything else can fail), and stored nowhere: into the vault now.
            QString shown = QString::fromUtf8(accountPassword.bytes());
            out.text(QStringLiteral("\nThe new account's password (shown once, stored nowhere; put it in your "
                                    "password vault now, step 03 asks for it):\n  %1\n")
                         .arg(shown));
            SecretBytes::cleanse(shown);
            std::fflush(stdout);
        }
        if (!result.ok) {
            json.insert(QStringLiteral("error"), result.error);
            if (!out.json())
                out.text(QStringLiteral("Stopped: %1").arg(result.error));
            code = ExitNetwork;
        } else {
            // Read back: what the directory now holds against the plan.
            auto after = directory::planDirectoryChanges(*ldap, plan, &error);
            if (!after)
                return out.fail(makeError(ErrorKind::BadReply, error));
            json.insert(QStringLiteral("afterwards"), changeJson(*after));
            if (!out.json())
                out.text(after->nothingToDo() ? QStringLiteral("Read back: AD now holds what the plan needs.")
                                              : QStringLiteral("Read back: still to change:\n") + after->previewText());
            if (!after->nothingToDo())
                code = ExitRefused;
        }
    } else if (!out.json()) {
        if (commit && changes->nothingToDo())
            out.text(QStringLiteral("Nothing applied: nothing to change."));
        else if (commit)
            out.text(QStringLiteral("Nothing applied: resolve what is listed under \"Cannot apply\" first."));
        else
            out.text(QStringLiteral("Preview only: run again with --commit to make these changes."));
    }
    if (out.json())
        std::printf("%s\n", QJsonDocument(json).toJson(QJsonDocument::Compact).constData());
    std::fflush(stdout);
    return code;
}

int PlanCommand::run(const QCommandLineParser& p, const CtlOutput& out) {
    if (p.isSet(applyAdName)) {
        if (!p.isSet(inName) || p.isSet(checkName) || p.isSet(outName))
            return out.fail(
                makeError(ErrorKind::Usage, QStringLiteral("Use plan --in FILE --apply-ad LDAPS_URL (--bind-dn DN "
                                                           "--password-env VAR | --kerberos) [--commit].")));
        auto plan = setup::SetupPlan::load(p.value(inName));
        if (!plan)
            return out.fail(plan.error());
        const QList<setup::PlanIssue> issues = setup::validate(*plan);
        if (setup::hasErrors(issues)) {
            for (const setup::PlanIssue& i : issues)
                out.text(QStringLiteral("%1 (%2): %3").arg(i.field, i.code, i.message));
            return out.fail(
                makeError(ErrorKind::Usage, QStringLiteral("The plan has errors (plan --check lists them); nothing was "
                                                           "read or changed.")));
        }
        return applyAd(p, out, *plan);
    }
    if (p.isSet(commitName) || p.isSet(accountPasswordEnvName))
        return out.fail(makeError(ErrorKind::Usage, QStringLiteral("--commit goes with --apply-ad.")));
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
