// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ndes/ChallengePasswordClient.h"
#include "util/Result.h"
#include "util/SecretBytes.h"

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QObject>
#include <QSslCertificate>
#include <QUrl>
#include <memory>

namespace ndes::service {

struct LoadTestOptions {
    QUrl scepUrl;
    QList<QUrl> adminUrls; // challenge passwords fetched round-robin; empty: none (EnforcePassword 0)
    AdminAuth auth = AdminAuth::Ntlm;
    QString user;
    SecretBytes password;
    bool allowHttp = false;
    QList<QSslCertificate> extraTlsCaCertificates;
    QByteArray caSha256Pin; // the server profile's pin: every request's RA must chain to it
    int concurrency = 10;
    int requests = 100;
    int keyBits = 2048;
    bool freshKeys = false; // a new key per request (as devices do); default: a pool made beforehand, so the
                            // figures measure the server, not this machine's key generation
    int timeoutMs = 30000;
    bool iOwnThisServer = false; // required for any target that is not a loopback address
};

struct LoadSample {
    qint64 startMs = 0; // since the run started
    qint64 durationMs = 0;
    bool ok = false;
    QString errorKind; // errorKindName(), or an Error code when it has one
};

struct LoadTestResult {
    int requests = 0;
    int succeeded = 0;
    int failed = 0;
    qint64 wallMs = 0;
    double perSecond = 0;
    qint64 p50 = 0, p90 = 0, p99 = 0, maxMs = 0;
    QMap<QString, int> errorsByKind;
    QList<int> completedPerSecond; // index: second of the run
    bool cancelled = false;
    // Why the run stopped early, when it did: the admin page refused the account ("unauthorized", "auth-loop").
    // Further logons with a wrong password would only lock the AD account.
    QString stoppedBecause;
    QString stopMessage;

    [[nodiscard]] QJsonObject toJson() const;
    // Nearest-rank percentile of sorted durations.
    static qint64 percentile(const QList<qint64>& sorted, double p);
};

// Enrolls M times with at most N in flight, against one NDES (its admin pages round-robin for passwords), and
// measures latency percentiles, errors by kind and throughput over time. Targets that are not loopback addresses
// are refused unless the caller states it owns the server: capacity-testing a production NDES must be a decision.
// With admin pages, the first challenge is fetched alone: only once the account has signed in do the other requests
// start, and the run stops at the first "unauthorized" or "auth-loop" (a wrong password must not lock the account).
class LoadTest : public QObject {
    Q_OBJECT
public:
    explicit LoadTest(QObject* parent = nullptr);
    ~LoadTest() override;

    // Refuses non-loopback targets (SCEP and admin URLs) without iOwnThisServer, and impossible numbers.
    static Status check(const LoadTestOptions& options);

    void start(LoadTestOptions options); // finished() exactly once (also after cancel())
    void cancel();

signals:
    void preparing(const QString& what);
    void sample(const ndes::service::LoadSample& sample);
    void progress(int done, int total);
    void finished(const ndes::service::LoadTestResult& result);

private:
    struct State;
    void launchMore();
    void runOne(int index);
    void complete(LoadSample sample);
    void finish();

    std::unique_ptr<State> m_state;
};

} // namespace ndes::service

Q_DECLARE_METATYPE(ndes::service::LoadSample)
Q_DECLARE_METATYPE(ndes::service::LoadTestResult)
