// SPDX-License-Identifier: Apache-2.0
#include "scep/ScepEnrollment.h"
#include "util/Access.h"

#include "pki/CertificateBuilder.h"
#include "pki/ChainVerifier.h"
#include "pki/Oids.h"
#include "scep/PkiRequest.h"
#include "util/Clock.h"

#include <QCoreApplication>
#include <QFutureWatcher>
#include <QPromise>
#include <QTimer>

namespace ndes::scep {

using namespace ndes::pki;

namespace {
// Under a trust anchor, only a CA certificate or an RA certificate (EKU Certificate Request Agent, which NDES requires
// of both of its RA certificates) may receive the request or sign the reply: any device certificate the CA issued
// also chains to the anchor, and its holder must not read challenge passwords or answer for the CA.
bool mayActForTheCa(const Certificate& c) {
    return c.isCa() || c.extendedKeyUsages().contains(QLatin1String(oid::certificateRequestAgent));
}

// The certificate whose digest (SHA-256 pin, MD5 thumbprint) is `want`; none when `want` is empty or absent.
Certificate withDigest(const QList<Certificate>& certs, QByteArray (Certificate::*digest)() const,
                       const QByteArray& want) {
    if (!want.isEmpty())
        for (const Certificate& c : certs)
            if ((c.*digest)() == want)
                return c;
    return {};
}

Error coded(const char* code, const QString& message) {
    Error e = makeError(ErrorKind::Verification, message);
    e.code = QString::fromLatin1(code);
    return e;
}
} // namespace

ScepEnrollment::ScepEnrollment(ScepClient* client, QObject* parent)
    : QObject(parent)
    , m_client(client) {}

void ScepEnrollment::start(EnrollmentRequest request, std::function<void(Result<EnrollmentResult>)> done) {
    m_request = std::move(request);
    m_done = std::move(done);
    m_result = {};
    m_pollDelayMs = m_request.pollIntervalMs;
    // A request the CA may grant issues a certificate: never in auditor mode.
    if (auto capability = Access::request(WriteOperation::Enrollment); !capability) {
        QTimer::singleShot(0, this, [this, error = capability.error()] { fail(error); });
        return;
    }
    // The key is generated on a worker while GetCACaps and GetCACert travel.
    if (m_request.key.isNull()) {
        m_keyFuture = PrivateKey::generateRsaAsync(m_request.keyBits);
    } else {
        QPromise<Result<PrivateKey>> ready;
        ready.start();
        ready.addResult(Result<PrivateKey>(m_request.key));
        ready.finish();
        m_keyFuture = ready.future();
    }
    enter("caps", tr("Asking the server for its capabilities (GetCACaps)"));
    m_client->getCaCaps([this](Result<CaCapabilities> caps) { onCaps(std::move(caps)); });
}

void ScepEnrollment::enter(const char* id, const QString& description) {
    emit stage(QString::fromLatin1(id), description);
    emit progress(description);
}

void ScepEnrollment::fail(const Error& error) {
    auto done = std::move(m_done);
    m_done = nullptr;
    if (done)
        done(error);
}

void ScepEnrollment::onCaps(Result<CaCapabilities> caps) {
    if (!caps)
        return fail(caps.error());
    m_result.capabilities = *caps;
    m_result.warnings << caps->warnings();
    if (!m_request.currentCertificate.isNull() && !caps->supportsRenewal())
        m_result.warnings << tr("The server does not advertise Renewal; the renewal request may be refused.");
    m_usePost = caps->supportsPost() && !m_request.forceGet;
    enter("cacert", tr("Fetching the CA and RA certificates (GetCACert)"));
    m_client->getCaCert([this](Result<CaCertificates> certs) { onCaCert(std::move(certs)); });
}

void ScepEnrollment::onCaCert(Result<CaCertificates> certs) {
    if (!certs)
        return fail(certs.error());
    m_result.caCertificates = *certs;
    // The trust anchor: the pinned certificate, else the CA the admin page named. Nothing else in this
    // unauthenticated answer is trusted: an attacker in the path may add an RA certificate of its own.
    const QList<Certificate> all = certs->all();
    const Certificate pinned = withDigest(all, &Certificate::sha256, m_request.caSha256Pin);
    if (!m_request.caSha256Pin.isEmpty() && pinned.isNull())
        return fail(coded("ca-pin-mismatch",
                          tr("None of the server's CA certificates has the pinned SHA-256 fingerprint %1. The server "
                             "may not be the one you expect; compare the fingerprint with the CA. Nothing was sent.")
                              .arg(Certificate::hex(m_request.caSha256Pin))));
    const Certificate named = withDigest(all, &Certificate::md5, m_request.adminPageCaMd5);
    if (!m_request.adminPageCaMd5.isEmpty() && named.isNull())
        return fail(coded("ca-thumbprint-mismatch",
                          tr("The admin page named the CA certificate %1, but GetCACert returned no certificate with "
                             "that thumbprint. The SCEP answer does not come from the NDES server that gave the "
                             "password (or NDES was moved to another CA); the request was not sent.")
                              .arg(Certificate::hex(m_request.adminPageCaMd5))));
    const Certificate anchor = !pinned.isNull() ? pinned : named;
    m_result.anchorSource = !pinned.isNull()  ? QStringLiteral("pin")
                            : !named.isNull() ? QStringLiteral("admin-page")
                                              : QString();
    m_result.trustAnchor = anchor;
    auto recipient = certs->encryptionRecipient();
    if (!recipient)
        return fail(recipient.error());
    m_result.recipient = *recipient;
    const QDateTime now = Clock::instance().now();
    if (!recipient->isValidAt(now)) {
        Error e = makeError(ErrorKind::Verification,
                            tr("The server's encryption certificate \"%1\" expired on %2 (or is not yet valid); NDES "
                               "stops all enrollment until its RA certificates are renewed.")
                                .arg(recipient->subject(), recipient->notAfter().toString(Qt::ISODate)));
        e.code = QStringLiteral("ra-expired");
        return fail(e);
    }
    if (!anchor.isNull()) {
        if (Status chain = ChainVerifier({anchor}, certs->all()).verify(*recipient, now); !chain) {
            Error e =
                makeError(ErrorKind::Verification,
                          tr("The certificate the request would be encrypted to, \"%1\", does not chain to the "
                             "%2 CA \"%3\" (%4). Someone between you and the server may have put their own "
                             "certificate into the answer to read the challenge password; nothing was sent.")
                              .arg(recipient->subject(),
                                   m_result.anchorSource == QLatin1String("pin") ? tr("pinned") : tr("admin page's"),
                                   anchor.subject(), chain.error().message));
            e.code = QStringLiteral("ra-untrusted");
            e.detail = chain.error().detail;
            return fail(e);
        }
        if (!mayActForTheCa(*recipient)) {
            Error e = makeError(ErrorKind::Verification,
                                tr("The certificate the request would be encrypted to, \"%1\", comes from the right CA "
                                   "but is not an RA certificate (no Certificate Request Agent EKU) nor a CA: it may "
                                   "be any device's certificate, whose holder would read the challenge password. "
                                   "Nothing was sent.")
                                    .arg(recipient->subject()));
            e.code = QStringLiteral("ra-untrusted");
            return fail(e);
        }
    }
    // Over plain HTTP only a pin, or a thumbprint that came over verified HTTPS, authenticates the RA; an admin page
    // read over HTTP can be forged by the same party as the GetCACert answer.
    const bool authenticated = m_result.anchorSource == QLatin1String("pin") ||
                               (m_result.anchorSource == QLatin1String("admin-page") && m_request.adminPageOverTls);
    if (!authenticated && m_client &&
        m_client->url().scheme().compare(QLatin1String("http"), Qt::CaseInsensitive) == 0) {
        const QString text = tr("The RA certificate is not authenticated: the server is reached over plain HTTP and "
                                "no CA is pinned, so anyone in the path could read the challenge password. Pin the "
                                "CA's SHA-256 fingerprint for this server.");
        m_result.warnings << text;
        emit warning(text);
    }

    enter("key", tr("Generating a %1-bit RSA key").arg(m_request.keyBits));
    auto* watcher = new QFutureWatcher<Result<PrivateKey>>(this);
    connect(watcher, &QFutureWatcher<Result<PrivateKey>>::finished, this, [this, watcher] {
        watcher->deleteLater();
        onKey(watcher->result());
    });
    watcher->setFuture(m_keyFuture);
}

void ScepEnrollment::onKey(Result<PrivateKey> key) {
    if (!key)
        return fail(key.error());
    m_result.key = *key;

    CertificateRequestSpec spec;
    spec.subject = m_request.subject;
    spec.dnsNames = m_request.dnsNames;
    spec.ipAddresses = m_request.ipAddresses;
    spec.keyUsage = m_request.keyUsage;
    spec.challengePassword = m_request.challengePassword.bytes();
    const DigestChoice digest = m_result.capabilities.strongestDigest();
    auto csr = CertificateRequest::create(spec, m_result.key, digestMd(digest));
    SecretBytes::cleanse(spec.challengePassword);
    m_request.challengePassword.wipe();
    if (!csr)
        return fail(csr.error());
    m_csr = std::move(*csr);

    if (!m_request.currentCertificate.isNull()) {
        m_signer = m_request.currentCertificate;
        m_signerKey = m_request.currentKey;
    } else {
        // The transient signer of a PKCSReq: self-signed, same subject and key as the request (RFC 8894 2.3).
        auto self = CertificateBuilder()
                        .setSubjectName(m_csr.subjectName())
                        .setValidity(Clock::instance().now().addSecs(-3600), Clock::instance().now().addDays(1))
                        .setKeyUsage(static_cast<quint32>(KeyUsage::DigitalSignature) |
                                     static_cast<quint32>(KeyUsage::KeyEncipherment))
                        .setDigest(digestMd(digest))
                        .selfSigned(m_result.key);
        if (!self)
            return fail(self.error());
        m_signer = *self;
        m_signerKey = m_result.key;
    }
    m_result.transactionId = PkiRequest::transactionIdFor(m_result.key);
    m_result.method = m_usePost ? QStringLiteral("POST") : QStringLiteral("GET");
    m_result.cipher = QString::fromLatin1(cipherName(m_result.capabilities.strongestCipher()));
    m_result.digest = digestName(digest);
    sendRequest();
}

void ScepEnrollment::sendRequest() {
    PkiRequest::BuildParams p;
    p.type = m_request.currentCertificate.isNull() ? MessageType::PKCSReq : MessageType::RenewalReq;
    p.csr = m_csr;
    p.signer = m_signer;
    p.signerKey = m_signerKey;
    p.recipient = m_result.recipient;
    p.cipher = m_result.capabilities.strongestCipher();
    p.digest = m_result.capabilities.strongestDigest();
    p.transactionId = m_result.transactionId;
    m_senderNonce = PkiRequest::newNonce();
    p.senderNonce = m_senderNonce;
    auto message = PkiRequest::build(p);
    if (!message)
        return fail(message.error());
    enter("request", tr("Sending %1 by %2").arg(messageTypeName(p.type), m_result.method));
    m_client->pkiOperation(*message, m_usePost, [this](Result<QByteArray> r) { onReply(std::move(r)); });
}

void ScepEnrollment::sendPoll() {
    PkiRequest::BuildParams p;
    p.type = MessageType::CertPoll;
    const Certificate ca = m_result.caCertificates.issuingCa();
    unsigned char* buf = nullptr;
    int n = i2d_X509_NAME(X509_get_subject_name(ca.get()), &buf);
    p.pollIssuerDer = QByteArray(reinterpret_cast<const char*>(buf), qMax(n, 0));
    OPENSSL_free(buf);
    buf = nullptr;
    n = i2d_X509_NAME(m_csr.subjectName(), &buf);
    p.pollSubjectDer = QByteArray(reinterpret_cast<const char*>(buf), qMax(n, 0));
    OPENSSL_free(buf);
    p.signer = m_signer;
    p.signerKey = m_signerKey;
    p.recipient = m_result.recipient;
    p.cipher = m_result.capabilities.strongestCipher();
    p.digest = m_result.capabilities.strongestDigest();
    p.transactionId = m_result.transactionId;
    m_senderNonce = PkiRequest::newNonce();
    p.senderNonce = m_senderNonce;
    auto message = PkiRequest::build(p);
    if (!message)
        return fail(message.error());
    enter(
        "poll",
        tr("Asking whether the request was approved (CertPoll %1 of %2)").arg(m_result.polls).arg(m_request.maxPolls));
    m_client->pkiOperation(*message, m_usePost, [this](Result<QByteArray> r) { onReply(std::move(r)); });
}

void ScepEnrollment::onReply(Result<QByteArray> reply) {
    if (!reply)
        return fail(reply.error());
    CertRep::Expectations expect;
    expect.transactionId = m_result.transactionId;
    expect.senderNonce = m_senderNonce;
    if (!m_result.trustAnchor.isNull()) {
        expect.trustAnchors = {m_result.trustAnchor};
    } else {
        expect.trustAnchors = m_result.caCertificates.caCertificates();
        if (expect.trustAnchors.isEmpty())
            expect.trustAnchors = {m_result.caCertificates.issuingCa()};
    }
    expect.intermediates = m_result.caCertificates.all();
    expect.decryptionKey = m_signerKey;
    expect.decryptionCertificate = m_signer;
    expect.requestedPublicKey = m_result.key.get();
    expect.now = Clock::instance().now();
    auto rep = CertRep::parseAndVerify(*reply, expect);
    if (!rep)
        return fail(rep.error());
    if (!m_result.trustAnchor.isNull()) {
        // The signer chains to the anchor (checked above); it must also be the CA or an RA, not a device.
        if (!mayActForTheCa(rep->signer)) {
            Error e = makeError(ErrorKind::Verification,
                                tr("The reply is signed by \"%1\", which comes from the right CA but is neither an RA "
                                   "certificate nor a CA: it is not the server's answer. It was refused.")
                                    .arg(rep->signer.subject()));
            e.code = QStringLiteral("ra-untrusted");
            return fail(e);
        }
        if (rep->status == PkiStatus::Success) {
            const Status issued =
                ChainVerifier({m_result.trustAnchor}, m_result.caCertificates.caCertificates() + rep->certificates)
                    .verify(rep->issued, expect.now);
            if (!issued) {
                Error e = makeError(
                    ErrorKind::Verification,
                    tr("The certificate in the reply does not chain to the %1 CA \"%2\" (%3). It was "
                       "refused.")
                        .arg(m_result.anchorSource == QLatin1String("pin") ? tr("pinned") : tr("admin page's"),
                             m_result.trustAnchor.subject(), issued.error().message));
                e.code = QStringLiteral("certificate-untrusted");
                return fail(e);
            }
        }
    }

    switch (rep->status) {
    case PkiStatus::Success: {
        m_result.certificate = rep->issued;
        m_result.returnedCertificates = rep->certificates;
        auto done = std::move(m_done);
        m_done = nullptr;
        if (done)
            done(std::move(m_result));
        return;
    }
    case PkiStatus::Failure: {
        Error e =
            makeError(ErrorKind::ScepFailure, tr("The server refused the request: FAILURE, failInfo %1. %2")
                                                  .arg(failInfoName(rep->failInfo), failInfoAdvice(rep->failInfo)));
        e.failInfo = rep->failInfo;
        return fail(e);
    }
    case PkiStatus::Pending:
        if (m_result.polls >= m_request.maxPolls) {
            Error e = makeError(ErrorKind::ScepFailure,
                                tr("The request is still PENDING after %1 polls. An administrator must approve it on "
                                   "the CA; poll again later with the same key.")
                                    .arg(m_result.polls));
            e.code = QStringLiteral("pending");
            return fail(e);
        }
        ++m_result.polls;
        emit progress(tr("The request is PENDING approval; asking again in %1 s").arg(m_pollDelayMs / 1000.0));
        QTimer::singleShot(m_pollDelayMs, this, [this] { sendPoll(); });
        m_pollDelayMs = qMin(int(m_pollDelayMs * m_request.pollBackoff), m_request.maxPollIntervalMs);
        return;
    }
}

} // namespace ndes::scep
