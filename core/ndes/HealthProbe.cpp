// SPDX-License-Identifier: Apache-2.0
#include "ndes/HealthProbe.h"
#include "util/Access.h"

#include "directory/DirectoryHealth.h"
#include "directory/LdapConnection.h"
#include "ndes/ChallengePasswordClient.h"
#include "pki/Crl.h"
#include "scep/CaCertificates.h"
#include "scep/ScepClient.h"
#include "util/Clock.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QHash>
#include <QJsonArray>
#include <QLocale>
#include <QMutex>
#include <QPointer>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTimer>
#include <QtConcurrent>

#include <iterator>
#include <optional>

namespace ndes::service {

namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("HealthProbe", text);
}

constexpr int maxCrlUrls = 6;

QString roleLabel(ExpiryRole role) {
    switch (role) {
    case ExpiryRole::Ca:
        return tr("CA certificate");
    case ExpiryRole::RaSigning:
        return tr("RA signing certificate");
    case ExpiryRole::RaEncryption:
        return tr("RA encryption certificate");
    case ExpiryRole::Tls:
        return tr("TLS certificate");
    case ExpiryRole::Crl:
        return tr("CRL");
    case ExpiryRole::DirectoryCa:
        return tr("CA certificate published in AD");
    case ExpiryRole::ServiceAccount:
        return tr("service account");
    }
    return {};
}

HealthReasonCode expiredCode(ExpiryRole role) {
    switch (role) {
    case ExpiryRole::Ca:
        return HealthReasonCode::CaExpired;
    case ExpiryRole::RaSigning:
    case ExpiryRole::RaEncryption:
        return HealthReasonCode::RaExpired;
    case ExpiryRole::Tls:
        return HealthReasonCode::TlsExpired;
    case ExpiryRole::Crl:
        return HealthReasonCode::CrlStale;
    case ExpiryRole::DirectoryCa:
        return HealthReasonCode::CaExpired;
    case ExpiryRole::ServiceAccount:
        return HealthReasonCode::ServiceAccountExpired;
    }
    return HealthReasonCode::CaExpired;
}

HealthReasonCode expiringCode(ExpiryRole role) {
    switch (role) {
    case ExpiryRole::Ca:
        return HealthReasonCode::CaExpiring;
    case ExpiryRole::RaSigning:
    case ExpiryRole::RaEncryption:
        return HealthReasonCode::RaExpiring;
    case ExpiryRole::Tls:
        return HealthReasonCode::TlsExpiring;
    case ExpiryRole::Crl:
        return HealthReasonCode::CrlExpiring;
    case ExpiryRole::DirectoryCa:
        return HealthReasonCode::CaExpiring;
    case ExpiryRole::ServiceAccount:
        return HealthReasonCode::ServiceAccountExpiring;
    }
    return HealthReasonCode::CaExpiring;
}

// What happens when the item runs out, and what to do, in one sentence each.
QString consequence(ExpiryRole role) {
    switch (role) {
    case ExpiryRole::RaSigning:
    case ExpiryRole::RaEncryption:
        return tr("When an RA certificate expires, all enrollment through this server stops. Renew both RA "
                  "certificates (Overview → RA renewal).");
    case ExpiryRole::Ca:
        return tr("When the CA certificate expires, no certificate it issued can be validated. Renew the CA.");
    case ExpiryRole::Tls:
        return tr("When the TLS certificate expires, devices and browsers refuse HTTPS to this server. Renew it "
                  "and update the IIS binding.");
    case ExpiryRole::Crl:
        return tr("Relying parties that check revocation refuse certificates from this CA. Publish a new CRL "
                  "(certutil -crl) and check the CDP locations.");
    case ExpiryRole::DirectoryCa:
        return tr("When a CA certificate expires, the CA issues nothing more and domain members stop trusting what "
                  "it issued. Renew the CA and publish the new certificate (certutil -dspublish).");
    case ExpiryRole::ServiceAccount:
        return tr("When the service account's password or the account expires, the SCEP application pool cannot "
                  "start and enrollment stops. Change the password (and the application pool's identity with it), "
                  "or move to a group managed service account.");
    }
    return {};
}

HealthReasonCode tlsErrorCode(const QSslError& e) {
    switch (e.error()) {
    case QSslError::HostNameMismatch:
        return HealthReasonCode::TlsNameMismatch;
    case QSslError::CertificateExpired:
        return HealthReasonCode::TlsExpired;
    case QSslError::CertificateNotYetValid:
        return HealthReasonCode::TlsNotYetValid;
    case QSslError::SelfSignedCertificate:
    case QSslError::SelfSignedCertificateInChain:
    case QSslError::UnableToGetLocalIssuerCertificate:
    case QSslError::UnableToVerifyFirstCertificate:
    case QSslError::UnableToGetIssuerCertificate:
    case QSslError::CertificateUntrusted:
        return HealthReasonCode::TlsUntrusted;
    default:
        return HealthReasonCode::TlsError;
    }
}

} // namespace

QString healthStatusName(HealthStatus status) {
    switch (status) {
    case HealthStatus::Ok:
        return QStringLiteral("ok");
    case HealthStatus::Warning:
        return QStringLiteral("warning");
    case HealthStatus::Critical:
        return QStringLiteral("critical");
    case HealthStatus::Unreachable:
        return QStringLiteral("unreachable");
    }
    return {};
}

QString healthStatusLabel(HealthStatus status) {
    switch (status) {
    case HealthStatus::Ok:
        return tr("OK");
    case HealthStatus::Warning:
        return tr("Warning");
    case HealthStatus::Critical:
        return tr("Critical");
    case HealthStatus::Unreachable:
        return tr("Unreachable");
    }
    return {};
}

namespace {
struct ReasonRow {
    HealthReasonCode code;
    const char* name;
    const char* title;
};
// Every reason: its stable name and its title, in the enum's order.
constexpr ReasonRow reasonRows[] = {
    {HealthReasonCode::Unreachable, "unreachable", QT_TRANSLATE_NOOP("HealthProbe", "Not reachable")},
    {HealthReasonCode::BadUrl, "bad-url", QT_TRANSLATE_NOOP("HealthProbe", "Not a SCEP URL")},
    {HealthReasonCode::HttpNotAllowed, "http-not-allowed", QT_TRANSLATE_NOOP("HealthProbe", "Plain HTTP not allowed")},
    {HealthReasonCode::AppPoolStopped, "app-pool-stopped",
     QT_TRANSLATE_NOOP("HealthProbe", "SCEP app pool stopped (HTTP 503)")},
    {HealthReasonCode::CapsFailed, "caps-failed", QT_TRANSLATE_NOOP("HealthProbe", "GetCACaps failed")},
    {HealthReasonCode::CacertFailed, "cacert-failed", QT_TRANSLATE_NOOP("HealthProbe", "GetCACert failed")},
    {HealthReasonCode::RaMissing, "ra-missing", QT_TRANSLATE_NOOP("HealthProbe", "RA certificate missing")},
    {HealthReasonCode::RaExpired, "ra-expired", QT_TRANSLATE_NOOP("HealthProbe", "RA certificate expired")},
    {HealthReasonCode::RaExpiring, "ra-expiring", QT_TRANSLATE_NOOP("HealthProbe", "RA certificate expires soon")},
    {HealthReasonCode::RaRevoked, "ra-revoked", QT_TRANSLATE_NOOP("HealthProbe", "RA certificate revoked")},
    {HealthReasonCode::CaExpired, "ca-expired", QT_TRANSLATE_NOOP("HealthProbe", "CA certificate expired")},
    {HealthReasonCode::CaExpiring, "ca-expiring", QT_TRANSLATE_NOOP("HealthProbe", "CA certificate expires soon")},
    {HealthReasonCode::CaPinMismatch, "ca-pin-mismatch",
     QT_TRANSLATE_NOOP("HealthProbe", "CA differs from the pinned one")},
    {HealthReasonCode::TlsExpired, "tls-expired", QT_TRANSLATE_NOOP("HealthProbe", "TLS certificate expired")},
    {HealthReasonCode::TlsExpiring, "tls-expiring", QT_TRANSLATE_NOOP("HealthProbe", "TLS certificate expires soon")},
    {HealthReasonCode::TlsNameMismatch, "tls-name-mismatch",
     QT_TRANSLATE_NOOP("HealthProbe", "TLS certificate name mismatch")},
    {HealthReasonCode::TlsUntrusted, "tls-untrusted", QT_TRANSLATE_NOOP("HealthProbe", "TLS certificate not trusted")},
    {HealthReasonCode::TlsNotYetValid, "tls-not-yet-valid",
     QT_TRANSLATE_NOOP("HealthProbe", "TLS certificate not yet valid")},
    {HealthReasonCode::TlsError, "tls-error", QT_TRANSLATE_NOOP("HealthProbe", "TLS problem")},
    {HealthReasonCode::CrlStale, "crl-stale", QT_TRANSLATE_NOOP("HealthProbe", "CRL stale")},
    {HealthReasonCode::CrlExpiring, "crl-expiring", QT_TRANSLATE_NOOP("HealthProbe", "CRL about to go stale")},
    {HealthReasonCode::CrlUnreachable, "crl-unreachable", QT_TRANSLATE_NOOP("HealthProbe", "CRL not reachable")},
    {HealthReasonCode::CrlUnreadable, "crl-unreadable", QT_TRANSLATE_NOOP("HealthProbe", "CRL unreadable")},
    {HealthReasonCode::CrlUnverified, "crl-unverified", QT_TRANSLATE_NOOP("HealthProbe", "CRL signature not verified")},
    {HealthReasonCode::WeakCaps, "weak-caps", QT_TRANSLATE_NOOP("HealthProbe", "Only weak algorithms")},
    {HealthReasonCode::NoPost, "no-post", QT_TRANSLATE_NOOP("HealthProbe", "No POSTPKIOperation")},
    {HealthReasonCode::NoAes, "no-aes", QT_TRANSLATE_NOOP("HealthProbe", "No AES")},
    {HealthReasonCode::NoSha256, "no-sha256", QT_TRANSLATE_NOOP("HealthProbe", "No SHA-256")},
    {HealthReasonCode::AdminOpen, "admin-open", QT_TRANSLATE_NOOP("HealthProbe", "Admin page open to anyone")},
    {HealthReasonCode::AdminUnreachable, "admin-unreachable",
     QT_TRANSLATE_NOOP("HealthProbe", "Admin page not reachable")},
    {HealthReasonCode::AdminError, "admin-error", QT_TRANSLATE_NOOP("HealthProbe", "Admin page fails")},
    {HealthReasonCode::Slow, "slow", QT_TRANSLATE_NOOP("HealthProbe", "Slow answers")},
    {HealthReasonCode::DirectoryUnreadable, "directory-unreadable",
     QT_TRANSLATE_NOOP("HealthProbe", "Active Directory not read")},
    {HealthReasonCode::ServiceAccountUnusable, "service-account-unusable",
     QT_TRANSLATE_NOOP("HealthProbe", "Service account unusable")},
    {HealthReasonCode::ServiceAccountExpired, "service-account-expired",
     QT_TRANSLATE_NOOP("HealthProbe", "Service account expired")},
    {HealthReasonCode::ServiceAccountExpiring, "service-account-expiring",
     QT_TRANSLATE_NOOP("HealthProbe", "Service account expires soon")},
};
constexpr bool rowsInEnumOrder() {
    for (std::size_t i = 0; i < std::size(reasonRows); ++i)
        if (static_cast<std::size_t>(reasonRows[i].code) != i)
            return false;
    return true;
}
static_assert(rowsInEnumOrder(), "reasonRows must list every HealthReasonCode once, in order");
static_assert(std::size(reasonRows) == static_cast<std::size_t>(HealthReasonCode::ServiceAccountExpiring) + 1);
} // namespace

QString healthReasonCodeName(HealthReasonCode code) {
    return QLatin1String(reasonRows[static_cast<std::size_t>(code)].name);
}

std::optional<HealthReasonCode> healthReasonCodeFromName(const QString& name) {
    for (const ReasonRow& row : reasonRows)
        if (name == QLatin1String(row.name))
            return row.code;
    return std::nullopt;
}

QString healthReasonTitle(HealthReasonCode code) {
    return QCoreApplication::translate("HealthProbe", reasonRows[static_cast<std::size_t>(code)].title);
}

QString healthReasonTitle(const QString& code) {
    const auto known = healthReasonCodeFromName(code);
    return known ? healthReasonTitle(*known) : code;
}

qint64 HealthReport::stepMs(const QString& name) const {
    for (const ProbeStep& s : steps)
        if (s.name == name)
            return s.ms;
    return -1;
}

QString HealthReport::headline() const {
    for (const HealthReason& r : reasons)
        if (r.severity == status)
            return r.message;
    return status == HealthStatus::Ok ? tr("all checks passed") : QString();
}

QJsonObject HealthReport::toJson() const {
    QJsonArray reasonArray;
    for (const HealthReason& r : reasons)
        reasonArray.append(QJsonObject{{QStringLiteral("severity"), healthStatusName(r.severity)},
                                       {QStringLiteral("code"), r.code},
                                       {QStringLiteral("message"), r.message}});
    QJsonArray stepArray;
    for (const ProbeStep& s : steps)
        stepArray.append(QJsonObject{{QStringLiteral("name"), s.name},
                                     {QStringLiteral("ms"), s.ms},
                                     {QStringLiteral("ok"), s.ok},
                                     {QStringLiteral("detail"), s.detail}});
    QJsonArray expiryArray;
    for (const ExpiryItem& e : expiries)
        expiryArray.append(QJsonObject{{QStringLiteral("role"), expiryRoleName(e.role)},
                                       {QStringLiteral("subject"), e.subject},
                                       {QStringLiteral("notAfter"), e.notAfter.toString(Qt::ISODate)},
                                       {QStringLiteral("daysLeft"), e.daysLeft},
                                       {QStringLiteral("status"), expiryStatusName(e.status)}});
    return QJsonObject{{QStringLiteral("server"), server},
                       {QStringLiteral("url"), url.toString()},
                       {QStringLiteral("checkedAt"), checkedAt.toString(Qt::ISODate)},
                       {QStringLiteral("status"), healthStatusName(status)},
                       {QStringLiteral("totalMs"), totalMs},
                       {QStringLiteral("reasons"), reasonArray},
                       {QStringLiteral("steps"), stepArray},
                       {QStringLiteral("certificates"), expiryArray},
                       {QStringLiteral("capabilities"), QJsonArray::fromStringList(capabilities)}};
}

struct HealthProbe::State {
    HealthReport report;
    QElapsedTimer total;
    QList<QSslError> acceptedTlsErrors;
    scep::ScepClient* client = nullptr;
    scep::CaCertificates caCerts;
    bool haveCaCerts = false;
    QStringList crlQueue;
    bool directoryStarted = false;
    bool finished = false;
};

HealthProbe::HealthProbe(HealthTarget target, HealthOptions options, QObject* parent)
    : QObject(parent)
    , m_target(std::move(target))
    , m_options(std::move(options))
    , m_state(std::make_unique<State>()) {}

HealthProbe::~HealthProbe() = default;

void HealthProbe::addReason(HealthStatus severity, HealthReasonCode code, const QString& message) {
    m_state->report.reasons.append({severity, healthReasonCodeName(code), message});
    if (severity > m_state->report.status)
        m_state->report.status = severity;
}

bool HealthProbe::hasReason(HealthReasonCode code) const {
    const QString name = healthReasonCodeName(code);
    for (const HealthReason& r : m_state->report.reasons)
        if (r.code == name)
            return true;
    return false;
}

void HealthProbe::addStep(const QString& name, qint64 ms, bool ok, const QString& detail) {
    m_state->report.steps.append({name, ms, ok, detail});
    if (ms > m_options.slowStepMs)
        addReason(HealthStatus::Warning, HealthReasonCode::Slow,
                  tr("%1 took %2 ms (more than %3 ms). Devices with short timeouts will fail; look at the server's "
                     "load and the network path.")
                      .arg(name)
                      .arg(ms)
                      .arg(m_options.slowStepMs));
}

void HealthProbe::start() {
    HealthReport& r = m_state->report;
    r.server = m_target.name.isEmpty() ? m_target.scepUrl.host() : m_target.name;
    r.url = m_target.scepUrl;
    r.checkedAt = Clock::instance().now();
    m_state->total.start();
    const QString scheme = m_target.scepUrl.scheme();
    if (!m_target.scepUrl.isValid() || (scheme != QLatin1String("http") && scheme != QLatin1String("https"))) {
        QTimer::singleShot(0, this, [this] {
            addReason(HealthStatus::Unreachable, HealthReasonCode::BadUrl,
                      tr("\"%1\" is not an http:// or https:// URL; fix the server's SCEP URL.")
                          .arg(m_target.scepUrl.toString()));
            finish();
        });
        return;
    }
    if (scheme == QLatin1String("http") && !m_target.allowHttp) {
        QTimer::singleShot(0, this, [this] {
            addReason(HealthStatus::Critical, HealthReasonCode::HttpNotAllowed,
                      tr("The SCEP URL is plain HTTP but the profile does not allow HTTP; use https:// or allow "
                         "HTTP in the server's profile."));
            finish();
        });
        return;
    }
    if (scheme == QLatin1String("http")) {
        QTimer::singleShot(0, this, [this] { stepCaps(); });
        return;
    }
    stepTls();
}

// Looks at the TLS certificate the way a device does, but goes on after an error: a name mismatch is reported,
// and the read-only SCEP lookups then accept exactly the errors seen here.
void HealthProbe::stepTls() {
    auto* socket = new QSslSocket(this);
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setPeerVerifyMode(QSslSocket::VerifyPeer);
    if (!m_target.extraTlsCaCertificates.isEmpty())
        tls.addCaCertificates(m_target.extraTlsCaCertificates);
    socket->setSslConfiguration(tls);
    auto timer = std::make_shared<QElapsedTimer>();
    timer->start();
    auto errors = std::make_shared<QList<QSslError>>();
    auto done = std::make_shared<bool>(false);
    auto* deadline = new QTimer(socket);
    deadline->setSingleShot(true);

    auto conclude = [this, socket, timer, errors, done](bool handshakeOk, const QString& failure) {
        if (*done)
            return;
        *done = true;
        const qint64 ms = timer->elapsed();
        socket->disconnect(this);
        socket->abort();
        socket->deleteLater();
        if (!handshakeOk) {
            addStep(QStringLiteral("tls"), ms, false, failure);
            addReason(HealthStatus::Unreachable, HealthReasonCode::Unreachable,
                      tr("No TLS connection to %1:%2: %3. Check that the server is up and the port is open.")
                          .arg(m_target.scepUrl.host())
                          .arg(m_target.scepUrl.port(443))
                          .arg(failure));
            return finish();
        }
        QStringList texts;
        for (const QSslError& e : *errors) {
            texts << e.errorString();
            const HealthReasonCode code = tlsErrorCode(e);
            QString message;
            if (code == HealthReasonCode::TlsNameMismatch)
                message = tr("The TLS certificate does not name %1 (it names %2). Devices refuse it; reissue the "
                             "certificate with this name in its subjectAltName, or use the name it has.")
                              .arg(m_target.scepUrl.host(),
                                   (e.certificate().subjectAlternativeNames().values(QSsl::DnsEntry) +
                                    e.certificate().subjectAlternativeNames().values(QSsl::IpAddressEntry))
                                       .join(QStringLiteral(", ")));
            else if (code == HealthReasonCode::TlsExpired)
                message = tr("The TLS certificate expired; devices refuse HTTPS. Renew it and update the IIS binding.");
            else if (code == HealthReasonCode::TlsUntrusted)
                message = tr("The TLS certificate is not trusted (%1). Devices that verify TLS refuse it; install the "
                             "CA chain, or add the CA to this computer's trusted certificates (ndesctl: --tls-ca).")
                              .arg(e.errorString());
            else
                message = tr("TLS problem: %1.").arg(e.errorString());
            if (!hasReason(code))
                addReason(HealthStatus::Critical, code, message);
        }
        m_state->report.tlsErrors = texts;
        m_state->acceptedTlsErrors = *errors;
        const QSslCertificate leaf = socket->peerCertificate();
        QString detail = texts.isEmpty() ? tr("verified") : texts.join(QStringLiteral("; "));
        if (!leaf.isNull()) {
            auto cert = pki::Certificate::fromDer(leaf.toDer());
            if (cert) {
                const ExpiryChecker checker(m_options.thresholds);
                m_state->report.expiries.append(checker.check(m_state->report.server, ExpiryRole::Tls, *cert));
            }
            detail += QStringLiteral(" · ") + leaf.subjectDisplayName();
        }
        addStep(QStringLiteral("tls"), ms, texts.isEmpty(), detail);
        stepCaps();
    };
    connect(socket, &QSslSocket::sslErrors, this, [socket, errors](const QList<QSslError>& list) {
        *errors += list;
        socket->ignoreSslErrors(list); // only to read the certificate; nothing is sent on this connection
    });
    connect(socket, &QSslSocket::encrypted, this, [conclude] { conclude(true, {}); });
    connect(socket, &QSslSocket::errorOccurred, this,
            [socket, conclude](QAbstractSocket::SocketError) { conclude(false, socket->errorString()); });
    connect(deadline, &QTimer::timeout, this, [this, conclude] {
        conclude(false, tr("no TLS handshake within %1 s").arg(m_options.timeoutMs / 1000.0));
    });
    deadline->start(m_options.timeoutMs);
    socket->connectToHostEncrypted(m_target.scepUrl.host(), quint16(m_target.scepUrl.port(443)));
}

void HealthProbe::stepCaps() {
    scep::ScepClientOptions o;
    o.timeoutMs = m_options.timeoutMs;
    o.extraTlsCaCertificates = m_target.extraTlsCaCertificates;
    o.acceptedTlsErrors = m_state->acceptedTlsErrors;
    o.maxBodyBytes = qint64(16) * 1024 * 1024; // CRLs of big CAs run to megabytes
    m_state->client = new scep::ScepClient(m_target.scepUrl, o, this);
    auto timer = std::make_shared<QElapsedTimer>();
    timer->start();
    m_state->client->getCaCaps([this, timer](Result<scep::CaCapabilities> caps) {
        const qint64 ms = timer->elapsed();
        if (!caps) {
            const Error& e = caps.error();
            addStep(QStringLiteral("caps"), ms, false, e.message);
            if (e.kind == ErrorKind::Network || e.kind == ErrorKind::Timeout) {
                addReason(HealthStatus::Unreachable, HealthReasonCode::Unreachable, e.message);
                return finish();
            }
            if (e.httpStatus == 503) {
                addReason(HealthStatus::Critical, HealthReasonCode::AppPoolStopped,
                          tr("The server answers 503 Service Unavailable: the SCEP application pool is stopped. "
                             "Start it (Start-WebAppPool -Name SCEP) and find out why it stopped (its identity's "
                             "password, the System log)."));
            } else {
                addReason(HealthStatus::Critical, HealthReasonCode::CapsFailed, e.message);
            }
            return stepCaCert(); // GetCACert may tell more; a stopped pool answers 503 there too
        }
        m_state->report.capabilities = caps->keywords();
        addStep(QStringLiteral("caps"), ms, true, caps->keywords().join(QLatin1Char(' ')));
        const bool strongCipher = caps->supportsAes();
        const bool strongDigest = caps->supportsSha256() || caps->supportsSha512();
        if (!strongCipher && !strongDigest)
            addReason(HealthStatus::Warning, HealthReasonCode::WeakCaps,
                      tr("Only weak algorithms are on offer (%1): DES, 3DES, SHA-1 and MD5 can be broken. Set "
                         "CACapabilitiesAlgorithms and HashAlgorithm, or install the update that offers AES and "
                         "SHA-256.")
                          .arg(caps->keywords().join(QStringLiteral(", "))));
        else if (!strongCipher)
            addReason(HealthStatus::Warning, HealthReasonCode::NoAes,
                      tr("AES is not offered; devices encrypt their requests with 3DES or DES."));
        else if (!strongDigest)
            addReason(HealthStatus::Warning, HealthReasonCode::NoSha256,
                      tr("SHA-256 is not offered; devices sign with SHA-1. Set HashAlgorithm to SHA256."));
        if (!caps->supportsPost())
            addReason(HealthStatus::Warning, HealthReasonCode::NoPost,
                      tr("POSTPKIOperation is not offered: requests travel base64 in the URL, which long requests "
                         "overflow (IIS maxQueryString, HTTP.sys MaxFieldLength)."));
        stepCaCert();
    });
}

void HealthProbe::stepCaCert() {
    auto timer = std::make_shared<QElapsedTimer>();
    timer->start();
    m_state->client->getCaCert([this, timer](Result<scep::CaCertificates> certs) {
        const qint64 ms = timer->elapsed();
        if (!certs) {
            addStep(QStringLiteral("cacert"), ms, false, certs.error().message);
            if (!hasReason(HealthReasonCode::AppPoolStopped))
                addReason(HealthStatus::Critical, HealthReasonCode::CacertFailed,
                          tr("GetCACert failed: %1").arg(certs.error().message));
            return stepAdmin();
        }
        m_state->caCerts = *certs;
        m_state->haveCaCerts = true;
        const ExpiryChecker checker(m_options.thresholds);
        const QString& server = m_state->report.server;
        int signing = 0;
        int encryption = 0;
        for (const scep::RoledCertificate& rc : certs->certificates()) {
            ExpiryRole role = ExpiryRole::Ca;
            switch (rc.role) {
            case scep::CertificateRole::Ca:
                role = ExpiryRole::Ca;
                break;
            case scep::CertificateRole::RaSigning:
                role = ExpiryRole::RaSigning;
                ++signing;
                break;
            case scep::CertificateRole::RaEncryption:
                role = ExpiryRole::RaEncryption;
                ++encryption;
                break;
            case scep::CertificateRole::Ra:
                role = rc.certificate.hasKeyUsage(pki::KeyUsage::KeyEncipherment) ? ExpiryRole::RaEncryption
                                                                                  : ExpiryRole::RaSigning;
                ++(role == ExpiryRole::RaEncryption ? encryption : signing);
                break;
            }
            m_state->report.expiries.append(checker.check(server, role, rc.certificate));
        }
        addStep(QStringLiteral("cacert"), ms, true,
                tr("%1 CA, %2 RA signing, %3 RA encryption")
                    .arg(certs->caCertificates().size())
                    .arg(signing)
                    .arg(encryption));
        if (signing == 0 && encryption == 0)
            addReason(HealthStatus::Critical, HealthReasonCode::RaMissing,
                      tr("GetCACert returned no RA certificate: this is not NDES, or NDES lost its RA certificates. "
                         "Reinstall the RA certificates (Overview → RA renewal)."));
        else if (signing == 0 || encryption == 0)
            addReason(HealthStatus::Critical, HealthReasonCode::RaMissing,
                      tr("GetCACert returned only the %1 RA certificate; NDES needs both (CEP Encryption and "
                         "Exchange Enrollment Agent (Offline request)). Renew both.")
                          .arg(signing == 0 ? tr("encryption") : tr("signing")));
        if (!m_target.caSha256Pin.isEmpty()) {
            QString pin = m_target.caSha256Pin;
            pin.remove(QLatin1Char(':'));
            bool pinned = false;
            for (const pki::Certificate& ca : certs->caCertificates())
                pinned = pinned || pki::Certificate::hex(ca.sha256()).compare(pin, Qt::CaseInsensitive) == 0;
            if (!pinned)
                addReason(HealthStatus::Critical, HealthReasonCode::CaPinMismatch,
                          tr("None of the CA certificates matches the SHA-256 pinned in the profile: the server "
                             "changed CA, or this is not the server you think. Check before you trust it."));
        }
        if (m_options.checkCrl) {
            for (const pki::Certificate& c : certs->all())
                for (const QString& url : c.crlDistributionPoints())
                    if ((url.startsWith(QLatin1String("http://"), Qt::CaseInsensitive) ||
                         url.startsWith(QLatin1String("https://"), Qt::CaseInsensitive)) &&
                        !m_state->crlQueue.contains(url) && m_state->crlQueue.size() < maxCrlUrls)
                        m_state->crlQueue << url;
        }
        stepCrl();
    });
}

void HealthProbe::stepCrl() {
    if (m_state->crlQueue.isEmpty())
        return stepAdmin();
    const QString url = m_state->crlQueue.takeFirst();
    auto timer = std::make_shared<QElapsedTimer>();
    timer->start();
    m_state->client->fetchUrl(QUrl(url), [this, timer, url](Result<scep::HttpAnswer> answer) {
        const qint64 ms = timer->elapsed();
        const QString& server = m_state->report.server;
        if (!answer || answer->status != 200) {
            const QString why = !answer ? answer.error().message : tr("HTTP %1").arg(answer->status);
            addStep(QStringLiteral("crl"), ms, false, url + QStringLiteral(": ") + why);
            addReason(HealthStatus::Warning, HealthReasonCode::CrlUnreachable,
                      tr("The CRL at %1 could not be fetched (%2). Relying parties that check revocation will fail; "
                         "check the CDP web site (CertEnroll) and that the CA publishes there.")
                          .arg(url, why));
            return stepCrl();
        }
        auto crl = pki::Crl::parse(answer->body);
        if (!crl) {
            addStep(QStringLiteral("crl"), ms, false, url + QStringLiteral(": ") + crl.error().message);
            addReason(HealthStatus::Warning, HealthReasonCode::CrlUnreadable,
                      tr("%1 does not serve a CRL: %2").arg(url, crl.error().message));
            return stepCrl();
        }
        bool verified = false;
        for (const pki::Certificate& ca : m_state->caCerts.caCertificates())
            verified = verified || crl->isSignedBy(ca);
        if (!verified)
            addReason(
                HealthStatus::Warning, HealthReasonCode::CrlUnverified,
                tr("The CRL at %1 (issuer %2) is not signed by a CA this server returned.").arg(url, crl->issuer()));
        for (const pki::Certificate& ra : m_state->caCerts.raCertificates())
            if (crl->isRevoked(ra))
                addReason(HealthStatus::Critical, HealthReasonCode::RaRevoked,
                          tr("The RA certificate %1 (serial %2) is revoked in %3: devices refuse its answers. "
                             "Renew both RA certificates.")
                              .arg(ra.subject(), ra.serialHex(), url));
        ExpiryItem item;
        item.server = server;
        item.role = ExpiryRole::Crl;
        item.subject = crl->issuer();
        item.notAfter = crl->nextUpdate();
        const QDateTime now = Clock::instance().now();
        const bool stale = !item.notAfter.isValid() || item.notAfter < now;
        item.daysLeft = item.notAfter.isValid() ? daysBetween(now, item.notAfter) : -1;
        const qint64 secsLeft = item.notAfter.isValid() ? now.secsTo(item.notAfter) : -1;
        item.status = stale                                              ? ExpiryStatus::Expired
                      : secsLeft < qint64(m_options.crlWarnHours) * 3600 ? ExpiryStatus::Warning
                                                                         : ExpiryStatus::Ok;
        m_state->report.expiries.append(item);
        addStep(QStringLiteral("crl"), ms, !stale, tr("%1: next update %2").arg(url, displayDateTime(item.notAfter)));
        if (stale)
            addReason(HealthStatus::Critical, HealthReasonCode::CrlStale,
                      tr("The CRL of %1 at %2 is stale: its nextUpdate (%3) has passed. %4")
                          .arg(crl->issuer(), url, displayDateTime(item.notAfter), consequence(ExpiryRole::Crl)));
        else if (item.status == ExpiryStatus::Warning)
            addReason(HealthStatus::Warning, HealthReasonCode::CrlExpiring,
                      tr("The CRL of %1 at %2 runs out at %3 and no newer one is published yet.")
                          .arg(crl->issuer(), url, displayDateTime(item.notAfter)));
        stepCrl();
    });
}

namespace {

// Admin pages seen open (200 without authentication), by URL, with when. IIS runs NDES's page for a HEAD as for a
// GET, so on an open page every probe issues a challenge password: an Overview refreshing every 5 minutes would
// fill the cache (5 by default) within the hour and lock the helpdesk out. Seen open, a page is asked again at most
// once an hour in this process.
QMutex openAdminMutex;
// IIS paths are case-insensitive: /CertSrv/mscep_admin/ is the same page.
QString adminPageKey(const QUrl& url) {
    return url.adjusted(QUrl::NormalizePathSegments | QUrl::RemoveQuery | QUrl::RemoveFragment).toString().toLower();
}
QHash<QString, QDateTime>& openAdminPages() {
    static QHash<QString, QDateTime> pages;
    return pages;
}

} // namespace

void HealthProbe::stepAdmin() {
    if (!m_options.checkAdmin || m_target.adminUrl.isEmpty())
        return finish();
    // On an open admin page even a HEAD issues a challenge password: auditor mode spends none.
    if (Access::readOnly()) {
        addStep(QStringLiteral("admin"), 0, true,
                tr("not checked in auditor mode (on an open admin page each visit issues a challenge password)"));
        return finish();
    }
    const QString key = adminPageKey(m_target.adminUrl);
    {
        QMutexLocker lock(&openAdminMutex);
        const auto seen = openAdminPages().constFind(key);
        const qint64 since = seen == openAdminPages().constEnd() ? -1 : seen->secsTo(Clock::instance().now());
        if (since >= 0 && since < openAdminRecheckSeconds) { // a clock set back does not keep it forever
            addStep(QStringLiteral("admin"), 0, true,
                    tr("open without authentication at %1 (not asked again for an hour: each visit of an open "
                       "admin page issues a challenge password)")
                        .arg(QLocale().toString(seen->toLocalTime().time(), QLocale::ShortFormat)));
            addReason(HealthStatus::Warning, HealthReasonCode::AdminOpen,
                      tr("The admin page answers without authentication: anyone who reaches it gets challenge "
                         "passwords. Enable Windows Authentication only on mscep_admin in IIS."));
            return finish();
        }
    }
    auto timer = std::make_shared<QElapsedTimer>();
    timer->start();
    auto* watcher = new QFutureWatcher<Result<AdminPageProbe>>(this);
    connect(watcher, &QFutureWatcher<Result<AdminPageProbe>>::finished, this, [this, watcher, timer] {
        watcher->deleteLater();
        const qint64 ms = timer->elapsed();
        const Result<AdminPageProbe> probe = watcher->result();
        if (!probe) {
            addStep(QStringLiteral("admin"), ms, false, probe.error().message);
            addReason(HealthStatus::Critical, HealthReasonCode::AdminUnreachable,
                      tr("The admin page does not answer: %1 Without it the helpdesk cannot issue challenge "
                         "passwords.")
                          .arg(probe.error().message));
        } else if (probe->httpStatus == 401) {
            {
                QMutexLocker lock(&openAdminMutex);
                openAdminPages().remove(adminPageKey(m_target.adminUrl));
            }
            addStep(QStringLiteral("admin"), ms, true,
                    tr("asks for %1").arg(probe->offeredSchemes.join(QStringLiteral(", "))));
        } else if (probe->httpStatus == 200) {
            {
                QMutexLocker lock(&openAdminMutex);
                openAdminPages().insert(adminPageKey(m_target.adminUrl), Clock::instance().now());
            }
            addStep(QStringLiteral("admin"), ms, true, tr("open without authentication"));
            addReason(HealthStatus::Warning, HealthReasonCode::AdminOpen,
                      tr("The admin page answers without authentication: anyone who reaches it gets challenge "
                         "passwords. Enable Windows Authentication only on mscep_admin in IIS."));
        } else {
            addStep(QStringLiteral("admin"), ms, false, tr("HTTP %1").arg(probe->httpStatus));
            if (!hasReason(HealthReasonCode::AppPoolStopped))
                addReason(HealthStatus::Critical, HealthReasonCode::AdminError,
                          tr("The admin page answers HTTP %1; the helpdesk cannot issue challenge passwords.")
                              .arg(probe->httpStatus));
        }
        finish();
    });
    const QUrl url = m_target.adminUrl;
    const bool allowHttp = m_target.allowHttp;
    const QByteArray pem = pemBundle(m_target.extraTlsCaCertificates);
    const int timeoutMs = m_options.timeoutMs;
    QThreadPool* pool = m_options.blockingPool ? m_options.blockingPool : QThreadPool::globalInstance();
    watcher->setFuture(QtConcurrent::run(pool, [url, allowHttp, pem, timeoutMs] {
        return ChallengePasswordClient::probe(url, allowHttp, pem, timeoutMs);
    }));
}

// Active Directory, when the profile names it: the CA certificates published there and the service account, whatever
// the steps before found (a server that fails because its service account expired is when this matters most).
void HealthProbe::stepDirectory() {
    m_state->directoryStarted = true;
    const DirectoryTarget& d = m_target.directory;
    auto fail = [this](const QString& why) {
        addStep(QStringLiteral("directory"), 0, false, why);
        addReason(HealthStatus::Warning, HealthReasonCode::DirectoryUnreadable,
                  tr("Active Directory was not read, so the service account and the CA certificates published there "
                     "are not checked: %1")
                      .arg(why));
        finish();
    };
    directory::LdapOptions probe;
    probe.url = d.url;
    if (const QString problem = probe.urlProblem(); !problem.isEmpty())
        return QTimer::singleShot(0, this, [fail, problem] { fail(problem); });
    if (d.kerberos)
        return QTimer::singleShot(0, this, [this] { readDirectory({}); });
    if (d.bindDn.trimmed().isEmpty())
        return QTimer::singleShot(
            0, this, [fail] { fail(tr("the server's profile names no account to bind with (or choose Kerberos).")); });
    if (!m_options.directoryPassword)
        return QTimer::singleShot(0, this, [fail] { fail(tr("no password for the directory account is available.")); });
    QPointer<HealthProbe> self(this);
    m_options.directoryPassword(d.credentialKey, [self, fail](Result<SecretBytes> password) {
        if (!self)
            return;
        if (!password)
            return fail(tr("the directory account's password could not be read (%1). Enter it again in the server's "
                           "profile.")
                            .arg(password.error().message));
        if (password->isEmpty())
            return fail(tr("the keychain holds no password for the directory account. Enter it in the server's "
                           "profile."));
        self->readDirectory(std::move(*password));
    });
}

void HealthProbe::readDirectory(SecretBytes password) {
    const DirectoryTarget& d = m_target.directory;
    directory::LdapOptions options;
    options.url = d.url;
    options.caFile = d.caFile;
    options.bind = d.kerberos ? directory::LdapOptions::Bind::Kerberos : directory::LdapOptions::Bind::Simple;
    options.bindDn = d.bindDn.trimmed();
    options.password = std::move(password);
    options.connectTimeoutMs = qMin(10'000, m_options.directoryTimeoutMs);
    options.operationTimeoutMs = m_options.directoryTimeoutMs;
    options.maxEntries = 10'000;
    options.maxBytes = 64LL * 1024 * 1024;
    directory::DirectoryRequest request;
    request.accounts = d.accounts;
    request.resolveSids = false;
    request.templates = false;
    auto timer = std::make_shared<QElapsedTimer>();
    timer->start();
    using Read = Result<directory::DirectoryData>;
    auto* watcher = new QFutureWatcher<Read>(this);
    connect(watcher, &QFutureWatcher<Read>::finished, this, [this, watcher, timer] {
        watcher->deleteLater();
        const qint64 ms = timer->elapsed();
        const Read read = watcher->result();
        if (!read) {
            addStep(QStringLiteral("directory"), ms, false, read.error().message);
            addReason(HealthStatus::Warning, HealthReasonCode::DirectoryUnreadable,
                      tr("Active Directory was not read, so the service account and the CA certificates published "
                         "there are not checked: %1")
                          .arg(read.error().message));
            return finish();
        }
        QList<QByteArray> served;
        for (const pki::Certificate& ca : m_state->caCerts.caCertificates())
            served << ca.toDer();
        const service::ExpiryChecker checker(m_options.thresholds);
        const directory::DirectoryHealth h = directory::directoryHealth(
            *read, m_state->report.server, m_target.directory.accounts, checker, Clock::instance().now(), served);
        m_state->report.expiries += h.expiries;
        QStringList parts{tr("%n CA certificate(s) published", nullptr, h.caCertificates),
                          tr("%n service account(s) read", nullptr, h.accountsRead)};
        addStep(QStringLiteral("directory"), ms, h.missing.isEmpty(), parts.join(QStringLiteral(", ")));
        for (const QString& problem : h.unusable)
            addReason(HealthStatus::Critical, HealthReasonCode::ServiceAccountUnusable, problem);
        for (const QString& name : h.missing)
            addReason(HealthStatus::Warning, HealthReasonCode::DirectoryUnreadable,
                      tr("The service account %1 named in the server's profile is not in Active Directory (or the "
                         "bind account may not read it). Check the name in the profile.")
                          .arg(name));
        finish();
    });
    QThreadPool* pool = m_options.blockingPool ? m_options.blockingPool : QThreadPool::globalInstance();
    watcher->setFuture(QtConcurrent::run(pool, [options = std::move(options), request]() -> Read {
        QString why;
        auto ldap = directory::LdapConnection::open(options, &why);
        if (!ldap)
            return Error{ErrorKind::Network, why, {}, {}, 0, -1};
        auto data = directory::readDirectory(*ldap, request, &why);
        if (!data)
            return Error{ErrorKind::BadReply, why, {}, {}, 0, -1};
        return std::move(*data);
    }));
}

void HealthProbe::finish() {
    if (m_state->finished)
        return;
    if (m_target.directory.configured() && !m_state->directoryStarted)
        return stepDirectory();
    m_state->finished = true;
    HealthReport& r = m_state->report;
    // Expiry reasons, worst first within the report's order of items.
    for (const ExpiryItem& item : r.expiries) {
        if (item.role == ExpiryRole::Crl || item.status == ExpiryStatus::Ok)
            continue;
        const QString what = roleLabel(item.role);
        if (item.status == ExpiryStatus::Expired)
            addReason(HealthStatus::Critical, expiredCode(item.role),
                      tr("The %1 %2 expired on %3. %4")
                          .arg(what, item.subject, displayDateTime(item.notAfter), consequence(item.role)));
        else
            addReason(item.status == ExpiryStatus::Critical ? HealthStatus::Critical : HealthStatus::Warning,
                      expiringCode(item.role),
                      tr("The %1 %2 expires in %n day(s) (%3). %4", nullptr, int(item.daysLeft))
                          .arg(what, item.subject, displayDateTime(item.notAfter), consequence(item.role)));
    }
    r.totalMs = m_state->total.elapsed();
    std::stable_sort(r.reasons.begin(), r.reasons.end(),
                     [](const HealthReason& a, const HealthReason& b) { return a.severity > b.severity; });
    QTimer::singleShot(0, this, [this] { emit finished(m_state->report); });
}

// ---------------------------------------------------------------------------------------------------------------

HealthMonitor::HealthMonitor(QObject* parent)
    : QObject(parent) {
    qRegisterMetaType<HealthReport>();
}

HealthMonitor::~HealthMonitor() = default;

void HealthMonitor::probeAll(const QList<HealthTarget>& targets) {
    cancel();
    ++m_round;
    m_queue = targets;
    m_reports.clear();
    m_reports.reserve(targets.size());
    m_total = int(targets.size());
    if (targets.isEmpty()) {
        QTimer::singleShot(0, this, [this, round = m_round] {
            if (round == m_round)
                emit roundFinished({});
        });
        return;
    }
    launchMore();
}

void HealthMonitor::cancel() {
    m_queue.clear();
    ++m_round; // probes of the old round still running report into nothing
    for (HealthProbe* p : findChildren<HealthProbe*>(Qt::FindDirectChildrenOnly))
        p->deleteLater();
    m_running = 0;
}

void HealthMonitor::launchMore() {
    while (m_running < m_concurrency && !m_queue.isEmpty()) {
        auto* probe = new HealthProbe(m_queue.takeFirst(), m_options, this);
        ++m_running;
        const quint64 round = m_round;
        connect(probe, &HealthProbe::finished, this, [this, probe, round](const HealthReport& report) {
            probe->deleteLater();
            if (round != m_round)
                return;
            --m_running;
            m_reports.append(report);
            emit reportReady(report);
            emit progress(int(m_reports.size()), m_total);
            if (m_queue.isEmpty() && m_running == 0)
                emit roundFinished(m_reports);
            else
                launchMore();
        });
        probe->start();
    }
}

int monitoringExitCode(const QList<HealthReport>& reports) {
    HealthStatus worst = HealthStatus::Ok;
    for (const HealthReport& r : reports)
        worst = qMax(worst, r.status);
    switch (worst) {
    case HealthStatus::Ok:
        return 0;
    case HealthStatus::Warning:
        return 1;
    case HealthStatus::Critical:
    case HealthStatus::Unreachable:
        return 2;
    }
    return 3;
}

QString monitoringSummary(const QList<HealthReport>& reports) {
    static const char* const words[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};
    const int code = monitoringExitCode(reports);
    int counts[4] = {0, 0, 0, 0};
    const HealthReport* worst = nullptr;
    qint64 minRaDays = std::numeric_limits<qint64>::max();
    for (const HealthReport& r : reports) {
        ++counts[int(r.status)];
        if (!worst || r.status > worst->status)
            worst = &r;
        for (const ExpiryItem& e : r.expiries)
            if (e.role == ExpiryRole::RaSigning || e.role == ExpiryRole::RaEncryption)
                minRaDays = qMin(minRaDays, e.daysLeft);
    }
    QStringList parts;
    const char* const names[] = {"ok", "warning", "critical", "unreachable"};
    for (int i = 3; i >= 0; --i)
        if (counts[i] > 0)
            parts << QStringLiteral("%1 %2").arg(counts[i]).arg(QLatin1String(names[i]));
    QString line = QStringLiteral("NDES %1 - %2 server(s): %3")
                       .arg(QLatin1String(words[code]))
                       .arg(reports.size())
                       .arg(parts.join(QStringLiteral(", ")));
    if (worst && worst->status != HealthStatus::Ok)
        line += QStringLiteral("; %1: %2")
                    .arg(worst->server, worst->headline().simplified().replace(QLatin1Char('|'), QLatin1Char('/')));
    // Performance data, after the pipe, as monitoring plugins print it.
    line += QStringLiteral(" | servers=%1 ok=%2 warning=%3 critical=%4 unreachable=%5")
                .arg(reports.size())
                .arg(counts[0])
                .arg(counts[1])
                .arg(counts[2])
                .arg(counts[3]);
    if (minRaDays != std::numeric_limits<qint64>::max())
        line += QStringLiteral(" ra_days_left_min=%1").arg(minRaDays);
    return line;
}

} // namespace ndes::service
