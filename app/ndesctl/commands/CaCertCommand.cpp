// SPDX-License-Identifier: Apache-2.0
#include "commands/CaCertCommand.h"

#include "Options.h"
#include "pki/Certificate.h"
#include "scep/ScepClient.h"
#include "util/AtomicFile.h"
#include "util/Clock.h"

#include <QDir>
#include <QJsonArray>
#include <QMap>

namespace ndesctl {

using namespace ndes;

CaCertCommand::CaCertCommand()
    : Command(QStringLiteral("cacert"), QStringLiteral("Show and save the CA and RA certificates (GetCACert)")) {}

void CaCertCommand::declare(QCommandLineParser& p) {
    opt::addUrl(p);
    opt::addTimeout(p, 30);
    opt::addTlsCa(p);
    opt::addScepClient(p);
    p.addOption({QStringLiteral("out"), QStringLiteral("Directory to save the certificates into as PEM."),
                 QStringLiteral("DIR")});
}

int CaCertCommand::run(const QCommandLineParser& p, const CtlOutput& out) {
    auto url = opt::url(p);
    if (!url)
        return out.fail(url.error());
    auto opts = opt::scepClientOptions(p);
    if (!opts)
        return out.fail(opts.error());
    const QString outDir = p.value(QStringLiteral("out"));
    scep::ScepClient client(*url, *opts);
    return runUntilDone([&](const auto& done) {
        client.getCaCert([&out, outDir, done](Result<scep::CaCertificates> certs) {
            if (!certs)
                return done(out.fail(certs.error()));
            const QDateTime now = Clock::instance().now();
            QJsonArray list;
            QMap<QString, int> counts;
            QStringList written;
            if (!outDir.isEmpty() && !QDir().mkpath(outDir))
                return done(
                    out.fail(makeError(ErrorKind::Io, QStringLiteral("Cannot create directory %1.").arg(outDir))));
            for (const scep::RoledCertificate& roled : certs->certificates()) {
                const QString role = scep::roleName(roled.role);
                const pki::Certificate& cert = roled.certificate;
                list.append(certificateJson(cert, role));
                const qint64 days = cert.daysLeft(now);
                out.text(QStringLiteral("%1\n  subject:  %2\n  issuer:   %3\n  expires:  %4 (%5)\n  sha256:   %6")
                             .arg(role, cert.subject(), cert.issuer(), cert.notAfter().toString(Qt::ISODate),
                                  days < 0 ? QStringLiteral("EXPIRED %1 days ago").arg(-days)
                                           : QStringLiteral("%1 days left").arg(days),
                                  pki::Certificate::hex(cert.sha256())));
                if (!outDir.isEmpty()) {
                    const int n = ++counts[role];
                    const QString path = QDir(outDir).filePath(n == 1 ? role + QStringLiteral(".pem")
                                                                      : QStringLiteral("%1-%2.pem").arg(role).arg(n));
                    if (Status s = AtomicFile::write(path, cert.toPem(), AtomicFile::Access::WorldReadable); !s)
                        return done(out.fail(s.error()));
                    written << path;
                }
            }
            if (!certs->hasRa())
                out.text(QStringLiteral("(no RA certificates: the CA answers SCEP itself)"));
            for (const QString& w : written)
                out.text(QStringLiteral("saved %1").arg(w));
            QJsonObject doc{{QStringLiteral("certificates"), list}};
            if (!written.isEmpty())
                doc.insert(QStringLiteral("files"), QJsonArray::fromStringList(written));
            out.document(doc);
            done(ExitOk);
        });
    });
}

} // namespace ndesctl
