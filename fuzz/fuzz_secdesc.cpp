// SPDX-License-Identifier: Apache-2.0
// Fuzzes the security-descriptor parser (nTSecurityDescriptor as a directory or an export gives it), its SDDL, the
// effective rights computed from it, the writer (what it writes back parses to the same SDDL), and the SID decoder.
#include "directory/Directory.h"
#include "directory/SecurityDescriptor.h"

#include <QByteArray>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const QByteArray bytes = QByteArray::fromRawData(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    QString error;
    const auto sd = ndes::directory::SecurityDescriptor::parse(bytes, &error);
    if (sd) {
        (void)sd->toSddl();
        for (const auto& r : ndes::directory::effectiveRights(sd))
            (void)ndes::directory::wellKnownSidName(r.sid);
        // Written back (as a grant on a template does) and read again: the same descriptor.
        if (const auto written = sd->toBinary(); written) {
            const auto again = ndes::directory::SecurityDescriptor::parse(*written);
            if (!again || again->toSddl() != sd->toSddl())
                __builtin_trap();
        }
    }
    if (const auto sid = ndes::directory::Sid::fromBinary(bytes, false); sid) {
        (void)sid->toString();
        (void)sid->domain().toString();
    }
    return 0;
}
