// SPDX-License-Identifier: Apache-2.0
#include "pki/Asn1Time.h"

#include <ctime>

namespace ndes::pki {

QDateTime fromAsn1Time(const ASN1_TIME* t) {
    if (!t)
        return {};
    struct tm tmv = {};
    if (ASN1_TIME_to_tm(t, &tmv) != 1)
        return {};
    return QDateTime(QDate(tmv.tm_year + 1900, tmv.tm_mon + 1, tmv.tm_mday), QTime(tmv.tm_hour, tmv.tm_min, tmv.tm_sec),
                     Qt::UTC);
}

} // namespace ndes::pki
