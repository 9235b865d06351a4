// SPDX-License-Identifier: Apache-2.0
#include "audit/AuditReport.h"

#include "util/AtomicFile.h"

#include <QCoreApplication>
#include <QJsonDocument>

namespace ndes::audit {

namespace {
QString tr(const char* text) {
    return QCoreApplication::translate("AuditReport", text);
}
QString trn(const char* text, int n) {
    return QCoreApplication::translate("AuditReport", text, nullptr, n);
}

QString csvCell(QString s) {
    // A leading = + - @ (or a tab/CR) would make a spreadsheet run the cell as a formula.
    if (!s.isEmpty() && QStringLiteral("=+-@\t\r").contains(s.front()))
        s.prepend(QLatin1Char('\''));
    // Every cell quoted: a spreadsheet in a locale that splits at ';' must not see a second cell start with '='.
    return QLatin1Char('"') + s.replace(QLatin1Char('"'), QStringLiteral("\"\"")) + QLatin1Char('"');
}

QString esc(const QString& s) {
    return s.toHtmlEscaped();
}

QString severityLabel(Severity s) {
    switch (s) {
    case Severity::Critical:
        return tr("Critical");
    case Severity::High:
        return tr("High");
    case Severity::Medium:
        return tr("Medium");
    case Severity::Low:
        return tr("Low");
    case Severity::Info:
        break;
    }
    return tr("Information");
}
} // namespace

QByteArray AuditReport::json(const AuditResult& r) {
    return QJsonDocument(r.toJson()).toJson(QJsonDocument::Indented);
}

QByteArray AuditReport::csv(const AuditResult& r) {
    QString out = QStringLiteral("severity,id,title,detail,evidence source,evidence path,evidence value,remedy\r\n");
    for (const Finding& f : r.findings) {
        const QList<Evidence> evidence = f.evidence.isEmpty() ? QList<Evidence>{Evidence{}} : f.evidence;
        for (const Evidence& e : evidence)
            out += QStringList{csvCell(severityName(f.severity)),
                               csvCell(f.id),
                               csvCell(f.title),
                               csvCell(f.detail),
                               csvCell(e.source),
                               csvCell(e.path),
                               csvCell(e.value),
                               csvCell(f.remedy)}
                       .join(QLatin1Char(',')) +
                   QStringLiteral("\r\n");
    }
    for (const NotChecked& n : r.notChecked)
        out +=
            QStringList{QStringLiteral("not checked"), csvCell(n.id), csvCell(n.title), csvCell(n.why), {}, {}, {}, {}}
                .join(QLatin1Char(',')) +
            QStringLiteral("\r\n");
    out += QStringList{QStringLiteral("catalogue"), csvCell(r.catalogueVersion), {}, {}, {}, {}, {}, {}}.join(
               QLatin1Char(',')) +
           QStringLiteral("\r\n");
    for (const SnapshotFile& f : r.files)
        out += QStringList{QStringLiteral("file"), {}, {}, {}, csvCell(f.name), csvCell(f.kind), csvCell(f.sha256), {}}
                   .join(QLatin1Char(',')) +
               QStringLiteral("\r\n");
    return "\xEF\xBB\xBF" + out.toUtf8(); // a BOM, so Excel reads UTF-8
}

QString AuditReport::html(const AuditResult& r, const QDateTime& generatedAt) {
    QString h;
    h += QStringLiteral("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src "
                        "'unsafe-inline'\">");
    h += QStringLiteral("<title>%1</title>").arg(esc(tr("NDES configuration audit: %1").arg(r.host)));
    h += QStringLiteral(
        "<style>body{font-family:sans-serif;margin:2em;color:#222;max-width:60em}h1{font-size:1.5em}"
        "h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccc}"
        ".f{border:1px solid #ddd;border-left:6px solid #888;padding:.6em 1em;margin:1em 0;page-break-inside:avoid}"
        ".critical{border-left-color:#8b0000}.high{border-left-color:#d9480f}.medium{border-left-color:#e8a200}"
        ".low{border-left-color:#4a7ab5}.info{border-left-color:#888}.sev{font-weight:bold;text-transform:uppercase;"
        "font-size:.8em}table{border-collapse:collapse;font-size:.9em}td,th{border:1px solid #ddd;padding:.2em .5em;"
        "text-align:left;vertical-align:top}code,pre{font-family:monospace;white-space:pre-wrap;word-break:break-all}"
        "@media print{body{margin:0}}</style></head><body>\n");
    h += QStringLiteral("<h1>%1</h1>\n").arg(esc(tr("NDES configuration audit")));
    h += QStringLiteral("<table><tr><th>%1</th><td>%2</td></tr><tr><th>%3</th><td>%4</td></tr>"
                        "<tr><th>%5</th><td>%6</td></tr><tr><th>%7</th><td>%8</td></tr></table>\n")
             .arg(esc(tr("Server")), esc(r.host.isEmpty() ? tr("(unknown)") : r.host), esc(tr("Collected")),
                  esc(r.collectedAt.toUTC().toString(Qt::ISODate)), esc(tr("Report written")),
                  esc(generatedAt.toUTC().toString(Qt::ISODate)), esc(tr("Check catalogue")), esc(r.catalogueVersion));
    QStringList counts;
    for (Severity s : {Severity::Critical, Severity::High, Severity::Medium, Severity::Low, Severity::Info})
        counts << QStringLiteral("%1: %2").arg(severityLabel(s)).arg(r.count(s));
    h += QStringLiteral("<p>%1 — %2</p>\n")
             .arg(esc(trn("%n finding(s)", int(r.findings.size()))), esc(counts.join(QStringLiteral(", "))));
    h += QStringLiteral("<h2>%1</h2>\n").arg(esc(tr("Findings")));
    if (r.findings.isEmpty())
        h += QStringLiteral("<p>%1</p>\n").arg(esc(tr("No check found anything wrong in the evidence.")));
    for (const Finding& f : r.findings) {
        h += QStringLiteral("<div class=\"f %1\"><div class=\"sev\">%2 · %3</div><h3>%4</h3><p>%5</p>")
                 .arg(severityName(f.severity), esc(severityLabel(f.severity)), esc(f.id), esc(f.title), esc(f.detail));
        if (!f.evidence.isEmpty()) {
            h += QStringLiteral("<table><tr><th>%1</th><th>%2</th><th>%3</th></tr>")
                     .arg(esc(tr("Evidence")), esc(tr("Where")), esc(tr("Value seen")));
            for (const Evidence& e : f.evidence)
                h += QStringLiteral("<tr><td><code>%1</code></td><td><code>%2</code></td><td><code>%3</code></td></tr>")
                         .arg(esc(e.source), esc(e.path), esc(e.value));
            h += QStringLiteral("</table>");
        }
        h += QStringLiteral("<p><b>%1</b> %2</p><p><b>%3</b> %4</p>")
                 .arg(esc(tr("Why it matters:")), esc(f.why), esc(tr("Remedy:")), esc(f.remedy));
        if (!f.remedyScript.isEmpty())
            h += QStringLiteral("<pre>%1</pre>").arg(esc(f.remedyScript));
        if (!f.sources.isEmpty())
            h += QStringLiteral("<p><small>%1 %2</small></p>")
                     .arg(esc(tr("Sources:")), esc(f.sources.join(QStringLiteral("; "))));
        h += QStringLiteral("</div>\n");
    }
    h += QStringLiteral("<h2>%1</h2>\n<table><tr><th>%2</th><th>%3</th></tr>")
             .arg(esc(tr("Not checked")), esc(tr("Check")), esc(tr("Why")));
    for (const NotChecked& n : r.notChecked)
        h += QStringLiteral("<tr><td>%1<br><small>%2</small></td><td>%3</td></tr>")
                 .arg(esc(n.title), esc(n.id), esc(n.why));
    h += QStringLiteral("</table>\n<h2>%1</h2>\n<p>%2</p>\n")
             .arg(esc(tr("Passed")), esc(r.passed.join(QStringLiteral(", "))));
    h += QStringLiteral("<h2>%1</h2>\n").arg(esc(tr("Evidence files")));
    if (!r.collectorVersion.isEmpty())
        h += QStringLiteral("<p>%1</p>")
                 .arg(esc(
                     tr("Collected by %1 with Collect-NdesSnapshot.ps1 %2.").arg(r.collectedBy, r.collectorVersion)));
    h += QStringLiteral("<table><tr><th>%1</th><th>%2</th><th>SHA-256</th></tr>").arg(esc(tr("File")), esc(tr("Kind")));
    for (const SnapshotFile& f : r.files)
        h += QStringLiteral("<tr><td><code>%1</code></td><td>%2</td><td><code>%3</code></td></tr>")
                 .arg(esc(f.name), esc(f.problem.isEmpty() ? f.kind : f.kind + QStringLiteral(": ") + f.problem),
                      esc(f.sha256));
    h += QStringLiteral("</table>\n</body></html>\n");
    return h;
}

Status AuditReport::write(const AuditResult& r, const QString& path, const QDateTime& generatedAt) {
    QByteArray bytes;
    const QString lower = path.toLower();
    if (lower.endsWith(QLatin1String(".json")))
        bytes = json(r);
    else if (lower.endsWith(QLatin1String(".csv")))
        bytes = csv(r);
    else if (lower.endsWith(QLatin1String(".html")) || lower.endsWith(QLatin1String(".htm")))
        bytes = html(r, generatedAt).toUtf8();
    else
        return makeError(ErrorKind::Usage, tr("%1: a report is .html, .json or .csv.").arg(path));
    return AtomicFile::write(path, bytes, AtomicFile::Access::OwnerOnly);
}

} // namespace ndes::audit
