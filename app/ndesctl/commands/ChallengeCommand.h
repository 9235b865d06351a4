// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "Command.h"

namespace ndesctl {

// `ndesctl challenge`: a one-time challenge password from NDES's admin page.
class ChallengeCommand : public Command {
public:
    ChallengeCommand();

protected:
    void declare(QCommandLineParser& p) override;
    int run(const QCommandLineParser& p, const CtlOutput& out) override;
};

} // namespace ndesctl
