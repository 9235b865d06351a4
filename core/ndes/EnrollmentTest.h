// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ndes/ChallengePasswordClient.h"
#include "pki/Certificate.h"
#include "util/Error.h"
#include "util/SecretBytes.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QSslCertificate>
#include <QUrl>
#include <memory>

namespace ndes::service {

struct EnrollmentTestOptions {
    QUrl scepUrl;
    QUrl adminUrl;               // empty: no challenge is fetched (the server must not enforce passwords)
    SecretBytes staticChallenge; // without an admin page: a fixed challenge (single-password mode, other SCEP CAs)
    AdminAuth auth = AdminAuth::Ntlm;
    QString user;
    SecretBytes password; // for the admin page; wiped with the options
    bool allowHttp = false;
    QList<QSslCertificate> extraTlsCaCertificates;
    QByteArray caSha256Pin; // the server profile's pin: the only CA the RA and the reply may chain to
    QString subject;        // empty: CN=ndes-console-test-<time>
    QStringList dnsNames;
    QStringList ipAddresses;
    int keyBits = 2048;
    bool renew = false;    // renew the new certificate once it is issued (RenewalReq)
    int timeoutMs = 30000; // per request
    int maxPolls = 3;      // CertPoll while PENDING
    int pollIntervalMs = 2000;
    QString expectedTemplate; // when set, the issued certificate must name it
    QStringList expectedEkus; // dotted OIDs the issued certificate must carry
    QList<int> eventIds;      // NDES events seen during the run, when an event source is available
};

struct TestStep {
    enum class Status { Running, Ok, Warning, Failed, Skipped };
    QString id;    // "challenge", "caps", "cacert", "key", "request", "poll", "verify", "renew"
    QString title; // what was done, for people
    Status status = Status::Running;
    qint64 ms = 0;
    QString sent;     // what went out, never a secret
    QString received; // what came back, summarised
    QString detail;   // the error or the finding
};

[[nodiscard]] QString testStepStatusName(TestStep::Status status);

// What a run observed, as the diagnosis reads it.
struct EnrollmentObservation {
    bool ok = false;
    QString failedStep;
    QString errorKind; // errorKindName(); empty when ok
    QString errorCode; // Error::code ("cache-full", "unauthorized", "ra-expired", "pending", ...)
    int httpStatus = 0;
    QString failInfo; // "badRequest", ...
    QString message;
    bool challengeFetched = false; // a fresh password was fetched just before the request
    QString raState;               // "ok", "expired", "missing", "" (not seen)
    QStringList capabilities;
    qint64 slowestStepMs = 0;
    QList<int> eventIds;

    [[nodiscard]] QJsonObject toJson() const;
};

struct EnrollmentTestReport {
    bool ok = false;
    QDateTime startedAt;
    QList<TestStep> steps;
    EnrollmentObservation observed;
    pki::Certificate certificate;
    QList<pki::Certificate> caCertificates;
    QStringList warnings;
    qint64 totalMs = 0;

    [[nodiscard]] QJsonArray stepsJson() const;
};

// One enrollment the way a device does it, recorded step by step: a challenge from the admin page (when given),
// the key on a worker thread, PKCSReq, CertPoll while PENDING, then the checks a careful admin would make of the
// certificate (chain to the CA, our key, key usage and EKUs, template), and optionally a renewal. Nothing secret
// is recorded: the password is never in a step, the private key never leaves memory.
class EnrollmentTest : public QObject {
    Q_OBJECT
public:
    explicit EnrollmentTest(QObject* parent = nullptr);
    ~EnrollmentTest() override;

    void start(EnrollmentTestOptions options); // finished() exactly once
    [[nodiscard]] const EnrollmentTestReport& report() const;

signals:
    void stepChanged(const ndes::service::TestStep& step);
    void finished(const ndes::service::EnrollmentTestReport& report);

private:
    struct State;
    void beginStep(const QString& id, const QString& title, const QString& sent = {});
    void endStep(TestStep::Status status, const QString& detail = {}, const QString& received = {});
    void runEnrollment(bool renewal);
    void verify();
    void failWith(const Error& error);
    void finish();

    std::unique_ptr<State> m_state;
};

} // namespace ndes::service

Q_DECLARE_METATYPE(ndes::service::EnrollmentTestReport)
Q_DECLARE_METATYPE(ndes::service::TestStep)
