// SPDX-License-Identifier: Apache-2.0
#pragma once

namespace ndes::pki::oid {

// Microsoft
inline constexpr const char* certificateRequestAgent = "1.3.6.1.4.1.311.20.2.1"; // EKU on NDES RA certs
inline constexpr const char* certificateTemplateName = "1.3.6.1.4.1.311.20.2";   // v1 template name (BMPString)
inline constexpr const char* certificateTemplateInfo = "1.3.6.1.4.1.311.21.7";   // v2 template OID + versions

// PKIX extended key usages
inline constexpr const char* serverAuth = "1.3.6.1.5.5.7.3.1";
inline constexpr const char* clientAuth = "1.3.6.1.5.5.7.3.2";
inline constexpr const char* ipsecIke = "1.3.6.1.5.5.8.2.2";

// SCEP (RFC 8894) signed attributes: 2.16.840.1.113733.1.9.x
inline constexpr const char* scepMessageType = "2.16.840.1.113733.1.9.2";
inline constexpr const char* scepPkiStatus = "2.16.840.1.113733.1.9.3";
inline constexpr const char* scepFailInfo = "2.16.840.1.113733.1.9.4";
inline constexpr const char* scepSenderNonce = "2.16.840.1.113733.1.9.5";
inline constexpr const char* scepRecipientNonce = "2.16.840.1.113733.1.9.6";
inline constexpr const char* scepTransactionId = "2.16.840.1.113733.1.9.7";

} // namespace ndes::pki::oid
