// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "util/Result.h"
#include "util/SecretBytes.h"

#include <QList>
#include <QString>

namespace ndes::lab {

// The lab's Windows accounts for the admin page: one per line, `DOMAIN\user:password:enroll` or
// `DOMAIN\user:password:noenroll` (the Enroll right on the NDES templates). The file holds passwords, so
// it must be readable by its owner only; passwords never leave this class except to check a login.
class LabUsers {
public:
    struct User {
        QString domain;
        QString name;
        SecretBytes password;
        bool mayEnroll = false;
    };

    static Result<LabUsers> load(const QString& path);

    [[nodiscard]] bool isEmpty() const { return m_users.empty(); }
    // The user with this name (domain matched case-insensitively, and optional), or nullptr.
    [[nodiscard]] const User* find(const QString& domain, const QString& name) const;
    // True when name/password are right; `user` then points at the account.
    [[nodiscard]] bool check(const QString& domainAndUser, const QByteArray& password, const User** user) const;
    [[nodiscard]] const std::vector<User>& users() const { return m_users; }

private:
    std::vector<User> m_users;
};

} // namespace ndes::lab
