// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "events/EventCatalogue.h"
#include "events/EventStore.h"

#include <QAbstractTableModel>
#include <QIcon>
#include <QSet>

#include <vector>

namespace ndes::ui {

// The filtered events of one EventStore as table rows. Lazy: a row is a sequence number; its cells are read from
// the store's columns when the view paints them, so a million rows cost 8 MB here and scroll smoothly.
class EventsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Time, Level, Id, Provider, Computer, Description, Data, ColumnCount };
    static constexpr int SeqRole = Qt::UserRole + 1;

    EventsModel(const events::EventCatalogue* catalogue, QObject* parent = nullptr);

    // The store shown (not owned); nullptr shows nothing.
    void setStore(const events::EventStore* store);
    [[nodiscard]] const events::EventStore* store() const { return m_store; }
    // Re-filters the whole store; returns the time it took in ms.
    qint64 setFilter(const events::EventFilter& filter);
    [[nodiscard]] const events::EventFilter& filter() const { return m_filter; }
    // New events [from, store->endSeq()) were appended and older ones may have been pushed out: rows follow.
    void storeGrew(quint64 from);

    void setHighlightedIds(const QSet<int>& ids);
    [[nodiscard]] const QSet<int>& highlightedIds() const { return m_highlight; }

    [[nodiscard]] quint64 seqAt(int row) const { return m_rows[size_t(row)]; }
    [[nodiscard]] int rowOf(quint64 seq) const; // -1 when not shown
    [[nodiscard]] const std::vector<quint64>& rows() const { return m_rows; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    static QString levelName(int level);

private:
    const events::EventCatalogue* m_catalogue;
    const events::EventStore* m_store = nullptr;
    events::EventFilter m_filter;
    std::vector<quint64> m_rows;
    QSet<int> m_highlight;
    QIcon m_error, m_warning, m_info;
};

} // namespace ndes::ui
