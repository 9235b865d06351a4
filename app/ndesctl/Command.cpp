// SPDX-License-Identifier: Apache-2.0
#include "Command.h"

#include "commands/AuditCommand.h"
#include "commands/CaCertCommand.h"
#include "commands/CapsCommand.h"
#include "commands/ChallengeCommand.h"
#include "commands/CheckCommand.h"
#include "commands/DirectoryCommand.h"
#include "commands/EnrollCommand.h"
#include "commands/EventsCommand.h"
#include "commands/KeychainCommand.h"
#include "commands/ListenCommand.h"
#include "commands/LoadCommand.h"
#include "commands/PlanCommand.h"
#include "commands/RenewCommand.h"
#include "commands/TestCommand.h"

#include <QCoreApplication>
#include <QEventLoop>

#include <cstdio>

namespace ndesctl {

using ndes::ErrorKind;
using ndes::makeError;

int Command::usageError(const CtlOutput& out, const QString& message) const {
    return out.fail(makeError(ErrorKind::Usage, message));
}

int Command::execute(const QStringList& args) {
    QCommandLineParser p;
    p.setApplicationDescription(details().isEmpty() ? m_description : m_description + QLatin1Char('\n') + details());
    p.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsOptions);
    p.addOption({QStringLiteral("json"), QStringLiteral("Print JSON instead of text.")});
    p.addHelpOption();
    declare(p);
    const CtlOutput out(args.contains(QStringLiteral("--json")));
    if (!p.parse(args)) {
        QString message = p.errorText();
        const QString joined = args.join(QLatin1Char(' '));
        if (args.contains(QStringLiteral("--challenge")) || joined.contains(QStringLiteral("--challenge=")))
            message = QStringLiteral("The challenge password is never taken on the command line (other users can "
                                     "read it there). Use --challenge-env VAR or --challenge-stdin.");
        if (args.contains(QStringLiteral("--password")) || joined.contains(QStringLiteral("--password=")))
            message = QStringLiteral("Passwords are never taken on the command line (other users can read it "
                                     "there). Use --password-env VAR or --password-stdin.");
        return usageError(out, message);
    }
    if (p.isSet(QStringLiteral("help"))) {
        // Qt names the program by its path; the usage line names the command.
        QString help = p.helpText();
        const QString program = QCoreApplication::arguments().value(0);
        if (help.startsWith(QStringLiteral("Usage: ") + program))
            help.replace(7, program.size(), QStringLiteral("ndesctl ") + m_name);
        std::fputs(help.toUtf8().constData(), stdout);
        return ExitOk;
    }
    if (!takesArguments() && !p.positionalArguments().isEmpty())
        return usageError(out, QStringLiteral("Unexpected argument \"%1\".").arg(p.positionalArguments().first()));
    return run(p, out);
}

const std::vector<std::unique_ptr<Command>>& commands() {
    static const auto all = [] {
        std::vector<std::unique_ptr<Command>> list;
        list.push_back(std::make_unique<CapsCommand>());
        list.push_back(std::make_unique<CaCertCommand>());
        list.push_back(std::make_unique<EnrollCommand>());
        list.push_back(std::make_unique<RenewCommand>());
        list.push_back(std::make_unique<ChallengeCommand>());
        list.push_back(std::make_unique<KeychainCommand>());
        list.push_back(std::make_unique<CheckCommand>());
        list.push_back(std::make_unique<TestCommand>());
        list.push_back(std::make_unique<LoadCommand>());
        list.push_back(std::make_unique<EventsCommand>());
        list.push_back(std::make_unique<ListenCommand>());
        list.push_back(std::make_unique<PlanCommand>());
        list.push_back(std::make_unique<AuditCommand>());
        list.push_back(std::make_unique<DirectoryCommand>());
        list.push_back(std::make_unique<CollectorCommand>());
        return list;
    }();
    return all;
}

Command* findCommand(const QString& name) {
    for (const auto& c : commands())
        if (c->name() == name)
            return c.get();
    return nullptr;
}

QString usageText() {
    QString text = QStringLiteral("Usage: ndesctl <command> [options]\n\nCommands:\n");
    for (const auto& c : commands())
        text += QStringLiteral("  %1 %2\n").arg(c->name().leftJustified(10), c->description());
    text += QStringLiteral(
        "\nRun \"ndesctl <command> --help\" (or \"ndesctl help <command>\") for its options.\n"
        "Exit codes: 0 success, 1 the server refused or answered wrongly, 2 usage error, 3 network or TLS\n"
        "error (check and test have their own: see their --help).\n");
    return text;
}

int runUntilDone(const std::function<void(const std::function<void(int)>& done)>& start) {
    // Shared with every copy of `done`, so a call that comes late (an object that outlives the command) finds it.
    struct State {
        QEventLoop loop;
        int code = ExitOk;
        bool finished = false;
    };
    const auto state = std::make_shared<State>();
    start([state](int rc) {
        if (state->finished)
            return;
        state->finished = true;
        state->code = rc;
        state->loop.quit();
    });
    if (!state->finished)
        state->loop.exec();
    return state->code;
}

} // namespace ndesctl
