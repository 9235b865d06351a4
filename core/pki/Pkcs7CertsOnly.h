// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "pki/Certificate.h"
#include "util/Result.h"

#include <QList>

namespace ndes::pki {

// The "degenerate" PKCS#7 SignedData that carries only certificates (GetCACert with RA certificates,
// and the issued certificate inside a SCEP CertRep).
class Pkcs7CertsOnly {
public:
    // Every certificate in the structure, in the order found. An empty or signed structure is accepted as
    // long as it holds at least one certificate; anything else is a BadReply error.
    static Result<QList<Certificate>> parse(const QByteArray& der);
    static Result<QByteArray> build(const QList<Certificate>& certs);
};

} // namespace ndes::pki
