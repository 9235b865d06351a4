// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "commands/EnrollCommand.h"

namespace ndesctl {

// `ndesctl renew`: a certificate renewed with the current one (RenewalReq, signed with the current key).
class RenewCommand : public EnrollCommand {
public:
    RenewCommand();
};

} // namespace ndesctl
