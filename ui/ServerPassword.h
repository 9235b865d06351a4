// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "util/SecretBytes.h"

#include <QString>
#include <functional>

class QWidget;

namespace ndes::ui {

class ConsoleContext;

// The admin page password of a server profile: this session's, else the keychain's, else asked for (and kept
// for the session only). `done` gets false when the user cancelled. Profiles that need no password get an empty
// one at once.
void obtainServerPassword(ConsoleContext* context, const QString& profileId, QWidget* parent,
                          std::function<void(bool ok, SecretBytes password)> done);

} // namespace ndes::ui
