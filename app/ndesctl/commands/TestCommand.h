// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "Command.h"

namespace ndesctl {

// `ndesctl test`: one enrollment end to end, every step recorded, and the likely causes when it fails.
class TestCommand : public Command {
public:
    TestCommand();

protected:
    void declare(QCommandLineParser& p) override;
    int run(const QCommandLineParser& p, const CtlOutput& out) override;
    [[nodiscard]] QString details() const override;
};

} // namespace ndesctl
