// SPDX-License-Identifier: Apache-2.0
#include "util/Clock.h"

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

} // namespace ndes
