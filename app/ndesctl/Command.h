// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "CtlOutput.h"

#include <QCommandLineParser>
#include <QString>

#include <functional>
#include <memory>
#include <vector>

namespace ndesctl {

// One ndesctl command: its name and one-line description (for `ndesctl help`), the options it honours (and no
// other), and what it does. execute() parses, answers --help, refuses unknown options and stray arguments, and
// calls run(). Every command takes --json and --help.
class Command {
public:
    virtual ~Command() = default;
    Command(const Command&) = delete;
    Command& operator=(const Command&) = delete;

    [[nodiscard]] const QString& name() const { return m_name; }
    [[nodiscard]] const QString& description() const { return m_description; }

    // ARGS as given after the program name, starting with the command's name.
    int execute(const QStringList& args);

protected:
    Command(QString name, QString description)
        : m_name(std::move(name))
        , m_description(std::move(description)) {}

    virtual void declare(QCommandLineParser& p) = 0;
    virtual int run(const QCommandLineParser& p, const CtlOutput& out) = 0;
    // Printed under the description by --help: exit codes and notes.
    [[nodiscard]] virtual QString details() const { return {}; }
    [[nodiscard]] virtual bool takesArguments() const { return false; }
    // A usage error; `check` answers with the monitoring plugins' UNKNOWN instead.
    virtual int usageError(const CtlOutput& out, const QString& message) const;

private:
    QString m_name;
    QString m_description;
};

// Every command, in the order `ndesctl help` lists them.
const std::vector<std::unique_ptr<Command>>& commands();
Command* findCommand(const QString& name);
// `ndesctl help`: the usage line, every command with its description, exit codes.
QString usageText();

// Runs the asynchronous work START begins; START gets a `done(exitCode)` to call once. Returns that exit code.
int runUntilDone(const std::function<void(const std::function<void(int)>& done)>& start);

} // namespace ndesctl
