// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "util/Result.h"

#include <QElapsedTimer>
#include <QtTest>
#include <functional>
#include <optional>

namespace ndes::test {

// Starts an asynchronous call that reports through a callback and spins the event loop until it does.
// A call that never calls back within `maxMs` is itself a failure (a hang), reported as an Internal error.
template <typename T>
Result<T> awaitResult(const std::function<void(std::function<void(Result<T>)>)>& start, int maxMs = 60000) {
    std::optional<Result<T>> out;
    start([&out](Result<T> r) { out.emplace(std::move(r)); });
    QElapsedTimer t;
    t.start();
    while (!out && t.elapsed() < maxMs)
        QTest::qWait(10);
    if (!out)
        return makeError(ErrorKind::Internal, QStringLiteral("no callback within %1 ms: the call hung").arg(maxMs));
    return std::move(*out);
}

} // namespace ndes::test
