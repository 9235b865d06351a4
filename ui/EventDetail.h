// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "events/EventCatalogue.h"
#include "events/EventRecord.h"

namespace ndes::ui {

// The Events page's detail pane for one event, as HTML (every value escaped): what it means, the fix first, the
// likely causes and the catalogue's source on the left; the event's data (EventData, or UserData by its template's
// name with short field labels) and its XML on the right.
struct EventDetailHtml {
    QString explanation;
    QString data;
};
[[nodiscard]] EventDetailHtml eventDetailHtml(const events::EventRecord& e, const events::CatalogueEntry* known);

} // namespace ndes::ui
