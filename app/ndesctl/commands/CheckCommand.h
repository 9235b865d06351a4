// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "Command.h"

namespace ndesctl {

// `ndesctl check`: health and expiry of NDES servers, for cron and monitoring plugins (Nagios exit codes).
class CheckCommand : public Command {
public:
    CheckCommand();

protected:
    void declare(QCommandLineParser& p) override;
    int run(const QCommandLineParser& p, const CtlOutput& out) override;
    [[nodiscard]] QString details() const override;
    int usageError(const CtlOutput& out, const QString& message) const override;
};

} // namespace ndesctl
