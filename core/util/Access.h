// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "util/Result.h"

#include <QString>

namespace ndes {

// What NDES Console can change or spend. Each needs a WriteCapability, which only Access hands out.
enum class WriteOperation {
    ChallengePassword, // fetches a one-time password (fills NDES's password cache)
    Enrollment,        // sends a certificate request (the CA issues a certificate)
    LoadTest,          // many enrollments
    KeychainWrite,     // stores or removes a secret in the OS keychain
    ServerListSave,    // writes the server list to disk
    SetupFilesSave,    // writes the setup plan, its .reg and scripts
    DirectoryApply,    // changes Active Directory
    RaRenewalScript,   // generates the script that renews the RA certificates
    AuditTrailWrite,   // appends to the challenge password audit trail
};

// "challenge-password", "enrollment", … (logs, errors, tests).
[[nodiscard]] QString writeOperationName(WriteOperation op);
// The words for a user: "fetching a challenge password", …
[[nodiscard]] QString writeOperationDescription(WriteOperation op);

// Proof that this process may perform one write operation. It cannot be made except by Access::request, which in a
// read-only (auditor) process never makes one, so a control left enabled by mistake still cannot write.
class WriteCapability {
public:
    [[nodiscard]] WriteOperation operation() const { return m_operation; }

private:
    friend class Access;
    explicit WriteCapability(WriteOperation op)
        : m_operation(op) {}
    WriteOperation m_operation;
};

// The process's access mode. Read-only (auditor mode) is one way: once entered, nothing in the process leaves it.
class Access {
public:
    // Enters read-only mode for the rest of the process; `why` is what the console shows ("--auditor", "locked by
    // the administrator in /etc/xdg/…").
    static void enterReadOnly(const QString& why, bool byPolicy = false);
    [[nodiscard]] static bool readOnly();
    // Read-only because the administrator's policy file says so (the console offers no way out).
    [[nodiscard]] static bool byPolicy();
    [[nodiscard]] static QString readOnlyReason();

    // The capability for one operation, or an error with code "read-only" that says why not. Every core entry point
    // that writes or spends asks for one first.
    [[nodiscard]] static Result<WriteCapability> request(WriteOperation op);

    // How many capabilities were handed out and how many requests were refused (diagnostics and tests: a walk over
    // every control in auditor mode must cause no refusal, which would mean a write control was left reachable).
    [[nodiscard]] static int granted();
    [[nodiscard]] static int refused();
    [[nodiscard]] static QString lastRefused(); // the operation's name, empty when none
};

} // namespace ndes
