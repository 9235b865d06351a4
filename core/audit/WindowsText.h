// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "util/Result.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

namespace ndes::audit {

// Text as Windows tools write it: UTF-16LE with a BOM (reg export, secedit, PowerShell 5.1's Out-File), UTF-16LE
// without one, UTF-8 with or without a BOM. UTF-16 with an odd number of bytes is refused (the file was cut).
[[nodiscard]] Result<QString> decodeWindowsText(const QByteArray& data);
// The other way: UTF-16LE with a BOM, as regedit and secedit write.
[[nodiscard]] QByteArray encodeWindowsText(const QString& text);

// `secedit /export /areas USER_RIGHTS /cfg FILE`: the [Privilege Rights] section, each right with its holders as
// written (`*S-1-5-32-568` for a SID, else a name).
struct UserRights {
    struct Right {
        QStringList holders;
        int line = 0;
    };
    QHash<QString, Right> rights; // by right name (SeImpersonatePrivilege, …), as written

    static Result<UserRights> parse(const QByteArray& data);
    [[nodiscard]] static bool looksLike(const QString& text);
};

// `netsh http show sslcert`: one entry per binding.
struct SslCertBinding {
    QString endpoint;  // "0.0.0.0:443", "ndes.corp.example:443"
    QString certHash;  // lower-case hex as netsh prints it
    QString storeName; // "My"
    int line = 0;
};

struct SslCertList {
    QList<SslCertBinding> bindings;
    static Result<SslCertList> parse(const QByteArray& data);
    [[nodiscard]] static bool looksLike(const QString& text);
};

} // namespace ndes::audit
