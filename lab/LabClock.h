// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "util/Clock.h"

#include <atomic>

namespace ndes::lab {

// The lab's clock: real time plus an offset that a control request can move forward, so tests see
// passwords and certificates expire without waiting. Installed as the process clock by ndes-lab.
class LabClock : public Clock {
public:
    [[nodiscard]] QDateTime now() const override { return QDateTime::currentDateTimeUtc().addSecs(m_offset.load()); }
    void advance(qint64 seconds) { m_offset += seconds; }

    static LabClock& instance() {
        static LabClock clock;
        return clock;
    }

private:
    std::atomic<qint64> m_offset{0};
};

} // namespace ndes::lab
