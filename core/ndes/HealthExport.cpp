// SPDX-License-Identifier: Apache-2.0
#include "ndes/HealthExport.h"

#include <QCoreApplication>

namespace ndes::service {

namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("HealthExport", text);
}

QString tr(const char* text, const char* disambiguation, int n) {
    return QCoreApplication::translate("HealthExport", text, disambiguation, n);
}

QString esc(const QString& s) {
    return s.toHtmlEscaped();
}

const char* statusColour(const QString& status) {
    if (status == QLatin1String("ok"))
        return "#e3f4e6";
    if (status == QLatin1String("warning"))
        return "#fff1d6";
    return "#fbe0dd";
}

} // namespace

QString HealthExport::csvCell(const QString& value) {
    QString v = value;
    if (!v.isEmpty() && QStringLiteral("=+-@\t\r").contains(v.front()))
        v.prepend(QLatin1Char('\''));
    if (v.contains(QLatin1Char(',')) || v.contains(QLatin1Char('"')) || v.contains(QLatin1Char('\n')) ||
        v.contains(QLatin1Char('\r'))) {
        v.replace(QLatin1Char('"'), QStringLiteral("\"\""));
        v = QLatin1Char('"') + v + QLatin1Char('"');
    }
    return v;
}

QByteArray HealthExport::csv(const QList<HealthReport>& reports) {
    QString out = QStringLiteral("server,url,server_status,role,subject,not_after,days_left,status,checked_at\r\n");
    for (const HealthReport& r : reports) {
        const QStringList common{r.server, r.url.toString(), healthStatusName(r.status)};
        if (r.expiries.isEmpty()) {
            QStringList cells = common;
            cells << QString() << QString() << QString() << QString() << QString() << r.checkedAt.toString(Qt::ISODate);
            for (QString& c : cells)
                c = csvCell(c);
            out += cells.join(QLatin1Char(',')) + QStringLiteral("\r\n");
        }
        for (const ExpiryItem& e : r.expiries) {
            QStringList cells = common;
            cells << expiryRoleName(e.role) << e.subject << e.notAfter.toString(Qt::ISODate)
                  << QString::number(e.daysLeft) << expiryStatusName(e.status) << r.checkedAt.toString(Qt::ISODate);
            for (QString& c : cells)
                c = csvCell(c);
            out += cells.join(QLatin1Char(',')) + QStringLiteral("\r\n");
        }
    }
    return QByteArray("\xEF\xBB\xBF") + out.toUtf8();
}

QByteArray HealthExport::html(const QList<HealthReport>& reports, const QDateTime& generatedAt) {
    QString h = QStringLiteral("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>%1</title>\n"
                               "<style>body{font-family:sans-serif;margin:2em;color:#1f2a36}"
                               "table{border-collapse:collapse;margin-bottom:1.5em}"
                               "td,th{border:1px solid #ccd5de;padding:4px 8px;text-align:left;vertical-align:top}"
                               "th{background:#eef2f6}</style></head><body>\n")
                    .arg(esc(tr("NDES health and certificate expiry")));
    h += QStringLiteral("<h1>%1</h1>\n<p>%2</p>\n")
             .arg(esc(tr("NDES health and certificate expiry")),
                  esc(tr("Generated %1 UTC by NDES Console; %n server(s).", nullptr, int(reports.size()))
                          .arg(generatedAt.toString(QStringLiteral("yyyy-MM-dd HH:mm")))));
    h += QStringLiteral("<h2>%1</h2>\n<table><tr><th>%2</th><th>%3</th><th>%4</th><th>%5</th><th>%6</th></tr>\n")
             .arg(esc(tr("Servers")), esc(tr("Server")), esc(tr("Status")), esc(tr("Reasons")), esc(tr("Latency")),
                  esc(tr("Checked")));
    for (const HealthReport& r : reports) {
        QStringList reasons;
        for (const HealthReason& reason : r.reasons)
            reasons << QStringLiteral("<b>%1</b> %2").arg(esc(healthStatusLabel(reason.severity)), esc(reason.message));
        h += QStringLiteral("<tr style=\"background:%1\"><td>%2<br><small>%3</small></td><td>%4</td><td>%5</td>"
                            "<td>%6 ms</td><td>%7</td></tr>\n")
                 .arg(QLatin1String(statusColour(healthStatusName(r.status))), esc(r.server), esc(r.url.toString()),
                      esc(healthStatusLabel(r.status)),
                      reasons.isEmpty() ? esc(tr("all checks passed")) : reasons.join(QStringLiteral("<br>")))
                 .arg(r.totalMs)
                 .arg(esc(r.checkedAt.toString(Qt::ISODate)));
    }
    h += QStringLiteral("</table>\n<h2>%1</h2>\n<table><tr><th>%2</th><th>%3</th><th>%4</th><th>%5</th><th>%6</th>"
                        "<th>%7</th></tr>\n")
             .arg(esc(tr("Certificates and CRLs")), esc(tr("Server")), esc(tr("Role")), esc(tr("Subject")),
                  esc(tr("Expires")), esc(tr("Days left")), esc(tr("Status")));
    QList<ExpiryItem> items;
    for (const HealthReport& r : reports)
        items += r.expiries;
    std::stable_sort(items.begin(), items.end(),
                     [](const ExpiryItem& a, const ExpiryItem& b) { return a.daysLeft < b.daysLeft; });
    for (const ExpiryItem& e : items)
        h += QStringLiteral("<tr style=\"background:%1\"><td>%2</td><td>%3</td><td>%4</td><td>%5</td><td>%6</td>"
                            "<td>%7</td></tr>\n")
                 .arg(QLatin1String(statusColour(e.status == ExpiryStatus::Ok        ? QStringLiteral("ok")
                                                 : e.status == ExpiryStatus::Warning ? QStringLiteral("warning")
                                                                                     : QStringLiteral("critical"))),
                      esc(e.server), esc(expiryRoleName(e.role)), esc(e.subject),
                      esc(e.notAfter.toString(QStringLiteral("yyyy-MM-dd HH:mm"))), QString::number(e.daysLeft),
                      esc(expiryStatusName(e.status)));
    h += QStringLiteral("</table>\n</body></html>\n");
    return h.toUtf8();
}

} // namespace ndes::service
