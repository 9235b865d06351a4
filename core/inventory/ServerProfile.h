// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ndes/ChallengePasswordClient.h"
#include "ndes/HealthProbe.h"

#include <QJsonObject>
#include <QString>
#include <QUrl>

namespace ndes::inventory {

// One NDES server as an admin describes it. Holds no secret: the password of `user` lives in the OS keychain
// under the profile's id (CredentialStore).
struct ServerProfile {
    QString id;    // stable, generated (UUID without braces)
    QString name;  // "Lab", "NDES Paris"
    QUrl scepUrl;  // https://HOST/certsrv/mscep/mscep.dll
    QUrl adminUrl; // https://HOST/certsrv/mscep_admin/
    service::AdminAuth auth = service::AdminAuth::Ntlm;
    QString user;           // DOMAIN\user for NTLM/Basic
    QString caSha256Pin;    // hex, empty: no pin
    bool allowHttp = false; // plain HTTP allowed explicitly (the UI warns)
    QString site;           // site or group
    QString notes;
    // The Active Directory behind the server (optional), read for the dashboard's AD rows: the CA certificates
    // published there and the service account's expiry. A simple bind's password is in the keychain
    // (directoryCredentialKey()), never here.
    QUrl directoryUrl;              // ldaps://dc.example.com; empty: AD is not read
    bool directoryKerberos = false; // bind with the user's own Kerberos ticket instead of an account and password
    QString directoryBindDn;        // user@domain or a DN, for a simple bind
    QString directoryCaFile;        // the CA that issued the DC's certificate; empty: the system's CAs
    QString serviceAccount;         // DOMAIN\name of NDES's service account (the SCEP application pool's identity)

    [[nodiscard]] QJsonObject toJson() const;
    static ServerProfile fromJson(const QJsonObject& o);
    // What the health probe needs of this server (no secret).
    [[nodiscard]] service::HealthTarget healthTarget() const;
    // The keychain key of the directory account's password (CredentialStore::keyForDirectory).
    [[nodiscard]] QString directoryCredentialKey() const;
    // The pin as 32 bytes (empty when none or malformed).
    [[nodiscard]] QByteArray caPinBytes() const;
    // SCEP over plain HTTP and no CA pinned: nothing authenticates the RA certificate a challenge is encrypted to.
    [[nodiscard]] bool raUnauthenticated() const;
    // What is wrong with the profile, one message per problem (empty when it can be saved).
    [[nodiscard]] QStringList problems() const;
};

} // namespace ndes::inventory
