// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "util/Error.h"

#include <QJsonObject>
#include <QStringList>

namespace ndes::pki {
class Certificate;
}
namespace ndes::events {
struct EventRecord;
struct CatalogueEntry;
} // namespace ndes::events

namespace ndesctl {

// Exit codes of ndesctl, stable for scripts.
enum ExitCode { ExitOk = 0, ExitRefused = 1, ExitUsage = 2, ExitNetwork = 3 };

[[nodiscard]] int exitCodeFor(const ndes::Error& error);
[[nodiscard]] QString kindName(ndes::ErrorKind kind);

// Writes results as human text (default) or one JSON document (--json). Errors go to stderr as text, and with
// --json also to stdout as one object, so scripts always get a document:
//   {"error": CODE, "kind": KIND, "message": TEXT, "detail": TEXT[, "httpStatus": N][, "failInfo": N]}
// CODE is the error's code (e.g. "ra-expired") or, without one, its kind ("usage", "network", "tls", ...).
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

// A certificate as the commands print it in JSON (subject, issuer, serial, validity, days left, SHA-256).
QJsonObject certificateJson(const ndes::pki::Certificate& c, const QString& role = {});
// Warns (and adds to WARNINGS) when OpenSSL's legacy provider had to be loaded for this server.
void reportLegacy(const CtlOutput& out, QStringList& warnings);
// One event as `events` and `listen` print it: a line (JSON: one object per line) and the catalogue's explanation.
void printEvent(const CtlOutput& out, const ndes::events::EventRecord& e, const ndes::events::CatalogueEntry* known);

} // namespace ndesctl
