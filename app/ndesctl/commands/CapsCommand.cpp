// SPDX-License-Identifier: Apache-2.0
#include "commands/CapsCommand.h"

#include "Options.h"
#include "scep/ScepClient.h"

#include <QJsonArray>

namespace ndesctl {

using namespace ndes;

CapsCommand::CapsCommand()
    : Command(QStringLiteral("caps"), QStringLiteral("Show what a SCEP server offers (GetCACaps)")) {}

void CapsCommand::declare(QCommandLineParser& p) {
    opt::addUrl(p);
    opt::addTimeout(p, 30);
    opt::addTlsCa(p);
    opt::addScepClient(p);
}

int CapsCommand::run(const QCommandLineParser& p, const CtlOutput& out) {
    auto url = opt::url(p);
    if (!url)
        return out.fail(url.error());
    auto opts = opt::scepClientOptions(p);
    if (!opts)
        return out.fail(opts.error());
    scep::ScepClient client(*url, *opts);
    return runUntilDone([&](const auto& done) {
        client.getCaCaps([&out, done](Result<scep::CaCapabilities> caps) {
            if (!caps)
                return done(out.fail(caps.error()));
            const QStringList warnings = caps->warnings();
            for (const QString& w : warnings)
                out.warn(w);
            out.document({{QStringLiteral("capabilities"), QJsonArray::fromStringList(caps->keywords())},
                          {QStringLiteral("warnings"), QJsonArray::fromStringList(warnings)}});
            if (caps->keywords().isEmpty())
                out.text(QStringLiteral("(the server advertises no capabilities)"));
            for (const QString& k : caps->keywords())
                out.text(k);
            done(ExitOk);
        });
    });
}

} // namespace ndesctl
