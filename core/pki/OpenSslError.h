// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "util/Error.h"

#include <QString>

namespace ndes::pki {

// Drains OpenSSL's thread-local error queue into one line (the technical detail of an Error).
[[nodiscard]] QString takeOpenSslErrors();

// An Error of the given kind whose detail is the drained OpenSSL error queue.
[[nodiscard]] Error openSslError(ErrorKind kind, const QString& message);

} // namespace ndes::pki
