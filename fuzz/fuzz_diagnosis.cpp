// SPDX-License-Identifier: Apache-2.0
// Fuzzes the causes file reader (a site may load its own causes) and the rule engine over what it accepted.
#include "ndes/Diagnosis.h"

#include <QByteArray>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const QByteArray json = QByteArray::fromRawData(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    auto d = ndes::service::Diagnosis::fromJson(json);
    if (!d.ok())
        return 0;
    ndes::service::EnrollmentObservation o;
    o.failedStep = QStringLiteral("request");
    o.httpStatus = 500;
    o.failInfo = QStringLiteral("badRequest");
    o.eventIds = {2, 10, 31};
    (void)d->diagnose(o);
    return 0;
}
