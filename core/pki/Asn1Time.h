// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <openssl/asn1.h>

#include <QDateTime>

namespace ndes::pki {

// An ASN.1 UTCTime/GeneralizedTime as a UTC QDateTime; invalid when absent or malformed.
[[nodiscard]] QDateTime fromAsn1Time(const ASN1_TIME* t);

} // namespace ndes::pki
