// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ndes/RegistryExport.h"
#include "util/Result.h"

#include <QStringList>
#include <optional>

namespace ndes::service {

// NDES's settings as NDES itself reads them from HKLM\SOFTWARE\Microsoft\Cryptography\MSCEP (NDES-FACTS.md):
// the three template names are values of MSCEP; every other setting is a subkey holding a value of the same
// name. Values written where NDES does not look (a guide's mistake) are reported and ignored, as NDES ignores
// them.
struct MscepSettings {
    static constexpr const char* keyPath = "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Cryptography\\MSCEP";

    std::optional<QString> signatureTemplate;
    std::optional<QString> encryptionTemplate;
    std::optional<QString> generalPurposeTemplate;
    std::optional<QString> caConfiguration;
    std::optional<quint32> caType;
    std::optional<quint32> certsInMyStore;
    std::optional<bool> enforcePassword;
    std::optional<QString> passwordVDir;
    std::optional<bool> useSinglePassword;
    std::optional<quint32> passwordLength;
    std::optional<quint32> passwordMax;
    std::optional<quint32> passwordValidity;
    bool hasEncryptedPassword = false;
    std::optional<QString> hashAlgorithm;
    std::optional<QStringList> caCapabilitiesAlgorithms;

    // Why something in the export was ignored, one line each, with the fix.
    QStringList warnings;

    static Result<MscepSettings> fromRegistry(const RegistryExport& reg);
};

} // namespace ndes::service
