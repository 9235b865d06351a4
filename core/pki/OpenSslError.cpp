// SPDX-License-Identifier: Apache-2.0
#include "pki/OpenSslError.h"

#include <openssl/err.h>

#include <QStringList>

namespace ndes::pki {

QString takeOpenSslErrors() {
    QStringList parts;
    unsigned long code = 0;
    while ((code = ERR_get_error()) != 0) {
        char buf[256];
        ERR_error_string_n(code, buf, sizeof buf);
        if (parts.size() < 8)
            parts << QString::fromLatin1(buf);
    }
    return parts.join(QStringLiteral("; "));
}

Error openSslError(ErrorKind kind, const QString& message) {
    return makeError(kind, message, takeOpenSslErrors());
}

} // namespace ndes::pki
