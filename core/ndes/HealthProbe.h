// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ndes/ExpiryChecker.h"
#include "util/Result.h"
#include "util/SecretBytes.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QSslCertificate>
#include <QSslError>
#include <QStringList>
#include <QUrl>
#include <functional>
#include <memory>
#include <optional>

class QThreadPool;

namespace ndes::service {

// Worst first is the larger value: a server that cannot be reached says less than one that answers badly, but
// for monitoring both are outages.
enum class HealthStatus { Ok, Warning, Critical, Unreachable };

[[nodiscard]] QString healthStatusName(HealthStatus status);  // "ok", "warning", "critical", "unreachable"
[[nodiscard]] QString healthStatusLabel(HealthStatus status); // translated, for people
// A few words for a reason code ("RA certificate expired"), for tables; the message says the rest.
// Why a server is not OK. Each has a stable name (HealthReason::code, the JSON, `ndesctl check`) and a title for
// people, both in one table (HealthProbe.cpp). A new reason goes at the end of the enum and of the table.
enum class HealthReasonCode {
    Unreachable,
    BadUrl,
    HttpNotAllowed,
    AppPoolStopped,
    CapsFailed,
    CacertFailed,
    RaMissing,
    RaExpired,
    RaExpiring,
    RaRevoked,
    CaExpired,
    CaExpiring,
    CaPinMismatch,
    TlsExpired,
    TlsExpiring,
    TlsNameMismatch,
    TlsUntrusted,
    TlsNotYetValid,
    TlsError,
    CrlStale,
    CrlExpiring,
    CrlUnreachable,
    CrlUnreadable,
    CrlUnverified,
    WeakCaps,
    NoPost,
    NoAes,
    NoSha256,
    AdminOpen,
    AdminUnreachable,
    AdminError,
    Slow,
    DirectoryUnreadable,
    ServiceAccountUnusable,
    ServiceAccountExpired,
    ServiceAccountExpiring
};
[[nodiscard]] QString healthReasonCodeName(HealthReasonCode code); // "ra-expired"
[[nodiscard]] std::optional<HealthReasonCode> healthReasonCodeFromName(const QString& name);
[[nodiscard]] QString healthReasonTitle(HealthReasonCode code);
// The title of a reason by its name; the name itself for one this version does not know.
[[nodiscard]] QString healthReasonTitle(const QString& code);

struct HealthReason {
    HealthStatus severity = HealthStatus::Warning;
    QString code;    // stable: "ra-expired", "app-pool-stopped", "weak-caps", "tls-name-mismatch", "crl-stale", ...
    QString message; // translated: what is wrong and what to do
};

struct ProbeStep {
    QString name; // "tls", "caps", "cacert", "crl", "admin"
    qint64 ms = -1;
    bool ok = false;
    QString detail;
};

// The Active Directory behind a server, for the dashboard's AD rows (the CA certificates the enrollment services
// publish, the service account's expiry). No secret: a simple bind's password comes through
// HealthOptions::directoryPassword, by `credentialKey`.
struct DirectoryTarget {
    QUrl url; // ldaps://dc.example.com or ldap://… (StartTLS); empty: AD is not read
    bool kerberos = false;
    QString bindDn;       // DN or user@domain, for a simple bind
    QString caFile;       // a pinned CA file for the DC's certificate; empty: the system's CAs
    QStringList accounts; // the NDES service account(s), DOMAIN\name or name
    QString credentialKey;
    [[nodiscard]] bool configured() const { return !url.isEmpty(); }
};

// One server as the probe needs it: no secret in here.
struct HealthTarget {
    QString name;
    QUrl scepUrl;
    QUrl adminUrl; // empty: the admin page is not checked
    bool allowHttp = true;
    QList<QSslCertificate> extraTlsCaCertificates;
    QString caSha256Pin; // hex; empty: no pin
    DirectoryTarget directory;
};

struct HealthOptions {
    int timeoutMs = 15000; // per request
    ExpiryThresholds thresholds;
    bool checkCrl = true;
    bool checkAdmin = true;
    int slowStepMs = 5000;               // a step slower than this is a warning
    int crlWarnHours = 12;               // a CRL with less left was not republished in time (AD CS overlaps by ~10%)
    QThreadPool* blockingPool = nullptr; // for the admin page's libcurl probe; null: the global pool
    // The password of a directory target's simple bind, by its credential key (from the keychain), given to `done`
    // exactly once; an error says why there is none. Null: simple binds cannot be made (the AD rows say so).
    std::function<void(const QString& credentialKey, std::function<void(Result<SecretBytes>)> done)> directoryPassword;
    int directoryTimeoutMs = 20000; // the whole AD read
};

struct HealthReport {
    QString server;
    QUrl url;
    QDateTime checkedAt; // UTC, injectable clock
    HealthStatus status = HealthStatus::Ok;
    QList<HealthReason> reasons;
    QList<ProbeStep> steps;
    QList<ExpiryItem> expiries;
    QStringList capabilities;
    QStringList tlsErrors;
    qint64 totalMs = 0;

    [[nodiscard]] qint64 stepMs(const QString& name) const; // -1 when the step did not run
    [[nodiscard]] QJsonObject toJson() const;
    // The first reason at the report's status (what a one-line summary names).
    [[nodiscard]] QString headline() const;
};

// Probes one NDES server the way a device and a helpdesk would meet it, without sending a secret and without
// using up a challenge password: TLS (certificate expiry, host name, chain), GetCACaps (weak or missing
// algorithms), GetCACert (CA chain and both RA certificates, with their expiry), the CAs' CRLs through their CDP
// URLs (nextUpdate against now), and the admin page answering (an unauthenticated HEAD: an authenticated visit
// would issue a password and fill the cache). Every step is timed; every problem is a reason.
class HealthProbe : public QObject {
    Q_OBJECT
public:
    // An admin page seen open is asked again only after this long (each visit issues a challenge password).
    static constexpr qint64 openAdminRecheckSeconds = 3600;
    HealthProbe(HealthTarget target, HealthOptions options = {}, QObject* parent = nullptr);
    ~HealthProbe() override;

    void start(); // emits finished() exactly once, asynchronously

signals:
    void finished(const ndes::service::HealthReport& report);

private:
    struct State;
    void stepTls();
    void stepCaps();
    void stepCaCert();
    void stepCrl();
    void stepAdmin();
    void stepDirectory();
    void readDirectory(SecretBytes password);
    void finish();
    void addReason(HealthStatus severity, HealthReasonCode code, const QString& message);
    [[nodiscard]] bool hasReason(HealthReasonCode code) const;
    void addStep(const QString& name, qint64 ms, bool ok, const QString& detail);

    HealthTarget m_target;
    HealthOptions m_options;
    std::unique_ptr<State> m_state;
};

// Probes many servers with bounded concurrency; results arrive per server as they finish.
class HealthMonitor : public QObject {
    Q_OBJECT
public:
    explicit HealthMonitor(QObject* parent = nullptr);
    ~HealthMonitor() override;

    void setConcurrency(int n) { m_concurrency = qBound(1, n, 256); }
    [[nodiscard]] int concurrency() const { return m_concurrency; }
    void setOptions(const HealthOptions& options) { m_options = options; }
    [[nodiscard]] const HealthOptions& options() const { return m_options; }
    [[nodiscard]] bool isRunning() const { return m_running > 0 || !m_queue.isEmpty(); }
    [[nodiscard]] int probesInFlight() const { return m_running; }

    // Starts a round; a round already running is cancelled first (its remaining servers are dropped).
    void probeAll(const QList<HealthTarget>& targets);
    void cancel();

signals:
    void reportReady(const ndes::service::HealthReport& report);
    void progress(int done, int total);
    void roundFinished(const QList<ndes::service::HealthReport>& reports);

private:
    void launchMore();

    HealthOptions m_options;
    int m_concurrency = 32;
    QList<HealthTarget> m_queue;
    QList<HealthReport> m_reports;
    int m_running = 0;
    int m_total = 0;
    quint64 m_round = 0;
};

// The monitoring-plugin view of several reports: exit code 0 OK, 1 WARNING, 2 CRITICAL (an unreachable server
// is critical, as check_http has it), and the one-line summary that goes first.
[[nodiscard]] int monitoringExitCode(const QList<HealthReport>& reports);
[[nodiscard]] QString monitoringSummary(const QList<HealthReport>& reports);

} // namespace ndes::service

Q_DECLARE_METATYPE(ndes::service::HealthReport)
