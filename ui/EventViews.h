// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QList>
#include <QString>
#include <QStringList>

namespace ndes::ui {

// A saved set of filters, stored by stable keys (a translation or a reordered combo box does not change it).
struct EventView {
    QString id;                             // a built-in view's: "ndes", "ndes-problems", "all"; empty for a user's
    QString name;                           // as shown; a built-in view's is translated
    QString levels = QStringLiteral("all"); // "all", "errors", "warnings", "information"
    QString providers;                      // "" all, "ndes" (events::ndesProvidersKeyword), or patterns, commas
    QString ids;                            // "2, 10, 18"
    QString time = QStringLiteral("any");   // "any", "hour", "day", "week"
    QString text;
    [[nodiscard]] bool builtIn() const { return !id.isEmpty(); }
    [[nodiscard]] QString key() const; // the id, or "user:NAME"
};

// The Events page's views: three built in (NDES and related, NDES errors and warnings, All events) and the user's,
// kept in the settings ("events/views"). Views saved before the keys (combo-box indexes, the NDES sources by their
// shown name) are read too.
class EventViews {
public:
    static const QString ndesViewId;
    static const QStringList levelKeys; // in the order of the page's level box
    static const QStringList timeKeys;  // in the order of the page's time box, "between" last
    static const char* const ndesViewName;
    static const char* const ndesSourcesName;

    void load();
    void store() const;
    [[nodiscard]] const QList<EventView>& all() const { return m_views; }
    // By key first, then by the name shown (for people and tests).
    [[nodiscard]] const EventView* find(const QString& keyOrName) const;
    // Adds the user's view, replacing one of the same name.
    void put(const EventView& view);
    // False for a built-in view or an unknown key.
    bool remove(const QString& key);

private:
    QList<EventView> m_views;
};

} // namespace ndes::ui
