// SPDX-License-Identifier: Apache-2.0
#include "OverviewModels.h"

#include "util/Clock.h"

#include <QLocale>

namespace ndes::ui {

using service::ExpiryItem;
using service::ExpiryRole;
using service::ExpiryStatus;
using service::HealthReport;
using service::HealthStatus;

QColor StatusColours::band(HealthStatus status) {
    switch (status) {
    case HealthStatus::Ok:
        return QColor(0xe3, 0xf4, 0xe6);
    case HealthStatus::Warning:
        return QColor(0xff, 0xf1, 0xd6);
    case HealthStatus::Critical:
        return QColor(0xfb, 0xe0, 0xdd);
    case HealthStatus::Unreachable:
        return QColor(0xe6, 0xe3, 0xef);
    }
    return {};
}

QColor StatusColours::band(ExpiryStatus status) {
    switch (status) {
    case ExpiryStatus::Ok:
        return band(HealthStatus::Ok);
    case ExpiryStatus::Warning:
        return band(HealthStatus::Warning);
    case ExpiryStatus::Critical:
    case ExpiryStatus::Expired:
        return band(HealthStatus::Critical);
    }
    return {};
}

QColor StatusColours::strong(HealthStatus status) {
    switch (status) {
    case HealthStatus::Ok:
        return QColor(0x2b, 0x7a, 0x3d);
    case HealthStatus::Warning:
        return QColor(0xb2, 0x6a, 0x00);
    case HealthStatus::Critical:
        return QColor(0xb3, 0x26, 0x1e);
    case HealthStatus::Unreachable:
        return QColor(0x5b, 0x4b, 0x8a);
    }
    return {};
}

// --- servers ---------------------------------------------------------------------------------------------------

ServerHealthModel::ServerHealthModel(QObject* parent)
    : QAbstractTableModel(parent) {}

void ServerHealthModel::setServers(const QStringList& names, const QList<QUrl>& urls) {
    beginResetModel();
    QList<Row> rows;
    for (qsizetype i = 0; i < names.size(); ++i) {
        Row row;
        for (const Row& old : m_rows)
            if (old.name == names[i] && old.url == urls.value(i))
                row = old; // keep the history of a server that is still there
        row.name = names[i];
        row.url = urls.value(i);
        rows << row;
    }
    m_rows = rows;
    endResetModel();
}

void ServerHealthModel::applyReport(const HealthReport& report) {
    for (qsizetype i = 0; i < m_rows.size(); ++i) {
        Row& row = m_rows[i];
        if (row.name != report.server)
            continue;
        row.latest = report;
        row.hasReport = true;
        row.history.append({report.checkedAt, report.totalMs, report.status});
        if (row.history.size() > historyLimit)
            row.history.removeFirst();
        emit dataChanged(index(int(i), 0), index(int(i), ColumnCount - 1));
        return;
    }
}

int ServerHealthModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ServerHealthModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

namespace {

qint64 raDaysLeft(const HealthReport& r) {
    qint64 days = std::numeric_limits<qint64>::max();
    for (const ExpiryItem& e : r.expiries)
        if (e.role == ExpiryRole::RaSigning || e.role == ExpiryRole::RaEncryption)
            days = qMin(days, e.daysLeft);
    return days;
}

} // namespace

QVariant ServerHealthModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const Row& row = m_rows[index.row()];
    const HealthReport& r = row.latest;
    if (role == Qt::BackgroundRole)
        return row.hasReport ? QVariant(StatusColours::band(r.status)) : QVariant();
    if (role == Qt::ForegroundRole && index.column() == StatusColumn && row.hasReport)
        return StatusColours::strong(r.status);
    if (role == Qt::ToolTipRole && row.hasReport && index.column() == ReasonColumn) {
        QStringList lines;
        for (const service::HealthReason& reason : r.reasons)
            lines << QStringLiteral("• ") + reason.message;
        return lines.join(QLatin1Char('\n'));
    }
    if (role == Qt::UserRole) { // sort keys
        switch (index.column()) {
        case StatusColumn:
            return row.hasReport ? int(r.status) : -1;
        case RaColumn:
            return row.hasReport ? raDaysLeft(r) : std::numeric_limits<qint64>::max();
        case LatencyColumn:
            return row.hasReport ? r.totalMs : -1;
        default:
            break;
        }
        return data(index, Qt::DisplayRole);
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case StatusColumn:
        return row.hasReport ? service::healthStatusLabel(r.status) : tr("Not checked yet");
    case ServerColumn:
        return row.name;
    case ReasonColumn:
        if (!row.hasReport)
            return row.url.toString();
        if (r.reasons.isEmpty())
            return tr("All checks passed");
        {
            QStringList titles;
            for (const service::HealthReason& reason : r.reasons) {
                const QString t = service::healthReasonTitle(reason.code);
                if (!titles.contains(t))
                    titles << t;
            }
            return titles.join(QStringLiteral(" · "));
        }
    case RaColumn: {
        if (!row.hasReport)
            return {};
        const qint64 days = raDaysLeft(r);
        if (days == std::numeric_limits<qint64>::max())
            return tr("—");
        return days < 0 ? tr("expired") : tr("%n day(s)", nullptr, int(days));
    }
    case LatencyColumn:
        return row.hasReport ? tr("%1 ms").arg(r.totalMs) : QVariant();
    case CheckedColumn:
        return row.hasReport ? QLocale().toString(r.checkedAt.toLocalTime().time(), QLocale::ShortFormat) : QVariant();
    default:
        return {};
    }
}

QVariant ServerHealthModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case StatusColumn:
        return tr("Status");
    case ServerColumn:
        return tr("Server");
    case ReasonColumn:
        return tr("Reason");
    case RaColumn:
        return tr("RA expires in");
    case LatencyColumn:
        return tr("Latency");
    case CheckedColumn:
        return tr("Checked");
    default:
        return {};
    }
}

const HealthReport* ServerHealthModel::report(int row) const {
    return row >= 0 && row < m_rows.size() && m_rows[row].hasReport ? &m_rows[row].latest : nullptr;
}

QString ServerHealthModel::serverName(int row) const {
    return row >= 0 && row < m_rows.size() ? m_rows[row].name : QString();
}

QList<ProbePoint> ServerHealthModel::history(int row) const {
    return row >= 0 && row < m_rows.size() ? m_rows[row].history : QList<ProbePoint>();
}

QList<HealthReport> ServerHealthModel::reports() const {
    QList<HealthReport> out;
    for (const Row& row : m_rows)
        if (row.hasReport)
            out << row.latest;
    return out;
}

// --- certificates ----------------------------------------------------------------------------------------------

CertificateExpiryModel::CertificateExpiryModel(QObject* parent)
    : QAbstractTableModel(parent) {}

void CertificateExpiryModel::setItems(QList<ExpiryItem> items) {
    beginResetModel();
    m_items = std::move(items);
    endResetModel();
}

int CertificateExpiryModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(m_items.size());
}

int CertificateExpiryModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QString CertificateExpiryModel::roleLabel(ExpiryRole role) {
    switch (role) {
    case ExpiryRole::Ca:
        return tr("CA");
    case ExpiryRole::RaSigning:
        return tr("RA signing");
    case ExpiryRole::RaEncryption:
        return tr("RA encryption");
    case ExpiryRole::Tls:
        return tr("TLS");
    case ExpiryRole::Crl:
        return tr("CRL (next update)");
    case ExpiryRole::DirectoryCa:
        return tr("CA (published in AD)");
    case ExpiryRole::ServiceAccount:
        return tr("Service account");
    }
    return {};
}

QString CertificateExpiryModel::statusLabel(ExpiryStatus status) {
    switch (status) {
    case ExpiryStatus::Ok:
        return tr("OK");
    case ExpiryStatus::Warning:
        return tr("Expires soon");
    case ExpiryStatus::Critical:
        return tr("Critical");
    case ExpiryStatus::Expired:
        return tr("Expired");
    }
    return {};
}

QVariant CertificateExpiryModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= m_items.size())
        return {};
    const ExpiryItem& e = m_items[index.row()];
    switch (role) {
    case Qt::BackgroundRole:
        return StatusColours::band(e.status);
    case StatusRole:
        return int(e.status);
    case KindRole:
        if (e.role == ExpiryRole::RaSigning || e.role == ExpiryRole::RaEncryption)
            return QStringLiteral("ra");
        if (e.role == ExpiryRole::DirectoryCa)
            return QStringLiteral("ca"); // a CA certificate all the same; the role column says where it was found
        return service::expiryRoleName(e.role);
    case Qt::TextAlignmentRole:
        return index.column() == DaysColumn ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
    case SortRole:
        switch (index.column()) {
        case ExpiresColumn:
            return e.notAfter;
        case DaysColumn:
            return e.daysLeft;
        case StatusColumn:
            return int(e.status);
        default:
            return data(index, Qt::DisplayRole);
        }
    case Qt::DisplayRole:
        switch (index.column()) {
        case ServerColumn:
            return e.server;
        case RoleColumn:
            return roleLabel(e.role);
        case SubjectColumn:
            return e.subject;
        case ExpiresColumn:
            return displayDateTime(e.notAfter);
        case DaysColumn: // "-2" read as a typo: an expired one says how long ago, in words
            return e.daysLeft < 0 || e.status == ExpiryStatus::Expired
                       ? QVariant(expiredAgo(e.notAfter, Clock::instance().now()))
                       : QVariant(e.daysLeft);
        case StatusColumn:
            return statusLabel(e.status);
        default:
            return {};
        }
    default:
        return {};
    }
}

QVariant CertificateExpiryModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case ServerColumn:
        return tr("Server");
    case RoleColumn:
        return tr("Role");
    case SubjectColumn:
        return tr("Subject");
    case ExpiresColumn:
        return tr("Expires");
    case DaysColumn:
        return tr("Days left");
    case StatusColumn:
        return tr("Status");
    default:
        return {};
    }
}

void CertificateFilterModel::setText(const QString& text) {
    m_text = text.trimmed();
    invalidateFilter();
}

void CertificateFilterModel::setKind(const QString& kind) {
    m_kind = kind;
    invalidateFilter();
}

void CertificateFilterModel::setAttentionOnly(bool on) {
    m_attentionOnly = on;
    invalidateFilter();
}

bool CertificateFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const {
    const QAbstractItemModel* m = sourceModel();
    const QModelIndex first = m->index(sourceRow, 0, sourceParent);
    if (!m_kind.isEmpty() && m->data(first, CertificateExpiryModel::KindRole).toString() != m_kind)
        return false;
    if (m_attentionOnly && m->data(first, CertificateExpiryModel::StatusRole).toInt() == int(ExpiryStatus::Ok))
        return false;
    if (m_text.isEmpty())
        return true;
    for (int c : {CertificateExpiryModel::ServerColumn, CertificateExpiryModel::SubjectColumn,
                  CertificateExpiryModel::RoleColumn})
        if (m->data(m->index(sourceRow, c, sourceParent), Qt::DisplayRole)
                .toString()
                .contains(m_text, Qt::CaseInsensitive))
            return true;
    return false;
}

} // namespace ndes::ui
