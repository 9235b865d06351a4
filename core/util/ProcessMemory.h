// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

namespace ndes {

// This process's resident set size in KiB (VmRSS in /proc/self/status), or -1 where that cannot be read. For the
// benchmarks and the memory checks of the load tests.
[[nodiscard]] qint64 residentKb();

// For processes that hold passwords (ndes-console, ndesctl, ndes-lab): no core dumps, and (Linux) not dumpable, so
// another process of the same user cannot ptrace it or read its memory through /proc. Returns what could not be
// set, in words (empty when both were).
[[nodiscard]] QString hardenProcess();
// hardenProcess(), with a warning on stderr ("PROGRAM: warning: ...") for what could not be set. Each program calls
// it first thing in main().
void hardenProcessOrWarn(const char* program);

} // namespace ndes
