// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <openssl/x509v3.h>

#include <QStringList>

namespace ndes::pki {

// Reads the DNS names and IP addresses of a subjectAltName, for certificates and requests alike.
class SubjectAltNames {
public:
    [[nodiscard]] static QStringList dnsNames(const GENERAL_NAMES* names);
    [[nodiscard]] static QStringList ipAddresses(const GENERAL_NAMES* names);
};

} // namespace ndes::pki
