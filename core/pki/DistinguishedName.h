// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "pki/OpenSslPtr.h"
#include "util/Result.h"

#include <QString>

namespace ndes::pki {

// Parses and prints X.509 names. Accepts RFC 4514 text ("CN=router1,O=Example,C=US", most specific
// first, `\,` escapes a comma) and OpenSSL's slash form ("/C=US/O=Example/CN=router1").
class DistinguishedName {
public:
    static Result<X509NamePtr> parse(const QString& text);
    // RFC 4514 text, most specific first; UTF-8 values kept readable.
    static QString toString(const X509_NAME* name);
    // The first commonName value, or empty.
    static QString commonName(const X509_NAME* name);
};

} // namespace ndes::pki
