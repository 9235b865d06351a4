// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "pki/Certificate.h"
#include "util/Result.h"

#include <QDateTime>
#include <QList>

namespace ndes::pki {

// Verifies that a certificate chains to one of the given trust anchors (through optional intermediates)
// at a given instant. Anchors may be intermediate CAs (partial chains are accepted), as an NDES client
// trusts the CA certificates it pinned from GetCACert. No purpose is enforced here: SCEP RA certificates
// carry the Certificate Request Agent EKU, which no OpenSSL purpose knows; callers check usages themselves.
class ChainVerifier {
public:
    ChainVerifier(QList<Certificate> anchors, QList<Certificate> intermediates = {})
        : m_anchors(std::move(anchors))
        , m_intermediates(std::move(intermediates)) {}

    [[nodiscard]] Status verify(const Certificate& leaf, const QDateTime& at) const;

private:
    QList<Certificate> m_anchors;
    QList<Certificate> m_intermediates;
};

} // namespace ndes::pki
