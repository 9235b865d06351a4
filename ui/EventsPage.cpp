// SPDX-License-Identifier: Apache-2.0
#include "EventsPage.h"

#include "EventDetail.h"
#include "EventsModel.h"
#include "FlowLayout.h"
#include "ListenerDialog.h"
#include "events/EventFileReader.h"
#include "events/EventJson.h"
#include "util/Clock.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QSaveFile>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QTableView>
#include <QTextBrowser>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>
#include <QtConcurrent>

namespace ndes::ui {

namespace {

QString html(const QString& s) {
    return s.toHtmlEscaped();
}

QSet<int> parseIds(const QString& text, bool* ok = nullptr) {
    QSet<int> ids;
    bool good = true;
    for (const QString& part : text.split(QRegularExpression(QStringLiteral("[,;\\s]+")), Qt::SkipEmptyParts)) {
        bool n = false;
        const int id = part.toInt(&n);
        if (n && id >= 0)
            ids.insert(id);
        else
            good = false;
    }
    if (ok)
        *ok = good;
    return ids;
}

QString idsText(const QSet<int>& ids) {
    QList<int> sorted(ids.begin(), ids.end());
    std::sort(sorted.begin(), sorted.end());
    QStringList parts;
    for (int id : sorted)
        parts << QString::number(id);
    return parts.join(QStringLiteral(", "));
}

} // namespace

struct EventsPage::LoadResult {
    std::unique_ptr<events::EventStore> store;
    QStringList names;
    QStringList problems;
    QString error;
    bool cancelled = false;
};

EventsPage::EventsPage(QWidget* parent)
    : QWidget(parent)
    , m_live(std::make_unique<events::EventStore>(
          QSettings().value(QStringLiteral("events/liveCapacity"), defaultLiveCapacity).toLongLong())) {
    if (auto c = events::EventCatalogue::builtIn())
        m_catalogue = std::move(*c);
    setAcceptDrops(true);
    buildUi();
    m_views.load();
    fillViewCombo(EventViews::ndesViewId);
    applyView(EventViews::ndesViewId);
    m_model->setStore(m_live.get());
    m_liveSynced = m_live->endSeq();
    updateStatus();
}

EventsPage::~EventsPage() {
    if (m_loadCancel)
        m_loadCancel->store(true);
    if (m_loadWatcher)
        m_loadWatcher->waitForFinished();
}

void EventsPage::buildUi() {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(16, 14, 16, 10);
    layout->setSpacing(8);

    auto* title = new QLabel(tr("<h2>Events</h2>"), this);
    auto* intro = new QLabel(tr("NDES events from event log files (EVTX, Event XML) or live from a forwarder, each "
                                "explained: what it means, likely causes and the fix. Drop .evtx or .xml files here."),
                             this);
    intro->setWordWrap(true);
    intro->setObjectName(QStringLiteral("hint"));
    layout->addWidget(title);
    layout->addWidget(intro);

    // Source and live controls; both rows wrap on a narrow window (FlowLayout) instead of widening it.
    auto* sourceBar = new QWidget(this);
    auto* sourceRow = new FlowLayout(sourceBar);
    m_sourceCombo = new QComboBox(this);
    m_sourceCombo->setAccessibleName(tr("Events from"));
    m_sourceCombo->addItem(tr("Live events"));
    m_sourceCombo->addItem(tr("Opened files"));
    auto* openButton = new QPushButton(tr("&Open files…"), this);
    openButton->setToolTip(tr("Open .evtx logs (from C:\\Windows\\System32\\winevt\\Logs) or Event XML (Ctrl+O)"));
    m_listenButton = new QPushButton(tr("&Listen…"), this);
    m_listenButton->setToolTip(tr("Receive events live from NXLog, rsyslog, Winlogbeat or ndes-lab"));
    m_followBox = new QCheckBox(tr("Follo&w"), this);
    m_followBox->setChecked(true);
    m_followBox->setToolTip(tr("Scroll to each new event"));
    m_pauseButton = new QPushButton(tr("&Pause"), this);
    m_pauseButton->setCheckable(true);
    m_pauseButton->setToolTip(tr("Freeze the table; events keep arriving and are kept"));
    auto* exportButton = new QPushButton(tr("E&xport…"), this);
    exportButton->setToolTip(tr("Save the events shown (CSV, JSON or Event XML)"));
    sourceRow->addWidget(FlowLayout::group(this, {new QLabel(tr("Events from:"), this), m_sourceCombo}));
    sourceRow->addWidget(openButton);
    sourceRow->addWidget(m_listenButton);
    sourceRow->addWidget(m_followBox);
    sourceRow->addWidget(m_pauseButton);
    m_highlightEdit = new QLineEdit(this);
    m_highlightEdit->setAccessibleName(tr("Highlight event IDs"));
    m_highlightEdit->setToolTip(tr("NDES event IDs shown highlighted (and notified, when Notify is on)"));
    m_highlightEdit->setMaximumWidth(150);
    m_highlightEdit->setText(
        QSettings().value(QStringLiteral("events/highlight"), QStringLiteral("2, 10, 18, 31, 49")).toString());
    m_notifyBox = new QCheckBox(tr("&Notify"), this);
    m_notifyBox->setToolTip(tr("A desktop notification when a highlighted event arrives live"));
    m_notifyBox->setChecked(QSettings().value(QStringLiteral("events/notify"), false).toBool());
    m_notify = m_notifyBox->isChecked();
    sourceRow->addWidget(
        FlowLayout::group(this, {new QLabel(tr("Highlight IDs:"), this), m_highlightEdit, m_notifyBox}));
    sourceRow->addWidget(exportButton);
    layout->addWidget(sourceBar);

    // Filters.
    auto* filterBar = new QWidget(this);
    auto* filterRow = new FlowLayout(filterBar);
    m_viewCombo = new QComboBox(this);
    m_viewCombo->setAccessibleName(tr("Saved view"));
    m_viewCombo->setMinimumWidth(150);
    auto* viewMenuButton = new QToolButton(this);
    viewMenuButton->setText(tr("Views"));
    viewMenuButton->setPopupMode(QToolButton::InstantPopup);
    auto* viewMenu = new QMenu(viewMenuButton);
    viewMenu->addAction(tr("Save current filters as…"), this, &EventsPage::saveViewAs);
    viewMenu->addAction(tr("Delete this view"), this, &EventsPage::deleteView);
    viewMenuButton->setMenu(viewMenu);
    m_levelCombo = new QComboBox(this);
    m_levelCombo->setAccessibleName(tr("Level"));
    const QStringList levelTexts{tr("All levels"), tr("Critical and errors"), tr("Warnings and worse"),
                                 tr("Information")};
    for (qsizetype i = 0; i < levelTexts.size(); ++i)
        m_levelCombo->addItem(levelTexts[i], EventViews::levelKeys[i]);
    m_providerCombo = new QComboBox(this);
    m_providerCombo->setEditable(true);
    m_providerCombo->setAccessibleName(tr("Source"));
    m_providerCombo->setMinimumWidth(170);
    m_providerCombo->setToolTip(tr("A source name, several separated by commas, or Prefix* for all that start so"));
    m_providerCombo->addItem(tr("All sources"), QString());
    m_providerCombo->addItem(tr(EventViews::ndesSourcesName), QLatin1String(events::ndesProvidersKeyword));
    m_idsEdit = new QLineEdit(this);
    m_idsEdit->setPlaceholderText(tr("Event IDs, e.g. 10, 31"));
    m_idsEdit->setAccessibleName(tr("Event IDs"));
    m_idsEdit->setToolTip(tr("Event IDs to show, separated by commas"));
    // Wide enough for its placeholder: squeezed, it read "E…".
    m_idsEdit->setFixedWidth(m_idsEdit->fontMetrics().horizontalAdvance(m_idsEdit->placeholderText()) + 24);
    m_timeCombo = new QComboBox(this);
    m_timeCombo->setAccessibleName(tr("Time"));
    const QStringList timeTexts{tr("Any time"), tr("Last hour"), tr("Last 24 hours"), tr("Last 7 days"),
                                tr("Between…")};
    for (qsizetype i = 0; i < timeTexts.size(); ++i)
        m_timeCombo->addItem(timeTexts[i], EventViews::timeKeys[i]);
    m_fromEdit = new QDateTimeEdit(Clock::instance().now().toLocalTime().addDays(-1), this);
    m_toEdit = new QDateTimeEdit(Clock::instance().now().toLocalTime(), this);
    for (QDateTimeEdit* e : {m_fromEdit, m_toEdit}) {
        e->setCalendarPopup(true);
        e->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm"));
        e->setVisible(false);
    }
    m_fromEdit->setAccessibleName(tr("From"));
    m_toEdit->setAccessibleName(tr("To"));
    m_textEdit = new QLineEdit(this);
    m_textEdit->setPlaceholderText(tr("Search text (Ctrl+F)"));
    m_textEdit->setAccessibleName(tr("Search text"));
    m_textEdit->setClearButtonEnabled(true);
    m_textEdit->setMinimumWidth(170);
    m_textEdit->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    m_levelCombo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    filterRow->addWidget(FlowLayout::group(this, {new QLabel(tr("View:"), this), m_viewCombo, viewMenuButton}));
    filterRow->addWidget(m_levelCombo);
    filterRow->addWidget(m_providerCombo);
    filterRow->addWidget(m_idsEdit);
    filterRow->addWidget(m_timeCombo);
    filterRow->addWidget(m_fromEdit);
    filterRow->addWidget(m_toEdit);
    filterRow->addWidget(m_textEdit);
    layout->addWidget(filterBar);

    // Loading progress.
    auto* progressRow = new QHBoxLayout;
    m_progress = new QProgressBar(this);
    m_progress->setRange(0, 0);
    m_progress->setVisible(false);
    m_progress->setTextVisible(true);
    m_cancelLoad = new QPushButton(tr("Cancel"), this);
    m_cancelLoad->setVisible(false);
    progressRow->addWidget(m_progress, 1);
    progressRow->addWidget(m_cancelLoad);
    layout->addLayout(progressRow);

    // When the filters hide every event (a System log under the NDES view), say so and offer the way out.
    m_hiddenHint = new QWidget(this);
    auto* hintRow = new QHBoxLayout(m_hiddenHint);
    hintRow->setContentsMargins(8, 4, 8, 4);
    m_hiddenHintLabel = new QLabel(m_hiddenHint);
    auto* showAll = new QPushButton(tr("Show all events"), m_hiddenHint);
    m_hiddenHintLabel->setWordWrap(true);
    hintRow->addWidget(m_hiddenHintLabel, 1);
    hintRow->addWidget(showAll);
    // Only the strip is tinted: a style sheet for all its children flattened the button into plain text.
    m_hiddenHint->setObjectName(QStringLiteral("hiddenHint"));
    m_hiddenHint->setAttribute(Qt::WA_StyledBackground);
    m_hiddenHint->setStyleSheet(QStringLiteral("#hiddenHint { background:#fff4d6; border-radius:4px; }"));
    m_hiddenHint->setVisible(false);
    connect(showAll, &QPushButton::clicked, this, [this] { applyView(tr("All events")); });
    layout->addWidget(m_hiddenHint);

    // Table and detail.
    auto* split = new QSplitter(Qt::Vertical, this); // the table keeps the full width for "what it means"
    m_model = new EventsModel(&m_catalogue, this);
    m_table = new QTableView(split);
    m_table->setModel(m_model);
    m_table->setAccessibleName(tr("Events"));
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->setVisible(false);
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 8);
    m_table->setWordWrap(false);
    m_table->setTextElideMode(Qt::ElideRight);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    const QFontMetrics fm = m_table->fontMetrics();
    m_table->setColumnWidth(EventsModel::Time, fm.horizontalAdvance(QStringLiteral("2026-11-25 07:19:03")) + 24);
    m_table->setColumnWidth(EventsModel::Level, fm.horizontalAdvance(tr("Information")) + 44);
    m_table->setColumnWidth(EventsModel::Id, fm.horizontalAdvance(tr("Event ID")) + 20);
    m_table->setColumnWidth(EventsModel::Provider,
                            fm.horizontalAdvance(QStringLiteral("Service Control Manager")) + 16);
    m_table->setColumnWidth(EventsModel::Computer, fm.horizontalAdvance(QStringLiteral("NDES01.corp.example")) + 16);
    m_table->setColumnWidth(EventsModel::Description, fm.averageCharWidth() * 48);
    m_table->setAlternatingRowColors(true);
    auto* detailSplit = new QSplitter(Qt::Horizontal, split);
    m_detail = new QTextBrowser(detailSplit);
    m_detail->setAccessibleName(tr("What the event means"));
    m_detail->setOpenExternalLinks(false);
    m_detail->setPlaceholderText(tr("Select an event to see what it means and how to fix it."));
    m_raw = new QTextBrowser(detailSplit);
    m_raw->setAccessibleName(tr("Event data"));
    detailSplit->addWidget(m_detail);
    detailSplit->addWidget(m_raw);
    detailSplit->setSizes({540, 460});
    split->addWidget(m_table);
    split->addWidget(detailSplit);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    split->setSizes({330, 300});
    layout->addWidget(split, 1);

    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("hint"));
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status->setWordWrap(true); // long file names wrap instead of widening the window
    layout->addWidget(m_status);

    m_filterTimer = new QTimer(this);
    m_filterTimer->setSingleShot(true);
    m_filterTimer->setInterval(200);
    connect(m_filterTimer, &QTimer::timeout, this, &EventsPage::refilter);
    m_liveTimer = new QTimer(this);
    m_liveTimer->setInterval(150); // new rows are added in batches, not one by one
    connect(m_liveTimer, &QTimer::timeout, this, &EventsPage::syncLive);
    m_liveTimer->start();
    m_progressTimer = new QTimer(this);
    m_progressTimer->setInterval(100);
    connect(m_progressTimer, &QTimer::timeout, this, [this] {
        if (!m_loadCount)
            return;
        const int permille = m_loadPermille ? m_loadPermille->load() : -1;
        if (permille >= 0) { // a determinate bar once the reader says how far it is
            m_progress->setRange(0, 1000);
            m_progress->setValue(permille);
        }
        m_progress->setFormat(
            tr("Reading %1… %2 events")
                .arg(m_fileNames.join(QStringLiteral(", ")), QLocale().toString(m_loadCount->load())) +
            (permille >= 0 ? QStringLiteral(" (%p%)") : QString()));
    });

    connect(m_sourceCombo, &QComboBox::currentIndexChanged, this,
            [this](int i) { setSource(i == 0 ? Source::Live : Source::Files); });
    connect(openButton, &QPushButton::clicked, this, &EventsPage::chooseFiles);
    connect(m_listenButton, &QPushButton::clicked, this, &EventsPage::configureListener);
    connect(m_followBox, &QCheckBox::toggled, this, &EventsPage::setFollow);
    connect(m_pauseButton, &QPushButton::toggled, this, &EventsPage::setPaused);
    connect(exportButton, &QPushButton::clicked, this, &EventsPage::exportFiltered);
    connect(m_cancelLoad, &QPushButton::clicked, this, [this] {
        if (m_loadCancel)
            m_loadCancel->store(true);
    });
    connect(m_highlightEdit, &QLineEdit::editingFinished, this, [this] { setHighlightIds(m_highlightEdit->text()); });
    connect(m_notifyBox, &QCheckBox::toggled, this, &EventsPage::setNotify);
    connect(m_viewCombo, &QComboBox::activated, this,
            [this](int i) { applyView(m_viewCombo->itemData(i).toString()); });
    connect(m_levelCombo, &QComboBox::currentIndexChanged, this, &EventsPage::scheduleRefilter);
    connect(m_providerCombo, &QComboBox::currentTextChanged, this, &EventsPage::scheduleRefilter);
    connect(m_idsEdit, &QLineEdit::textChanged, this, &EventsPage::scheduleRefilter);
    connect(m_textEdit, &QLineEdit::textChanged, this, &EventsPage::scheduleRefilter);
    connect(m_fromEdit, &QDateTimeEdit::dateTimeChanged, this, &EventsPage::scheduleRefilter);
    connect(m_toEdit, &QDateTimeEdit::dateTimeChanged, this, &EventsPage::scheduleRefilter);
    connect(m_timeCombo, &QComboBox::currentIndexChanged, this, [this](int i) {
        m_fromEdit->setVisible(i == 4);
        m_toEdit->setVisible(i == 4);
        scheduleRefilter();
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &EventsPage::showDetail);

    auto* find = new QAction(this);
    find->setShortcut(QKeySequence::Find);
    find->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(find, &QAction::triggered, this, [this] {
        m_textEdit->setFocus();
        m_textEdit->selectAll();
    });
    addAction(find);
    auto* open = new QAction(this);
    open->setShortcut(QKeySequence::Open);
    open->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(open, &QAction::triggered, this, &EventsPage::chooseFiles);
    addAction(open);
    m_model->setHighlightedIds(parseIds(m_highlightEdit->text()));
}

// --- filters and views -----------------------------------------------------------------------------------------

QString EventsPage::providerKey() const {
    const QString text = m_providerCombo->currentText().trimmed();
    const int i = m_providerCombo->findText(text);
    if (i >= 0)
        return m_providerCombo->itemData(i).toString();
    // Views saved before keys, and the translated name typed by hand.
    if (text == tr(EventViews::ndesViewName) || text == QLatin1String(EventViews::ndesViewName) ||
        text == QLatin1String(EventViews::ndesSourcesName))
        return QLatin1String(events::ndesProvidersKeyword);
    return text;
}

void EventsPage::setProviderKey(const QString& key) {
    const int i = m_providerCombo->findData(key);
    if (i >= 0)
        m_providerCombo->setCurrentIndex(i);
    else
        m_providerCombo->setCurrentText(key);
}

events::EventFilter EventsPage::currentFilter() const {
    events::EventFilter f;
    const QString level = m_levelCombo->currentData().toString();
    if (level == QLatin1String("errors"))
        f.levels = {1, 2};
    else if (level == QLatin1String("warnings"))
        f.levels = {1, 2, 3};
    else if (level == QLatin1String("information"))
        f.levels = {0, 4, 5};
    f.providers = events::providerPatterns(providerKey().split(QLatin1Char(','), Qt::SkipEmptyParts));
    f.ids = parseIds(m_idsEdit->text());
    const QDateTime now = Clock::instance().now();
    const QString time = m_timeCombo->currentData().toString();
    if (time == QLatin1String("hour")) {
        f.from = now.addSecs(-3600);
    } else if (time == QLatin1String("day")) {
        f.from = now.addDays(-1);
    } else if (time == QLatin1String("week")) {
        f.from = now.addDays(-7);
    } else if (time == QLatin1String("between")) {
        f.from = m_fromEdit->dateTime().toUTC();
        f.to = m_toEdit->dateTime().toUTC();
    }
    f.text = m_textEdit->text();
    return f;
}

void EventsPage::scheduleRefilter() {
    m_filterTimer->start();
}

void EventsPage::refilter() {
    m_filterTimer->stop();
    bool idsOk = true;
    parseIds(m_idsEdit->text(), &idsOk);
    m_idsEdit->setStyleSheet(idsOk ? QString() : QStringLiteral("QLineEdit { border: 1px solid #c0392b; }"));
    m_idsEdit->setToolTip(idsOk ? QString() : tr("Event IDs are numbers separated by commas, e.g. 10, 31"));
    const quint64 selected = m_table->currentIndex().isValid() ? m_model->seqAt(m_table->currentIndex().row())
                                                               : std::numeric_limits<quint64>::max();
    if (m_source == Source::Live)
        m_liveSynced = m_live->endSeq();
    m_lastFilterMs = m_model->setFilter(currentFilter());
    const int row = m_model->rowOf(selected);
    if (row >= 0)
        selectRow(row);
    else if (m_follow && m_source == Source::Live)
        m_table->scrollToBottom();
    updateStatus();
}

void EventsPage::fillViewCombo(const QString& select) {
    const QSignalBlocker block(m_viewCombo);
    m_viewCombo->clear();
    for (const EventView& v : m_views.all())
        m_viewCombo->addItem(v.name, v.key());
    const EventView* chosen = m_views.find(select);
    const int i = chosen ? m_viewCombo->findData(chosen->key()) : -1;
    m_viewCombo->setCurrentIndex(i < 0 ? 0 : i);
}

QStringList EventsPage::viewNames() const {
    QStringList names;
    for (const EventView& v : m_views.all())
        names << v.name;
    return names;
}

void EventsPage::applyView(const QString& keyOrName) {
    const EventView* view = m_views.find(keyOrName);
    if (!view)
        return;
    {
        const QSignalBlocker b1(m_levelCombo), b2(m_providerCombo), b3(m_idsEdit), b4(m_timeCombo), b5(m_textEdit);
        m_levelCombo->setCurrentIndex(std::max(0, m_levelCombo->findData(view->levels)));
        setProviderKey(view->providers);
        m_idsEdit->setText(view->ids);
        m_timeCombo->setCurrentIndex(std::max(0, m_timeCombo->findData(view->time)));
        m_fromEdit->setVisible(false);
        m_toEdit->setVisible(false);
        m_textEdit->setText(view->text);
    }
    const int i = m_viewCombo->findData(view->key());
    if (i >= 0)
        m_viewCombo->setCurrentIndex(i);
    refilter();
}

void EventsPage::saveCurrentView(const QString& name) {
    EventView v;
    v.name = name.trimmed();
    if (v.name.isEmpty())
        return;
    v.levels = m_levelCombo->currentData().toString();
    v.providers = providerKey();
    v.ids = m_idsEdit->text();
    v.time = m_timeCombo->currentData().toString();
    if (v.time == QLatin1String("between")) // a fixed range is no use next week
        v.time = EventViews::timeKeys.first();
    v.text = m_textEdit->text();
    m_views.put(v);
    m_views.store();
    fillViewCombo(v.key());
    emit statusMessage(tr("View \"%1\" saved.").arg(v.name));
}

void EventsPage::saveViewAs() {
    bool ok = false;
    const QString name =
        QInputDialog::getText(this, tr("Save view"), tr("Name of the view:"), QLineEdit::Normal, QString(), &ok);
    if (!ok || name.trimmed().isEmpty())
        return;
    const auto& views = m_views.all();
    if (std::any_of(views.begin(), views.end(),
                    [&](const EventView& v) { return v.builtIn() && v.name == name.trimmed(); })) {
        QMessageBox::information(this, tr("Save view"),
                                 tr("\"%1\" is a built-in view; choose another name.").arg(name));
        return;
    }
    saveCurrentView(name);
}

void EventsPage::deleteView() {
    const QString key = m_viewCombo->currentData().toString();
    const EventView* view = m_views.find(key);
    const QString name = view ? view->name : QString();
    if (!m_views.remove(key)) {
        emit statusMessage(tr("Built-in views cannot be deleted."));
        return;
    }
    m_views.store();
    fillViewCombo(EventViews::ndesViewId);
    emit statusMessage(tr("View \"%1\" deleted.").arg(name));
}

// --- sources ---------------------------------------------------------------------------------------------------

const events::EventStore* EventsPage::currentStore() const {
    return m_source == Source::Live ? m_live.get() : m_files.get();
}

void EventsPage::setSource(Source source) {
    m_source = source;
    {
        const QSignalBlocker block(m_sourceCombo);
        m_sourceCombo->setCurrentIndex(source == Source::Live ? 0 : 1);
    }
    m_model->setStore(currentStore());
    m_liveSynced = m_live->endSeq();
    m_detail->clear();
    m_raw->clear();
    refilter();
}

void EventsPage::chooseFiles() {
    const QStringList paths = QFileDialog::getOpenFileNames(
        this, tr("Open event logs"), QString(),
        tr("Event logs (*.evtx *.xml);;EVTX logs (*.evtx);;Event XML (*.xml);;All files (*)"));
    if (!paths.isEmpty())
        openFiles(paths);
}

void EventsPage::openFiles(const QStringList& paths) {
    if (m_loading || paths.isEmpty())
        return;
    m_loading = true;
    m_fileNames.clear();
    for (const QString& p : paths)
        m_fileNames << QFileInfo(p).fileName();
    m_loadCount = std::make_shared<std::atomic<qint64>>(0);
    m_loadPermille = std::make_shared<std::atomic<int>>(-1);
    m_progress->setRange(0, 0);
    m_loadCancel = std::make_shared<std::atomic<bool>>(false);
    m_progress->setVisible(true);
    m_cancelLoad->setVisible(true);
    m_progress->setFormat(tr("Reading %1…").arg(m_fileNames.join(QStringLiteral(", "))));
    m_progressTimer->start();
    m_loadClock.start();
    auto count = m_loadCount;
    auto permille = m_loadPermille;
    auto cancel = m_loadCancel;
    if (!m_loadWatcher) {
        m_loadWatcher = new QFutureWatcher<std::shared_ptr<LoadResult>>(this);
        connect(m_loadWatcher, &QFutureWatcher<std::shared_ptr<LoadResult>>::finished, this, &EventsPage::loadFinished);
    }
    m_loadWatcher->setFuture(QtConcurrent::run([paths, count, permille, cancel] {
        auto r = std::make_shared<LoadResult>();
        r->store = std::make_unique<events::EventStore>();
        for (qsizetype fileIndex = 0; fileIndex < paths.size(); ++fileIndex) {
            const QString& path = paths.at(fileIndex);
            Error why;
            auto reader = events::EventFileReader::forFile(path, &why);
            if (!reader) {
                r->problems << why.message;
                continue;
            }
            reader->setKeepRawXml(false); // the store rebuilds the XML from the fields
            reader->setProgress([&, fileIndex](qint64 done, qint64 total) {
                if (total > 0)
                    permille->store(
                        int(1000.0 * (double(fileIndex) + double(done) / double(total)) / double(paths.size())));
                return !cancel->load(std::memory_order_relaxed);
            });
            auto summary = reader->read(path, [&](events::EventRecord&& e) {
                r->store->append(e);
                count->fetch_add(1, std::memory_order_relaxed);
                return !cancel->load(std::memory_order_relaxed);
            });
            if (!summary) {
                r->problems << summary.error().message;
                continue;
            }
            r->names << QFileInfo(path).fileName();
            for (const QString& p : summary->problems)
                r->problems << QStringLiteral("%1: %2").arg(QFileInfo(path).fileName(), p);
            if (cancel->load()) {
                r->cancelled = true;
                break;
            }
        }
        return r;
    }));
}

void EventsPage::loadFinished() {
    m_loading = false;
    m_progressTimer->stop();
    m_progress->setVisible(false);
    m_cancelLoad->setVisible(false);
    const std::shared_ptr<LoadResult> r = m_loadWatcher->result();
    const qint64 ms = m_loadClock.elapsed();
    m_fileProblems = r->problems;
    if (r->store && r->store->size() > 0) {
        m_files = std::move(r->store);
        m_fileNames = r->names;
        setSource(Source::Files);
        emit statusMessage(tr("%1 events read from %2 in %3 s%4.")
                               .arg(QLocale().toString(m_files->size()), r->names.join(QStringLiteral(", ")))
                               .arg(double(ms) / 1000.0, 0, 'f', 1)
                               .arg(r->cancelled ? tr(" (cancelled: the events read so far)") : QString()));
    } else if (!r->problems.isEmpty()) {
        emit statusMessage(tr("Nothing could be read from %1.").arg(m_fileNames.join(QStringLiteral(", "))));
    } else {
        emit statusMessage(tr("No events in %1.").arg(m_fileNames.join(QStringLiteral(", "))));
    }
    if (!r->problems.isEmpty()) {
        QString items;
        for (const QString& p : r->problems)
            items += QStringLiteral("<li>") + html(p) + QStringLiteral("</li>");
        m_raw->clear();
        m_detail->setHtml((m_files && r->store == nullptr ? tr("<h3>Read with problems</h3><ul>%1</ul>")
                                                          : tr("<h3>Cannot open</h3><ul>%1</ul>"))
                              .arg(items));
    }
    updateStatus();
    emit loaded();
}

void EventsPage::dragEnterEvent(QDragEnterEvent* event) {
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void EventsPage::dropEvent(QDropEvent* event) {
    QStringList paths;
    for (const QUrl& url : event->mimeData()->urls())
        if (url.isLocalFile())
            paths << url.toLocalFile();
    if (paths.isEmpty()) {
        emit statusMessage(tr("Only local files can be opened."));
        return;
    }
    event->acceptProposedAction();
    openFiles(paths);
}

// --- live ------------------------------------------------------------------------------------------------------

QString EventsPage::listenerUrl() const {
    return m_listener ? m_listener->url() : QString();
}

Status EventsPage::startListening(const events::ListenerSpec& spec) {
    stopListening();
    m_listener = std::make_unique<events::EventListener>();
    if (Status st = m_listener->start(spec); !st) {
        m_listener.reset();
        updateStatus();
        return st;
    }
    connect(m_listener.get(), &events::EventListener::eventsReceived, this, &EventsPage::onLiveEvents);
    connect(m_listener.get(), &events::EventListener::rejectedChanged, this, &EventsPage::updateStatus);
    m_listenButton->setText(tr("Stop &listening"));
    if (m_source != Source::Live)
        setSource(Source::Live);
    emit statusMessage(tr("Listening on %1.").arg(m_listener->url()));
    updateStatus();
    return {};
}

void EventsPage::stopListening() {
    if (!m_listener)
        return;
    const quint64 rejected = m_listener->rejected();
    m_listener.reset();
    m_live->countRejected(rejected);
    m_listenButton->setText(tr("&Listen…"));
    updateStatus();
}

void EventsPage::onLiveEvents(const QList<events::EventRecord>& batch) {
    QMap<int, int> highlighted;
    const QSet<int>& ids = m_model->highlightedIds();
    for (const events::EventRecord& e : batch) {
        m_live->append(e);
        if (ids.contains(e.eventId) && events::isNdesProvider(e.provider))
            ++highlighted[e.eventId];
    }
    if (m_notify && !highlighted.isEmpty()) {
        const qint64 now = Clock::instance().now().toMSecsSinceEpoch();
        if (now - m_lastNotifyMs > 10000) { // at most one notification every 10 s
            m_lastNotifyMs = now;
            const int id = highlighted.firstKey();
            const events::CatalogueEntry* known =
                m_catalogue.find(QStringLiteral("Microsoft-Windows-NetworkDeviceEnrollmentService"), id);
            emit notify(tr("NDES event %1").arg(id), known ? known->meaning : tr("A highlighted NDES event arrived."));
        }
    }
}

void EventsPage::syncLive() {
    if (m_source != Source::Live || m_paused || m_live->endSeq() == m_liveSynced) {
        if (m_paused && m_live->endSeq() != m_liveSynced)
            updateStatus();
        return;
    }
    m_model->storeGrew(m_liveSynced);
    m_liveSynced = m_live->endSeq();
    if (m_follow)
        m_table->scrollToBottom();
    updateStatus();
}

void EventsPage::setPaused(bool paused) {
    m_paused = paused;
    {
        const QSignalBlocker block(m_pauseButton);
        m_pauseButton->setChecked(paused);
    }
    m_pauseButton->setText(paused ? tr("&Resume") : tr("&Pause"));
    if (!paused)
        syncLive();
    updateStatus();
}

void EventsPage::setFollow(bool follow) {
    m_follow = follow;
    const QSignalBlocker block(m_followBox);
    m_followBox->setChecked(follow);
    if (follow)
        m_table->scrollToBottom();
}

void EventsPage::setHighlightIds(const QString& text) {
    bool ok = true;
    const QSet<int> ids = parseIds(text, &ok);
    if (!ok) {
        emit statusMessage(tr("Highlight IDs are numbers separated by commas, e.g. 2, 10, 31."));
        return;
    }
    m_highlightEdit->setText(idsText(ids));
    QSettings().setValue(QStringLiteral("events/highlight"), idsText(ids));
    m_model->setHighlightedIds(ids);
}

void EventsPage::setNotify(bool on) {
    m_notify = on;
    QSettings().setValue(QStringLiteral("events/notify"), on);
    const QSignalBlocker block(m_notifyBox);
    m_notifyBox->setChecked(on);
}

void EventsPage::configureListener() {
    if (m_listener) {
        stopListening();
        emit statusMessage(tr("Stopped listening."));
        return;
    }
    ListenerDialog dialog(m_live->capacity() > 0 ? m_live->capacity() : defaultLiveCapacity, this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    auto spec = dialog.spec();
    if (!spec) {
        QMessageBox::warning(this, tr("Cannot listen"), spec.error().message);
        return;
    }
    dialog.remember();
    if (dialog.capacity() != m_live->capacity()) {
        QSettings().setValue(QStringLiteral("events/liveCapacity"), dialog.capacity());
        if (m_live->size() == 0) {
            m_live = std::make_unique<events::EventStore>(dialog.capacity());
            if (m_source == Source::Live)
                m_model->setStore(m_live.get());
        } else {
            emit statusMessage(tr("The new limit applies after a restart (events already here are kept)."));
        }
    }
    if (Status st = startListening(*spec); !st)
        QMessageBox::warning(this, tr("Cannot listen"), st.error().message);
}

// --- detail, status, export ------------------------------------------------------------------------------------

void EventsPage::selectRow(int row) {
    if (row < 0 || row >= m_model->rowCount())
        return;
    m_table->setCurrentIndex(m_model->index(row, 0));
    m_table->scrollTo(m_model->index(row, 0), QAbstractItemView::PositionAtCenter);
}

bool EventsPage::selectFirstEvent(int id) {
    const events::EventStore* store = currentStore();
    if (!store)
        return false;
    for (int row = 0; row < m_model->rowCount(); ++row)
        if (store->eventId(m_model->seqAt(row)) == id) {
            setFollow(false);
            selectRow(row);
            return true;
        }
    return false;
}

QString EventsPage::detailText() const {
    return m_detail->toPlainText() + QLatin1Char('\n') + m_raw->toPlainText();
}

void EventsPage::showDetail() {
    const QModelIndex current = m_table->currentIndex();
    const events::EventStore* store = currentStore();
    if (!current.isValid() || !store || !store->contains(m_model->seqAt(current.row()))) {
        m_detail->clear();
        m_raw->clear();
        return;
    }
    const events::EventRecord e = store->event(m_model->seqAt(current.row()));
    const EventDetailHtml detail = eventDetailHtml(e, m_catalogue.find(e.provider, e.eventId));
    m_detail->setHtml(detail.explanation);
    m_raw->setHtml(detail.data);
}

QString EventsPage::statusText() const {
    const events::EventStore* store = currentStore();
    const QLocale l;
    QStringList parts;
    const qint64 total = store ? store->size() : 0;
    parts << tr("%1 of %2 events").arg(l.toString(qint64(m_model->rowCount())), l.toString(total));
    parts << tr("filtered in %1 ms").arg(m_lastFilterMs);
    if (m_source == Source::Files) {
        parts << m_fileNames.join(QStringLiteral(", "));
        if (!m_fileProblems.isEmpty())
            parts << tr("%n problem(s) while reading", nullptr, int(m_fileProblems.size()));
    } else {
        parts << (m_listener ? tr("listening on %1").arg(m_listener->url()) : tr("not listening"));
        // In plain words, and only what happened: what arrived, what made room, what was not an event.
        const quint64 notEvents =
            m_live->rejected() + (m_listener ? m_listener->rejected() - m_listener->refusedConnections() : 0);
        parts << tr("%1 received").arg(l.toString(qulonglong(m_live->accepted())));
        if (m_live->evicted() > 0)
            parts << tr("%1 older ones removed to keep the newest %2")
                         .arg(l.toString(qulonglong(m_live->evicted())), l.toString(m_live->capacity()));
        if (notEvents > 0)
            parts << tr("%1 messages were not events").arg(l.toString(qulonglong(notEvents)));
        if (m_listener && m_listener->refusedConnections() > 0)
            parts << tr("%n connection(s) refused", nullptr,
                        int(qMin<quint64>(m_listener->refusedConnections(), INT_MAX)));
        if (m_live->truncated() > 0)
            parts << tr("%n event(s) cut at 64 KB", nullptr, int(qMin<quint64>(m_live->truncated(), INT_MAX)));
        if (m_paused && m_live->endSeq() > m_liveSynced)
            parts << tr("paused: %1 new").arg(l.toString(qulonglong(m_live->endSeq() - m_liveSynced)));
    }
    if (store)
        parts << tr("%1 MB").arg(double(store->memoryBytes()) / 1e6, 0, 'f', 1);
    return parts.join(QStringLiteral(" · "));
}

void EventsPage::updateStatus() {
    m_status->setText(statusText());
    const events::EventStore* store = currentStore();
    const bool hidden = store && store->size() > 0 && m_model->rowCount() == 0;
    if (hidden)
        m_hiddenHintLabel->setText(tr("The view \"%1\" hides all %2 events here.")
                                       .arg(m_viewCombo->currentText(), QLocale().toString(store->size())));
    m_hiddenHint->setVisible(hidden);
}

Status EventsPage::exportTo(const QString& path, events::ExportFormat format) const {
    const events::EventStore* store = currentStore();
    if (!store)
        return makeError(ErrorKind::Usage, tr("There are no events to export."));
    return events::exportEvents(*store, m_model->rows(), m_catalogue, path, format);
}

void EventsPage::exportFiltered() {
    QString selectedFilter;
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Export events"), QStringLiteral("ndes-events.csv"),
                                     tr("CSV (*.csv);;JSON (*.json);;Event XML (*.xml)"), &selectedFilter);
    if (path.isEmpty())
        return;
    QApplication::setOverrideCursor(Qt::WaitCursor);
    const Status written = exportTo(path, events::exportFormatForPath(path));
    QApplication::restoreOverrideCursor();
    if (!written)
        QMessageBox::warning(this, tr("Export failed"), written.error().message);
    else
        emit statusMessage(tr("Exported %1 events to %2.").arg(QLocale().toString(qint64(m_model->rowCount())), path));
}

} // namespace ndes::ui
