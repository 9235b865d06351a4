// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "Command.h"

namespace ndesctl {

// `ndesctl cacert`: the CA and RA certificates (GetCACert), shown and saved as PEM.
class CaCertCommand : public Command {
public:
    CaCertCommand();

protected:
    void declare(QCommandLineParser& p) override;
    int run(const QCommandLineParser& p, const CtlOutput& out) override;
};

} // namespace ndesctl
