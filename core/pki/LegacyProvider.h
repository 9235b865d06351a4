// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>
#include <QStringList>

namespace ndes::pki {

// OpenSSL 3 keeps single DES, RC2 and friends in the "legacy" provider. Old SCEP peers (micromdm
// scepserver replies with DES-CBC) force it; we load it only when such a message actually arrives,
// and every use is recorded so it can be reported to the user.
class LegacyProvider {
public:
    // Loads the legacy provider (and keeps the default one) into the default library context.
    // Returns false when the legacy module is not installed.
    static bool ensureLoaded(const QString& reason);
    [[nodiscard]] static bool isLoaded();
    // Why it was loaded, one entry per distinct reason, in order.
    [[nodiscard]] static QStringList reasons();
};

} // namespace ndes::pki
