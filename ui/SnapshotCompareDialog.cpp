// SPDX-License-Identifier: Apache-2.0
#include "SnapshotCompareDialog.h"

#include "PlainText.h"
#include "audit/Snapshot.h"

#include <QDialogButtonBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMimeData>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <memory>

namespace ndes::ui {

namespace {
struct Loaded {
    QList<std::shared_ptr<audit::Snapshot>> snapshots;
    QString error;
};
} // namespace

SnapshotCompareDialog::SnapshotCompareDialog(Mode mode, const QStringList& paths, QWidget* parent)
    : QDialog(parent)
    , m_mode(mode) {
    setWindowTitle(mode == Mode::Drift ? tr("Compare two snapshots") : tr("Compare servers"));
    setAcceptDrops(true);
    resize(1000, 640);
    auto* layout = new QVBoxLayout(this);
    auto* intro = new QLabel(mode == Mode::Drift
                                 ? tr("Two snapshots of the same server, before and after a change (or two servers): "
                                      "every setting that differs. Add zips or folders, or drop them here.")
                                 : tr("Snapshots of servers that should be configured alike, such as the NDES "
                                      "servers behind one load balancer: every setting that is not the same on all "
                                      "of them, one column per server. Add zips or folders, or drop them here."),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);
    auto* pick = new QHBoxLayout;
    m_list = new QListWidget(this);
    m_list->setAccessibleName(tr("Snapshots to compare"));
    m_list->setMaximumHeight(110);
    pick->addWidget(m_list, 1);
    auto* pickButtons = new QVBoxLayout;
    auto* addZip = new QPushButton(tr("Add &zip…"), this);
    auto* addFolder = new QPushButton(tr("Add f&older…"), this);
    m_remove = new QPushButton(tr("&Remove"), this);
    m_compare = new QPushButton(tr("&Compare"), this);
    m_compare->setDefault(true);
    for (QPushButton* b : {addZip, addFolder, m_remove, m_compare})
        pickButtons->addWidget(b);
    pickButtons->addStretch(1);
    pick->addLayout(pickButtons);
    layout->addLayout(pick);
    connect(addZip, &QPushButton::clicked, this, [this] {
        const QStringList files =
            QFileDialog::getOpenFileNames(this, tr("Add snapshots"), QString(), tr("Snapshots (*.zip);;All files (*)"));
        for (const QString& f : files)
            addPath(f);
    });
    connect(addFolder, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Add a snapshot folder"));
        if (!dir.isEmpty())
            addPath(dir);
    });
    connect(m_remove, &QPushButton::clicked, this, [this] {
        delete m_list->currentItem();
        updateState();
    });
    connect(m_list, &QListWidget::currentRowChanged, this, &SnapshotCompareDialog::updateState);
    connect(m_compare, &QPushButton::clicked, this, &SnapshotCompareDialog::compare);

    m_summary = new QLabel(this);
    m_summary->setWordWrap(true);
    m_summary->setTextFormat(Qt::PlainText); // names files of the snapshots
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_summary);
    m_filter = new QLineEdit(this);
    m_filter->setPlaceholderText(tr("Filter settings and values"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setAccessibleName(tr("Filter the differences"));
    connect(m_filter, &QLineEdit::textChanged, this, &SnapshotCompareDialog::applyFilter);
    layout->addWidget(m_filter);
    m_table = new QTableWidget(this);
    m_table->setObjectName(QStringLiteral("differences"));
    m_table->setAccessibleName(tr("Settings that differ"));
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->verticalHeader()->hide();
    m_table->setWordWrap(false);
    m_table->horizontalHeader()->setStretchLastSection(true);
    layout->addWidget(m_table, 1);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    for (const QString& p : paths)
        addPath(p);
    updateState();
}

void SnapshotCompareDialog::addPath(const QString& path) {
    if (path.isEmpty() || paths().contains(path))
        return;
    auto* item = new QListWidgetItem(QDir::toNativeSeparators(path), m_list);
    item->setData(Qt::UserRole, path);
    updateState();
}

QStringList SnapshotCompareDialog::paths() const {
    QStringList out;
    for (int i = 0; i < m_list->count(); ++i)
        out << m_list->item(i)->data(Qt::UserRole).toString();
    return out;
}

void SnapshotCompareDialog::updateState() {
    const int n = m_list->count();
    const bool enough = m_mode == Mode::Drift ? n == 2 : n >= 2;
    m_compare->setEnabled(enough && !m_busy);
    m_remove->setEnabled(m_list->currentItem() && !m_busy);
    if (!m_busy && !m_drift && !m_fleet)
        m_summary->setText(m_mode == Mode::Drift
                               ? (n == 2 ? tr("Press Compare.") : tr("Add exactly two snapshots (%1 now).").arg(n))
                               : (n >= 2 ? tr("Press Compare.") : tr("Add two or more snapshots (%1 now).").arg(n)));
}

void SnapshotCompareDialog::compare() {
    const QStringList list = paths();
    if (m_busy || list.size() < 2 || (m_mode == Mode::Drift && list.size() != 2))
        return;
    m_busy = true;
    m_summary->setText(tr("Reading %n snapshot(s)…", nullptr, int(list.size())));
    updateState();
    auto* watcher = new QFutureWatcher<Loaded>(this);
    connect(watcher, &QFutureWatcher<Loaded>::finished, this, [this, watcher] {
        watcher->deleteLater();
        const Loaded loaded = watcher->result();
        m_busy = false;
        if (!loaded.error.isEmpty()) {
            m_summary->setText(loaded.error);
            updateState();
            return;
        }
        m_drift.reset();
        m_fleet.reset();
        if (m_mode == Mode::Drift) {
            m_drift = audit::compareSnapshots(*loaded.snapshots[0], *loaded.snapshots[1]);
            const QString a = m_drift->hostA.isEmpty() ? tr("A") : m_drift->hostA;
            const QString b = m_drift->hostB.isEmpty() ? tr("B") : m_drift->hostB;
            showRows(
                m_drift->differences,
                {tr("A: %1 (%2)").arg(a, QLocale().toString(m_drift->collectedA.toLocalTime(), QLocale::ShortFormat)),
                 tr("B: %1 (%2)").arg(b, QLocale().toString(m_drift->collectedB.toLocalTime(), QLocale::ShortFormat))});
        } else {
            QList<const audit::Snapshot*> all;
            for (const auto& s : loaded.snapshots)
                all << s.get();
            m_fleet = audit::compareFleet(all);
            m_table->clear();
            m_table->setColumnCount(2 + int(m_fleet->hosts.size()));
            m_table->setRowCount(int(m_fleet->differences.size()));
            QStringList headers{tr("Area"), tr("Setting")};
            headers << m_fleet->hosts;
            m_table->setHorizontalHeaderLabels(headers);
            for (int r = 0; r < m_fleet->differences.size(); ++r) {
                const audit::FleetRow& row = m_fleet->differences[r];
                m_table->setItem(r, 0, new QTableWidgetItem(row.area));
                m_table->setItem(r, 1, new QTableWidgetItem(row.setting));
                // The value most servers have is plain; the others stand out.
                QHash<QString, int> votes;
                for (const QString& v : row.values)
                    ++votes[v];
                int best = 0;
                for (int v : votes)
                    best = qMax(best, v);
                for (int c = 0; c < row.values.size(); ++c) {
                    auto* item = new QTableWidgetItem(row.values[c]);
                    item->setToolTip(plainToolTip(row.values[c]));
                    if (votes.value(row.values[c]) < best || votes.size() == row.values.size())
                        item->setBackground(QColor(0xff, 0xf4, 0xe0));
                    m_table->setItem(r, 2 + c, item);
                }
            }
            m_table->resizeColumnsToContents();
            for (int c = 0; c < m_table->columnCount(); ++c)
                m_table->setColumnWidth(c, qMin(m_table->columnWidth(c), 360));
        }
        m_summary->setText(summary());
        applyFilter();
        updateState();
        emit compared();
    });
    watcher->setFuture(QtConcurrent::run([list] {
        Loaded out;
        for (const QString& p : list) {
            auto s = audit::Snapshot::load(p);
            if (!s) {
                out.error = tr("%1: %2").arg(QDir::toNativeSeparators(p), s.error().message);
                return out;
            }
            out.snapshots << std::make_shared<audit::Snapshot>(std::move(*s));
        }
        return out;
    }));
}

void SnapshotCompareDialog::showRows(const QList<audit::DriftItem>& rows, const QStringList& columns) {
    m_table->clear();
    m_table->setColumnCount(4);
    m_table->setRowCount(int(rows.size()));
    m_table->setHorizontalHeaderLabels({tr("Area"), tr("Setting"), columns.value(0), columns.value(1)});
    for (int r = 0; r < rows.size(); ++r) {
        const audit::DriftItem& d = rows[r];
        m_table->setItem(r, 0, new QTableWidgetItem(d.area));
        m_table->setItem(r, 1, new QTableWidgetItem(d.setting));
        auto* a = new QTableWidgetItem(d.a);
        a->setToolTip(plainToolTip(d.a));
        auto* b = new QTableWidgetItem(d.b);
        b->setToolTip(plainToolTip(d.b));
        m_table->setItem(r, 2, a);
        m_table->setItem(r, 3, b);
    }
    m_table->resizeColumnsToContents();
    for (int c = 0; c < m_table->columnCount(); ++c)
        m_table->setColumnWidth(c, qMin(m_table->columnWidth(c), 360));
}

QString SnapshotCompareDialog::summary() const {
    if (m_drift) {
        QString s = tr("%n setting(s) differ", nullptr, int(m_drift->differences.size())) + QStringLiteral("; ") +
                    tr("%n alike", nullptr, m_drift->same) + QLatin1Char('.');
        if (!m_drift->notSeen.isEmpty())
            s += QLatin1Char(' ') + tr("Not compared: %1.").arg(m_drift->notSeen.join(QStringLiteral("; ")));
        return s;
    }
    if (m_fleet)
        return tr("%n setting(s) differ between the servers", nullptr, int(m_fleet->differences.size())) +
               QStringLiteral("; ") + tr("%n alike", nullptr, m_fleet->same) + QLatin1Char('.') +
               (m_fleet->differences.isEmpty() ? QString()
                                               : QLatin1Char(' ') + tr("Values that differ from most "
                                                                       "servers are marked."));
    return {};
}

void SnapshotCompareDialog::applyFilter() {
    const QString needle = m_filter->text().trimmed();
    for (int r = 0; r < m_table->rowCount(); ++r) {
        bool match = needle.isEmpty();
        for (int c = 0; c < m_table->columnCount() && !match; ++c)
            if (const QTableWidgetItem* item = m_table->item(r, c))
                match = item->text().contains(needle, Qt::CaseInsensitive);
        m_table->setRowHidden(r, !match);
    }
}

void SnapshotCompareDialog::dragEnterEvent(QDragEnterEvent* event) {
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void SnapshotCompareDialog::dropEvent(QDropEvent* event) {
    for (const QUrl& url : event->mimeData()->urls())
        if (url.isLocalFile())
            addPath(url.toLocalFile());
    event->acceptProposedAction();
}

} // namespace ndes::ui
