// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QString>

namespace ndes::lab {

// The pages NDES's /certsrv/mscep_admin/ serves, worded as NDES words them (NDES-FACTS.md) and encoded as
// NDES sends them: UTF-16LE with no BOM while the meta tag claims UTF-8.
class AdminPage {
public:
    enum class Encoding { Utf16Le, Utf16LeBom, Utf16LeStrayByte, Utf8 };

    // "8A3BE8F5 0C8E5E0C 0B4B2F72 D3A44C8E": four groups of eight hex digits.
    static QString thumbprintGroups(const QByteArray& digest);

    static QByteArray success(const QString& caThumbprint, const QByteArray& password, int validityMinutes,
                              bool singlePassword, Encoding encoding);
    static QByteArray cacheFull(int passwordMax, Encoding encoding);
    static QByteArray insufficientPermission(Encoding encoding);

    static QByteArray encode(const QString& html, Encoding encoding);
};

} // namespace ndes::lab
