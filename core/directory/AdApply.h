// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "directory/LdapConnection.h"
#include "setup/SetupPlan.h"
#include "util/SecretBytes.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace ndes::directory {

// One change the setup plan needs in Active Directory, as the preview shows it and the apply makes it.
struct AdChange {
    enum class Kind {
        Add,    // a new entry with `modifications` as its attributes
        Modify, // `modifications` on an existing entry
        Grant,  // Read and/or Enroll on a template for an account (the SID is read when applied: it may be new)
    };
    Kind kind = Kind::Add;
    QString dn;
    QList<LdapModification> modifications;
    QString summary;           // one line: what and why
    QStringList details;       // "attribute: value" for the preview (the password is never among them)
    bool setsPassword = false; // Add of the account: its unicodePwd is filled in when applied
    QString account;           // Grant: the sAMAccountName
    bool grantRead = false;
    bool grantEnroll = false;
};

// What applying the plan's AD part would do, read from the directory and nothing written: the changes in the order
// they are made, what is already as planned, an existing template's differences from the plan (reported, never
// changed, as the scripts do), and what stops the apply.
struct AdPlan {
    QString directory; // the URL
    QList<AdChange> changes;
    QStringList asPlanned;
    QStringList differences;
    QStringList blockers;
    bool createsAccount = false;

    [[nodiscard]] bool nothingToDo() const { return changes.isEmpty(); }
    // The preview as text: every change with its attributes (the password shown as "(set when applied)").
    [[nodiscard]] QString previewText() const;
};

// Reads the account, the template (and its DACL), the base template, the forest's OID arc and the CA's enrollment
// service, and works out the changes. nullopt with the reason when the directory could not be read.
[[nodiscard]] std::optional<AdPlan> planDirectoryChanges(LdapConnection& ldap, const setup::SetupPlan& plan,
                                                         QString* error);

struct AdApplyResult {
    bool ok = false;
    QStringList log;             // one line per change made (or found made meanwhile), in order
    QString error;               // what stopped it; the changes before it stay made (each is listed in the log)
    bool accountCreated = false; // the new account was added here, with the password given
};

// Makes the changes in order, stopping at the first that fails. `accountPassword` for a plan that creates the
// account (never logged, wiped from the request buffer after use). A change found made meanwhile (the entry or
// value exists) counts as done.
[[nodiscard]] AdApplyResult applyDirectoryChanges(LdapConnection& ldap, const AdPlan& plan,
                                                  const SecretBytes& accountPassword);

// A password for a new service account: 24 characters from a cryptographic generator, with upper and lower case
// letters, digits and symbols (AD's complexity rule), no look-alike characters.
[[nodiscard]] SecretBytes generateAccountPassword();

// An RDN value escaped for a DN (RFC 4514): "svc,ndes" -> "svc\,ndes".
[[nodiscard]] QString escapeDnValue(const QString& value);

} // namespace ndes::directory
