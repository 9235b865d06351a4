// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "util/Result.h"
#include "util/SecretBytes.h"

#include <QByteArray>
#include <QString>

namespace ndes::service {

// What NDES's admin page (/certsrv/mscep_admin/) said.
struct AdminPageContent {
    enum class Kind { Password, CacheFull, InsufficientPermission };
    Kind kind = Kind::Password;
    SecretBytes password;      // hex, as shown
    QString caThumbprint;      // "8A3BE8F5 0C8E5E0C 0B4B2F72 D3A44C8E" as shown, empty if absent
    int validityMinutes = -1;  // from "will expire within N minutes"; -1 when the page says it does not expire
    bool neverExpires = false; // UseSinglePassword
    int cacheSize = -1;        // from the cache-full page when it says how many passwords it caches
};

// Reads NDES admin pages: UTF-16LE with or without BOM (the meta tag's UTF-8 claim is wrong), with a stray
// trailing byte, or plain UTF-8/ASCII. Capped in size; a page that is none of NDES's is an error.
class AdminPage {
public:
    static constexpr qsizetype maxBytes = qsizetype(1024) * 1024;

    static QString decode(const QByteArray& body);
    static Result<AdminPageContent> parse(const QByteArray& body);

private:
    static Result<AdminPageContent> readFlat(const QString& flat);
};

} // namespace ndes::service
