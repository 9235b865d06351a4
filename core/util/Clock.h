// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDateTime>

namespace ndes {

// Source of "now" for every expiry and validity decision, replaceable in tests (KeePassXC's Clock idea).
class Clock {
public:
    virtual ~Clock() = default;
    [[nodiscard]] virtual QDateTime now() const { return QDateTime::currentDateTimeUtc(); }

    // The process-wide clock; tests may install a fixed one and must restore nullptr afterwards.
    static const Clock& instance();
    static void setInstance(const Clock* clock);
};

// A clock stopped at one instant (UTC).
class FixedClock : public Clock {
public:
    explicit FixedClock(QDateTime at)
        : m_at(std::move(at)) {}
    [[nodiscard]] QDateTime now() const override { return m_at; }
    void setNow(QDateTime at) { m_at = std::move(at); }

private:
    QDateTime m_at;
};

// Whole days from `from` until `to`, rounded towards negative infinity (an expired certificate has < 0).
[[nodiscard]] qint64 daysBetween(const QDateTime& from, const QDateTime& to);

} // namespace ndes
