// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "Command.h"

namespace ndesctl {

// `ndesctl enroll`: a certificate requested (PKCSReq) the way a device does; RenewCommand shares it.
class EnrollCommand : public Command {
public:
    EnrollCommand();

protected:
    EnrollCommand(QString name, QString description, bool renew);
    void declare(QCommandLineParser& p) override;
    int run(const QCommandLineParser& p, const CtlOutput& out) override;

private:
    bool m_renew = false;
};

} // namespace ndesctl
