// SPDX-License-Identifier: Apache-2.0
#include "pki/SubjectAltNames.h"

#include <QHostAddress>

namespace ndes::pki {

QStringList SubjectAltNames::dnsNames(const GENERAL_NAMES* names) {
    QStringList out;
    for (int i = 0; names && i < sk_GENERAL_NAME_num(names); ++i) {
        const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, i);
        if (gn->type == GEN_DNS)
            out << QString::fromUtf8(reinterpret_cast<const char*>(ASN1_STRING_get0_data(gn->d.dNSName)),
                                     ASN1_STRING_length(gn->d.dNSName));
    }
    return out;
}

QStringList SubjectAltNames::ipAddresses(const GENERAL_NAMES* names) {
    QStringList out;
    for (int i = 0; names && i < sk_GENERAL_NAME_num(names); ++i) {
        const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, i);
        if (gn->type != GEN_IPADD)
            continue;
        const int len = ASN1_STRING_length(gn->d.iPAddress);
        const unsigned char* p = ASN1_STRING_get0_data(gn->d.iPAddress);
        if (len == 4)
            out << QHostAddress(quint32(p[0]) << 24 | quint32(p[1]) << 16 | quint32(p[2]) << 8 | p[3]).toString();
        else if (len == 16)
            out << QHostAddress(p).toString();
    }
    return out;
}

} // namespace ndes::pki
