// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "pki/Certificate.h"
#include "pki/CertificateRequest.h"
#include "pki/PrivateKey.h"
#include "scep/CaCapabilities.h"
#include "scep/CaCertificates.h"
#include "scep/CertRep.h"
#include "scep/ScepClient.h"
#include "util/Result.h"
#include "util/SecretBytes.h"

#include <QFuture>
#include <QObject>
#include <QPointer>
#include <functional>

namespace ndes::scep {

struct EnrollmentRequest {
    QString subject;
    QStringList dnsNames;
    QStringList ipAddresses;
    int keyBits = 2048;
    pki::PrivateKey key; // when set, used instead of generating a new key (load tests, re-enrollment)
    SecretBytes challengePassword;
    quint32 keyUsage = 0; // 0: none in the CSR (the server's default template)
    // When set, a certificate of GetCACert with this SHA-256 becomes the only trust anchor: the certificate the
    // request is encrypted to and the reply's signer must chain to it, or nothing is sent.
    QByteArray caSha256Pin;
    // The CA thumbprint NDES's admin page showed with the challenge password (MD5 of the CA certificate, 16 bytes).
    // When set, a certificate of GetCACert must have it (else "ca-thumbprint-mismatch"); without a SHA-256 pin, that
    // certificate becomes the trust anchor as above.
    QByteArray adminPageCaMd5;
    bool adminPageOverTls = false; // the thumbprint came over verified HTTPS: then it authenticates the RA
    // Renewal: sign with the current certificate and key (RenewalReq) instead of a self-signed one.
    pki::Certificate currentCertificate;
    pki::PrivateKey currentKey;
    // Polling while the server says PENDING.
    int maxPolls = 10;
    int pollIntervalMs = 5000;
    double pollBackoff = 2.0;
    int maxPollIntervalMs = 60000;
    bool forceGet = false;
};

struct EnrollmentResult {
    pki::Certificate certificate;
    pki::PrivateKey key;
    QList<pki::Certificate> returnedCertificates;
    CaCapabilities capabilities;
    CaCertificates caCertificates;
    pki::Certificate recipient;
    pki::Certificate trustAnchor; // the pinned CA (or the admin page's), when there was one
    QString anchorSource;         // "pin", "admin-page" or "" (the RA was not authenticated by a pin)
    QString transactionId;
    QString method; // "POST" or "GET"
    QString cipher; // e.g. "AES-128-CBC"
    QString digest; // e.g. "SHA-256"
    int polls = 0;
    QStringList warnings;
};

// One enrollment as a device does it: GetCACaps, GetCACert, key, CSR, PKCSReq (or RenewalReq), CertPoll while
// PENDING (bounded, with backoff), and every check of the reply. Ends in exactly one callback.
class ScepEnrollment : public QObject {
    Q_OBJECT
public:
    ScepEnrollment(ScepClient* client, QObject* parent = nullptr);

    void start(EnrollmentRequest request, std::function<void(Result<EnrollmentResult>)> done);

    // What was learned before a failure (capabilities, CA and RA certificates), for diagnosis.
    [[nodiscard]] const EnrollmentResult& partialResult() const { return m_result; }

signals:
    void progress(const QString& step);
    // A stage begins: "caps", "cacert", "key", "request", "poll" (with the same text as progress()).
    void stage(const QString& id, const QString& description);
    // Something the user must know before the request goes out (also in EnrollmentResult::warnings).
    void warning(const QString& text);

private:
    void fail(const Error& error);
    void enter(const char* id, const QString& description);
    void onCaps(Result<CaCapabilities> caps);
    void onCaCert(Result<CaCertificates> certs);
    void onKey(Result<pki::PrivateKey> key);
    void sendRequest();
    void sendPoll();
    void onReply(Result<QByteArray> reply);

    QPointer<ScepClient> m_client;
    EnrollmentRequest m_request;
    EnrollmentResult m_result;
    std::function<void(Result<EnrollmentResult>)> m_done;
    pki::Certificate m_signer;
    pki::PrivateKey m_signerKey;
    pki::CertificateRequest m_csr;
    QByteArray m_senderNonce;
    QFuture<Result<pki::PrivateKey>> m_keyFuture;
    int m_pollDelayMs = 0;
    bool m_usePost = true;
};

} // namespace ndes::scep
