// SPDX-License-Identifier: Apache-2.0
#include "EventsModel.h"

#include "events/EventExport.h"

#include <QApplication>
#include <QBrush>
#include <QColor>
#include <QElapsedTimer>
#include <QStyle>

#include <algorithm>

namespace ndes::ui {

EventsModel::EventsModel(const events::EventCatalogue* catalogue, QObject* parent)
    : QAbstractTableModel(parent)
    , m_catalogue(catalogue)
    , m_error(QApplication::style()->standardIcon(QStyle::SP_MessageBoxCritical))
    , m_warning(QApplication::style()->standardIcon(QStyle::SP_MessageBoxWarning))
    , m_info(QApplication::style()->standardIcon(QStyle::SP_MessageBoxInformation)) {}

QString EventsModel::levelName(int level) {
    return events::levelName(level);
}

void EventsModel::setStore(const events::EventStore* store) {
    beginResetModel();
    m_store = store;
    m_rows.clear();
    if (m_store)
        m_rows = m_store->filter(m_filter);
    endResetModel();
}

qint64 EventsModel::setFilter(const events::EventFilter& filter) {
    QElapsedTimer t;
    t.start();
    std::vector<quint64> rows = m_store ? m_store->filter(filter) : std::vector<quint64>{};
    const qint64 took = t.elapsed();
    beginResetModel();
    m_filter = filter;
    m_rows = std::move(rows);
    endResetModel();
    return took;
}

void EventsModel::storeGrew(quint64 from) {
    if (!m_store)
        return;
    // Rows pushed out of the store go first (they are the oldest, at the top).
    const auto firstKept = std::lower_bound(m_rows.begin(), m_rows.end(), m_store->firstSeq());
    if (firstKept != m_rows.begin()) {
        const int gone = int(firstKept - m_rows.begin());
        beginRemoveRows({}, 0, gone - 1);
        m_rows.erase(m_rows.begin(), firstKept);
        endRemoveRows();
    }
    const std::vector<quint64> added = m_store->filterFrom(from, m_filter);
    if (added.empty())
        return;
    beginInsertRows({}, int(m_rows.size()), int(m_rows.size() + added.size()) - 1);
    m_rows.insert(m_rows.end(), added.begin(), added.end());
    endInsertRows();
}

void EventsModel::setHighlightedIds(const QSet<int>& ids) {
    m_highlight = ids;
    if (!m_rows.empty())
        emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1), {Qt::BackgroundRole});
}

int EventsModel::rowOf(quint64 seq) const {
    const auto it = std::lower_bound(m_rows.begin(), m_rows.end(), seq);
    return it != m_rows.end() && *it == seq ? int(it - m_rows.begin()) : -1;
}

int EventsModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(m_rows.size());
}
int EventsModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant EventsModel::data(const QModelIndex& index, int role) const {
    if (!m_store || !index.isValid() || index.row() >= int(m_rows.size()))
        return {};
    const quint64 seq = m_rows[size_t(index.row())];
    if (!m_store->contains(seq))
        return {};
    if (role == SeqRole)
        return QVariant::fromValue(seq);
    const int level = m_store->level(seq);
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Time: {
            const qint64 ms = m_store->timeMs(seq);
            if (ms == std::numeric_limits<qint64>::min())
                return tr("(no time)");
            return QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
        }
        case Level:
            return levelName(level);
        case Id:
            return m_store->eventId(seq);
        case Provider: {
            const QString& p = m_store->provider(seq);
            return events::isNdesProvider(p) ? QStringLiteral("NDES") : p;
        }
        case Computer:
            return m_store->computer(seq);
        case Description: {
            // The catalogue's words only: an unknown event says so instead of passing its raw data off as meaning.
            const events::CatalogueEntry* known =
                m_catalogue ? m_catalogue->find(m_store->provider(seq), m_store->eventId(seq)) : nullptr;
            return known ? known->meaning : tr("not in the catalogue");
        }
        case Data:
            return m_store->summary(seq);
        default:
            return {};
        }
    case Qt::ToolTipRole:
        if (index.column() == Time) // the table shows seconds; the tooltip the milliseconds, in UTC too
            return QStringLiteral("%1\n%2 UTC")
                .arg(QDateTime::fromMSecsSinceEpoch(m_store->timeMs(seq)).toString(Qt::ISODateWithMs),
                     QDateTime::fromMSecsSinceEpoch(m_store->timeMs(seq), Qt::UTC).toString(Qt::ISODateWithMs));
        if (index.column() == Provider)
            return m_store->provider(seq);
        if (index.column() == Description || index.column() == Data)
            return data(index, Qt::DisplayRole);
        return {};
    case Qt::ForegroundRole:
        if (index.column() == Description &&
            !(m_catalogue && m_catalogue->find(m_store->provider(seq), m_store->eventId(seq))))
            return QBrush(QColor(0x70, 0x70, 0x70));
        return {};
    case Qt::DecorationRole:
        if (index.column() != Level)
            return {};
        return level == 1 || level == 2 ? m_error : level == 3 ? m_warning : m_info;
    case Qt::BackgroundRole:
        if (m_highlight.contains(m_store->eventId(seq)) && events::isNdesProvider(m_store->provider(seq)))
            return QBrush(QColor(0xfd, 0xec, 0xc8));
        return {};
    case Qt::TextAlignmentRole:
        return index.column() == Id ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
    default:
        return {};
    }
}

QVariant EventsModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Time:
        return tr("Time");
    case Level:
        return tr("Level");
    case Id:
        return tr("Event ID");
    case Provider:
        return tr("Source");
    case Computer:
        return tr("Computer");
    case Description:
        return tr("What it means");
    case Data:
        return tr("Event data");
    default:
        return {};
    }
}

} // namespace ndes::ui
