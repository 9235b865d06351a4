// SPDX-License-Identifier: Apache-2.0
#include "OverviewPage.h"
#include "ReadOnlyGuard.h"
#include "util/Access.h"

#include "ChartAxes.h"
#include "ConsoleContext.h"
#include "OverviewModels.h"
#include "RaRenewalDialog.h"
#include "ServerPassword.h"
#include "ndes/HealthExport.h"
#include "util/Clock.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTimeAxis>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLegend>
#include <QLineEdit>
#include <QLineSeries>
#include <QMenu>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSaveFile>
#include <QScatterSeries>
#include <QScrollArea>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStackedBarSeries>
#include <QSystemTrayIcon>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>
#include <QValueAxis>

#include <numeric>

namespace ndes::ui {

using service::ExpiryItem;
using service::ExpiryRole;
using service::ExpiryStatus;
using service::HealthReport;
using service::HealthStatus;

namespace {

const int intervalChoices[] = {0, 1, 5, 15, 60};

QString itemKey(const ExpiryItem& e) {
    return e.server + QLatin1Char('|') + service::expiryRoleName(e.role) + QLatin1Char('|') + e.subject;
}

QTableView* makeTable(QWidget* parent, const QString& accessibleName) {
    auto* view = new QTableView(parent);
    view->setAccessibleName(accessibleName);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(QAbstractItemView::SingleSelection);
    view->setSortingEnabled(true);
    view->setAlternatingRowColors(false);
    view->setWordWrap(false);
    view->verticalHeader()->hide();
    view->verticalHeader()->setDefaultSectionSize(26);
    view->horizontalHeader()->setHighlightSections(false);
    view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    return view;
}

} // namespace

OverviewPage::OverviewPage(ConsoleContext* context, QWidget* parent)
    : QWidget(parent)
    , m_context(context)
    , m_monitor(new service::HealthMonitor(this))
    , m_servers(new ServerHealthModel(this))
    , m_certs(new CertificateExpiryModel(this))
    , m_certFilter(new CertificateFilterModel(this)) {
    m_certFilter->setSourceModel(m_certs);
    m_certFilter->setSortRole(CertificateExpiryModel::SortRole);
    m_serverSort = new QSortFilterProxyModel(this);
    m_serverSort->setSourceModel(m_servers);
    m_serverSort->setSortRole(Qt::UserRole);
    m_autoRefresh = new QTimer(this);
    m_certFlush = new QTimer(this);
    m_certFlush->setSingleShot(true);
    m_certFlush->setInterval(250); // coalesce: 500 servers answering do not rebuild the table 500 times
    connect(m_certFlush, &QTimer::timeout, this, &OverviewPage::flushCertificates);
    connect(m_autoRefresh, &QTimer::timeout, this, &OverviewPage::refresh);
    connect(m_monitor, &service::HealthMonitor::reportReady, this, &OverviewPage::onReport);
    connect(m_monitor, &service::HealthMonitor::roundFinished, this, &OverviewPage::onRoundFinished);
    connect(m_monitor, &service::HealthMonitor::progress, this, [this](int done, int total) {
        m_progress->setMaximum(total);
        m_progress->setValue(done);
    });
    service::HealthOptions options = m_monitor->options();
    options.directoryPassword = m_context->directoryPasswords();
    m_monitor->setOptions(options);
    build();
    reloadServers();
    connect(m_context, &ConsoleContext::inventoryChanged, this, &OverviewPage::reloadServers);
    connect(m_context, &ConsoleContext::signInNoted, this, &OverviewPage::updateServerDetail);
    setRefreshMinutes(QSettings().value(QStringLiteral("overview/refreshMinutes"), 5).toInt());
}

OverviewPage::~OverviewPage() = default;

void OverviewPage::build() {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(24, 20, 24, 16);
    layout->setSpacing(10);
    auto* title = new QLabel(tr("Overview"), this);
    title->setObjectName(QStringLiteral("pageTitle"));
    layout->addWidget(title);

    // The summary has a line of its own (it grows with the servers); the controls sit below it, on the right.
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("summaryLine"));
    m_summary->setTextFormat(Qt::RichText);
    m_summary->setWordWrap(true); // a long summary wraps instead of widening the window
    layout->addWidget(m_summary);
    auto* bar = new QHBoxLayout;
    m_progress = new QProgressBar(this);
    m_progress->setFixedWidth(140);
    m_progress->setTextVisible(true);
    m_progress->setFormat(tr("%v of %m"));
    m_progress->hide();
    bar->addWidget(m_progress);
    m_lastChecked = new QLabel(this);
    m_lastChecked->setObjectName(QStringLiteral("details"));
    bar->addWidget(m_lastChecked);
    bar->addStretch(1);
    auto* intervalLabel = new QLabel(tr("A&uto-refresh:"), this);
    m_interval = new QComboBox(this);
    intervalLabel->setBuddy(m_interval);
    m_interval->addItem(tr("Off"));
    m_interval->addItem(tr("Every minute"));
    m_interval->addItem(tr("Every 5 minutes"));
    m_interval->addItem(tr("Every 15 minutes"));
    m_interval->addItem(tr("Every hour"));
    m_interval->setToolTip(tr("How often every server is probed while the console runs"));
    connect(m_interval, &QComboBox::activated, this,
            [this](int i) { setRefreshMinutes(intervalChoices[qBound(0, i, 4)]); });
    bar->addWidget(intervalLabel);
    bar->addWidget(m_interval);
    m_refreshButton = new QPushButton(tr("Refresh &now"), this);
    m_refreshButton->setShortcut(QKeySequence::Refresh);
    m_refreshButton->setToolTip(tr("Probe every server now (F5)"));
    connect(m_refreshButton, &QPushButton::clicked, this, &OverviewPage::refresh);
    bar->addWidget(m_refreshButton);
    auto* exportButton = new QPushButton(tr("&Export…"), this);
    exportButton->setToolTip(tr("Save servers and certificates as CSV (spreadsheets) or HTML (a report)"));
    connect(exportButton, &QPushButton::clicked, this, &OverviewPage::exportInteractive);
    bar->addWidget(exportButton);
    layout->addLayout(bar);

    auto* split = new QSplitter(Qt::Vertical, this);
    auto* top = new QSplitter(Qt::Horizontal, split); // the table and the selected server's checks
    top->setObjectName(QStringLiteral("overviewTopSplit"));
    top->setHandleWidth(7);
    top->setChildrenCollapsible(false);
    m_serverView = makeTable(top, tr("Servers and their health"));
    m_serverView->setObjectName(QStringLiteral("serverHealth"));
    m_serverView->setModel(m_serverSort);
    m_serverView->sortByColumn(ServerHealthModel::StatusColumn, Qt::DescendingOrder);
    QHeaderView* sh = m_serverView->horizontalHeader();
    sh->setSectionResizeMode(ServerHealthModel::ReasonColumn, QHeaderView::Stretch);
    const QFontMetrics fm = fontMetrics();
    sh->resizeSection(ServerHealthModel::StatusColumn, fm.horizontalAdvance(tr("Unreachable")) + 28);
    sh->resizeSection(ServerHealthModel::ServerColumn, fm.averageCharWidth() * 18);
    sh->resizeSection(ServerHealthModel::RaColumn, fm.horizontalAdvance(tr("RA expires in")) + 20);
    sh->resizeSection(ServerHealthModel::LatencyColumn, fm.horizontalAdvance(tr("Latency")) + 20);
    sh->resizeSection(ServerHealthModel::CheckedColumn, fm.horizontalAdvance(QStringLiteral("00:00:00")) + 20);
    // Every server is checked in the same round: the time is in the bar above; its column is off by default (the
    // header's context menu brings it back).
    sh->setSectionHidden(ServerHealthModel::CheckedColumn, true);
    sh->setContextMenuPolicy(Qt::ActionsContextMenu);
    for (int c = 0; c < ServerHealthModel::ColumnCount; ++c) {
        auto* show = new QAction(m_servers->headerData(c, Qt::Horizontal, Qt::DisplayRole).toString(), sh);
        show->setCheckable(true);
        show->setChecked(!sh->isSectionHidden(c));
        show->setEnabled(c != ServerHealthModel::ServerColumn);
        connect(show, &QAction::toggled, sh, [sh, c](bool on) { sh->setSectionHidden(c, !on); });
        sh->addAction(show);
    }
    auto* side = new QWidget(top);
    side->setObjectName(QStringLiteral("resultCard"));
    auto* sideLayout = new QVBoxLayout(side);
    // The checks can be longer than the pane: they scroll (scroll bar and wheel) instead of being cut off.
    auto* detailScroll = new QScrollArea(side);
    detailScroll->setObjectName(QStringLiteral("serverDetailScroll"));
    detailScroll->setWidgetResizable(true);
    detailScroll->setFrameShape(QFrame::NoFrame);
    detailScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_detail = new QLabel(detailScroll);
    m_detail->setObjectName(QStringLiteral("serverDetail"));
    m_detail->setWordWrap(true);
    m_detail->setTextFormat(Qt::RichText);
    m_detail->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_detail->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_detail->setAutoFillBackground(false);
    detailScroll->setWidget(m_detail);
    detailScroll->viewport()->setAutoFillBackground(false);
    sideLayout->addWidget(detailScroll, 1);
    m_raButton = new QPushButton(tr("RA &renewal…"), side);
    m_raButton->setToolTip(tr("What happens when the RA certificates expire, and a script that renews them"));
    m_raButton->setEnabled(false);
    connect(m_raButton, &QPushButton::clicked, this, [this] { openRaRenewal(selectedServerRow()); });
    sideLayout->addWidget(m_raButton, 0, Qt::AlignRight);
    guardWriteControl(m_raButton);
    side->setMinimumWidth(300);
    top->addWidget(m_serverView);
    top->addWidget(side);
    top->setStretchFactor(0, 3);
    top->setStretchFactor(1, 2);
    top->restoreState(QSettings().value(QStringLiteral("overview/topSplitter")).toByteArray());
    connect(top, &QSplitter::splitterMoved, this,
            [top] { QSettings().setValue(QStringLiteral("overview/topSplitter"), top->saveState()); });
    connect(m_serverView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &OverviewPage::updateServerDetail);
    connect(m_servers, &QAbstractItemModel::dataChanged, this, [this](const QModelIndex& from, const QModelIndex& to) {
        const int row = selectedServerRow(); // only the selected server's panel and chart change
        if (row >= from.row() && row <= to.row())
            updateServerDetail();
    });

    m_tabs = new QTabWidget(split);
    auto* certPage = new QWidget(m_tabs);
    auto* certLayout = new QVBoxLayout(certPage);
    auto* filters = new QHBoxLayout;
    m_certSearch = new QLineEdit(certPage);
    m_certSearch->setPlaceholderText(tr("Filter by server or subject"));
    m_certSearch->setClearButtonEnabled(true);
    m_certSearch->setAccessibleName(tr("Filter certificates"));
    connect(m_certSearch, &QLineEdit::textChanged, m_certFilter, &CertificateFilterModel::setText);
    m_certKind = new QComboBox(certPage);
    m_certKind->setAccessibleName(tr("Certificate kind"));
    m_certKind->addItem(tr("All kinds"), QString());
    m_certKind->addItem(tr("RA certificates"), QStringLiteral("ra"));
    m_certKind->addItem(tr("CA certificates"), QStringLiteral("ca"));
    m_certKind->addItem(tr("TLS certificates"), QStringLiteral("tls"));
    m_certKind->addItem(tr("CRLs"), QStringLiteral("crl"));
    m_certKind->addItem(tr("Service accounts (AD)"), QStringLiteral("service-account"));
    connect(m_certKind, &QComboBox::currentIndexChanged, this,
            [this] { m_certFilter->setKind(m_certKind->currentData().toString()); });
    m_attention = new QCheckBox(tr("Only those that need &attention"), certPage);
    connect(m_attention, &QCheckBox::toggled, m_certFilter, &CertificateFilterModel::setAttentionOnly);
    filters->addWidget(m_certSearch, 1);
    filters->addWidget(m_certKind);
    filters->addWidget(m_attention);
    certLayout->addLayout(filters);
    m_certView = makeTable(certPage, tr("Certificates and their expiry"));
    m_certView->setObjectName(QStringLiteral("certificates"));
    m_certView->setModel(m_certFilter);
    m_certView->sortByColumn(CertificateExpiryModel::DaysColumn, Qt::AscendingOrder);
    QHeaderView* ch = m_certView->horizontalHeader();
    ch->setSectionResizeMode(CertificateExpiryModel::SubjectColumn, QHeaderView::Stretch);
    ch->resizeSection(CertificateExpiryModel::ServerColumn, 150);
    ch->resizeSection(CertificateExpiryModel::RoleColumn, 140);
    ch->resizeSection(CertificateExpiryModel::ExpiresColumn,
                      fm.horizontalAdvance(displayDateTime(QDateTime(QDate(2026, 12, 28), QTime(23, 58, 59)))) + 24);
    ch->resizeSection(CertificateExpiryModel::DaysColumn, 80);
    ch->resizeSection(CertificateExpiryModel::StatusColumn, 100);
    certLayout->addWidget(m_certView);
    m_tabs->addTab(certPage, tr("&Certificates"));

    m_timeline = new QChartView(m_tabs);
    m_timeline->setRenderHint(QPainter::Antialiasing);
    m_timeline->setAccessibleName(tr("Certificate expirations in the next 12 months"));
    m_tabs->addTab(m_timeline, tr("E&xpiry timeline"));
    m_latency = new QChartView(m_tabs);
    m_latency->setRenderHint(QPainter::Antialiasing);
    m_latency->setAccessibleName(tr("Probe history and latency of the selected server"));
    m_tabs->addTab(m_latency, tr("&Probe history"));
    split->addWidget(top);
    split->addWidget(m_tabs);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);
    // A handle one can see and grab, and where the admin left it, next time.
    split->setObjectName(QStringLiteral("overviewSplit"));
    split->setHandleWidth(7);
    split->setChildrenCollapsible(false);
    split->restoreState(QSettings().value(QStringLiteral("overview/splitter")).toByteArray());
    connect(split, &QSplitter::splitterMoved, this,
            [split] { QSettings().setValue(QStringLiteral("overview/splitter"), split->saveState()); });
    layout->addWidget(split, 1);
    updateTimeline();
    updateServerDetail();
}

void OverviewPage::reloadServers() {
    QStringList names;
    QList<QUrl> urls;
    for (const auto& p : m_context->inventory().servers()) {
        names << p.name;
        urls << p.scepUrl;
    }
    m_servers->setServers(names, urls);
    m_certsDirty = true;
    flushCertificates();
    updateSummary();
    if (m_serverView->currentIndex().isValid() == false && m_serverSort->rowCount() > 0)
        m_serverView->selectRow(0);
}

void OverviewPage::refresh() {
    QList<service::HealthTarget> targets;
    for (const auto& p : m_context->inventory().servers())
        targets << p.healthTarget();
    if (targets.isEmpty()) {
        emit statusMessage(tr("No server to check: add one on the Servers page."));
        emit refreshFinished();
        return;
    }
    m_progress->setRange(0, int(targets.size()));
    m_progress->setValue(0);
    m_progress->show();
    m_refreshButton->setEnabled(false);
    emit statusMessage(tr("Checking %n server(s)…", nullptr, int(targets.size())));
    m_monitor->probeAll(targets);
}

bool OverviewPage::isRefreshing() const {
    return m_monitor->isRunning();
}

QList<HealthReport> OverviewPage::reports() const {
    return m_servers->reports();
}

void OverviewPage::setRefreshMinutes(int minutes) {
    int index = 0;
    for (int i = 0; i < 5; ++i)
        if (intervalChoices[i] == minutes)
            index = i;
    minutes = intervalChoices[index];
    m_interval->setCurrentIndex(index);
    QSettings().setValue(QStringLiteral("overview/refreshMinutes"), minutes);
    if (minutes > 0)
        m_autoRefresh->start(minutes * 60 * 1000);
    else
        m_autoRefresh->stop();
}

int OverviewPage::refreshMinutes() const {
    return intervalChoices[qBound(0, m_interval->currentIndex(), 4)];
}

void OverviewPage::onReport(const HealthReport& report) {
    m_servers->applyReport(report);
    // Thresholds crossed since the last look (certmonger's 28/7/3/2/1 days), and servers that got worse.
    const service::ExpiryChecker checker(m_monitor->options().thresholds);
    for (const ExpiryItem& e : report.expiries) {
        if (e.role == ExpiryRole::Crl)
            continue;
        const QString key = itemKey(e);
        const auto previous = m_lastDaysLeft.constFind(key);
        if (previous != m_lastDaysLeft.constEnd()) {
            const int crossed = checker.crossedNotification(*previous, e.daysLeft);
            if (crossed >= 0 && e.role == ExpiryRole::ServiceAccount)
                notify(
                    crossed == 0
                        ? tr("%1: service account expired").arg(report.server)
                        : tr("%1: service account expires in %n day(s)", nullptr, int(e.daysLeft)).arg(report.server),
                    crossed == 0 ? tr("%1 has expired: NDES stops until it is renewed.").arg(e.subject)
                                 : tr("%1 expires on %2: NDES stops then unless it is renewed.")
                                       .arg(e.subject, displayDateTime(e.notAfter)));
            else if (crossed == 0)
                notify(
                    tr("%1: certificate expired").arg(report.server),
                    tr("The %1 certificate %2 has expired.").arg(CertificateExpiryModel::roleLabel(e.role), e.subject));
            else if (crossed > 0)
                notify(tr("%1: certificate expires in %n day(s)", nullptr, int(e.daysLeft)).arg(report.server),
                       tr("The %1 certificate %2 expires on %3.")
                           .arg(CertificateExpiryModel::roleLabel(e.role), e.subject, displayDateTime(e.notAfter)));
        }
        m_lastDaysLeft.insert(key, e.daysLeft);
    }
    const auto before = m_lastStatus.constFind(report.server);
    if (before != m_lastStatus.constEnd() && report.status > *before && report.status != HealthStatus::Ok)
        notify(tr("%1 is now %2").arg(report.server, service::healthStatusLabel(report.status).toLower()),
               report.headline());
    m_lastStatus.insert(report.server, report.status);
    m_certsDirty = true;
    if (!m_certFlush->isActive())
        m_certFlush->start();
}

void OverviewPage::onRoundFinished(const QList<HealthReport>& reports) {
    m_progress->hide();
    m_refreshButton->setEnabled(true);
    flushCertificates();
    m_lastChecked->setText(
        tr("Checked at %1")
            .arg(QLocale().toString(Clock::instance().now().toLocalTime().time(), QLocale::ShortFormat)));
    if (!m_firstRoundDone) {
        m_firstRoundDone = true;
        m_serverView->selectRow(0); // the worst server first: what needs attention is what the admin sees
        int attention = 0;
        for (const HealthReport& r : reports)
            attention += r.status != HealthStatus::Ok ? 1 : 0;
        if (attention > 0)
            notify(tr("NDES Console"), tr("%n server(s) need attention.", nullptr, attention));
    }
    emit statusMessage(tr("Checked %n server(s).", nullptr, int(reports.size())));
    emit refreshFinished();
}

void OverviewPage::flushCertificates() {
    if (!m_certsDirty)
        return;
    m_certsDirty = false;
    QList<ExpiryItem> items;
    for (const HealthReport& r : m_servers->reports())
        items += r.expiries;
    m_certs->setItems(items);
    updateSummary();
    updateTimeline();
}

void OverviewPage::updateSummary() {
    int counts[4] = {0, 0, 0, 0};
    const QList<HealthReport> reports = m_servers->reports();
    for (const HealthReport& r : reports)
        ++counts[int(r.status)];
    const int total = m_servers->rowCount();
    if (total == 0) {
        m_summary->setText(tr("No server yet. Add your NDES servers on the <b>Servers</b> page (Ctrl+2)."));
        return;
    }
    if (reports.isEmpty()) {
        m_summary->setText(tr("%n server(s), not checked yet. Press <b>Refresh now</b> (F5).", nullptr, total));
        return;
    }
    QStringList parts;
    const HealthStatus order[] = {HealthStatus::Critical, HealthStatus::Unreachable, HealthStatus::Warning,
                                  HealthStatus::Ok};
    for (HealthStatus s : order)
        if (counts[int(s)] > 0)
            parts << QStringLiteral("<span style=\"color:%1; font-weight:600\">%2 %3</span>")
                         .arg(StatusColours::strong(s).name())
                         .arg(counts[int(s)])
                         .arg(service::healthStatusLabel(s).toLower().toHtmlEscaped());
    // The next RA expiry across all servers: the date that stops enrollment.
    const ExpiryItem* next = nullptr;
    for (const ExpiryItem& e : m_certs->items())
        if ((e.role == ExpiryRole::RaSigning || e.role == ExpiryRole::RaEncryption) &&
            (!next || e.notAfter < next->notAfter))
            next = &e;
    QString text = tr("%n server(s): ", nullptr, total) + parts.join(QStringLiteral(" · "));
    if (next)
        text += QStringLiteral(" &nbsp; ") +
                (next->daysLeft < 0
                     ? tr("An RA certificate of <b>%1</b> has <b>expired</b>.").arg(next->server.toHtmlEscaped())
                     : tr("Next RA expiry: <b>%1</b> in <b>%n day(s)</b>", nullptr, int(next->daysLeft))
                           .arg(next->server.toHtmlEscaped()));
    m_summary->setText(text);
}

void OverviewPage::updateTimeline() {
    auto* chart = new QChart;
    chart->setAnimationOptions(QChart::NoAnimation);
    const QDateTime now = Clock::instance().now();
    const QDate firstMonth(now.date().year(), now.date().month(), 1);
    // What has already run out comes first (it is the most urgent), then the next 12 months, named with the year
    // ("Dec 2026": "Dec 26" read as a date).
    QStringList months{tr("Expired")};
    for (int i = 0; i < 12; ++i)
        months << QLocale().toString(firstMonth.addMonths(i), QStringLiteral("MMM yyyy"));
    struct Group {
        QString label;
        QColor colour;
        QList<ExpiryRole> roles;
    };
    const Group groups[] = {
        {tr("RA"), QColor(0xb3, 0x26, 0x1e), {ExpiryRole::RaSigning, ExpiryRole::RaEncryption}},
        {tr("CA"), QColor(0x2f, 0x6f, 0xad), {ExpiryRole::Ca, ExpiryRole::DirectoryCa}},
        {tr("TLS"), QColor(0xb2, 0x6a, 0x00), {ExpiryRole::Tls}},
        {tr("CRL"), QColor(0x6b, 0x5b, 0x95), {ExpiryRole::Crl}},
        {tr("Account"), QColor(0x3d, 0x7d, 0x4a), {ExpiryRole::ServiceAccount}},
    };
    auto* series = new QStackedBarSeries;
    qreal maxCount = 0;
    QList<int> totals(13, 0);
    for (const Group& g : groups) {
        auto* set = new QBarSet(g.label);
        set->setColor(g.colour);
        set->setBorderColor(g.colour);
        QList<int> counts(13, 0);
        for (const ExpiryItem& e : m_certs->items()) {
            if (!g.roles.contains(e.role))
                continue;
            if (!e.notAfter.isValid() || e.notAfter < now) {
                ++counts[0];
                continue;
            }
            const QDate d = e.notAfter.date();
            const int month = (d.year() - firstMonth.year()) * 12 + d.month() - firstMonth.month();
            if (month >= 0 && month < 12)
                ++counts[month + 1];
        }
        for (int i = 0; i < 13; ++i) {
            *set << counts[i];
            totals[i] += counts[i];
        }
        series->append(set);
    }
    for (int t : totals)
        maxCount = qMax<qreal>(maxCount, t);
    const int shown = std::accumulate(totals.begin(), totals.end(), 0);
    chart->setTitle(m_certs->items().isEmpty() ? tr("No certificates yet: refresh to read them from the servers")
                    : shown == 0               ? tr("Nothing expires in the next 12 months")
                    : totals[0] > 0 ? tr("%n certificate(s) or CRL(s) expired; expirations in the next 12 months",
                                         nullptr, totals[0])
                    : std::any_of(m_certs->items().begin(), m_certs->items().end(),
                                  [](const ExpiryItem& e) { return e.role == ExpiryRole::ServiceAccount; })
                        ? tr("Certificates, CRLs and service accounts expiring in the next 12 months")
                        : tr("Certificates and CRLs expiring in the next 12 months"));
    chart->addSeries(series);
    auto* x = new QBarCategoryAxis;
    x->append(months);
    chart->addAxis(x, Qt::AlignBottom);
    series->attachAxis(x);
    auto* y = new QValueAxis;
    setCountRange(y, maxCount);
    y->setTitleText(tr("certificates"));
    chart->addAxis(y, Qt::AlignLeft);
    series->attachAxis(y);
    chart->legend()->setAlignment(Qt::AlignRight);
    QChart* old = m_timeline->chart();
    m_timeline->setChart(chart);
    delete old;
}

void OverviewPage::updateServerDetail() {
    const int row = selectedServerRow();
    const HealthReport* r = m_servers->report(row);
    bool hasRa = false;
    if (!r) {
        const QString name = m_servers->serverName(row);
        m_detail->setText(name.isEmpty() ? tr("<p>Select a server to see its checks.</p>")
                                         : tr("<h3>%1</h3><p>Not checked yet.</p>").arg(name.toHtmlEscaped()));
    } else {
        QString html = QStringLiteral("<h3 style=\"margin:0\">%1 <span style=\"color:%2\">%3</span></h3>")
                           .arg(r->server.toHtmlEscaped(), StatusColours::strong(r->status).name(),
                                service::healthStatusLabel(r->status).toHtmlEscaped());
        html += QStringLiteral("<p style=\"color:#4a5866\">%1</p>").arg(r->url.toString().toHtmlEscaped());
        if (r->reasons.isEmpty())
            html += tr("<p>All checks passed.</p>");
        html += QStringLiteral("<ul style=\"margin-left:-20px\">");
        for (const service::HealthReason& reason : r->reasons)
            html +=
                QStringLiteral("<li><b style=\"color:%1\">%2</b> %3</li>")
                    .arg(StatusColours::strong(reason.severity).name(),
                         service::healthStatusLabel(reason.severity).toHtmlEscaped(), reason.message.toHtmlEscaped());
        html += QStringLiteral("</ul><p style=\"color:#4a5866\">");
        QStringList steps;
        for (const service::ProbeStep& s : r->steps)
            steps << QStringLiteral("%1 %2 %3 ms")
                         .arg(s.ok ? QStringLiteral("✔") : QStringLiteral("✖"), s.name.toHtmlEscaped())
                         .arg(s.ms);
        html += steps.join(QStringLiteral(" · ")) + QStringLiteral("</p>");
        html += signInLine(row);
        m_detail->setText(html);
        for (const ExpiryItem& e : r->expiries)
            hasRa = hasRa || e.role == ExpiryRole::RaSigning || e.role == ExpiryRole::RaEncryption;
    }
    m_raButton->setEnabled(hasRa);

    // Probe history: total latency per probe, failed probes marked.
    auto* chart = new QChart;
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->legend()->hide();
    const QList<ProbePoint> history = m_servers->history(row);
    chart->setTitle(history.isEmpty() ? tr("No probe yet")
                                      : tr("Latency of %1's probes").arg(m_servers->serverName(row)));
    auto* line = new QLineSeries;
    line->setColor(QColor(0x2f, 0x6f, 0xad));
    auto* bad = new QScatterSeries;
    bad->setColor(StatusColours::strong(HealthStatus::Critical));
    bad->setMarkerSize(9);
    qint64 maxMs = 10;
    for (const ProbePoint& p : history) {
        line->append(qreal(p.at.toMSecsSinceEpoch()), qreal(p.totalMs));
        if (p.status != HealthStatus::Ok)
            bad->append(qreal(p.at.toMSecsSinceEpoch()), qreal(p.totalMs));
        maxMs = qMax(maxMs, p.totalMs);
    }
    chart->addSeries(line);
    chart->addSeries(bad);
    auto* x = new QDateTimeAxis;
    const QDateTime now = Clock::instance().now();
    setTimeRange(x, history.isEmpty() ? now.addSecs(-3600) : history.first().at.addSecs(-30),
                 history.isEmpty() ? now : history.last().at.addSecs(30));
    chart->addAxis(x, Qt::AlignBottom);
    auto* y = new QValueAxis;
    y->setRange(0, qreal(maxMs) * 1.2);
    y->setLabelFormat(QStringLiteral("%d"));
    y->setTitleText(tr("ms"));
    chart->addAxis(y, Qt::AlignLeft);
    for (QAbstractSeries* s : chart->series()) {
        s->attachAxis(x);
        s->attachAxis(y);
    }
    QChart* old = m_latency->chart();
    m_latency->setChart(chart);
    delete old;
}

QString OverviewPage::signInLine(int row) const {
    // The probe never signs in (that spends a challenge password): say what is known about the account instead of
    // letting "OK" imply it works.
    const auto& servers = m_context->inventory().servers();
    if (row < 0 || row >= servers.size() || servers.at(row).auth == service::AdminAuth::None)
        return {};
    const auto signIn = m_context->lastSignIn(servers.at(row).id);
    if (!signIn)
        return QStringLiteral("<p style=\"color:#4a5866\">%1</p>")
            .arg(tr("Sign-in: not checked in this session (these checks do not sign in). Servers → Check sign-in "
                    "tries the saved account.")
                     .toHtmlEscaped());
    const QString at = QLocale().toString(signIn->at.toLocalTime().time(), QLocale::ShortFormat);
    if (signIn->errorCode.isEmpty())
        return QStringLiteral("<p style=\"color:#1d5c2c\">%1</p>")
            .arg(tr("Sign-in: the account was accepted at %1.").arg(at).toHtmlEscaped());
    if (isSignInRefusal(signIn->errorCode))
        return QStringLiteral("<p style=\"color:#b3261e\"><b>%1</b></p>")
            .arg(tr("Sign-in: the admin page refused the account at %1 (%2). The helpdesk cannot get challenge "
                    "passwords with it; correct the password on the Servers page.")
                     .arg(at, signIn->errorCode)
                     .toHtmlEscaped());
    return {};
}

int OverviewPage::selectedServerRow() const {
    const QModelIndex current = m_serverView->currentIndex();
    return current.isValid() ? m_serverSort->mapToSource(current).row() : -1;
}

void OverviewPage::selectServer(int row) {
    const QModelIndex proxy = m_serverSort->mapFromSource(m_servers->index(row, 0));
    m_serverView->setCurrentIndex(proxy);
}

void OverviewPage::notify(const QString& title, const QString& message) {
    emit notificationRaised(title, message);
    if (m_tray && m_tray->isVisible())
        m_tray->showMessage(title, message, QSystemTrayIcon::Warning, 15000);
}

bool OverviewPage::exportTo(const QString& path, QString* error) const {
    const QList<HealthReport> reports = m_servers->reports();
    const QByteArray bytes = path.endsWith(QLatin1String(".csv"), Qt::CaseInsensitive)
                                 ? service::HealthExport::csv(reports)
                                 : service::HealthExport::html(reports, Clock::instance().now());
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size() || !f.commit()) {
        if (error)
            *error = tr("Cannot write %1: %2").arg(path, f.errorString());
        return false;
    }
    return true;
}

void OverviewPage::exportInteractive() {
    if (m_servers->reports().isEmpty()) {
        QMessageBox::information(this, tr("Nothing to export"),
                                 tr("No server has been checked yet. Press Refresh now (F5) first."));
        return;
    }
    QString filter;
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Export health and expiry"), QStringLiteral("ndes-health.html"),
                                     tr("HTML report (*.html);;CSV for spreadsheets (*.csv)"), &filter);
    if (path.isEmpty())
        return;
    QString error;
    if (!exportTo(path, &error)) {
        QMessageBox::warning(this, tr("Export failed"), error);
        return;
    }
    emit statusMessage(tr("Exported to %1.").arg(path));
}

void OverviewPage::openRaRenewal(int serverRow) {
    const HealthReport* r = m_servers->report(serverRow);
    if (!r || Access::readOnly())
        return;
    RaRenewalDialog dialog(*r, this);
    dialog.exec();
}

} // namespace ndes::ui
