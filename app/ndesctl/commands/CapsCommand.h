// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "Command.h"

namespace ndesctl {

// `ndesctl caps`: what a SCEP server offers (GetCACaps).
class CapsCommand : public Command {
public:
    CapsCommand();

protected:
    void declare(QCommandLineParser& p) override;
    int run(const QCommandLineParser& p, const CtlOutput& out) override;
};

} // namespace ndesctl
