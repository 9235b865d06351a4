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

// A date and time for people: local time, in the locale's short date (with a four-digit year) and time formats —
// "12/2/2026 7:48 AM", "02.12.2026 07:48". Machine output (JSON, CSV) keeps ISO 8601.
[[nodiscard]] QString displayDateTime(const QDateTime& t);

// How long ago something expired, in words: "expired today", "expired 1 day ago", "expired 12 days ago".
[[nodiscard]] QString expiredAgo(const QDateTime& notAfter, const QDateTime& now);

} // namespace ndes
