// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "util/Result.h"
#include "util/SecretBytes.h"

#include <QDateTime>
#include <QList>

namespace ndes::lab {

// NDES's one-time challenge password cache: at most PasswordMax unused passwords, each valid for
// PasswordValidity minutes and usable once; or, with UseSinglePassword, one password that never expires.
// Passwords are compared in constant time and wiped when dropped.
class PasswordCache {
public:
    enum class Verdict { Accepted, Unknown, AlreadyUsed, Expired };

    PasswordCache(int maxEntries, int validityMinutes, int lengthBytes, bool singlePassword);

    // A new password (upper-case hex), or an error when the cache is full.
    Result<QByteArray> issue(const QDateTime& now);
    // Checks a challenge from a request and, when accepted, uses it up.
    Verdict consume(const QByteArray& challenge, const QDateTime& now);
    [[nodiscard]] int unusedCount(const QDateTime& now);
    [[nodiscard]] int validityMinutes() const { return m_validityMinutes; }
    [[nodiscard]] bool singlePassword() const { return m_single; }

private:
    struct Entry {
        SecretBytes password;
        QDateTime created;
        bool used = false;
    };
    void purge(const QDateTime& now);

    int m_max;
    int m_validityMinutes;
    int m_length;
    bool m_single;
    std::vector<Entry> m_entries;
    // Remembered briefly after use or expiry so the refusal can say why (NDES logs which).
    std::vector<Entry> m_retired;
};

} // namespace ndes::lab
