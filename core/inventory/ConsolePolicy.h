// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

namespace ndes::inventory {

// The policy file an administrator puts where users cannot change it, so that the console on that machine always
// starts in auditor (read-only) mode:
//   /etc/xdg/ndes-console/policy.conf
//   [policy]
//   auditor=true
// It is read on its own: the user's settings (~/.config/ndes-console/ndes-console.conf) and the command line can
// make the console read-only but never undo the policy, and no environment variable moves the file.
[[nodiscard]] QString systemPolicyPath();

struct StartupAccess {
    bool readOnly = false;
    QString reason;        // for the window: "started with --auditor", "required by /etc/xdg/…"
    bool byPolicy = false; // the policy file asks for it (nothing the user does turns it off)
    QString warning;       // e.g. the policy file is writable by this user, or could not be read (then read-only)
};

// Decides the start-up mode: read-only when the command line says --auditor, the user's settings say
// ui/auditorMode=true, or the policy file says auditor=true. A policy file that exists but cannot be read or
// parsed makes the console read-only too (an administrator's lock is not lifted by a damaged file).
[[nodiscard]] StartupAccess resolveStartupAccess(bool auditorFlag, bool userSetting,
                                                 const QString& policyPath = systemPolicyPath());

} // namespace ndes::inventory
