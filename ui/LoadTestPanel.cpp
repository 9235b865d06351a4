// SPDX-License-Identifier: Apache-2.0
#include "LoadTestPanel.h"
#include "ReadOnlyGuard.h"
#include "util/Access.h"

#include "ChartAxes.h"
#include "ConsoleContext.h"
#include "FlowLayout.h"
#include "RaTrustWarning.h"
#include "ServerPassword.h"

#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>
#include <QValueAxis>

namespace ndes::ui {

LoadTestPanel::LoadTestPanel(ConsoleContext* context, QWidget* parent)
    : QWidget(parent)
    , m_context(context) {
    auto* layout = new QVBoxLayout(this);
    auto* intro = new QLabel(tr("Enrolls many certificates at once to see how the server copes: latency percentiles, "
                                "errors by kind, throughput over time. Every request is a real enrollment with a "
                                "real challenge password — run it against a lab or a server you own."),
                             this);
    intro->setWordWrap(true);
    intro->setObjectName(QStringLiteral("pageIntro"));
    layout->addWidget(intro);
    auto* rowBox = new QWidget(this);
    auto* row = new FlowLayout(rowBox); // wraps on a narrow window
    m_server = new QComboBox(this);
    // A long server name must not widen the window: the box shows ~24 characters, the list the whole name.
    m_server->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_server->setMinimumContentsLength(24);
    m_server->setAccessibleName(tr("Server to load"));
    auto* serverLabel = new QLabel(tr("Se&rver:"), this);
    serverLabel->setBuddy(m_server);
    m_concurrency = new QSpinBox(this);
    m_concurrency->setRange(1, 1000);
    m_concurrency->setValue(10);
    auto* cLabel = new QLabel(tr("&In flight:"), this);
    cLabel->setBuddy(m_concurrency);
    row->addWidget(FlowLayout::group(this, {serverLabel, m_server}));
    row->addWidget(FlowLayout::group(this, {cLabel, m_concurrency}));
    m_requests = new QSpinBox(this);
    m_requests->setRange(1, 1000000);
    m_requests->setValue(100);
    auto* rLabel = new QLabel(tr("Enrollments in &all:"), this);
    rLabel->setBuddy(m_requests);
    row->addWidget(FlowLayout::group(this, {rLabel, m_requests}));
    m_own = new QCheckBox(tr("I &own this server"), this);
    m_own->setToolTip(tr("Needed for any server that is not on this machine (loopback): a load test can take a "
                         "production NDES down"));
    row->addWidget(m_own);
    m_start = new QPushButton(tr("&Start load test"), this);
    m_start->setObjectName(QStringLiteral("primaryButton"));
    m_start->setMinimumWidth(m_start->sizeHint().width() + 24); // room for both texts it shows
    connect(m_start, &QPushButton::clicked, this, [this] { isRunning() ? stop() : start(); });
    row->addWidget(m_start);
    guardWriteControl(m_start);
    layout->addWidget(rowBox);
    m_trustWarning = makeRaTrustWarning(this);
    layout->addWidget(m_trustWarning);
    m_progress = new QProgressBar(this);
    m_progress->setFormat(tr("%v of %m enrollments"));
    m_progress->hide();
    layout->addWidget(m_progress);
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("loadSummary"));
    m_summary->setTextFormat(Qt::RichText);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_summary);
    m_chart = new QChartView(this);
    m_chart->setRenderHint(QPainter::Antialiasing);
    m_chart->setAccessibleName(tr("Enrollments completed per second"));
    layout->addWidget(m_chart, 1);
    m_tick = new QTimer(this);
    m_tick->setInterval(500);
    connect(m_tick, &QTimer::timeout, this, &LoadTestPanel::updateChart);
    reloadServers();
    connect(m_context, &ConsoleContext::inventoryChanged, this, &LoadTestPanel::reloadServers);
    connect(m_server, &QComboBox::currentIndexChanged, this, [this] {
        showRaTrustWarning(m_trustWarning, m_context->inventory().find(m_server->currentData().toString()));
    });
    showRaTrustWarning(m_trustWarning, m_context->inventory().find(m_server->currentData().toString()));
    updateChart();
}

void LoadTestPanel::reloadServers() {
    const QString current = m_server->currentData().toString();
    m_server->clear();
    for (const auto& p : m_context->inventory().servers())
        m_server->addItem(p.name, p.id);
    const int index = m_server->findData(current);
    if (index >= 0)
        m_server->setCurrentIndex(index);
    if (m_trustWarning) // the pin or the URL may have changed while the selection stayed
        showRaTrustWarning(m_trustWarning, m_context->inventory().find(m_server->currentData().toString()));
}

void LoadTestPanel::setNumbers(int concurrency, int requests) {
    m_concurrency->setValue(concurrency);
    m_requests->setValue(requests);
}

void LoadTestPanel::start() {
    if (m_test || Access::readOnly())
        return;
    const QString id = m_server->currentData().toString();
    const auto* p = m_context->inventory().find(id);
    if (!p)
        return;
    service::LoadTestOptions probe;
    probe.scepUrl = p->scepUrl;
    probe.adminUrls = {p->adminUrl};
    probe.iOwnThisServer = m_own->isChecked();
    if (Status ok = service::LoadTest::check(probe); !ok) {
        m_summary->setText(
            QStringLiteral("<span style=\"color:#b3261e\">%1</span>").arg(ok.error().message.toHtmlEscaped()));
        return;
    }
    m_start->setEnabled(false);
    obtainServerPassword(m_context, id, this, [this, id](bool ok, SecretBytes password) {
        m_start->setEnabled(true);
        if (ok)
            begin(id, std::move(password));
    });
}

void LoadTestPanel::begin(const QString& profileId, SecretBytes password) {
    const auto* p = m_context->inventory().find(profileId);
    if (!p)
        return;
    service::LoadTestOptions o;
    o.scepUrl = p->scepUrl;
    if (!p->adminUrl.isEmpty())
        o.adminUrls = {p->adminUrl};
    o.auth = p->auth;
    o.user = p->user;
    o.password = std::move(password);
    o.allowHttp = p->allowHttp;
    o.caSha256Pin = p->caPinBytes();
    o.concurrency = m_concurrency->value();
    o.requests = m_requests->value();
    o.iOwnThisServer = m_own->isChecked();
    m_perSecond.clear();
    m_result.reset();
    m_progress->setRange(0, o.requests);
    m_progress->setValue(0);
    m_progress->show();
    m_summary->setText(tr("Preparing…"));
    m_start->setText(tr("&Stop"));
    m_test = new service::LoadTest(this);
    connect(m_test, &service::LoadTest::preparing, m_summary, &QLabel::setText);
    connect(m_test, &service::LoadTest::progress, this, [this](int done, int) {
        if (done == 1)
            m_summary->setText(tr("Running…"));
        m_progress->setValue(done);
    });
    connect(m_test, &service::LoadTest::sample, this, [this](const service::LoadSample& s) {
        const int second = int((s.startMs + s.durationMs) / 1000);
        while (m_perSecond.size() <= second)
            m_perSecond << 0;
        ++m_perSecond[second];
    });
    connect(m_test, &service::LoadTest::finished, this, [this, profileId](const service::LoadTestResult& r) {
        m_context->noteAdminPageResult(profileId, r.stoppedBecause);
        m_test->deleteLater();
        m_test = nullptr;
        m_tick->stop();
        m_result = r;
        m_perSecond = r.completedPerSecond;
        updateChart();
        m_progress->hide();
        m_start->setText(tr("&Start load test"));
        m_summary->setText(summaryText());
        emit statusMessage(tr("Load test finished: %1 of %2 enrollments succeeded.").arg(r.succeeded).arg(r.requests));
        emit finished();
    });
    m_tick->start();
    emit statusMessage(tr("Load test of %1 running…").arg(p->name));
    m_test->start(std::move(o));
}

void LoadTestPanel::stop() {
    if (m_test)
        m_test->cancel();
}

QString LoadTestPanel::summaryText() const {
    if (!m_result)
        return {};
    const service::LoadTestResult& r = *m_result;
    QString text = tr("<b>%1 of %2 succeeded</b> in %3 s — <b>%4 enrollments/s</b>. Latency: p50 <b>%5 ms</b>, "
                      "p90 %6 ms, p99 %7 ms, max %8 ms.")
                       .arg(r.succeeded)
                       .arg(r.requests)
                       .arg(double(r.wallMs) / 1000.0, 0, 'f', 2)
                       .arg(r.perSecond, 0, 'f', 1)
                       .arg(r.p50)
                       .arg(r.p90)
                       .arg(r.p99)
                       .arg(r.maxMs);
    if (r.cancelled)
        text += tr(" Stopped early.");
    if (!r.stoppedBecause.isEmpty())
        text += QStringLiteral("<br><span style=\"color:#b3261e\">%1</span>")
                    .arg(tr("Stopped: the admin page refused the account (%1). No further sign-in was tried, so the "
                            "account is not locked out by this run. Correct the password on the Servers page.")
                             .arg(r.stoppedBecause.toHtmlEscaped()));
    QStringList errors;
    for (auto it = r.errorsByKind.begin(); it != r.errorsByKind.end(); ++it)
        errors << QStringLiteral("%1 × %2").arg(it.value()).arg(it.key().toHtmlEscaped());
    if (!errors.isEmpty())
        text += QStringLiteral("<br><span style=\"color:#b3261e\">%1 %2</span>")
                    .arg(tr("Errors:"), errors.join(QStringLiteral(", ")));
    return text;
}

void LoadTestPanel::updateChart() {
    auto* chart = new QChart;
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->setTitle(tr("Enrollments completed per second"));
    chart->legend()->hide();
    auto* line = new QLineSeries;
    line->setColor(QColor(0x2f, 0x6f, 0xad));
    int maxN = 1;
    for (qsizetype i = 0; i < m_perSecond.size(); ++i) {
        line->append(qreal(i), qreal(m_perSecond[i]));
        line->append(qreal(i + 1), qreal(m_perSecond[i]));
        maxN = qMax(maxN, m_perSecond[i]);
    }
    chart->addSeries(line);
    auto* x = new QValueAxis;
    const int seconds = qMax(5, int(m_perSecond.size()));
    x->setRange(0, seconds);
    x->setTickType(QValueAxis::TicksDynamic);
    x->setTickAnchor(0);
    x->setTickInterval(qMax(1, seconds / 10));
    x->setLabelFormat(QStringLiteral("%d s"));
    auto* y = new QValueAxis;
    y->setObjectName(QStringLiteral("perSecondAxis"));
    setCountRange(y, maxN);
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    line->attachAxis(x);
    line->attachAxis(y);
    QChart* old = m_chart->chart();
    m_chart->setChart(chart);
    delete old;
}

} // namespace ndes::ui
