// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "Command.h"

namespace ndes::setup {
struct SetupPlan;
}

namespace ndesctl {

// `ndesctl plan`: the setup wizard, headless: check a plan or write its files.
class PlanCommand : public Command {
public:
    PlanCommand();

protected:
    void declare(QCommandLineParser& p) override;
    int run(const QCommandLineParser& p, const CtlOutput& out) override;
    [[nodiscard]] QString details() const override;

private:
    int applyAd(const QCommandLineParser& p, const CtlOutput& out, const ndes::setup::SetupPlan& plan);
};

} // namespace ndesctl
