// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "Command.h"

namespace ndesctl {

// `ndesctl listen`: events received live (syslog over TCP/UDP/TLS, JSON lines), explained.
class ListenCommand : public Command {
public:
    ListenCommand();

protected:
    void declare(QCommandLineParser& p) override;
    int run(const QCommandLineParser& p, const CtlOutput& out) override;
    [[nodiscard]] QString details() const override;
};

} // namespace ndesctl
