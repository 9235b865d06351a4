// SPDX-License-Identifier: Apache-2.0
#include "ndes/EnrollmentReport.h"

#include <QCoreApplication>

namespace ndes::service {

namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("EnrollmentReport", text);
}

QString esc(const QString& s) {
    return s.toHtmlEscaped();
}

} // namespace

QByteArray EnrollmentReport::html(const QString& server, const EnrollmentTestReport& r,
                                  const QList<LikelyCause>& causes) {
    const QString title = tr("NDES enrollment test of %1").arg(server);
    QString h = QStringLiteral("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>%1</title>\n"
                               "<style>body{font-family:sans-serif;margin:2em;color:#1f2a36}"
                               "table{border-collapse:collapse}td,th{border:1px solid #ccd5de;padding:4px 8px;"
                               "text-align:left;vertical-align:top}th{background:#eef2f6}"
                               ".ok{color:#2b7a3d}.failed{color:#b3261e}.warning{color:#b26a00}"
                               "pre{background:#f6f8fa;border:1px solid #d5dde5;padding:8px;white-space:pre-wrap}"
                               "</style></head><body>\n")
                    .arg(esc(title));
    h += QStringLiteral("<h1>%1</h1>\n<p class=\"%2\"><b>%3</b> — %4</p>\n")
             .arg(esc(title), r.ok ? QStringLiteral("ok") : QStringLiteral("failed"),
                  esc(r.ok ? tr("The enrollment succeeded.") : tr("The enrollment failed.")),
                  esc(tr("started %1 UTC, %2 ms in all")
                          .arg(r.startedAt.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")))
                          .arg(r.totalMs)));
    h += QStringLiteral("<h2>%1</h2>\n<table><tr><th>%2</th><th>%3</th><th>%4</th><th>%5</th></tr>\n")
             .arg(esc(tr("Steps")), esc(tr("Step")), esc(tr("Result")), esc(tr("Time")), esc(tr("Details")));
    for (const TestStep& s : r.steps) {
        QStringList details;
        if (!s.sent.isEmpty())
            details << tr("sent: %1").arg(s.sent);
        if (!s.received.isEmpty())
            details << tr("received: %1").arg(s.received);
        if (!s.detail.isEmpty())
            details << s.detail;
        for (QString& d : details)
            d = esc(d);
        h += QStringLiteral("<tr><td>%1</td><td class=\"%2\">%2</td><td>%3 ms</td><td>%4</td></tr>\n")
                 .arg(esc(s.title), testStepStatusName(s.status))
                 .arg(s.ms)
                 .arg(details.join(QStringLiteral("<br>")));
    }
    h += QStringLiteral("</table>\n");
    if (!r.certificate.isNull()) {
        const pki::Certificate& c = r.certificate;
        h += QStringLiteral("<h2>%1</h2>\n<table>").arg(esc(tr("Issued certificate")));
        const QList<QPair<QString, QString>> rows{
            {tr("Subject"), c.subject()},
            {tr("Issuer"), c.issuer()},
            {tr("Serial"), c.serialHex()},
            {tr("Valid"), tr("%1 to %2").arg(c.notBefore().toString(Qt::ISODate), c.notAfter().toString(Qt::ISODate))},
            {tr("Template"), c.templateName()},
            {tr("Key usage"), c.keyUsageNames().join(QStringLiteral(", "))},
            {tr("EKUs"), c.extendedKeyUsageNames().join(QStringLiteral(", "))},
            {tr("DNS names"), c.dnsNames().join(QStringLiteral(", "))},
            {tr("SHA-256"), pki::Certificate::hex(c.sha256())}};
        for (const auto& [k, v] : rows)
            h += QStringLiteral("<tr><th>%1</th><td>%2</td></tr>").arg(esc(k), esc(v));
        h += QStringLiteral("</table>\n");
    }
    if (!causes.isEmpty()) {
        h += QStringLiteral("<h2>%1</h2>\n<ol>\n").arg(esc(r.ok ? tr("Worth a look") : tr("Likely causes")));
        for (const LikelyCause& c : causes)
            h += QStringLiteral("<li><b>%1</b> (%2)<p>%3 %4</p><pre>%5</pre><p><small>%6 %7</small></p></li>\n")
                     .arg(esc(c.title), esc(service::confidenceLabel(c.confidence)), esc(tr("Confirm:")),
                          esc(c.confirm), esc(c.fix), esc(tr("Sources:")), esc(c.sources.join(QStringLiteral("; "))));
        h += QStringLiteral("</ol>\n");
    }
    for (const QString& w : r.warnings)
        h += QStringLiteral("<p class=\"warning\">%1</p>\n").arg(esc(w));
    h += QStringLiteral("</body></html>\n");
    return h.toUtf8();
}

} // namespace ndes::service
