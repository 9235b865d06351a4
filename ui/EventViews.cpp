// SPDX-License-Identifier: Apache-2.0
#include "EventViews.h"

#include "events/EventStore.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSettings>

#include <algorithm>

namespace ndes::ui {

namespace {
QString tr(const char* text) {
    return QCoreApplication::translate("EventsPage", text);
}

const QString userViewPrefix = QStringLiteral("user:");

// A key from a view saved before views stored keys: the combo-box index it stored.
QString keyFromIndex(const QJsonValue& v, const QStringList& keys, const QString& fallback) {
    if (v.isString())
        return keys.contains(v.toString()) ? v.toString() : fallback;
    const int i = v.toInt(-1);
    return i >= 0 && i < keys.size() ? keys[i] : fallback;
}
} // namespace

const QString EventViews::ndesViewId = QStringLiteral("ndes");
const QStringList EventViews::levelKeys{QStringLiteral("all"), QStringLiteral("errors"), QStringLiteral("warnings"),
                                        QStringLiteral("information")};
const QStringList EventViews::timeKeys{QStringLiteral("any"), QStringLiteral("hour"), QStringLiteral("day"),
                                       QStringLiteral("week"), QStringLiteral("between")};
const char* const EventViews::ndesViewName = QT_TRANSLATE_NOOP("EventsPage", "NDES and related");
// The Source box's name for the same set: the two boxes do not both say "NDES and related".
const char* const EventViews::ndesSourcesName = QT_TRANSLATE_NOOP("EventsPage", "NDES sources");

QString EventView::key() const {
    return builtIn() ? id : userViewPrefix + name;
}

void EventViews::load() {
    m_views.clear();
    EventView ndesView;
    ndesView.id = ndesViewId;
    ndesView.name = tr(ndesViewName);
    ndesView.providers = QLatin1String(events::ndesProvidersKeyword);
    EventView problems;
    problems.id = QStringLiteral("ndes-problems");
    problems.name = tr("NDES errors and warnings");
    problems.providers = QLatin1String(events::ndesProvidersKeyword);
    problems.levels = QStringLiteral("warnings");
    EventView all;
    all.id = QStringLiteral("all");
    all.name = tr("All events");
    m_views << ndesView << problems << all;
    const QJsonArray saved =
        QJsonDocument::fromJson(QSettings().value(QStringLiteral("events/views")).toByteArray()).array();
    for (const QJsonValue& v : saved) {
        const QJsonObject o = v.toObject();
        EventView view;
        view.name = o.value(QLatin1String("name")).toString().trimmed();
        if (view.name.isEmpty())
            continue;
        view.levels = keyFromIndex(o.value(QLatin1String("levels")), levelKeys, levelKeys.first());
        view.providers = o.value(QLatin1String("providers")).toString().trimmed();
        if (view.providers == QLatin1String(ndesViewName) || view.providers == QLatin1String(ndesSourcesName) ||
            view.providers == tr(ndesViewName) || view.providers == tr(ndesSourcesName))
            view.providers = QLatin1String(events::ndesProvidersKeyword);
        view.ids = o.value(QLatin1String("ids")).toString();
        view.time = keyFromIndex(o.value(QLatin1String("time")), timeKeys, timeKeys.first());
        if (view.time == QLatin1String("between"))
            view.time = timeKeys.first();
        view.text = o.value(QLatin1String("text")).toString();
        put(view);
    }
}

void EventViews::store() const {
    QJsonArray saved;
    for (const EventView& v : m_views)
        if (!v.builtIn())
            saved.append(QJsonObject{{QStringLiteral("name"), v.name},
                                     {QStringLiteral("levels"), v.levels},
                                     {QStringLiteral("providers"), v.providers},
                                     {QStringLiteral("ids"), v.ids},
                                     {QStringLiteral("time"), v.time},
                                     {QStringLiteral("text"), v.text}});
    QSettings().setValue(QStringLiteral("events/views"), QJsonDocument(saved).toJson(QJsonDocument::Compact));
}

const EventView* EventViews::find(const QString& keyOrName) const {
    for (const EventView& v : m_views)
        if (v.key() == keyOrName)
            return &v;
    for (const EventView& v : m_views)
        if (v.name == keyOrName)
            return &v;
    return nullptr;
}

void EventViews::put(const EventView& view) {
    m_views.erase(std::remove_if(m_views.begin(), m_views.end(),
                                 [&](const EventView& x) { return !x.builtIn() && x.name == view.name; }),
                  m_views.end());
    m_views << view;
}

bool EventViews::remove(const QString& key) {
    const auto it = std::find_if(m_views.begin(), m_views.end(), [&](const EventView& v) { return v.key() == key; });
    if (it == m_views.end() || it->builtIn())
        return false;
    m_views.erase(it);
    return true;
}

} // namespace ndes::ui
