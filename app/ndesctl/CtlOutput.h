// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "util/Error.h"

#include <QJsonObject>
#include <QStringList>

namespace ndesctl {

// Exit codes of ndesctl, stable for scripts.
enum ExitCode { ExitOk = 0, ExitRefused = 1, ExitUsage = 2, ExitNetwork = 3 };

[[nodiscard]] int exitCodeFor(const ndes::Error& error);
[[nodiscard]] QString kindName(ndes::ErrorKind kind);

// Writes results as human text (default) or one JSON document (--json). Errors go to stderr as text,
// and with --json also to stdout as {"error": {...}} so scripts always get a document.
class CtlOutput {
public:
    explicit CtlOutput(bool json)
        : m_json(json) {}
    [[nodiscard]] bool json() const { return m_json; }

    void text(const QString& line) const;        // human mode only
    void warn(const QString& line) const;        // always, to stderr
    void document(const QJsonObject& doc) const; // json mode only
    int fail(const ndes::Error& error) const;    // prints and returns the exit code

private:
    bool m_json = false;
};

} // namespace ndesctl
