// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "Command.h"

namespace ndesctl {

// `ndesctl audit`: the configuration audit of an NDES server from a collector snapshot or a folder of exported
// files: findings with evidence, what could not be checked, reports (HTML, JSON, CSV).
class AuditCommand : public Command {
public:
    AuditCommand();

protected:
    void declare(QCommandLineParser& p) override;
    int run(const QCommandLineParser& p, const CtlOutput& out) override;
    [[nodiscard]] QString details() const override;
    int usageError(const CtlOutput& out, const QString& message) const override;
    [[nodiscard]] bool takesArguments() const override { return true; } // --compare A B

private:
    int compare(const QCommandLineParser& p, const CtlOutput& out) const;
};

// `ndesctl collector --out FILE`: saves Collect-NdesSnapshot.ps1, to run on the NDES server.
class CollectorCommand : public Command {
public:
    CollectorCommand();

protected:
    void declare(QCommandLineParser& p) override;
    int run(const QCommandLineParser& p, const CtlOutput& out) override;
    [[nodiscard]] QString details() const override;
};

} // namespace ndesctl
