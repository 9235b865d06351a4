// SPDX-License-Identifier: Apache-2.0
#include "scep/ScepTypes.h"

#include <QCoreApplication>

namespace ndes::scep {

QString messageTypeName(MessageType type) {
    switch (type) {
    case MessageType::CertRep:
        return QStringLiteral("CertRep");
    case MessageType::RenewalReq:
        return QStringLiteral("RenewalReq");
    case MessageType::PKCSReq:
        return QStringLiteral("PKCSReq");
    case MessageType::CertPoll:
        return QStringLiteral("CertPoll");
    case MessageType::GetCert:
        return QStringLiteral("GetCert");
    case MessageType::GetCRL:
        return QStringLiteral("GetCRL");
    }
    return QStringLiteral("unknown");
}

QString pkiStatusName(PkiStatus status) {
    switch (status) {
    case PkiStatus::Success:
        return QStringLiteral("SUCCESS");
    case PkiStatus::Failure:
        return QStringLiteral("FAILURE");
    case PkiStatus::Pending:
        return QStringLiteral("PENDING");
    }
    return QStringLiteral("unknown");
}

QString failInfoName(int failInfo) {
    switch (failInfo) {
    case 0:
        return QStringLiteral("badAlg");
    case 1:
        return QStringLiteral("badMessageCheck");
    case 2:
        return QStringLiteral("badRequest");
    case 3:
        return QStringLiteral("badTime");
    case 4:
        return QStringLiteral("badCertID");
    default:
        return QStringLiteral("unknown failInfo %1").arg(failInfo);
    }
}

QString failInfoAdvice(int failInfo) {
    switch (failInfo) {
    case 0:
        return QCoreApplication::translate("ScepTypes", "The server does not accept the algorithms used; check its "
                                                        "capabilities (GetCACaps) and the hash algorithm setting.");
    case 1:
        return QCoreApplication::translate("ScepTypes",
                                           "The server could not verify the request's signature or decrypt "
                                           "it; check that the request was encrypted to the encryption RA "
                                           "certificate.");
    case 2:
        return QCoreApplication::translate("ScepTypes", "The challenge password is wrong, "
                                                        "expired or already used, or the template does not allow this "
                                                        "request. Get a fresh challenge password and try again.");
    case 3:
        return QCoreApplication::translate("ScepTypes", "The server refused the message's time; check the clocks of "
                                                        "client and server.");
    case 4:
        return QCoreApplication::translate("ScepTypes",
                                           "The server does not know the certificate or transaction asked for.");
    default:
        return QCoreApplication::translate("ScepTypes", "The server gave a reason this client does not know.");
    }
}

bool isKnownMessageType(int value) {
    return value == 3 || value == 17 || value == 19 || value == 20 || value == 21 || value == 22;
}

} // namespace ndes::scep
