// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>

namespace ndes::pki {

// DER SEQUENCE { body }, for the few structures OpenSSL has no encoder for here (IssuerAndSubject, template info).
class DerSequence {
public:
    [[nodiscard]] static QByteArray wrap(const QByteArray& body) {
        QByteArray length;
        qsizetype n = body.size();
        if (n < 0x80) {
            length.append(char(n));
        } else {
            QByteArray bytes;
            while (n > 0) {
                bytes.prepend(char(n & 0xFF));
                n >>= 8;
            }
            length.append(char(0x80 | bytes.size()));
            length.append(bytes);
        }
        return QByteArray(1, char(0x30)) + length + body;
    }
};

} // namespace ndes::pki
