// SPDX-License-Identifier: Apache-2.0
#include "EventDetail.h"

#include "EventsModel.h"
#include "events/EventStore.h"

#include <QCoreApplication>
#include <QLocale>

namespace ndes::ui {

namespace {
QString tr(const char* text) {
    return QCoreApplication::translate("EventsPage", text);
}

QString html(const QString& s) {
    return s.toHtmlEscaped();
}
} // namespace

EventDetailHtml eventDetailHtml(const events::EventRecord& e, const events::CatalogueEntry* known) {
    QString h;
    h += QStringLiteral("<h3>%1 %2 · %3</h3>")
             .arg(html(events::isNdesProvider(e.provider) ? QStringLiteral("NDES") : e.provider),
                  tr("event %1").arg(e.eventId), html(EventsModel::levelName(e.level)));
    h +=
        QStringLiteral("<p style='color:#555'>%1<br>%2</p>")
            .arg(html(e.time.isValid() ? QLocale().toString(e.time.toLocalTime(), QLocale::LongFormat) : tr("no time")),
                 html(tr("%1 · %2 · record %3")
                          .arg(e.computer.isEmpty() ? tr("unknown computer") : e.computer,
                               e.channel.isEmpty() ? tr("no channel") : e.channel)
                          .arg(e.recordId)));
    // Left: what it means and the fix; right: the raw data. The pane is wide: two columns read better.
    QString left;
    // A forwarded event carries its message as the source computer's Event Viewer rendered it: shown first.
    if (!e.message.isEmpty() || !e.levelText.isEmpty() || !e.taskText.isEmpty()) {
        QStringList said;
        if (!e.levelText.isEmpty())
            said << tr("Level: %1").arg(e.levelText);
        if (!e.taskText.isEmpty())
            said << tr("Task: %1").arg(e.taskText);
        left += QStringLiteral("<h4>%1</h4>").arg(tr("Message (as the source computer rendered it)"));
        if (!e.message.isEmpty())
            left += QStringLiteral("<p style='white-space:pre-wrap'>%1</p>").arg(html(e.message));
        if (!said.isEmpty())
            left += QStringLiteral("<p style='color:#555'>%1</p>").arg(html(said.join(QStringLiteral(" · "))));
    }
    if (known) {
        left += QStringLiteral("<h4>%1</h4><p>%2</p>").arg(tr("What it means"), html(known->meaning));
        if (!known->fix.isEmpty()) // the fix first: it is what the admin came for
            left += QStringLiteral("<h4>%1</h4><p style='background:#eef5ee'>%2</p>").arg(tr("Fix"), html(known->fix));
        if (!known->causes.isEmpty()) {
            left += QStringLiteral("<h4>%1</h4><ul>").arg(tr("Likely causes"));
            for (const QString& c : known->causes)
                left += QStringLiteral("<li>%1</li>").arg(html(c));
            left += QStringLiteral("</ul>");
        }
        left += QStringLiteral("<p style='color:#777'>%1</p>").arg(html(tr("Source: %1").arg(known->source)));
    } else {
        left += QStringLiteral("<p style='color:#777'>%1</p>")
                    .arg(tr("Not in the catalogue: this event is shown with its raw data only."));
    }
    // EventData, or UserData (CAPI2 and other operational logs) by its template's name, fields by their path.
    const QString userData = events::userDataRoot(e);
    QString right = QStringLiteral("<h4>%1</h4><table cellspacing=0 cellpadding=2>")
                        .arg(userData.isEmpty() ? tr("Event data") : html(tr("User data: %1").arg(userData)));
    if (e.data.isEmpty())
        right += QStringLiteral("<tr><td>%1</td></tr>").arg(tr("(none)"));
    for (const auto& [k, v] : e.data)
        right += QStringLiteral("<tr><td valign=top style='color:#555'>%1&nbsp;</td><td>%2</td></tr>")
                     .arg(html(userData.isEmpty() ? k : events::fieldLabel(k)), html(v));
    right += QStringLiteral("</table><h4>%1</h4><pre style='font-size:8pt'>%2</pre>")
                 .arg(tr("XML"), html(events::toEventXml(e)));
    return {h + left, right};
}

} // namespace ndes::ui
