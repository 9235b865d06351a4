// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "Command.h"

namespace ndesctl {

// `ndesctl load`: bounded concurrency, latency percentiles, errors by kind, throughput per second.
class LoadCommand : public Command {
public:
    LoadCommand();

protected:
    void declare(QCommandLineParser& p) override;
    int run(const QCommandLineParser& p, const CtlOutput& out) override;
    [[nodiscard]] QString details() const override;
};

} // namespace ndesctl
