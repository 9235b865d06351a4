// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

namespace ndes::ui {

// A tooltip for text from a snapshot or a server: Qt takes text that looks like HTML as HTML, so it is escaped and
// shown as it is, line breaks kept.
[[nodiscard]] inline QString plainToolTip(const QString& text) {
    return QStringLiteral("<p style=\"white-space:pre-wrap\">%1</p>").arg(text.toHtmlEscaped());
}

} // namespace ndes::ui
