// SPDX-License-Identifier: Apache-2.0
#include "CtlOutput.h"

#include <QJsonDocument>

#include <cstdio>

namespace ndesctl {

using ndes::ErrorKind;

int exitCodeFor(const ndes::Error& error) {
    switch (error.kind) {
    case ErrorKind::Usage:
        return ExitUsage;
    case ErrorKind::Network:
    case ErrorKind::Tls:
    case ErrorKind::Timeout:
        return ExitNetwork;
    default:
        return ExitRefused;
    }
}

QString kindName(ErrorKind kind) {
    return ndes::errorKindName(kind);
}

void CtlOutput::text(const QString& line) const {
    if (m_json)
        return;
    std::fputs(line.toUtf8().constData(), stdout);
    std::fputc('\n', stdout);
}

void CtlOutput::warn(const QString& line) const {
    std::fputs((QStringLiteral("warning: ") + line + QLatin1Char('\n')).toUtf8().constData(), stderr);
}

void CtlOutput::document(const QJsonObject& doc) const {
    if (!m_json)
        return;
    std::fputs(QJsonDocument(doc).toJson(QJsonDocument::Indented).constData(), stdout);
}

int CtlOutput::fail(const ndes::Error& error) const {
    std::fputs((QStringLiteral("error: ") + error.message + QLatin1Char('\n')).toUtf8().constData(), stderr);
    if (!error.detail.isEmpty())
        std::fputs((QStringLiteral("detail: ") + error.detail + QLatin1Char('\n')).toUtf8().constData(), stderr);
    if (m_json) {
        // {"error": "<code>", "kind": ..., "message": ..., "detail": ...}: scripts switch on "error".
        QJsonObject e{{QStringLiteral("error"), error.code.isEmpty() ? kindName(error.kind) : error.code},
                      {QStringLiteral("kind"), kindName(error.kind)},
                      {QStringLiteral("message"), error.message},
                      {QStringLiteral("detail"), error.detail}};
        if (error.httpStatus)
            e.insert(QStringLiteral("httpStatus"), error.httpStatus);
        if (error.failInfo >= 0)
            e.insert(QStringLiteral("failInfo"), error.failInfo);
        std::fputs(QJsonDocument(e).toJson(QJsonDocument::Indented).constData(), stdout);
    }
    std::fflush(stdout);
    return exitCodeFor(error);
}

} // namespace ndesctl
