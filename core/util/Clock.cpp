// SPDX-License-Identifier: Apache-2.0
#include "util/Clock.h"

#include <QCoreApplication>
#include <QLocale>

#include <algorithm>
#include <climits>

#include <atomic>

namespace ndes {

namespace {
const Clock systemClock;
std::atomic<const Clock*> installed{nullptr};
} // namespace

const Clock& Clock::instance() {
    const Clock* c = installed.load();
    return c ? *c : systemClock;
}

void Clock::setInstance(const Clock* clock) {
    installed.store(clock);
}

qint64 daysBetween(const QDateTime& from, const QDateTime& to) {
    const qint64 secs = from.secsTo(to);
    constexpr qint64 day = 86400;
    return secs >= 0 ? secs / day : -((-secs + day - 1) / day);
}

QString displayDateTime(const QDateTime& t) {
    if (!t.isValid())
        return QCoreApplication::translate("Clock", "unknown");
    const QLocale locale;
    QString date = locale.dateFormat(QLocale::ShortFormat);
    if (!date.contains(QLatin1String("yyyy")))
        date.replace(QLatin1String("yy"), QLatin1String("yyyy"));
    QString time = locale.timeFormat(QLocale::ShortFormat);
    return locale.toString(t.toLocalTime(), date + QLatin1Char(' ') + time);
}

QString expiredAgo(const QDateTime& notAfter, const QDateTime& now) {
    const qint64 days = notAfter.isValid() ? std::max<qint64>(0, notAfter.secsTo(now) / 86400) : 0;
    if (days == 0)
        return QCoreApplication::translate("Clock", "expired today");
    return QCoreApplication::translate("Clock", "expired %n day(s) ago", nullptr, int(std::min<qint64>(days, INT_MAX)));
}

} // namespace ndes
