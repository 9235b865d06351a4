// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "util/Clock.h"

namespace ndes::test {

// A fixed clock installed as the process-wide one for its lifetime, and taken away when it goes out of scope —
// also when a failed QVERIFY returns from the test early (a clock set by hand would stay installed, pointing at a
// destroyed object).
class ScopedClock {
public:
    explicit ScopedClock(QDateTime at)
        : m_clock(std::move(at)) {
        Clock::setInstance(&m_clock);
    }
    ~ScopedClock() { Clock::setInstance(nullptr); }
    ScopedClock(const ScopedClock&) = delete;
    ScopedClock& operator=(const ScopedClock&) = delete;

    void setNow(QDateTime at) { m_clock.setNow(std::move(at)); }
    [[nodiscard]] QDateTime now() const { return m_clock.now(); }

private:
    FixedClock m_clock;
};

} // namespace ndes::test
