// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ndes/Diagnosis.h"
#include "ndes/EnrollmentTest.h"

#include <QByteArray>

namespace ndes::service {

// A saved enrollment test: one self-contained HTML page (steps, certificate, ranked causes with their fixes),
// every value escaped. Nothing secret is in a report to begin with.
class EnrollmentReport {
public:
    [[nodiscard]] static QByteArray html(const QString& server, const EnrollmentTestReport& report,
                                         const QList<LikelyCause>& causes);
};

} // namespace ndes::service
