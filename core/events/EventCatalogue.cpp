// SPDX-License-Identifier: Apache-2.0
#include "events/EventCatalogue.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

static void initEventResources() {
    Q_INIT_RESOURCE(ndescore);
}

namespace ndes::events {

namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("EventCatalogue", text);
}

QString key(const QString& provider, int id) {
    return provider.toLower() + QLatin1Char('|') + QString::number(id);
}

} // namespace

Result<EventCatalogue> EventCatalogue::builtIn() {
    initEventResources();
    QFile f(QStringLiteral(":/events/event-catalogue.json"));
    if (!f.open(QIODevice::ReadOnly))
        return makeError(ErrorKind::Internal, tr("The built-in event catalogue is missing."));
    return fromJson(f.readAll());
}

Result<EventCatalogue> EventCatalogue::fromJson(const QByteArray& json) {
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject())
        return makeError(ErrorKind::BadReply, tr("The event catalogue is not valid JSON: %1").arg(pe.errorString()));
    const QJsonObject root = doc.object();
    if (root.value(QStringLiteral("format")).toInt() != 1)
        return makeError(ErrorKind::BadReply, tr("The event catalogue has an unknown format (expected 1)."));
    EventCatalogue c;
    const QJsonObject providers = root.value(QStringLiteral("providers")).toObject();
    for (auto it = providers.begin(); it != providers.end(); ++it)
        for (const QJsonValue& alias : it.value().toArray())
            c.m_aliases.insert(alias.toString().toLower(), it.key());
    for (const QJsonValue& v : root.value(QStringLiteral("events")).toArray()) {
        const QJsonObject o = v.toObject();
        CatalogueEntry e;
        e.provider = o.value(QStringLiteral("provider")).toString();
        e.id = o.value(QStringLiteral("id")).toInt(-1);
        e.level = o.value(QStringLiteral("level")).toString();
        e.meaning = o.value(QStringLiteral("meaning")).toString();
        for (const QJsonValue& cause : o.value(QStringLiteral("causes")).toArray())
            e.causes << cause.toString();
        e.fix = o.value(QStringLiteral("fix")).toString();
        e.source = o.value(QStringLiteral("source")).toString();
        if (e.provider.isEmpty() || e.id < 0 || e.meaning.isEmpty() || e.source.isEmpty())
            return makeError(
                ErrorKind::BadReply,
                tr("Catalogue entry %1/%2 needs a provider, an ID, a meaning and a source.").arg(e.provider).arg(e.id));
        c.m_entries.insert(key(e.provider, e.id), e);
    }
    if (c.m_entries.isEmpty())
        return makeError(ErrorKind::BadReply, tr("The event catalogue lists no event."));
    return c;
}

QString EventCatalogue::canonical(const QString& provider) const {
    return m_aliases.value(provider.toLower(), provider);
}

const CatalogueEntry* EventCatalogue::find(const QString& provider, int id) const {
    const auto it = m_entries.constFind(key(canonical(provider), id));
    return it == m_entries.constEnd() ? nullptr : &it.value();
}

QList<int> EventCatalogue::ids(const QString& provider) const {
    QList<int> out;
    const QString p = canonical(provider).toLower();
    for (const CatalogueEntry& e : m_entries)
        if (e.provider.toLower() == p)
            out << e.id;
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace ndes::events
