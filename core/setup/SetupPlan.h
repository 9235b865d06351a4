// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "util/Result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace ndes::setup {

// The whole desired NDES configuration, as the setup wizard collects it and `ndesctl plan` reads it. Saved as a
// versioned JSON file. Never holds a password: the service account's is generated or asked for when the
// scripts run.
struct SetupPlan {
    static constexpr int formatVersion = 1;
    static constexpr const char* defaultTemplate = "IPSECIntermediateOffline";
    static constexpr const char* strongCsp = "Microsoft Strong Cryptographic Provider";

    enum class PasswordPolicy { Prompt, Generate };
    enum class Purpose { Signature, Encryption, SignatureAndEncryption };

    // Environment
    QString domainDns;     // corp.example
    QString domainNetbios; // CORP
    QString caConfig;      // ca01.corp.example\Corp Issuing CA
    QString ndesHost;      // ndes01.corp.example
    bool intune = false;   // Intune certificate connector on this server

    // Service account
    QString accountName; // sAMAccountName, e.g. svc-ndes
    QString accountUpn;  // svc-ndes@corp.example
    QString accountOu;   // OU=Service Accounts,DC=corp,DC=example
    PasswordPolicy passwordPolicy = PasswordPolicy::Prompt;

    // Certificate template for devices
    QString templateName;        // the template's (short) name: what the registry and the CA use
    QString templateDisplayName; // what admins see in certtmpl.msc
    QString baseTemplate = QStringLiteral("Computer");
    int validityDays = 365;
    int renewalDays = 42;
    Purpose purpose = Purpose::SignatureAndEncryption;
    int minimumKeySize = 2048;
    QString templateProvider = QString::fromLatin1(strongCsp);
    QStringList ekus = {QStringLiteral("1.3.6.1.5.5.7.3.2")}; // Client Authentication
    bool subjectInRequest = true;
    bool exportableKey = false;
    bool sanFromRequest = true;

    // NDES registry (HKLM\SOFTWARE\Microsoft\Cryptography\MSCEP)
    QString signatureTemplate;
    QString encryptionTemplate;
    QString generalPurposeTemplate;
    bool enforcePassword = true;
    int passwordMax = 5;       // the cache size, not minutes
    int passwordValidity = 60; // minutes
    int passwordLength = 8;    // bytes (16 hex characters)
    bool useSinglePassword = false;
    QString hashAlgorithm = QStringLiteral("SHA256");
    QStringList caCapabilitiesAlgorithms = {QStringLiteral("SHA-256"), QStringLiteral("AES")};

    // IIS and HTTP.sys
    bool https = true;
    QString tlsThumbprint; // of the IIS binding's certificate
    int maxUrl = 65534;
    int maxQueryString = 65534;
    int maxFieldLength = 65534;
    int maxRequestBytes = 65534;
    QString appPoolIdentity; // empty: the service account

    // NDES role and RA
    QString raName; // e.g. NDES01-MSCEP-RA
    QString raCountry = QStringLiteral("US");
    QString raCompany;
    int raSigningKeyLength = 2048;
    int raEncryptionKeyLength = 2048;
    QString raSigningCsp = QString::fromLatin1(strongCsp);
    QString raEncryptionCsp = QString::fromLatin1(strongCsp);

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] QByteArray toJsonBytes() const;
    static Result<SetupPlan> fromJson(const QByteArray& json);
    static Result<SetupPlan> load(const QString& path);
    Status save(const QString& path) const; // atomic

    // The template NDES uses for each kind of request, as the registry will name it.
    [[nodiscard]] QString caHost() const;
    [[nodiscard]] QString caName() const;
};

// One thing to change (error: the scripts would do harm or NDES would not work) or to accept (warning).
struct PlanIssue {
    enum class Severity { Error, Warning };
    Severity severity = Severity::Error;
    QString field; // JSON name of the field, e.g. "accountName"
    QString code;  // stable, e.g. "account-name-too-long"
    QString message;
};

// Every rule of issue 8, each with a message that says what to change and why.
[[nodiscard]] QList<PlanIssue> validate(const SetupPlan& plan);
[[nodiscard]] inline bool hasErrors(const QList<PlanIssue>& issues) {
    for (const PlanIssue& i : issues)
        if (i.severity == PlanIssue::Severity::Error)
            return true;
    return false;
}

// EKUs as the plan keeps them: OIDs. A name Windows uses ("Client Authentication", any case) becomes its OID.
[[nodiscard]] QStringList normalizedEkus(const QStringList& ekus);

} // namespace ndes::setup
