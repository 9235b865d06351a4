// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

namespace ndes::scep {

// RFC 8894 messageType values.
enum class MessageType { CertRep = 3, RenewalReq = 17, PKCSReq = 19, CertPoll = 20, GetCert = 21, GetCRL = 22 };

// RFC 8894 pkiStatus values.
enum class PkiStatus { Success = 0, Failure = 2, Pending = 3 };

// RFC 8894 failInfo values.
enum class FailInfo { BadAlg = 0, BadMessageCheck = 1, BadRequest = 2, BadTime = 3, BadCertId = 4 };

[[nodiscard]] QString messageTypeName(MessageType type);
[[nodiscard]] QString pkiStatusName(PkiStatus status);
[[nodiscard]] QString failInfoName(int failInfo);
// What a failInfo usually means when an NDES (or other SCEP) server sends it, and what to try.
[[nodiscard]] QString failInfoAdvice(int failInfo);

[[nodiscard]] bool isKnownMessageType(int value);

} // namespace ndes::scep
