// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

namespace ndes {

// What kind of failure happened; decides exit codes in ndesctl and how the UI presents it.
enum class ErrorKind {
    Usage,        // the caller asked for something impossible (bad argument, missing file)
    Network,      // connection refused, DNS, reset, redirect refused
    Tls,          // certificate verification or handshake failure
    Timeout,      // no complete answer within the configured time
    HttpStatus,   // the server answered with HTTP 4xx/5xx
    ScepFailure,  // the server answered SCEP FAILURE (with failInfo)
    BadReply,     // the server answered something that is not what the protocol allows
    Verification, // a reply that parses but fails a security check (signature, nonce, key)
    Crypto,       // local OpenSSL failure
    Io,           // local file failure
    Internal,
};

// An error as a value: a user-facing message that says what to do, and a technical detail for logs.
struct Error {
    ErrorKind kind = ErrorKind::Internal;
    QString message;
    QString detail;
    QString code;       // machine-readable name for scripts, e.g. "cache-full" (empty: the kind says it)
    int httpStatus = 0; // set for HttpStatus
    int failInfo = -1;  // set for ScepFailure

    [[nodiscard]] QString toString() const {
        return detail.isEmpty() ? message : message + QStringLiteral(" (") + detail + QLatin1Char(')');
    }
};

// "network", "tls", "timeout", "http-status", "scep-failure", ... — stable names for scripts and data files.
[[nodiscard]] inline QString errorKindName(ErrorKind kind) {
    switch (kind) {
    case ErrorKind::Usage:
        return QStringLiteral("usage");
    case ErrorKind::Network:
        return QStringLiteral("network");
    case ErrorKind::Tls:
        return QStringLiteral("tls");
    case ErrorKind::Timeout:
        return QStringLiteral("timeout");
    case ErrorKind::HttpStatus:
        return QStringLiteral("http-status");
    case ErrorKind::ScepFailure:
        return QStringLiteral("scep-failure");
    case ErrorKind::BadReply:
        return QStringLiteral("bad-reply");
    case ErrorKind::Verification:
        return QStringLiteral("verification");
    case ErrorKind::Crypto:
        return QStringLiteral("crypto");
    case ErrorKind::Io:
        return QStringLiteral("io");
    case ErrorKind::Internal:
        return QStringLiteral("internal");
    }
    return QStringLiteral("internal");
}

[[nodiscard]] inline Error makeError(ErrorKind kind, QString message, QString detail = {}) {
    Error e;
    e.kind = kind;
    e.message = std::move(message);
    e.detail = std::move(detail);
    return e;
}

} // namespace ndes
