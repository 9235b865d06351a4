// SPDX-License-Identifier: Apache-2.0
#include "AuditPage.h"

#include "ConsoleContext.h"
#include "EvidenceViewer.h"
#include "FlowLayout.h"
#include "PlainText.h"
#include "SnapshotCompareDialog.h"
#include "audit/AuditPdf.h"
#include "audit/AuditReport.h"
#include "directory/LdapConnection.h"
#include "ndes/HealthProbe.h"
#include "util/Clock.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMimeData>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QShortcut>
#include <QSplitter>
#include <QStandardItemModel>
#include <QTabWidget>
#include <QTextBrowser>
#include <QTreeView>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace ndes::ui {

namespace {
constexpr int FindingIndexRole = Qt::UserRole + 1; // index into the result's findings; -1 for a group row

QString tr(const char* text, const char* disambiguation = nullptr, int n = -1) {
    return QCoreApplication::translate("AuditPage", text, disambiguation, n);
}

// The areas as an auditor reads them; the catalogue's names as keys.
QString areaTitle(const QString& area) {
    if (area == QLatin1String("registry"))
        return tr("Registry");
    if (area == QLatin1String("iis-tls"))
        return tr("IIS and TLS");
    if (area == QLatin1String("certificates"))
        return tr("Certificates");
    if (area == QLatin1String("accounts"))
        return tr("Accounts");
    if (area == QLatin1String("templates"))
        return tr("Templates");
    if (area == QLatin1String("logs"))
        return tr("Logs");
    if (area == QLatin1String("host"))
        return tr("Host");
    if (area == QLatin1String("live"))
        return tr("Live look");
    if (area == QLatin1String("evidence"))
        return tr("Evidence");
    return area;
}

QString severityTitle(audit::Severity s) {
    switch (s) {
    case audit::Severity::Critical:
        return tr("Critical");
    case audit::Severity::High:
        return tr("High");
    case audit::Severity::Medium:
        return tr("Medium");
    case audit::Severity::Low:
        return tr("Low");
    case audit::Severity::Info:
        return tr("Info");
    }
    return {};
}

QColor severityColor(audit::Severity s) {
    switch (s) {
    case audit::Severity::Critical:
        return QColor(0xb3, 0x26, 0x1e);
    case audit::Severity::High:
        return QColor(0xb4, 0x3c, 0x0c);
    case audit::Severity::Medium:
        return QColor(0x8a, 0x5a, 0x00);
    case audit::Severity::Low:
        return QColor(0x2f, 0x6f, 0xad);
    case audit::Severity::Info:
        return QColor(0x5f, 0x6b, 0x7a);
    }
    return {};
}

// A key that works while this page is shown (the Events page has its own Ctrl+O, the Overview its F5).
QShortcut* pageShortcut(QKeySequence::StandardKey key, QWidget* page) {
    auto* s = new QShortcut(key, page);
    s->setContext(Qt::WidgetWithChildrenShortcut);
    return s;
}

// Evidence is the server's text: shown, never interpreted (no markup, no control characters).
QString shown(QString s) {
    for (QChar& c : s)
        if ((c.unicode() < 0x20 && c != QLatin1Char('\n') && c != QLatin1Char('\t')) ||
            (c.unicode() >= 0x7F && c.unicode() < 0xA0))
            c = QChar(0xFFFD);
    return s.toHtmlEscaped();
}
} // namespace

// One audit in progress: the snapshot read, the live look, the directory read, then the checks.
struct AuditPage::Run {
    quint64 generation = 0;
    QString source;
    std::shared_ptr<audit::Snapshot> snapshot;
    std::optional<inventory::ServerProfile> profile;
    bool directory = false;
    audit::AuditOptions options;
    std::shared_ptr<directory::DirectoryData> directoryData;
    QPointer<service::HealthMonitor> monitor;
};

AuditPage::AuditPage(ConsoleContext* context, QWidget* parent)
    : QWidget(parent)
    , m_context(context) {
    setAcceptDrops(true);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(24, 20, 24, 16);
    auto* title = new QLabel(tr("Configuration audit"), this);
    title->setObjectName(QStringLiteral("pageTitle"));
    layout->addWidget(title);
    auto* intro = new QLabel(tr("Open the snapshot Collect-NdesSnapshot.ps1 wrote (its zip or folder) or a folder of "
                                "files exported from the server — or drop it here. Each finding shows the evidence, "
                                "why it matters and the remedy. Nothing is changed anywhere."),
                             this);
    intro->setObjectName(QStringLiteral("pageIntro"));
    intro->setWordWrap(true);
    layout->addWidget(intro);

    auto* barBox = new QWidget(this);
    auto* bar = new FlowLayout(barBox);
    auto* openZip = new QPushButton(tr("&Open snapshot…"), this);
    openZip->setToolTip(tr("Open the zip Collect-NdesSnapshot.ps1 wrote (Ctrl+O)"));
    connect(openZip, &QPushButton::clicked, this, &AuditPage::chooseZip);
    connect(pageShortcut(QKeySequence::Open, this), &QShortcut::activated, this, &AuditPage::chooseZip);
    auto* openFolder = new QPushButton(tr("Open fo&lder…"), this);
    openFolder->setToolTip(tr("Open a snapshot folder, or any folder of files exported from the server"));
    connect(openFolder, &QPushButton::clicked, this, &AuditPage::chooseFolder);
    bar->addWidget(openZip);
    bar->addWidget(openFolder);
    m_liveServer = new QComboBox(this);
    m_liveServer->setAccessibleName(tr("Live look at a server"));
    m_liveServer->setToolTip(tr("Also look at a server live, read-only: its SCEP answers and certificates (no "
                                "password is used, nothing is issued)"));
    m_liveServer->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_liveServer->setMinimumContentsLength(18);
    auto* liveLabel = new QLabel(tr("Live loo&k:"), this);
    liveLabel->setBuddy(m_liveServer);
    bar->addWidget(FlowLayout::group(this, {liveLabel, m_liveServer}));
    m_liveDirectory = new QCheckBox(tr("with its Active &Directory"), this);
    m_liveDirectory->setToolTip(tr("Read the certificate templates, the CA's published templates and the service "
                                   "account over LDAPS, with the server profile's directory settings"));
    bar->addWidget(m_liveDirectory);
    m_runButton = new QPushButton(tr("&Run audit"), this);
    m_runButton->setObjectName(QStringLiteral("primaryButton"));
    m_runButton->setToolTip(tr("Audit again: the snapshot opened and the live look chosen (F5)"));
    connect(m_runButton, &QPushButton::clicked, this, &AuditPage::runAudit);
    connect(pageShortcut(QKeySequence::Refresh, this), &QShortcut::activated, this, &AuditPage::runAudit);
    bar->addWidget(m_runButton);
    m_exportButton = new QPushButton(tr("&Export…"), this);
    m_exportButton->setToolTip(tr("Save the report as HTML, PDF, JSON or CSV (the same as ndesctl audit writes)"));
    connect(m_exportButton, &QPushButton::clicked, this, &AuditPage::chooseExport);
    bar->addWidget(m_exportButton);
    auto* compare = new QPushButton(tr("&Compare…"), this);
    auto* compareMenu = new QMenu(compare);
    compareMenu->addAction(tr("Two snapshots (drift)…"), this, &AuditPage::compareSnapshots);
    compareMenu->addAction(tr("Several servers (fleet)…"), this, &AuditPage::compareFleet);
    compare->setMenu(compareMenu);
    bar->addWidget(compare);
    layout->addWidget(barBox);
    connect(m_liveServer, &QComboBox::currentIndexChanged, this, [this] {
        const auto profile = m_context->inventory().find(m_liveServer->currentData().toString());
        m_liveDirectory->setEnabled(profile && !profile->directoryUrl.isEmpty());
        if (!m_liveDirectory->isEnabled())
            m_liveDirectory->setChecked(false);
        m_runButton->setEnabled(!isRunning() && (!m_source.isEmpty() || m_liveServer->currentIndex() > 0));
    });
    connect(m_context, &ConsoleContext::inventoryChanged, this, &AuditPage::reloadServers);

    auto* busyRow = new QHBoxLayout;
    m_progress = new QProgressBar(this);
    m_progress->setRange(0, 0);
    m_progress->setMaximumWidth(160);
    m_progress->setAccessibleName(tr("Audit in progress"));
    m_busyLabel = new QLabel(this);
    m_busyLabel->setTextFormat(Qt::PlainText); // names a path, a server, a URL
    m_cancel = new QPushButton(tr("Cancel"), this);
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        if (m_run && m_run->monitor) {
            m_run->monitor->cancel();
            m_run->monitor->deleteLater();
        }
        m_run.reset();
        ++m_generation;
        setBusy(false);
        emit statusMessage(tr("Audit cancelled."));
    });
    busyRow->addWidget(m_progress);
    busyRow->addWidget(m_busyLabel, 1);
    busyRow->addWidget(m_cancel);
    layout->addLayout(busyRow);

    m_sourceLabel = new QLabel(this);
    m_sourceLabel->setWordWrap(true);
    m_sourceLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_sourceLabel->setObjectName(QStringLiteral("details"));
    m_sourceLabel->setTextFormat(Qt::RichText); // everything from the snapshot in it is escaped
    layout->addWidget(m_sourceLabel);
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("summaryLine"));
    m_summary->setTextFormat(Qt::RichText);
    m_summary->setWordWrap(true);
    layout->addWidget(m_summary);

    auto* filterBox = new QWidget(this);
    auto* filters = new FlowLayout(filterBox);
    m_groupBy = new QComboBox(this);
    m_groupBy->addItem(tr("Severity"));
    m_groupBy->addItem(tr("Area"));
    m_groupBy->setAccessibleName(tr("Group findings by"));
    auto* groupLabel = new QLabel(tr("&Group by:"), this);
    groupLabel->setBuddy(m_groupBy);
    filters->addWidget(FlowLayout::group(this, {groupLabel, m_groupBy}));
    m_minSeverity = new QComboBox(this);
    for (audit::Severity s : {audit::Severity::Info, audit::Severity::Low, audit::Severity::Medium,
                              audit::Severity::High, audit::Severity::Critical})
        m_minSeverity->addItem(
            s == audit::Severity::Info ? tr("All severities") : tr("%1 and worse").arg(severityTitle(s)), int(s));
    m_minSeverity->setAccessibleName(tr("Lowest severity shown"));
    auto* severityLabel = new QLabel(tr("Sho&w:"), this);
    severityLabel->setBuddy(m_minSeverity);
    filters->addWidget(FlowLayout::group(this, {severityLabel, m_minSeverity}));
    m_area = new QComboBox(this);
    m_area->addItem(tr("All areas"), QString());
    for (const char* a :
         {"registry", "iis-tls", "certificates", "accounts", "templates", "logs", "host", "live", "evidence"})
        m_area->addItem(areaTitle(QLatin1String(a)), QLatin1String(a));
    m_area->setAccessibleName(tr("Area shown"));
    filters->addWidget(m_area);
    m_search = new QLineEdit(this);
    m_search->setPlaceholderText(tr("Search findings and evidence (Ctrl+F)"));
    m_search->setClearButtonEnabled(true);
    m_search->setAccessibleName(tr("Search findings"));
    m_search->setMinimumWidth(280);
    connect(pageShortcut(QKeySequence::Find, this), &QShortcut::activated, this, [this] {
        m_search->setFocus();
        m_search->selectAll();
    });
    filters->addWidget(m_search);
    layout->addWidget(filterBox);
    connect(m_groupBy, &QComboBox::currentIndexChanged, this, &AuditPage::rebuild);
    connect(m_minSeverity, &QComboBox::currentIndexChanged, this, &AuditPage::rebuild);
    connect(m_area, &QComboBox::currentIndexChanged, this, &AuditPage::rebuild);
    connect(m_search, &QLineEdit::textChanged, this, &AuditPage::rebuild);

    m_tabs = new QTabWidget(this);
    auto* split = new QSplitter(Qt::Horizontal, m_tabs);
    m_model = new QStandardItemModel(this);
    m_tree = new QTreeView(split);
    m_tree->setObjectName(QStringLiteral("auditFindings"));
    m_tree->setAccessibleName(tr("Findings"));
    m_tree->setModel(m_model);
    m_tree->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(true);
    m_detail = new QTextBrowser(split);
    m_detail->setObjectName(QStringLiteral("auditDetail"));
    m_detail->setAccessibleName(tr("Finding details"));
    m_detail->setOpenLinks(false);
    connect(m_detail, &QTextBrowser::anchorClicked, this, [this](const QUrl& url) {
        if (url.scheme() == QLatin1String("evidence"))
            openEvidence(url.path().toInt());
    });
    auto* detailBox = new QWidget(split);
    auto* detailLayout = new QVBoxLayout(detailBox);
    detailLayout->setContentsMargins(0, 0, 0, 0);
    detailLayout->addWidget(m_detail, 1);
    auto* copyRow = new QHBoxLayout;
    copyRow->addStretch(1);
    m_copyRemedy = new QPushButton(tr("Copy re&medy"), this);
    m_copyScript = new QPushButton(tr("Copy scri&pt"), this);
    m_copyScript->setToolTip(tr("Copy the PowerShell that applies the remedy (read it before you run it)"));
    copyRow->addWidget(m_copyRemedy);
    copyRow->addWidget(m_copyScript);
    detailLayout->addLayout(copyRow);
    connect(m_copyRemedy, &QPushButton::clicked, this, [this] {
        if (const audit::Finding* f = currentFinding()) {
            QApplication::clipboard()->setText(f->remedy);
            emit statusMessage(tr("Remedy of %1 copied.").arg(f->id));
        }
    });
    connect(m_copyScript, &QPushButton::clicked, this, [this] {
        if (const audit::Finding* f = currentFinding(); f && !f->remedyScript.isEmpty()) {
            QApplication::clipboard()->setText(f->remedyScript);
            emit statusMessage(tr("Remedy script of %1 copied.").arg(f->id));
        }
    });
    split->addWidget(m_tree);
    split->addWidget(detailBox);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    split->setSizes({560, 440});
    m_tabs->addTab(split, tr("F&indings"));
    m_notChecked = new QTreeWidget(m_tabs);
    m_notChecked->setObjectName(QStringLiteral("notChecked"));
    m_notChecked->setAccessibleName(tr("Checks not made"));
    m_notChecked->setHeaderLabels({tr("Check"), tr("Title"), tr("Why not")});
    m_notChecked->setRootIsDecorated(false);
    m_notChecked->setWordWrap(true);
    m_tabs->addTab(m_notChecked, tr("&Not checked"));
    m_files = new QTreeWidget(m_tabs);
    m_files->setObjectName(QStringLiteral("auditFiles"));
    m_files->setAccessibleName(tr("Files looked at"));
    m_files->setHeaderLabels({tr("File"), tr("Recognised as"), tr("Size"), tr("SHA-256"), tr("Problem")});
    m_files->setRootIsDecorated(false);
    m_tabs->addTab(m_files, tr("File&s"));
    layout->addWidget(m_tabs, 1);
    connect(m_tree->selectionModel(), &QItemSelectionModel::currentChanged, this, &AuditPage::showDetail);
    connect(m_tree, &QTreeView::activated, this, [this](const QModelIndex& index) {
        // Enter on a finding opens its first evidence.
        if (index.siblingAtColumn(0).data(FindingIndexRole).toInt() >= 0)
            openEvidence(0);
    });

    reloadServers();
    setBusy(false);
    showSummary();
    showDetail();
}

AuditPage::~AuditPage() = default;

void AuditPage::reloadServers() {
    const QString current = m_liveServer->currentData().toString();
    QSignalBlocker block(m_liveServer);
    m_liveServer->clear();
    m_liveServer->addItem(tr("None (the snapshot only)"), QString());
    for (const inventory::ServerProfile& p : m_context->inventory().servers())
        m_liveServer->addItem(p.name, p.id);
    const int at = m_liveServer->findData(current);
    m_liveServer->setCurrentIndex(at < 0 ? 0 : at);
    block.unblock();
    emit m_liveServer->currentIndexChanged(m_liveServer->currentIndex());
}

void AuditPage::setLive(const QString& profileId, bool directory) {
    const int at = m_liveServer->findData(profileId);
    m_liveServer->setCurrentIndex(at < 0 ? 0 : at);
    m_liveDirectory->setChecked(directory && m_liveDirectory->isEnabled());
}

bool AuditPage::isRunning() const {
    return m_run != nullptr;
}

void AuditPage::setBusy(bool busy, const QString& what) {
    m_progress->setVisible(busy);
    m_busyLabel->setVisible(busy);
    m_busyLabel->setText(what);
    m_cancel->setVisible(busy);
    m_runButton->setEnabled(!busy && (!m_source.isEmpty() || m_liveServer->currentIndex() > 0));
    m_exportButton->setEnabled(!busy && m_result.has_value());
}

void AuditPage::chooseZip() {
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Open a snapshot"), QString(), tr("Snapshots (*.zip);;All files (*)"));
    if (!path.isEmpty())
        openSource(path);
}

void AuditPage::chooseFolder() {
    const QString path = QFileDialog::getExistingDirectory(this, tr("Open a snapshot folder or exported files"));
    if (!path.isEmpty())
        openSource(path);
}

void AuditPage::openSource(const QString& path) {
    m_source = path;
    runAudit();
}

void AuditPage::runAudit() {
    if (m_source.isEmpty() && m_liveServer->currentIndex() <= 0) {
        emit statusMessage(tr("Open a snapshot or a folder first, or choose a server for a live look."));
        return;
    }
    if (m_run && m_run->monitor) {
        m_run->monitor->cancel();
        m_run->monitor->deleteLater();
    }
    m_run = std::make_shared<Run>();
    m_run->generation = ++m_generation;
    m_run->source = m_source;
    m_run->options.now = Clock::instance().now();
    if (m_liveServer->currentIndex() > 0)
        if (const inventory::ServerProfile* p = m_context->inventory().find(m_liveServer->currentData().toString()))
            m_run->profile = *p;
    m_run->directory = m_liveDirectory->isChecked() && m_run->profile && !m_run->profile->directoryUrl.isEmpty();
    startRun();
}

void AuditPage::startRun() {
    const std::shared_ptr<Run> run = m_run;
    if (run->source.isEmpty()) {
        run->snapshot = std::make_shared<audit::Snapshot>();
        return stepLive();
    }
    setBusy(true, tr("Reading %1…").arg(QDir::toNativeSeparators(run->source)));
    using Loaded = Result<audit::Snapshot>;
    auto* watcher = new QFutureWatcher<Loaded>(this);
    connect(watcher, &QFutureWatcher<Loaded>::finished, this, [this, watcher, run] {
        watcher->deleteLater();
        if (run != m_run)
            return; // cancelled or replaced
        Loaded loaded = watcher->result();
        if (!loaded)
            return finishRun(loaded.error().message);
        run->snapshot = std::make_shared<audit::Snapshot>(std::move(*loaded));
        stepLive();
    });
    watcher->setFuture(QtConcurrent::run([path = run->source] { return audit::Snapshot::load(path); }));
}

void AuditPage::stepLive() {
    const std::shared_ptr<Run> run = m_run;
    if (!run->profile)
        return stepDirectory();
    setBusy(true, tr("Looking at %1 live (read-only)…").arg(run->profile->name));
    service::HealthTarget target = run->profile->healthTarget();
    target.directory = {}; // the directory is read below, in full
    // Read-only as `ndesctl audit --url`: the admin page is not visited (an open one issues a password per visit).
    target.adminUrl = QUrl();
    auto* monitor = new service::HealthMonitor(this);
    run->monitor = monitor;
    connect(monitor, &service::HealthMonitor::roundFinished, this,
            [this, run, monitor](const QList<service::HealthReport>& reports) {
                monitor->deleteLater();
                if (run != m_run)
                    return;
                if (!reports.isEmpty())
                    run->options.live = reports.first();
                stepDirectory();
            });
    monitor->probeAll({target});
}

void AuditPage::stepDirectory() {
    const std::shared_ptr<Run> run = m_run;
    if (!run->directory)
        return stepAudit();
    const inventory::ServerProfile& p = *run->profile;
    setBusy(true, tr("Reading Active Directory at %1…").arg(p.directoryUrl.toString()));
    directory::LdapOptions options;
    options.url = p.directoryUrl;
    options.caFile = p.directoryCaFile;
    options.bind = p.directoryKerberos ? directory::LdapOptions::Bind::Kerberos : directory::LdapOptions::Bind::Simple;
    options.bindDn = p.directoryBindDn.trimmed();
    directory::DirectoryRequest request;
    QString account = p.serviceAccount;
    if (account.isEmpty() && run->snapshot)
        account = audit::scepPoolAccount(*run->snapshot);
    if (!account.isEmpty())
        request.accounts << account;
    const auto read = [this, run, request](directory::LdapOptions o) {
        using Read = Result<directory::DirectoryData>;
        auto* watcher = new QFutureWatcher<Read>(this);
        connect(watcher, &QFutureWatcher<Read>::finished, this, [this, watcher, run] {
            watcher->deleteLater();
            if (run != m_run)
                return;
            Read r = watcher->result();
            if (r)
                run->directoryData = std::make_shared<directory::DirectoryData>(std::move(*r));
            else
                run->options.directoryProblem = r.error().message;
            stepAudit();
        });
        watcher->setFuture(QtConcurrent::run([o = std::move(o), request]() -> Read {
            QString why;
            auto ldap = directory::LdapConnection::open(o, &why);
            if (!ldap)
                return makeError(ErrorKind::Network, why);
            auto got = directory::readDirectory(*ldap, request, &why);
            if (!got)
                return makeError(ErrorKind::BadReply, why);
            return std::move(*got);
        }));
    };
    if (p.directoryKerberos)
        return read(std::move(options));
    // A simple bind: the password from this session or the keychain; never asked for here.
    m_context->directoryPasswords()(p.directoryCredentialKey(), [this, self = QPointer<AuditPage>(this), run, read,
                                                                 options](Result<SecretBytes> password) mutable {
        if (!self || run != m_run)
            return; // the page is gone (the keychain answers later), or the run was cancelled
        if (!password || password->isEmpty()) {
            run->options.directoryProblem =
                tr("no password for the directory account %1 is stored (enter it in the server's settings).")
                    .arg(options.bindDn);
            return stepAudit();
        }
        options.password = std::move(*password);
        read(std::move(options));
    });
}

void AuditPage::stepAudit() {
    const std::shared_ptr<Run> run = m_run;
    setBusy(true, tr("Running the checks…"));
    if (run->directoryData)
        run->options.directory = run->directoryData.get();
    auto* watcher = new QFutureWatcher<Result<audit::AuditResult>>(this);
    connect(watcher, &QFutureWatcher<Result<audit::AuditResult>>::finished, this, [this, watcher, run] {
        watcher->deleteLater();
        if (run != m_run)
            return;
        const Result<audit::AuditResult> r = watcher->result();
        if (!r)
            return finishRun(r.error().message);
        m_result = *r;
        m_snapshot = run->snapshot;
        finishRun(QString());
    });
    watcher->setFuture(QtConcurrent::run([run]() -> Result<audit::AuditResult> {
        auto catalogue = audit::Catalogue::builtIn();
        if (!catalogue)
            return catalogue.error();
        return audit::runAudit(*catalogue, *run->snapshot, run->options);
    }));
}

void AuditPage::finishRun(const QString& error) {
    m_run.reset();
    setBusy(false);
    if (!error.isEmpty()) {
        m_sourceLabel->setText(tr("<b>The audit could not run:</b> %1").arg(error.toHtmlEscaped()));
        emit statusMessage(tr("The audit could not run: %1").arg(error));
        emit auditFinished();
        return;
    }
    showSummary();
    rebuild();
    m_notChecked->clear();
    for (const audit::NotChecked& n : m_result->notChecked) {
        auto* item = new QTreeWidgetItem(m_notChecked, {n.id, n.title, n.why});
        item->setToolTip(2, plainToolTip(n.why));
    }
    m_notChecked->resizeColumnToContents(0);
    m_notChecked->setColumnWidth(1, 320);
    m_files->clear();
    for (const audit::SnapshotFile& f : m_result->files)
        new QTreeWidgetItem(m_files, {f.name, f.kind, QLocale().formattedDataSize(f.size), f.sha256, f.problem});
    for (int c = 0; c < 3; ++c)
        m_files->resizeColumnToContents(c);
    m_tabs->setTabText(1, tr("&Not checked (%1)").arg(m_result->notChecked.size()));
    m_tabs->setTabText(2, tr("File&s (%1)").arg(m_result->files.size()));
    emit statusMessage(tr("Audit done: %n finding(s).", nullptr, int(m_result->findings.size())));
    emit auditFinished();
}

void AuditPage::showSummary() {
    if (!m_result) {
        m_sourceLabel->setText(tr("No audit yet. Get the collector with <code>ndesctl collector --out "
                                  "Collect-NdesSnapshot.ps1</code> and run it on the NDES server; it changes "
                                  "nothing there."));
        m_summary->clear();
        return;
    }
    const audit::AuditResult& r = *m_result;
    QStringList where;
    where << (r.host.isEmpty() ? tr("an unnamed server") : r.host.toHtmlEscaped());
    if (!m_source.isEmpty())
        where << QDir::toNativeSeparators(m_source).toHtmlEscaped();
    if (r.collectedAt.isValid())
        where << tr("collected %1").arg(QLocale().toString(r.collectedAt.toLocalTime(), QLocale::ShortFormat));
    if (!r.collectedBy.isEmpty())
        where << tr("by %1").arg(r.collectedBy.toHtmlEscaped());
    if (!r.liveUrl.isEmpty())
        where << tr("live look at %1").arg(r.liveUrl.toHtmlEscaped());
    if (!r.directorySource.isEmpty())
        where << tr("directory %1").arg(r.directorySource.toHtmlEscaped());
    where << tr("catalogue %1").arg(r.catalogueVersion.toHtmlEscaped());
    QString text = where.join(QStringLiteral(" · "));
    if (!r.problems.isEmpty())
        text += QStringLiteral("<br><span style=\"color:#8a5a00\">") +
                tr("%n file(s) could not be used (see Files).", nullptr, int(r.problems.size())) +
                QStringLiteral("</span>");
    m_sourceLabel->setText(text);
    QStringList chips;
    for (audit::Severity s : {audit::Severity::Critical, audit::Severity::High, audit::Severity::Medium,
                              audit::Severity::Low, audit::Severity::Info}) {
        const int n = r.count(s);
        chips << QStringLiteral("<span style=\"color:%1;font-weight:%2\">%3 %4</span>")
                     .arg(n > 0 ? severityColor(s).name() : QStringLiteral("#8a96a3"),
                          n > 0 ? QStringLiteral("600") : QStringLiteral("normal"))
                     .arg(n)
                     .arg(severityTitle(s).toHtmlEscaped());
    }
    chips << tr("%1 not checked").arg(r.notChecked.size()) << tr("%1 passed").arg(r.passed.size());
    m_summary->setText(chips.join(QStringLiteral(" &nbsp;·&nbsp; ")));
}

void AuditPage::rebuild() {
    const QString selectedId = currentFinding() ? currentFinding()->id : QString();
    m_model->clear();
    m_model->setHorizontalHeaderLabels({tr("Finding"), tr("Check")});
    if (!m_result) {
        showDetail();
        return;
    }
    const bool byArea = m_groupBy->currentIndex() == 1;
    const auto minimum = static_cast<audit::Severity>(m_minSeverity->currentData().toInt());
    const QString area = m_area->currentData().toString();
    const QString needle = m_search->text().trimmed();
    QMap<QString, QStandardItem*> groups; // by sort key
    QMap<QString, int> counts;
    QList<QString> order;
    const QList<audit::Finding>& findings = m_result->findings;
    for (int i = 0; i < findings.size(); ++i) {
        const audit::Finding& f = findings[i];
        if (f.severity < minimum || (!area.isEmpty() && f.area != area))
            continue;
        if (!needle.isEmpty()) {
            QStringList hay{f.id, f.title, f.detail, f.why, f.remedy, areaTitle(f.area)};
            for (const audit::Evidence& e : f.evidence)
                hay << e.source << e.path << e.value;
            if (!hay.join(QLatin1Char('\n')).contains(needle, Qt::CaseInsensitive))
                continue;
        }
        const QString key = byArea ? f.area : QString::number(9 - int(f.severity));
        QStandardItem* group = groups.value(key);
        if (!group) {
            group = new QStandardItem(byArea ? areaTitle(f.area) : severityTitle(f.severity));
            group->setData(-1, FindingIndexRole);
            QFont bold = group->font();
            bold.setBold(true);
            group->setFont(bold);
            if (!byArea)
                group->setForeground(severityColor(f.severity));
            groups.insert(key, group);
        }
        ++counts[key];
        auto* name = new QStandardItem(f.title);
        name->setData(i, FindingIndexRole);
        if (byArea) {
            name->setText(QStringLiteral("%1 — %2").arg(severityTitle(f.severity), f.title));
            name->setForeground(severityColor(f.severity));
        }
        name->setToolTip(plainToolTip(f.detail.isEmpty() ? f.title : f.title + QLatin1Char('\n') + f.detail));
        group->appendRow({name, new QStandardItem(f.id)});
    }
    // Severity groups worst first (their keys sort so); areas in the order of the area filter.
    QStringList keys = groups.keys();
    if (byArea) {
        QStringList ordered;
        for (int i = 1; i < m_area->count(); ++i)
            if (keys.contains(m_area->itemData(i).toString()))
                ordered << m_area->itemData(i).toString();
        for (const QString& k : keys)
            if (!ordered.contains(k))
                ordered << k;
        keys = ordered;
    }
    for (const QString& k : keys) {
        QStandardItem* group = groups.value(k);
        group->setText(QStringLiteral("%1 (%2)").arg(group->text()).arg(counts.value(k)));
        m_model->appendRow({group, new QStandardItem});
    }
    m_tree->expandAll();
    // The title takes the room; the check id is as wide as the widest.
    m_tree->header()->setStretchLastSection(false);
    m_tree->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_tree->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    if (!selectedId.isEmpty() && !selectFinding(selectedId))
        showDetail();
    else if (selectedId.isEmpty() && shownFindings() > 0)
        m_tree->setCurrentIndex(m_model->index(0, 0, m_model->index(0, 0)));
    if (shownFindings() == 0)
        showDetail();
}

int AuditPage::shownFindings() const {
    int n = 0;
    for (int g = 0; g < m_model->rowCount(); ++g)
        n += m_model->item(g)->rowCount();
    return n;
}

bool AuditPage::selectFinding(const QString& id) {
    for (int g = 0; g < m_model->rowCount(); ++g) {
        QStandardItem* group = m_model->item(g);
        for (int r = 0; r < group->rowCount(); ++r)
            if (group->child(r, 1)->text() == id) {
                m_tree->setCurrentIndex(group->child(r, 0)->index());
                m_tree->scrollTo(group->child(r, 0)->index());
                return true;
            }
    }
    return false;
}

void AuditPage::setGroupByArea(bool byArea) {
    m_groupBy->setCurrentIndex(byArea ? 1 : 0);
}

void AuditPage::setSearchText(const QString& text) {
    m_search->setText(text);
}

void AuditPage::setMinimumSeverity(audit::Severity s) {
    m_minSeverity->setCurrentIndex(m_minSeverity->findData(int(s)));
}

const audit::Finding* AuditPage::currentFinding() const {
    if (!m_result)
        return nullptr;
    const QModelIndex index = m_tree->currentIndex();
    if (!index.isValid())
        return nullptr;
    const int i = index.siblingAtColumn(0).data(FindingIndexRole).toInt();
    if (i < 0 || i >= m_result->findings.size())
        return nullptr;
    return &m_result->findings[i];
}

void AuditPage::showDetail() {
    const audit::Finding* f = currentFinding();
    m_copyRemedy->setEnabled(f != nullptr);
    m_copyScript->setEnabled(f && !f->remedyScript.isEmpty());
    if (!f) {
        m_detail->setHtml(
            m_result ? (m_result->findings.isEmpty()
                            ? tr("<p>No finding. %n check(s) passed; see <b>Not checked</b> for what could not be "
                                 "checked with this evidence.</p>",
                                 nullptr, int(m_result->passed.size()))
                            : tr("<p style=\"color:#4a5866\">Select a finding to see its evidence, why it matters "
                                 "and the remedy.</p>"))
                     : tr("<p style=\"color:#4a5866\">Open a snapshot (Ctrl+O) or drop its zip or folder on this "
                          "page.</p>"));
        return;
    }
    QString html = QStringLiteral("<h3 style=\"margin-bottom:2px\">%1</h3>").arg(f->title.toHtmlEscaped());
    html += QStringLiteral("<p style=\"margin-top:0\"><span style=\"color:%1;font-weight:600\">%2</span> · %3 · "
                           "<code>%4</code></p>")
                .arg(severityColor(f->severity).name(), severityTitle(f->severity), areaTitle(f->area).toHtmlEscaped(),
                     f->id.toHtmlEscaped());
    html += QStringLiteral("<p>%1</p>").arg(shown(f->detail));
    html += QStringLiteral("<h4>%1</h4><table cellspacing=\"0\" cellpadding=\"3\" width=\"100%\">").arg(tr("Evidence"));
    for (int i = 0; i < f->evidence.size(); ++i) {
        const audit::Evidence& e = f->evidence[i];
        const bool isFile = m_snapshot && !e.source.isEmpty() && QFileInfo(m_snapshot->absolutePath(e.source)).isFile();
        html += QStringLiteral("<tr><td valign=\"top\">%1</td><td valign=\"top\"><code>%2</code></td>"
                               "<td valign=\"top\"><b><code>%3</code></b></td></tr>")
                    .arg(isFile ? QStringLiteral("<a href=\"evidence:%1\">%2</a>").arg(i).arg(shown(e.source))
                                : shown(e.source),
                         shown(e.path), shown(e.value));
    }
    html += QStringLiteral("</table>");
    html += QStringLiteral("<h4>%1</h4><p>%2</p>").arg(tr("Why it matters"), shown(f->why));
    html += QStringLiteral("<h4>%1</h4><p>%2</p>").arg(tr("Remedy"), shown(f->remedy));
    if (!f->remedyScript.isEmpty())
        html += QStringLiteral("<pre style=\"background:#f6f8fa\">%1</pre>").arg(shown(f->remedyScript));
    if (!f->sources.isEmpty()) {
        html += QStringLiteral("<h4>%1</h4><ul>").arg(tr("Sources"));
        for (const QString& s : f->sources)
            html += QStringLiteral("<li>%1</li>").arg(shown(s));
        html += QStringLiteral("</ul>");
    }
    m_detail->setHtml(html);
}

void AuditPage::openEvidence(int index) {
    const audit::Finding* f = currentFinding();
    if (!f || !m_snapshot || index < 0 || index >= f->evidence.size())
        return;
    auto* viewer = new EvidenceViewer(*m_snapshot, f->evidence[index], this);
    viewer->setAttribute(Qt::WA_DeleteOnClose);
    viewer->show();
}

void AuditPage::chooseExport() {
    if (!m_result)
        return;
    const QString host = m_result->host.isEmpty() ? QStringLiteral("ndes") : m_result->host;
    QString selected;
    const QString html = tr("HTML report (*.html)");
    const QString pdf = tr("PDF report (*.pdf)");
    const QString json = tr("JSON (*.json)");
    const QString csv = tr("CSV for a spreadsheet (*.csv)");
    QString path = QFileDialog::getSaveFileName(
        this, tr("Export the audit"),
        QStringLiteral("ndes-audit-%1-%2.html").arg(host, Clock::instance().now().toString(QStringLiteral("yyyyMMdd"))),
        QStringList{html, pdf, json, csv}.join(QStringLiteral(";;")), &selected);
    if (path.isEmpty())
        return;
    if (QFileInfo(path).suffix().isEmpty())
        path += selected == pdf    ? QStringLiteral(".pdf")
                : selected == json ? QStringLiteral(".json")
                : selected == csv  ? QStringLiteral(".csv")
                                   : QStringLiteral(".html");
    if (Status s = exportTo(path); !s)
        emit statusMessage(tr("Export failed: %1").arg(s.error().message));
    else
        emit statusMessage(tr("Saved %1.").arg(QDir::toNativeSeparators(path)));
}

Status AuditPage::exportTo(const QString& path) {
    if (!m_result)
        return makeError(ErrorKind::Usage, tr("There is no audit to export yet."));
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("pdf"))
        return audit::writeAuditPdf(*m_result, path, Clock::instance().now());
    if (suffix != QLatin1String("html") && suffix != QLatin1String("htm") && suffix != QLatin1String("json") &&
        suffix != QLatin1String("csv"))
        return makeError(ErrorKind::Usage, tr("Export as .html, .pdf, .json or .csv (not \"%1\").").arg(suffix));
    return audit::AuditReport::write(*m_result, path, Clock::instance().now());
}

void AuditPage::compareSnapshots() {
    auto* dialog = new SnapshotCompareDialog(SnapshotCompareDialog::Mode::Drift,
                                             m_source.isEmpty() ? QStringList() : QStringList{m_source}, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
}

void AuditPage::compareFleet() {
    auto* dialog = new SnapshotCompareDialog(SnapshotCompareDialog::Mode::Fleet,
                                             m_source.isEmpty() ? QStringList() : QStringList{m_source}, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
}

void AuditPage::dragEnterEvent(QDragEnterEvent* event) {
    const QMimeData* mime = event->mimeData();
    if (mime->hasUrls() && mime->urls().size() == 1 && mime->urls().first().isLocalFile())
        event->acceptProposedAction();
}

void AuditPage::dropEvent(QDropEvent* event) {
    const QList<QUrl> urls = event->mimeData()->urls();
    if (urls.size() == 1 && urls.first().isLocalFile()) {
        event->acceptProposedAction();
        openSource(urls.first().toLocalFile());
    }
}

} // namespace ndes::ui
