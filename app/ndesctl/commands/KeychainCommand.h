// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "Command.h"

namespace ndesctl {

// `ndesctl keychain set NAME`: a server account's password into the OS keychain.
class KeychainCommand : public Command {
public:
    KeychainCommand();

protected:
    void declare(QCommandLineParser& p) override;
    int run(const QCommandLineParser& p, const CtlOutput& out) override;
    [[nodiscard]] bool takesArguments() const override { return true; }
};

} // namespace ndesctl
