// SPDX-License-Identifier: Apache-2.0
#include "CtlOutput.h"

#include "events/EventCatalogue.h"
#include "events/EventJson.h"
#include "events/EventRecord.h"
#include "pki/Certificate.h"
#include "pki/LegacyProvider.h"
#include "util/Clock.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <cstdio>

namespace ndesctl {

using namespace ndes;

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

QJsonObject certificateJson(const pki::Certificate& c, const QString& role) {
    QJsonObject o;
    if (!role.isEmpty())
        o.insert(QStringLiteral("role"), role);
    o.insert(QStringLiteral("subject"), c.subject());
    o.insert(QStringLiteral("issuer"), c.issuer());
    o.insert(QStringLiteral("serial"), c.serialHex());
    o.insert(QStringLiteral("notBefore"), c.notBefore().toString(Qt::ISODate));
    o.insert(QStringLiteral("notAfter"), c.notAfter().toString(Qt::ISODate));
    o.insert(QStringLiteral("daysLeft"), double(c.daysLeft(Clock::instance().now())));
    o.insert(QStringLiteral("sha256"), pki::Certificate::hex(c.sha256()));
    return o;
}

void reportLegacy(const CtlOutput& out, QStringList& warnings) {
    if (!pki::LegacyProvider::isLoaded())
        return;
    for (const QString& reason : pki::LegacyProvider::reasons()) {
        const QString w =
            QStringLiteral("OpenSSL legacy provider used: %1. The server uses obsolete cryptography.").arg(reason);
        warnings << w;
        out.warn(w);
    }
}

namespace {
// The shape JsonEventParser reads back (core/events/EventJson), plus the catalogue's explanation.
QJsonObject eventJson(const events::EventRecord& e, const events::CatalogueEntry* known) {
    QJsonObject o = events::eventToJson(e);
    if (known) {
        o.insert(QStringLiteral("meaning"), known->meaning);
        o.insert(QStringLiteral("causes"), QJsonArray::fromStringList(known->causes));
        o.insert(QStringLiteral("fix"), known->fix);
    }
    return o;
}

} // namespace

void printEvent(const CtlOutput& out, const events::EventRecord& e, const events::CatalogueEntry* known) {
    if (out.json()) {
        std::printf("%s\n", QJsonDocument(eventJson(e, known)).toJson(QJsonDocument::Compact).constData());
        std::fflush(stdout);
        return;
    }
    QStringList data;
    for (const auto& [k, v] : e.data)
        data << QStringLiteral("%1=%2").arg(k, v.simplified());
    out.text(QStringLiteral("%1  %2  %3 %4  %5")
                 .arg(e.time.toString(Qt::ISODate), e.computer, e.provider)
                 .arg(e.eventId)
                 .arg(data.join(QStringLiteral("; "))));
    if (known && !known->meaning.isEmpty())
        out.text(QStringLiteral("    %1").arg(known->meaning));
    if (known && !known->fix.isEmpty())
        out.text(QStringLiteral("    Fix: %1").arg(known->fix));
    std::fflush(stdout);
}

} // namespace ndesctl
