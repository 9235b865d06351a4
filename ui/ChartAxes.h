// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDateTimeAxis>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace ndes::ui {

// A count axis with whole-number ticks only: 0 to at least `atLeast`, five steps of a whole size. (Qt's default ticks
// on a 0–1.2 range printed with %d read "0, 0, 0, 0, 1".)
inline void setCountRange(QValueAxis* axis, qreal maxValue, int atLeast = 5) {
    const int top = std::max(atLeast, int(std::ceil(maxValue * 1.15)));
    const int step = std::max(1, (top + 4) / 5);
    axis->setRange(0, step * 5);
    axis->setTickType(QValueAxis::TicksDynamic);
    axis->setTickAnchor(0);
    axis->setTickInterval(step);
    axis->setLabelFormat(QStringLiteral("%d"));
}

// A time axis whose labels differ from tick to tick: seconds for a span of minutes, the date once it spans days.
inline void setTimeRange(QDateTimeAxis* axis, const QDateTime& from, const QDateTime& to) {
    const qint64 span = from.secsTo(to);
    axis->setRange(from, to);
    axis->setTickCount(5);
    axis->setFormat(span < 10 * 60         ? QStringLiteral("HH:mm:ss")
                    : span < 2 * 24 * 3600 ? QStringLiteral("HH:mm")
                                           : QStringLiteral("d MMM HH:mm"));
}

} // namespace ndes::ui
