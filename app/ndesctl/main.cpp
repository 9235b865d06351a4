// SPDX-License-Identifier: Apache-2.0
// ndesctl: the command-line twin of NDES Console. Each command is a class in commands/, listed in Command.cpp.
#include "Command.h"
#include "inventory/AppFiles.h"
#include "inventory/ConsolePolicy.h"
#include "util/Access.h"
#include "util/ProcessMemory.h"

#include <QCoreApplication>
#include <QGuiApplication>

#include <cstdio>
#include <cstring>
#include <memory>

using namespace ndesctl;

int main(int argc, char* argv[]) {
    // No core dumps, no ptrace by other processes of the user: this process holds private keys and passwords.
    ndes::hardenProcessOrWarn("ndesctl");

    // `audit --pdf` lays out text, which needs fonts and so a GUI application: an offscreen one (no display needed).
    bool pdf = false;
    for (int i = 1; i < argc; ++i)
        pdf |= std::strcmp(argv[i], "--pdf") == 0 || std::strncmp(argv[i], "--pdf=", 6) == 0;
    if (pdf && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    const std::unique_ptr<QCoreApplication> app =
        pdf ? std::make_unique<QGuiApplication>(argc, argv) : std::make_unique<QCoreApplication>(argc, argv);
    ndes::inventory::setApplicationNames(); // the console's inventory and settings, under ndes-console/
    QCoreApplication::setApplicationVersion(QStringLiteral(NDES_VERSION));
    // The administrator's auditor-mode lock holds for the command line too: what writes or spends is refused.
    if (const auto access = ndes::inventory::resolveStartupAccess(false, false); access.byPolicy)
        ndes::Access::enterReadOnly(access.reason, true);
    QStringList args = QCoreApplication::arguments();
    args.removeFirst();
    const QString first = args.value(0);
    if (args.isEmpty()) {
        std::fputs(usageText().toUtf8().constData(), stderr);
        return ExitUsage;
    }
    if (first == QLatin1String("--version") || first == QLatin1String("version")) {
        std::printf("ndesctl %s\n", NDES_VERSION);
        return ExitOk;
    }
    if (first == QLatin1String("--help") || first == QLatin1String("-h") || first == QLatin1String("help")) {
        if (args.size() > 1) { // ndesctl help COMMAND
            if (Command* command = findCommand(args.at(1)))
                return command->execute({args.at(1), QStringLiteral("--help")});
            std::fprintf(stderr, "error: unknown command \"%s\"\n\n%s", args.at(1).toLocal8Bit().constData(),
                         usageText().toUtf8().constData());
            return ExitUsage;
        }
        std::fputs(usageText().toUtf8().constData(), stdout);
        return ExitOk;
    }
    if (Command* command = findCommand(first))
        return command->execute(args);
    std::fprintf(stderr, "error: unknown command \"%s\"\n\n%s", first.toLocal8Bit().constData(),
                 usageText().toUtf8().constData());
    return ExitUsage;
}
