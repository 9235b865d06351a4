// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QtGlobal>

namespace ndes {

// This process's resident set size in KiB (VmRSS in /proc/self/status), or -1 where that cannot be read. For the
// benchmarks and the memory checks of the load tests.
[[nodiscard]] qint64 residentKb();

} // namespace ndes
