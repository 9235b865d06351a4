// SPDX-License-Identifier: Apache-2.0
#include "ndes/Diagnosis.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

// Resources of a static library are registered by hand, from the global namespace.
static void initNdescoreResources() {
    Q_INIT_RESOURCE(ndescore);
}

namespace ndes::service {

QString confidenceLabel(double confidence) {
    if (confidence >= 0.85)
        return QCoreApplication::translate("Diagnosis", "very likely");
    if (confidence >= 0.6)
        return QCoreApplication::translate("Diagnosis", "likely");
    return QCoreApplication::translate("Diagnosis", "possible");
}

namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("Diagnosis", text);
}

const QStringList knownConditions{
    QStringLiteral("httpStatus"),       QStringLiteral("step"),     QStringLiteral("errorKind"),
    QStringLiteral("errorCode"),        QStringLiteral("failInfo"), QStringLiteral("raState"),
    QStringLiteral("messageContains"),  QStringLiteral("eventIds"), QStringLiteral("challengeFetched"),
    QStringLiteral("minSlowestStepMs"), QStringLiteral("ok")};

bool inStrings(const QJsonValue& list, const QString& value) {
    for (const QJsonValue& v : list.toArray())
        if (v.toString() == value)
            return true;
    return false;
}

QString checkCondition(const QJsonObject& condition) {
    for (auto it = condition.begin(); it != condition.end(); ++it)
        if (!knownConditions.contains(it.key()))
            return it.key();
    return {};
}

} // namespace

QJsonObject LikelyCause::toJson() const {
    return QJsonObject{{QStringLiteral("id"), id},
                       {QStringLiteral("title"), title},
                       {QStringLiteral("confidence"), qRound(confidence * 100) / 100.0},
                       {QStringLiteral("confirm"), confirm},
                       {QStringLiteral("fix"), fix},
                       {QStringLiteral("sources"), QJsonArray::fromStringList(sources)}};
}

Result<Diagnosis> Diagnosis::builtIn() {
    initNdescoreResources();
    QFile f(QStringLiteral(":/ndes/diagnosis-causes.json"));
    if (!f.open(QIODevice::ReadOnly))
        return makeError(ErrorKind::Internal, tr("The built-in list of causes is missing."));
    return fromJson(f.readAll());
}

Result<Diagnosis> Diagnosis::fromJson(const QByteArray& json) {
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject())
        return makeError(ErrorKind::BadReply, tr("The causes file is not valid JSON: %1").arg(pe.errorString()));
    const QJsonObject root = doc.object();
    if (root.value(QStringLiteral("format")).toInt() != 1)
        return makeError(ErrorKind::BadReply, tr("The causes file has an unknown format (expected 1)."));
    Diagnosis d;
    for (const QJsonValue& v : root.value(QStringLiteral("causes")).toArray()) {
        const QJsonObject o = v.toObject();
        Rule rule;
        rule.cause.id = o.value(QStringLiteral("id")).toString();
        rule.cause.title = o.value(QStringLiteral("title")).toString();
        rule.cause.confirm = o.value(QStringLiteral("confirm")).toString();
        rule.cause.fix = o.value(QStringLiteral("fix")).toString();
        for (const QJsonValue& s : o.value(QStringLiteral("sources")).toArray())
            rule.cause.sources << s.toString();
        rule.score = o.value(QStringLiteral("score")).toDouble(-1);
        rule.require = o.value(QStringLiteral("require")).toObject();
        for (const QJsonValue& any : o.value(QStringLiteral("requireAny")).toArray())
            rule.requireAny << any.toObject();
        for (const QJsonValue& s : o.value(QStringLiteral("support")).toArray())
            rule.support.append({s.toObject().value(QStringLiteral("when")).toObject(),
                                 s.toObject().value(QStringLiteral("add")).toDouble()});
        if (rule.cause.id.isEmpty() || rule.cause.title.isEmpty() || rule.cause.fix.isEmpty() || rule.score < 0 ||
            (rule.require.isEmpty() && rule.requireAny.isEmpty()))
            return makeError(
                ErrorKind::BadReply,
                tr("Cause \"%1\" needs an id, a title, a fix, a score and at least one condition.").arg(rule.cause.id));
        QList<QJsonObject> all = rule.requireAny;
        all << rule.require;
        for (const auto& s : rule.support)
            all << s.first;
        for (const QJsonObject& c : all)
            if (const QString unknown = checkCondition(c); !unknown.isEmpty())
                return makeError(ErrorKind::BadReply,
                                 tr("Cause \"%1\" uses an unknown condition \"%2\".").arg(rule.cause.id, unknown));
        d.m_causes << rule;
    }
    if (d.m_causes.isEmpty())
        return makeError(ErrorKind::BadReply, tr("The causes file lists no cause."));
    return d;
}

bool Diagnosis::holds(const QJsonObject& c, const EnrollmentObservation& o) {
    for (auto it = c.begin(); it != c.end(); ++it) {
        const QString& key = it.key();
        const QJsonValue& v = it.value();
        bool ok = true;
        if (key == QLatin1String("httpStatus")) {
            ok = false;
            for (const QJsonValue& s : v.toArray())
                ok = ok || (o.httpStatus != 0 && s.toInt() == o.httpStatus);
        } else if (key == QLatin1String("step")) {
            ok = inStrings(v, o.failedStep);
        } else if (key == QLatin1String("errorKind")) {
            ok = inStrings(v, o.errorKind);
        } else if (key == QLatin1String("errorCode")) {
            ok = !o.errorCode.isEmpty() && inStrings(v, o.errorCode);
        } else if (key == QLatin1String("failInfo")) {
            ok = !o.failInfo.isEmpty() && inStrings(v, o.failInfo);
        } else if (key == QLatin1String("raState")) {
            ok = !o.raState.isEmpty() && inStrings(v, o.raState);
        } else if (key == QLatin1String("messageContains")) {
            ok = false;
            for (const QJsonValue& s : v.toArray())
                ok = ok || (!s.toString().isEmpty() && o.message.contains(s.toString(), Qt::CaseInsensitive));
        } else if (key == QLatin1String("eventIds")) {
            ok = false;
            for (const QJsonValue& s : v.toArray())
                ok = ok || o.eventIds.contains(s.toInt());
        } else if (key == QLatin1String("challengeFetched")) {
            ok = o.challengeFetched == v.toBool();
        } else if (key == QLatin1String("minSlowestStepMs")) {
            ok = o.slowestStepMs >= v.toInteger();
        } else if (key == QLatin1String("ok")) {
            ok = o.ok == v.toBool();
        }
        if (!ok)
            return false;
    }
    return true;
}

QList<LikelyCause> Diagnosis::diagnose(const EnrollmentObservation& observed) const {
    QList<LikelyCause> out;
    for (const Rule& rule : m_causes) {
        if (!rule.require.isEmpty() && !holds(rule.require, observed))
            continue;
        bool any = rule.requireAny.isEmpty();
        for (const QJsonObject& c : rule.requireAny)
            any = any || holds(c, observed);
        if (!any)
            continue;
        double score = rule.score;
        for (const auto& [when, add] : rule.support)
            if (holds(when, observed))
                score += add;
        if (score < 0.1)
            continue; // ruled out by what was seen
        LikelyCause cause = rule.cause;
        cause.confidence = qBound(0.0, score, 0.99);
        out << cause;
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const LikelyCause& a, const LikelyCause& b) { return a.confidence > b.confidence; });
    return out;
}

} // namespace ndes::service
