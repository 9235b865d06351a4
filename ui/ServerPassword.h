// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "inventory/ServerProfile.h"
#include "ndes/HealthProbe.h"
#include "util/Result.h"
#include "util/SecretBytes.h"

#include <QString>
#include <functional>

class QObject;
class QWidget;

namespace ndes::ui {

class ConsoleContext;

// The admin page password of a server profile: this session's, else the keychain's, else asked for (and kept
// for the session only). `done` gets false when the user cancelled. Profiles that need no password get an empty
// one at once.
void obtainServerPassword(ConsoleContext* context, const QString& profileId, QWidget* parent,
                          std::function<void(bool ok, SecretBytes password)> done);

// Signs in to the admin page once, with `profile` (a dialog's unsaved values or a saved server) and `password`:
// the only way to know the account works, and it costs one challenge password, which is wiped unseen and recorded
// in the audit trail (device "(sign-in check)"). `done` gets a sentence for the user, or the admin page's error.
// The fetch and its audit entry outlive `receiver`; `done` is called only while `receiver` exists. Give the profile
// an empty id when what is checked is not the saved server (typed values): its saved state is then left alone.
void checkSignIn(ConsoleContext* context, const inventory::ServerProfile& profile, SecretBytes password,
                 QObject* receiver, std::function<void(const Result<QString>& outcome)> done);

// What "Test connection" found, for people: one line per step, the certificates, the reasons a failed step has not
// already said, and, when the server signs in, that the test did not (signing in spends a challenge password).
[[nodiscard]] QString connectionTestText(const service::HealthReport& report, const QString& title, bool signsIn);

// Whether an admin page error code means the account itself was refused (as opposed to the page being down).
[[nodiscard]] bool isSignInRefusal(const QString& errorCode);

} // namespace ndes::ui
