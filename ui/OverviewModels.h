// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ndes/HealthProbe.h"

#include <QAbstractTableModel>
#include <QColor>
#include <QSortFilterProxyModel>

namespace ndes::ui {

// Colours shared by the Overview's tables and charts (light bands, readable text on them).
struct StatusColours {
    static QColor band(service::HealthStatus status);
    static QColor band(service::ExpiryStatus status);
    static QColor strong(service::HealthStatus status);
};

// One probe of one server, kept for the history chart.
struct ProbePoint {
    QDateTime at;
    qint64 totalMs = 0;
    service::HealthStatus status = service::HealthStatus::Ok;
};

// The servers of the inventory with their latest health.
class ServerHealthModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { StatusColumn, ServerColumn, ReasonColumn, RaColumn, LatencyColumn, CheckedColumn, ColumnCount };
    static constexpr int historyLimit = 288; // a day at the 5-minute default

    explicit ServerHealthModel(QObject* parent = nullptr);

    void setServers(const QStringList& names, const QList<QUrl>& urls);
    void applyReport(const service::HealthReport& report);

    [[nodiscard]] int rowCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex& index, int role) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    [[nodiscard]] const service::HealthReport* report(int row) const;
    [[nodiscard]] QString serverName(int row) const;
    [[nodiscard]] QList<ProbePoint> history(int row) const;
    [[nodiscard]] QList<service::HealthReport> reports() const;

private:
    struct Row {
        QString name;
        QUrl url;
        bool hasReport = false;
        service::HealthReport latest;
        QList<ProbePoint> history;
    };
    QList<Row> m_rows;
};

// Every certificate and CRL of every server, flat, for the sortable, filterable table.
class CertificateExpiryModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { ServerColumn, RoleColumn, SubjectColumn, ExpiresColumn, DaysColumn, StatusColumn, ColumnCount };
    static constexpr int SortRole = Qt::UserRole + 1;
    static constexpr int StatusRole = Qt::UserRole + 2;
    static constexpr int KindRole = Qt::UserRole + 3; // "ca", "ra", "tls", "crl"

    explicit CertificateExpiryModel(QObject* parent = nullptr);
    void setItems(QList<service::ExpiryItem> items);
    [[nodiscard]] const QList<service::ExpiryItem>& items() const { return m_items; }

    [[nodiscard]] int rowCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex& index, int role) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    static QString roleLabel(service::ExpiryRole role);
    static QString statusLabel(service::ExpiryStatus status);

private:
    QList<service::ExpiryItem> m_items;
};

// Text (server or subject), kind and "needs attention" filters over the certificate table.
class CertificateFilterModel : public QSortFilterProxyModel {
    Q_OBJECT
public:
    using QSortFilterProxyModel::QSortFilterProxyModel;
    void setText(const QString& text);
    void setKind(const QString& kind); // empty: all
    void setAttentionOnly(bool on);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    QString m_text;
    QString m_kind;
    bool m_attentionOnly = false;
};

} // namespace ndes::ui
