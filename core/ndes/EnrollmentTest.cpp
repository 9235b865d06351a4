// SPDX-License-Identifier: Apache-2.0
#include "ndes/EnrollmentTest.h"
#include "util/Access.h"

#include "pki/ChainVerifier.h"
#include "scep/ScepEnrollment.h"
#include "scep/ScepTypes.h"
#include "util/Clock.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QJsonArray>
#include <QTimer>

namespace ndes::service {

QString testStepStatusName(TestStep::Status status) {
    switch (status) {
    case TestStep::Status::Running:
        return QStringLiteral("running");
    case TestStep::Status::Ok:
        return QStringLiteral("ok");
    case TestStep::Status::Warning:
        return QStringLiteral("warning");
    case TestStep::Status::Failed:
        return QStringLiteral("failed");
    case TestStep::Status::Skipped:
        return QStringLiteral("skipped");
    }
    return {};
}

QJsonObject EnrollmentObservation::toJson() const {
    QJsonArray events;
    for (int id : eventIds)
        events.append(id);
    return QJsonObject{{QStringLiteral("ok"), ok},
                       {QStringLiteral("failedStep"), failedStep},
                       {QStringLiteral("errorKind"), errorKind},
                       {QStringLiteral("errorCode"), errorCode},
                       {QStringLiteral("httpStatus"), httpStatus},
                       {QStringLiteral("failInfo"), failInfo},
                       {QStringLiteral("message"), message},
                       {QStringLiteral("challengeFetched"), challengeFetched},
                       {QStringLiteral("raState"), raState},
                       {QStringLiteral("capabilities"), QJsonArray::fromStringList(capabilities)},
                       {QStringLiteral("slowestStepMs"), slowestStepMs},
                       {QStringLiteral("eventIds"), events}};
}

QJsonArray EnrollmentTestReport::stepsJson() const {
    QJsonArray out;
    for (const TestStep& s : steps)
        out.append(QJsonObject{{QStringLiteral("id"), s.id},
                               {QStringLiteral("title"), s.title},
                               {QStringLiteral("status"), testStepStatusName(s.status)},
                               {QStringLiteral("ms"), s.ms},
                               {QStringLiteral("sent"), s.sent},
                               {QStringLiteral("received"), s.received},
                               {QStringLiteral("detail"), s.detail}});
    return out;
}

struct EnrollmentTest::State {
    EnrollmentTestOptions options;
    EnrollmentTestReport report;
    QElapsedTimer total;
    QElapsedTimer stepTimer;
    bool stepOpen = false;
    bool finished = false;
    scep::ScepClient* client = nullptr;
    SecretBytes challenge;
    QByteArray adminPageCaMd5;    // the CA thumbprint shown with the password
    pki::Certificate trustAnchor; // the pinned (or admin page's) CA, once GetCACert was checked against it
    pki::PrivateKey key;
};

EnrollmentTest::EnrollmentTest(QObject* parent)
    : QObject(parent)
    , m_state(std::make_unique<State>()) {}

EnrollmentTest::~EnrollmentTest() = default;

const EnrollmentTestReport& EnrollmentTest::report() const {
    return m_state->report;
}

void EnrollmentTest::beginStep(const QString& id, const QString& title, const QString& sent) {
    if (m_state->stepOpen)
        endStep(TestStep::Status::Ok);
    TestStep step;
    step.id = id;
    step.title = title;
    step.sent = sent;
    m_state->report.steps.append(step);
    m_state->stepOpen = true;
    m_state->stepTimer.restart();
    emit stepChanged(step);
}

void EnrollmentTest::endStep(TestStep::Status status, const QString& detail, const QString& received) {
    if (!m_state->stepOpen)
        return;
    m_state->stepOpen = false;
    TestStep& step = m_state->report.steps.last();
    step.status = status;
    step.ms = m_state->stepTimer.elapsed();
    if (!detail.isEmpty())
        step.detail = detail;
    if (!received.isEmpty())
        step.received = received;
    m_state->report.observed.slowestStepMs = qMax(m_state->report.observed.slowestStepMs, step.ms);
    emit stepChanged(step);
}

void EnrollmentTest::start(EnrollmentTestOptions options) {
    m_state->options = std::move(options);
    EnrollmentTestOptions& o = m_state->options;
    m_state->report.startedAt = Clock::instance().now();
    m_state->report.observed.eventIds = o.eventIds;
    m_state->total.start();
    if (o.subject.isEmpty())
        o.subject = QStringLiteral("CN=ndes-console-test-%1")
                        .arg(m_state->report.startedAt.toString(QStringLiteral("yyyyMMdd-HHmmss")));
    scep::ScepClientOptions co;
    co.timeoutMs = o.timeoutMs;
    co.extraTlsCaCertificates = o.extraTlsCaCertificates;
    m_state->client = new scep::ScepClient(o.scepUrl, co, this);

    // The test fetches a password and has a certificate issued: never in auditor mode (the steps below ask again).
    if (auto capability = Access::request(WriteOperation::Enrollment); !capability) {
        QTimer::singleShot(0, this, [this, error = capability.error()] {
            beginStep(QStringLiteral("challenge"), tr("Challenge password"));
            failWith(error);
        });
        return;
    }
    if (o.adminUrl.isEmpty()) {
        QTimer::singleShot(0, this, [this] {
            beginStep(QStringLiteral("challenge"), tr("Challenge password"));
            if (!m_state->options.staticChallenge.isEmpty()) {
                m_state->challenge = m_state->options.staticChallenge;
                m_state->options.staticChallenge.wipe();
                endStep(TestStep::Status::Ok, tr("A fixed challenge password was given (not shown)."));
                return runEnrollment(false);
            }
            endStep(TestStep::Status::Skipped,
                    tr("No admin page given: the request goes without a challenge password, which only works when "
                       "the server does not enforce passwords (EnforcePassword 0, e.g. with Intune)."));
            runEnrollment(false);
        });
        return;
    }
    beginStep(QStringLiteral("challenge"), tr("Fetch a challenge password from the admin page"),
              tr("GET %1 (%2%3)")
                  .arg(o.adminUrl.toString(), adminAuthName(o.auth),
                       o.user.isEmpty() ? QString() : QStringLiteral(", ") + o.user));
    ChallengeRequest request;
    request.adminUrl = o.adminUrl;
    request.auth = o.auth;
    request.user = o.user;
    request.password = o.password;
    request.allowHttp = o.allowHttp;
    request.extraCaPem = pemBundle(o.extraTlsCaCertificates);
    request.timeoutMs = o.timeoutMs;
    auto* watcher = new QFutureWatcher<Result<ChallengePassword>>(this);
    connect(watcher, &QFutureWatcher<Result<ChallengePassword>>::finished, this, [this, watcher] {
        watcher->deleteLater();
        Result<ChallengePassword> r = watcher->result();
        if (!r)
            return failWith(r.error());
        m_state->challenge = std::move(r->password);
        m_state->report.observed.challengeFetched = true;
        const QByteArray thumbprint = QByteArray::fromHex(QString(r->caThumbprint).remove(QLatin1Char(' ')).toLatin1());
        if (thumbprint.size() == 16)
            m_state->adminPageCaMd5 = thumbprint;
        else if (!r->caThumbprint.isEmpty())
            m_state->report.warnings << tr("The admin page's CA thumbprint \"%1\" is not 32 hex digits; it was not "
                                           "compared with the CA of GetCACert.")
                                            .arg(r->caThumbprint.left(80));
        endStep(TestStep::Status::Ok, {},
                r->neverExpires ? tr("a password (single-password mode: it does not expire)")
                                : tr("a one-time password, valid %1 minutes; CA thumbprint %2")
                                      .arg(r->validityMinutes)
                                      .arg(r->caThumbprint.isEmpty() ? tr("not shown") : r->caThumbprint));
        runEnrollment(false);
    });
    watcher->setFuture(ChallengePasswordClient::fetchAsync(std::move(request)));
    o.password.wipe();
}

void EnrollmentTest::runEnrollment(bool renewal) {
    EnrollmentTestOptions& o = m_state->options;
    auto* enrollment = new scep::ScepEnrollment(m_state->client, this);
    const QMap<QString, QString> titles{
        {QStringLiteral("caps"), tr("Ask for the capabilities (GetCACaps)")},
        {QStringLiteral("cacert"), tr("Fetch the CA and RA certificates (GetCACert)")},
        {QStringLiteral("key"), tr("Generate the key pair")},
        {QStringLiteral("request"), tr("Send the certificate request")},
        {QStringLiteral("poll"), tr("Poll while PENDING (CertPoll)")},
    };
    connect(enrollment, &scep::ScepEnrollment::stage, this,
            [this, renewal, enrollment, titles](const QString& id, const QString& description) {
                // A renewal is one step of its own; inside it the stages are not split.
                if (renewal)
                    return;
                // Close the previous stage with what it learned.
                if (m_state->stepOpen) {
                    const scep::EnrollmentResult& partial = enrollment->partialResult();
                    const QString last = m_state->report.steps.last().id;
                    if (last == QLatin1String("caps"))
                        endStep(TestStep::Status::Ok, {}, partial.capabilities.keywords().join(QLatin1Char(' ')));
                    else if (last == QLatin1String("cacert"))
                        endStep(TestStep::Status::Ok, {},
                                tr("%n certificate(s); the request is encrypted to %1", nullptr,
                                   int(partial.caCertificates.certificates().size()))
                                        .arg(partial.recipient.subject()) +
                                    (partial.trustAnchor.isNull()
                                         ? QString()
                                         : (partial.anchorSource == QLatin1String("pin")
                                                ? tr(", which chains to the pinned CA %1")
                                                : tr(", which chains to the CA the admin page named, %1"))
                                               .arg(partial.trustAnchor.subject())));
                    else
                        endStep(TestStep::Status::Ok);
                }
                beginStep(id, titles.value(id, description), id == QLatin1String("request") ? description : QString());
            });
    scep::EnrollmentRequest req;
    req.subject = o.subject;
    req.dnsNames = o.dnsNames;
    req.ipAddresses = o.ipAddresses;
    req.keyBits = o.keyBits;
    req.maxPolls = o.maxPolls;
    req.pollIntervalMs = o.pollIntervalMs;
    req.challengePassword = m_state->challenge;
    req.caSha256Pin = o.caSha256Pin;
    req.adminPageCaMd5 = m_state->adminPageCaMd5;
    req.adminPageOverTls = o.adminUrl.scheme().compare(QLatin1String("https"), Qt::CaseInsensitive) == 0;
    if (renewal) {
        req.currentCertificate = m_state->report.certificate;
        req.currentKey = m_state->key;
        beginStep(QStringLiteral("renew"), tr("Renew the new certificate (RenewalReq)"),
                  tr("RenewalReq signed with the certificate just issued"));
    }
    enrollment->start(req, [this, enrollment, renewal](Result<scep::EnrollmentResult> r) {
        enrollment->deleteLater();
        const scep::EnrollmentResult& partial = r ? *r : enrollment->partialResult();
        EnrollmentObservation& obs = m_state->report.observed;
        if (!renewal) {
            obs.capabilities = partial.capabilities.keywords();
            m_state->trustAnchor = partial.trustAnchor;
            m_state->report.caCertificates = partial.caCertificates.caCertificates();
            if (!partial.caCertificates.certificates().isEmpty()) {
                const QList<pki::Certificate> ras = partial.caCertificates.raCertificates();
                const QDateTime now = Clock::instance().now();
                bool expired = false;
                for (const pki::Certificate& ra : ras)
                    expired = expired || !ra.isValidAt(now);
                obs.raState = ras.isEmpty() ? QStringLiteral("missing")
                              : expired     ? QStringLiteral("expired")
                                            : QStringLiteral("ok");
            }
        }
        for (const QString& w : partial.warnings)
            if (!m_state->report.warnings.contains(w))
                m_state->report.warnings << w;
        if (!r) {
            if (renewal) {
                // Renewal is often refused by NDES; it is reported, not counted as the enrollment failing.
                endStep(TestStep::Status::Warning, r.error().message);
                m_state->report.warnings << tr("Renewal failed: %1").arg(r.error().message);
                return finish();
            }
            return failWith(r.error());
        }
        if (renewal) {
            endStep(TestStep::Status::Ok, {},
                    tr("renewed: serial %1, valid until %2")
                        .arg(r->certificate.serialHex(), r->certificate.notAfter().toString(Qt::ISODate)));
            return finish();
        }
        if (m_state->stepOpen)
            endStep(
                TestStep::Status::Ok, {},
                tr("SUCCESS: serial %1 (%2, %3, %4)").arg(r->certificate.serialHex(), r->method, r->cipher, r->digest));
        m_state->report.certificate = r->certificate;
        m_state->key = r->key;
        verify();
    });
}

void EnrollmentTest::verify() {
    const EnrollmentTestOptions& o = m_state->options;
    beginStep(QStringLiteral("verify"), tr("Check the issued certificate"));
    const pki::Certificate& cert = m_state->report.certificate;
    QStringList problems;
    QStringList findings;
    const QDateTime now = Clock::instance().now();
    const QList<pki::Certificate> cas = m_state->report.caCertificates;
    const QList<pki::Certificate> anchors =
        m_state->trustAnchor.isNull() ? cas : QList<pki::Certificate>{m_state->trustAnchor};
    if (Status chain = pki::ChainVerifier(anchors, cas).verify(cert, now); !chain)
        problems << tr("it does not chain to the CA: %1").arg(chain.error().message);
    else
        findings << tr("chains to %1").arg(cert.issuer());
    if (!m_state->key.matches(cert.publicKey()))
        problems << tr("it is not for our key");
    findings << tr("key usage: %1").arg(cert.keyUsageNames().join(QStringLiteral(", ")));
    const QStringList ekus = cert.extendedKeyUsages();
    findings << tr("EKUs: %1").arg(ekus.isEmpty() ? tr("none") : ekus.join(QStringLiteral(", ")));
    for (const QString& want : o.expectedEkus)
        if (!ekus.contains(want))
            problems << tr("the EKU %1 is missing: check the template's Application Policies").arg(want);
    const QString templ = cert.templateName();
    findings << tr("template: %1").arg(templ.isEmpty() ? tr("not named in the certificate") : templ);
    if (!o.expectedTemplate.isEmpty() && templ.compare(o.expectedTemplate, Qt::CaseSensitive) != 0)
        problems << tr("it was issued from template \"%1\", not \"%2\": check the MSCEP template values (case "
                       "matters)")
                        .arg(templ, o.expectedTemplate);
    if (!cert.subject().isEmpty())
        findings << tr("subject: %1").arg(cert.subject());
    if (!problems.isEmpty()) {
        Error e = makeError(ErrorKind::Verification,
                            tr("The certificate was issued, but %1.").arg(problems.join(QStringLiteral("; "))));
        e.code = QStringLiteral("certificate-unexpected");
        return failWith(e);
    }
    endStep(TestStep::Status::Ok, {}, findings.join(QStringLiteral("; ")));
    m_state->report.ok = true;
    m_state->report.observed.ok = true;
    if (o.renew)
        return runEnrollment(true);
    finish();
}

void EnrollmentTest::failWith(const Error& error) {
    EnrollmentObservation& obs = m_state->report.observed;
    obs.ok = false;
    obs.failedStep = m_state->report.steps.isEmpty() ? QString() : m_state->report.steps.last().id;
    obs.errorKind = errorKindName(error.kind);
    obs.errorCode = error.code;
    obs.httpStatus = error.httpStatus;
    obs.failInfo = error.failInfo >= 0 ? scep::failInfoName(error.failInfo) : QString();
    obs.message = error.message;
    m_state->report.ok = false;
    endStep(TestStep::Status::Failed, error.message, error.detail);
    finish();
}

void EnrollmentTest::finish() {
    if (m_state->finished)
        return;
    m_state->finished = true;
    m_state->challenge.wipe();
    m_state->report.totalMs = m_state->total.elapsed();
    QTimer::singleShot(0, this, [this] { emit finished(m_state->report); });
}

} // namespace ndes::service
