// SPDX-License-Identifier: Apache-2.0
#include "ndes/LoadTest.h"
#include "util/Access.h"

#include "pki/PrivateKey.h"
#include "scep/ScepEnrollment.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QHostAddress>
#include <QJsonArray>
#include <QThreadPool>
#include <QTimer>
#include <QtConcurrent>

#include <algorithm>
#include <cmath>

namespace ndes::service {

namespace {

bool isLoopback(const QUrl& url) {
    const QString host = url.host();
    if (host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0)
        return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

} // namespace

qint64 LoadTestResult::percentile(const QList<qint64>& sorted, double p) {
    if (sorted.isEmpty())
        return 0;
    const auto rank = qsizetype(std::ceil(p / 100.0 * double(sorted.size())));
    return sorted.at(qBound<qsizetype>(0, rank - 1, sorted.size() - 1));
}

QJsonObject LoadTestResult::toJson() const {
    QJsonObject errors;
    for (auto it = errorsByKind.begin(); it != errorsByKind.end(); ++it)
        errors.insert(it.key(), it.value());
    QJsonArray perSecondArray;
    for (int n : completedPerSecond)
        perSecondArray.append(n);
    return QJsonObject{{QStringLiteral("requests"), requests},
                       {QStringLiteral("succeeded"), succeeded},
                       {QStringLiteral("failed"), failed},
                       {QStringLiteral("wallMs"), wallMs},
                       {QStringLiteral("perSecond"), std::round(perSecond * 10) / 10},
                       {QStringLiteral("latencyMs"), QJsonObject{{QStringLiteral("p50"), p50},
                                                                 {QStringLiteral("p90"), p90},
                                                                 {QStringLiteral("p99"), p99},
                                                                 {QStringLiteral("max"), maxMs}}},
                       {QStringLiteral("errorsByKind"), errors},
                       {QStringLiteral("completedPerSecond"), perSecondArray},
                       {QStringLiteral("cancelled"), cancelled},
                       {QStringLiteral("stoppedBecause"), stoppedBecause}};
}

struct LoadTest::State {
    LoadTestOptions options;
    QList<pki::PrivateKey> keys;
    QElapsedTimer clock;
    QThreadPool blocking; // libcurl admin-page fetches: blocking calls, one thread each
    int next = 0;
    int running = 0;
    int done = 0;
    bool cancelled = false;
    bool finished = false;
    bool signedIn = false; // the account has fetched a challenge once: the others may start
    QString stoppedBecause, stopMessage;
    QList<LoadSample> samples;
};

LoadTest::LoadTest(QObject* parent)
    : QObject(parent)
    , m_state(std::make_unique<State>()) {
    qRegisterMetaType<LoadSample>();
    qRegisterMetaType<LoadTestResult>();
}

LoadTest::~LoadTest() {
    m_state->cancelled = true;
    m_state->blocking.waitForDone();
}

Status LoadTest::check(const LoadTestOptions& o) {
    if (auto capability = Access::request(WriteOperation::LoadTest); !capability)
        return capability.error();
    if (!o.scepUrl.isValid() || o.scepUrl.host().isEmpty())
        return makeError(ErrorKind::Usage, tr("The SCEP URL is not valid."));
    if (o.concurrency < 1 || o.concurrency > 1000)
        return makeError(ErrorKind::Usage, tr("Concurrency must be between 1 and 1000."));
    if (o.requests < 1 || o.requests > 1000000)
        return makeError(ErrorKind::Usage, tr("Requests must be between 1 and 1,000,000."));
    if (o.iOwnThisServer)
        return {};
    QList<QUrl> targets = o.adminUrls;
    targets.prepend(o.scepUrl);
    for (const QUrl& u : targets)
        if (!isLoopback(u))
            return makeError(ErrorKind::Usage,
                             tr("%1 is not a loopback address. A load test enrolls real certificates and can take a "
                                "production NDES down; to test a server you own, say so with --i-own-this-server "
                                "(in the console: \"I own this server\").")
                                 .arg(u.host()));
    return {};
}

void LoadTest::start(LoadTestOptions options) {
    m_state->options = std::move(options);
    LoadTestOptions& o = m_state->options;
    if (Status ok = check(o); !ok) {
        QTimer::singleShot(0, this, [this, ok] {
            LoadTestResult r;
            r.requests = m_state->options.requests;
            r.failed = r.requests;
            r.errorsByKind.insert(QStringLiteral("refused"), r.requests);
            Q_UNUSED(ok)
            m_state->finished = true;
            emit finished(r);
        });
        return;
    }
    m_state->blocking.setMaxThreadCount(qBound(2, o.concurrency, 64));
    if (o.freshKeys) {
        m_state->clock.start();
        QTimer::singleShot(0, this, &LoadTest::launchMore);
        return;
    }
    // A pool of keys made beforehand, on all cores: the server is what is measured.
    const int poolSize = qMin(o.requests, qMin(o.concurrency, 64));
    emit preparing(tr("Generating %n key(s) for the requests…", nullptr, poolSize));
    auto* watcher = new QFutureWatcher<QList<pki::PrivateKey>>(this);
    connect(watcher, &QFutureWatcher<QList<pki::PrivateKey>>::finished, this, [this, watcher] {
        watcher->deleteLater();
        m_state->keys = watcher->result();
        m_state->clock.start();
        if (m_state->keys.isEmpty()) {
            LoadTestResult r;
            r.requests = m_state->options.requests;
            r.errorsByKind.insert(QStringLiteral("crypto"), 1);
            m_state->finished = true;
            emit finished(r);
            return;
        }
        launchMore();
    });
    const int bits = o.keyBits;
    watcher->setFuture(QtConcurrent::run([poolSize, bits] {
        QList<pki::PrivateKey> keys;
        for (int i = 0; i < poolSize; ++i)
            if (auto k = pki::PrivateKey::generateRsa(bits))
                keys << *k;
        return keys;
    }));
}

void LoadTest::cancel() {
    m_state->cancelled = true;
    if (m_state->running == 0 && !m_state->finished)
        QTimer::singleShot(0, this, &LoadTest::finish);
}

void LoadTest::launchMore() {
    const bool gate = !m_state->options.adminUrls.isEmpty() && !m_state->signedIn;
    while (!m_state->cancelled && m_state->running < m_state->options.concurrency &&
           m_state->next < m_state->options.requests && !(gate && m_state->running > 0))
        runOne(m_state->next++);
    if (m_state->running == 0 && (m_state->cancelled || m_state->done >= m_state->options.requests))
        finish();
}

void LoadTest::runOne(int index) {
    ++m_state->running;
    const LoadTestOptions& o = m_state->options;
    const qint64 startMs = m_state->clock.elapsed();
    auto enroll = [this, index, startMs](SecretBytes challenge, const QByteArray& adminPageCaMd5, bool adminOverTls) {
        const LoadTestOptions& opts = m_state->options;
        scep::ScepClientOptions co;
        co.timeoutMs = opts.timeoutMs;
        co.extraTlsCaCertificates = opts.extraTlsCaCertificates;
        auto* client = new scep::ScepClient(opts.scepUrl, co, this);
        auto* enrollment = new scep::ScepEnrollment(client, client);
        scep::EnrollmentRequest req;
        req.subject = QStringLiteral("CN=ndes-console-load-%1").arg(index + 1);
        req.keyBits = opts.keyBits;
        if (!m_state->keys.isEmpty())
            req.key = m_state->keys.at(index % m_state->keys.size());
        req.challengePassword = std::move(challenge);
        req.caSha256Pin = opts.caSha256Pin;
        req.adminPageCaMd5 = adminPageCaMd5;
        req.adminPageOverTls = adminOverTls;
        req.maxPolls = 0;
        enrollment->start(req, [this, client, startMs](Result<scep::EnrollmentResult> r) {
            client->deleteLater();
            LoadSample s;
            s.startMs = startMs;
            s.durationMs = m_state->clock.elapsed() - startMs;
            s.ok = r.ok();
            if (!r)
                s.errorKind = r.error().code.isEmpty() ? errorKindName(r.error().kind) : r.error().code;
            complete(s);
        });
    };
    if (o.adminUrls.isEmpty()) {
        enroll({}, {}, false);
        return;
    }
    ChallengeRequest cr;
    cr.adminUrl = o.adminUrls.at(index % o.adminUrls.size());
    cr.auth = o.auth;
    cr.user = o.user;
    cr.password = o.password;
    cr.allowHttp = o.allowHttp;
    cr.extraCaPem = pemBundle(o.extraTlsCaCertificates);
    cr.timeoutMs = o.timeoutMs;
    auto* watcher = new QFutureWatcher<Result<ChallengePassword>>(this);
    connect(
        watcher, &QFutureWatcher<Result<ChallengePassword>>::finished, this, [this, watcher, enroll, startMs, index] {
            watcher->deleteLater();
            Result<ChallengePassword> r = watcher->result();
            if (!r) {
                LoadSample s;
                s.startMs = startMs;
                s.durationMs = m_state->clock.elapsed() - startMs;
                s.errorKind = QStringLiteral("challenge-") +
                              (r.error().code.isEmpty() ? errorKindName(r.error().kind) : r.error().code);
                if ((r.error().code == QLatin1String("unauthorized") || r.error().code == QLatin1String("auth-loop")) &&
                    m_state->stoppedBecause.isEmpty()) {
                    m_state->stoppedBecause = r.error().code;
                    m_state->stopMessage = r.error().message;
                    m_state->cancelled = true; // no further logon with this password
                }
                return complete(s);
            }
            m_state->signedIn = true;
            QTimer::singleShot(0, this, &LoadTest::launchMore);
            QByteArray md5 = QByteArray::fromHex(QString(r->caThumbprint).remove(QLatin1Char(' ')).toLatin1());
            const bool overTls = m_state->options.adminUrls.at(index % m_state->options.adminUrls.size())
                                     .scheme()
                                     .compare(QLatin1String("https"), Qt::CaseInsensitive) == 0;
            enroll(std::move(r->password), md5.size() == 16 ? md5 : QByteArray(), overTls);
        });
    watcher->setFuture(QtConcurrent::run(&m_state->blocking, [cr] { return ChallengePasswordClient::fetch(cr); }));
}

void LoadTest::complete(LoadSample sample) {
    --m_state->running;
    ++m_state->done;
    m_state->samples << sample;
    emit this->sample(sample);
    emit progress(m_state->done, m_state->options.requests);
    launchMore();
}

void LoadTest::finish() {
    if (m_state->finished)
        return;
    m_state->finished = true;
    m_state->options.password.wipe();
    LoadTestResult r;
    r.requests = m_state->options.requests;
    r.cancelled = m_state->cancelled && m_state->stoppedBecause.isEmpty();
    r.stoppedBecause = m_state->stoppedBecause;
    r.stopMessage = m_state->stopMessage;
    r.wallMs = m_state->clock.isValid() ? m_state->clock.elapsed() : 0;
    QList<qint64> okDurations;
    for (const LoadSample& s : m_state->samples) {
        if (s.ok) {
            ++r.succeeded;
            okDurations << s.durationMs;
        } else {
            ++r.failed;
            r.errorsByKind[s.errorKind] += 1;
        }
        const int second = int((s.startMs + s.durationMs) / 1000);
        while (r.completedPerSecond.size() <= second)
            r.completedPerSecond << 0;
        ++r.completedPerSecond[second];
    }
    std::sort(okDurations.begin(), okDurations.end());
    r.p50 = LoadTestResult::percentile(okDurations, 50);
    r.p90 = LoadTestResult::percentile(okDurations, 90);
    r.p99 = LoadTestResult::percentile(okDurations, 99);
    r.maxMs = okDurations.isEmpty() ? 0 : okDurations.last();
    r.perSecond = r.wallMs > 0 ? double(r.succeeded) * 1000.0 / double(r.wallMs) : 0;
    emit finished(r);
}

} // namespace ndes::service
