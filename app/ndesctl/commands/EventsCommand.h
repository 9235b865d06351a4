// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "Command.h"

namespace ndesctl {

// `ndesctl events FILE...`: events from .evtx and Event XML files, filtered and explained.
class EventsCommand : public Command {
public:
    EventsCommand();

protected:
    void declare(QCommandLineParser& p) override;
    int run(const QCommandLineParser& p, const CtlOutput& out) override;
    [[nodiscard]] QString details() const override;
    [[nodiscard]] bool takesArguments() const override { return true; }
};

} // namespace ndesctl
