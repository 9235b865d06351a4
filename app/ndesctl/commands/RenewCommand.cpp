// SPDX-License-Identifier: Apache-2.0
#include "commands/RenewCommand.h"

namespace ndesctl {

// The options and the work are enroll's (EnrollCommand.cpp), with --key and --cert for the current pair and the
// challenge password optional.
RenewCommand::RenewCommand()
    : EnrollCommand(QStringLiteral("renew"), QStringLiteral("Renew a certificate with the current one (RenewalReq)"),
                    true) {}

} // namespace ndesctl
