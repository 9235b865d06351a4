// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "pki/Certificate.h"
#include "pki/PrivateKey.h"

#include <QDateTime>

namespace ndes::test {

// A CA with the two RA certificates NDES has, built with our own CertificateBuilder for unit tests.
struct NdesLikePki {
    pki::PrivateKey rootKey;
    pki::Certificate root;
    pki::PrivateKey issuingKey;
    pki::Certificate issuing;
    pki::PrivateKey raSignKey;
    pki::Certificate raSign; // digitalSignature, Certificate Request Agent EKU
    pki::PrivateKey raEncKey;
    pki::Certificate raEnc; // keyEncipherment, Certificate Request Agent EKU

    // RA validity can be shifted to build expired RA certificates.
    static NdesLikePki create(int raDays = 730);
};

// A cached 2048-bit key per index, so tests do not pay for key generation again and again.
pki::PrivateKey testKey(int index);

// A certificate for `subjectKey` issued by the given CA.
pki::Certificate issue(const pki::PrivateKey& subjectKey, const QString& subject, const pki::Certificate& ca,
                       const pki::PrivateKey& caKey, quint32 keyUsage = 0, const QStringList& ekus = {});

} // namespace ndes::test
