// SPDX-License-Identifier: Apache-2.0
#include "audit/Catalogue.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSet>

namespace ndes::audit {

namespace {
QString tr(const char* text) {
    return QCoreApplication::translate("AuditCatalogue", text);
}
} // namespace

QString severityName(Severity s) {
    switch (s) {
    case Severity::Critical:
        return QStringLiteral("critical");
    case Severity::High:
        return QStringLiteral("high");
    case Severity::Medium:
        return QStringLiteral("medium");
    case Severity::Low:
        return QStringLiteral("low");
    case Severity::Info:
        break;
    }
    return QStringLiteral("info");
}

std::optional<Severity> severityFromName(const QString& name) {
    for (Severity s : {Severity::Info, Severity::Low, Severity::Medium, Severity::High, Severity::Critical})
        if (name.compare(severityName(s), Qt::CaseInsensitive) == 0)
            return s;
    if (name.compare(QLatin1String("information"), Qt::CaseInsensitive) == 0)
        return Severity::Info;
    return std::nullopt;
}

QJsonObject Evidence::toJson() const {
    return {{QStringLiteral("source"), source}, {QStringLiteral("path"), path}, {QStringLiteral("value"), value}};
}

QJsonObject Finding::toJson() const {
    QJsonArray ev;
    for (const Evidence& e : evidence)
        ev.append(e.toJson());
    QJsonObject o{{QStringLiteral("id"), id},
                  {QStringLiteral("severity"), severityName(severity)},
                  {QStringLiteral("area"), area},
                  {QStringLiteral("title"), title},
                  {QStringLiteral("detail"), detail},
                  {QStringLiteral("evidence"), ev},
                  {QStringLiteral("why"), why},
                  {QStringLiteral("remedy"), remedy},
                  {QStringLiteral("sources"), QJsonArray::fromStringList(sources)}};
    if (!remedyScript.isEmpty())
        o.insert(QStringLiteral("remedyScript"), remedyScript);
    return o;
}

QJsonObject NotChecked::toJson() const {
    return {{QStringLiteral("id"), id}, {QStringLiteral("title"), title}, {QStringLiteral("why"), why}};
}

Result<Catalogue> Catalogue::builtIn() {
    QFile f(QStringLiteral(":/audit/audit-checks.json"));
    if (!f.open(QIODevice::ReadOnly))
        return makeError(ErrorKind::Internal, tr("The built-in audit catalogue is missing from this build."));
    return fromJson(f.readAll());
}

Result<Catalogue> Catalogue::fromJson(const QByteArray& json) {
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &pe);
    if (!doc.isObject())
        return makeError(ErrorKind::Usage, tr("The audit catalogue is not a JSON object: %1.").arg(pe.errorString()));
    const QJsonObject root = doc.object();
    if (root.value(QStringLiteral("format")).toInt() != 1)
        return makeError(ErrorKind::Usage, tr("The audit catalogue has a format this version does not read "
                                              "(expected format 1)."));
    Catalogue c;
    c.m_version = root.value(QStringLiteral("version")).toString();
    if (c.m_version.isEmpty())
        return makeError(ErrorKind::Usage, tr("The audit catalogue has no version."));
    const QJsonObject names = root.value(QStringLiteral("sourceNames")).toObject();
    static const QRegularExpression idPattern(QStringLiteral("^[a-z0-9]+(-[a-z0-9]+)*$"));
    QSet<QString> seen;
    for (const QJsonValue& v : root.value(QStringLiteral("checks")).toArray()) {
        const QJsonObject o = v.toObject();
        CheckDefinition d;
        d.id = o.value(QStringLiteral("id")).toString();
        if (!idPattern.match(d.id).hasMatch())
            return makeError(ErrorKind::Usage, tr("The audit catalogue has a check with a bad id \"%1\".").arg(d.id));
        if (seen.contains(d.id))
            return makeError(ErrorKind::Usage, tr("The audit catalogue lists the check %1 twice.").arg(d.id));
        seen.insert(d.id);
        const auto severity = severityFromName(o.value(QStringLiteral("severity")).toString());
        if (!severity)
            return makeError(ErrorKind::Usage, tr("The check %1 has no valid severity (critical, high, medium, low "
                                                  "or info).")
                                                   .arg(d.id));
        d.severity = *severity;
        d.area = o.value(QStringLiteral("area")).toString();
        d.title = o.value(QStringLiteral("title")).toString();
        d.why = o.value(QStringLiteral("why")).toString();
        d.remedy = o.value(QStringLiteral("remedy")).toString();
        if (d.title.isEmpty() || d.why.isEmpty() || d.remedy.isEmpty())
            return makeError(ErrorKind::Usage, tr("The check %1 needs a title, a why and a remedy.").arg(d.id));
        for (const QJsonValue& n : o.value(QStringLiteral("needs")).toArray())
            d.needs << n.toString();
        for (const QJsonValue& s : o.value(QStringLiteral("sources")).toArray()) {
            const QString key = s.toString();
            if (!names.contains(key))
                return makeError(
                    ErrorKind::Usage,
                    tr("The check %1 cites the source %2, which sourceNames does not list.").arg(d.id, key));
            d.sources << names.value(key).toString();
        }
        c.m_checks << d;
    }
    if (c.m_checks.isEmpty())
        return makeError(ErrorKind::Usage, tr("The audit catalogue lists no check."));
    return c;
}

const CheckDefinition* Catalogue::find(const QString& id) const {
    for (const CheckDefinition& d : m_checks)
        if (d.id == id)
            return &d;
    return nullptr;
}

} // namespace ndes::audit
