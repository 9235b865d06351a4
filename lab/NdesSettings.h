// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QStringList>

namespace ndes::lab {

// What NDES reads from HKLM\SOFTWARE\Microsoft\Cryptography\MSCEP (NDES-FACTS.md), with NDES's defaults.
struct NdesSettings {
    QString signatureTemplate = QStringLiteral("IPSECIntermediateOffline");
    QString encryptionTemplate = QStringLiteral("IPSECIntermediateOffline");
    QString generalPurposeTemplate = QStringLiteral("IPSECIntermediateOffline");
    QString caConfiguration = QStringLiteral("NDESLAB-CA.lab.example\\NDES Lab Issuing CA");
    bool enforcePassword = true;
    bool useSinglePassword = false;
    int passwordLength = 8;    // bytes, shown as 2x hex characters
    int passwordMax = 5;       // size of the password cache
    int passwordValidity = 60; // minutes
    // GetCACaps as a hardened current NDES (Windows Server 2022 with CACapabilitiesAlgorithms set) answers.
    QStringList capabilities{QStringLiteral("POSTPKIOperation"), QStringLiteral("Renewal"), QStringLiteral("SHA-512"),
                             QStringLiteral("SHA-256"), QStringLiteral("AES")};
    bool manualApproval = false; // the CA holds requests as pending until approved
};

} // namespace ndes::lab
