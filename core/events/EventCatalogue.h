// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "util/Result.h"

#include <QHash>
#include <QStringList>

namespace ndes::events {

struct CatalogueEntry {
    QString provider;
    int id = -1;
    QString level;
    QString meaning;
    QStringList causes;
    QString fix;
    QString source;
};

// What each event means and how to fix it, as data (events/event-catalogue.json, built in).
class EventCatalogue {
public:
    static Result<EventCatalogue> builtIn();
    static Result<EventCatalogue> fromJson(const QByteArray& json);
    // By provider (or one of its other names) and event ID; null when unknown.
    [[nodiscard]] const CatalogueEntry* find(const QString& provider, int id) const;
    [[nodiscard]] QList<int> ids(const QString& provider) const;

private:
    QString canonical(const QString& provider) const;
    QHash<QString, CatalogueEntry> m_entries; // "provider|id" (provider lower case)
    QHash<QString, QString> m_aliases;        // lower-case alias -> provider
};

} // namespace ndes::events
