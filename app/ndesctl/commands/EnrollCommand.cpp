// SPDX-License-Identifier: Apache-2.0
#include "commands/EnrollCommand.h"

#include "Options.h"
#include "pki/Certificate.h"
#include "pki/PrivateKey.h"
#include "scep/ScepClient.h"
#include "scep/ScepEnrollment.h"
#include "util/AtomicFile.h"
#include "util/Clock.h"

#include <QFile>
#include <QJsonArray>

#include <cstdio>

namespace ndesctl {

using namespace ndes;

namespace {
const QString keyOutName = QStringLiteral("key-out");
const QString certOutName = QStringLiteral("cert-out");
const QString maxPollsName = QStringLiteral("max-polls");
const QString pollIntervalName = QStringLiteral("poll-interval");
const QString getName = QStringLiteral("get");
const QString keyName = QStringLiteral("key");
const QString certName = QStringLiteral("cert");

Result<QByteArray> readFile(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return makeError(ErrorKind::Usage, QStringLiteral("Cannot read %1: %2").arg(path, f.errorString()));
    return f.read(qint64(1) * 1024 * 1024);
}

// renew: the current key and certificate, which sign the request and give its default names.
Status takeCurrentPair(const QCommandLineParser& p, scep::EnrollmentRequest& req) {
    if (!p.isSet(keyName) || !p.isSet(certName))
        return makeError(ErrorKind::Usage,
                         QStringLiteral("renew needs --key and --cert (the current key and certificate)."));
    auto keyPem = readFile(p.value(keyName));
    if (!keyPem)
        return keyPem.error();
    auto certPem = readFile(p.value(certName));
    if (!certPem)
        return certPem.error();
    auto currentKey = pki::PrivateKey::fromPem(*keyPem);
    SecretBytes::cleanse(*keyPem);
    if (!currentKey)
        return currentKey.error();
    auto currentCert = pki::Certificate::fromPem(*certPem);
    if (!currentCert)
        return currentCert.error();
    if (!currentKey->matches(currentCert->publicKey()))
        return makeError(ErrorKind::Usage, QStringLiteral("The key in %1 does not belong to the certificate in %2.")
                                               .arg(p.value(keyName), p.value(certName)));
    if (!currentCert->isValidAt(Clock::instance().now()))
        return makeError(ErrorKind::Usage, QStringLiteral("The current certificate expired on %1; renewal needs a "
                                                          "valid one. Enroll again with a challenge password.")
                                               .arg(currentCert->notAfter().toString(Qt::ISODate)));
    req.currentKey = *currentKey;
    req.currentCertificate = *currentCert;
    req.subject = p.isSet(QStringLiteral("subject")) ? p.value(QStringLiteral("subject")) : currentCert->subject();
    if (!p.isSet(QStringLiteral("san-dns")))
        req.dnsNames = currentCert->dnsNames();
    if (!p.isSet(QStringLiteral("san-ip")))
        req.ipAddresses = currentCert->ipAddresses();
    if (opt::challengeGiven(p)) {
        auto challenge = opt::challenge(p);
        if (!challenge)
            return challenge.error();
        req.challengePassword = std::move(*challenge);
    }
    return {};
}

// What was issued, as text and JSON; the key and certificate written first.
int report(const CtlOutput& out, const scep::EnrollmentResult& r, const QStringList& warned, const QString& keyPath,
           const QString& certPath) {
    QStringList warnings = r.warnings;
    for (const QString& w : warnings)
        if (!warned.contains(w))
            out.warn(w);
    reportLegacy(out, warnings);
    if (Status s = AtomicFile::write(keyPath, r.key.toPem().bytes(), AtomicFile::Access::OwnerOnly); !s)
        return out.fail(s.error());
    if (Status s = AtomicFile::write(certPath, r.certificate.toPem(), AtomicFile::Access::WorldReadable); !s)
        return out.fail(s.error());
    const pki::Certificate& issued = r.certificate;
    out.text(QStringLiteral("Issued: %1\n  issuer:  %2\n  serial:  %3\n  expires: %4\n  sha256:  %5\n"
                            "  via %6 with %7/%8, transaction %9%10\nSaved key to %11 (0600) and certificate to %12")
                 .arg(issued.subject(), issued.issuer(), issued.serialHex(), issued.notAfter().toString(Qt::ISODate),
                      pki::Certificate::hex(issued.sha256()), r.method, r.cipher, r.digest, r.transactionId.left(16),
                      r.polls ? QStringLiteral(", %1 polls").arg(r.polls) : QString(), keyPath, certPath));
    out.document({{QStringLiteral("certificate"), certificateJson(issued)},
                  {QStringLiteral("transactionId"), r.transactionId},
                  {QStringLiteral("method"), r.method},
                  {QStringLiteral("cipher"), r.cipher},
                  {QStringLiteral("digest"), r.digest},
                  {QStringLiteral("polls"), r.polls},
                  {QStringLiteral("recipient"), r.recipient.subject()},
                  {QStringLiteral("keyFile"), keyPath},
                  {QStringLiteral("certFile"), certPath},
                  {QStringLiteral("warnings"), QJsonArray::fromStringList(warnings)}});
    return ExitOk;
}
} // namespace

EnrollCommand::EnrollCommand()
    : EnrollCommand(QStringLiteral("enroll"), QStringLiteral("Request a certificate (PKCSReq) the way a device does"),
                    false) {}

EnrollCommand::EnrollCommand(QString name, QString description, bool renew)
    : Command(std::move(name), std::move(description))
    , m_renew(renew) {}

void EnrollCommand::declare(QCommandLineParser& p) {
    opt::addUrl(p);
    opt::addTimeout(p, 30);
    opt::addTlsCa(p);
    opt::addScepClient(p);
    opt::addVerbose(p);
    if (m_renew) {
        p.addOptions({{keyName, QStringLiteral("Current private key (PEM)."), QStringLiteral("FILE")},
                      {certName, QStringLiteral("Current certificate (PEM)."), QStringLiteral("FILE")}});
        opt::addNames(p, QStringLiteral("Subject DN (default: the current certificate's)."));
    } else {
        opt::addNames(p, QStringLiteral("Subject DN, e.g. \"CN=router1,O=Example\"."));
    }
    opt::addKeySize(p);
    p.addOptions({{keyOutName, QStringLiteral("File for the new private key (written 0600)."), QStringLiteral("FILE")},
                  {certOutName, QStringLiteral("File for the issued certificate (PEM)."), QStringLiteral("FILE")}});
    opt::addChallenge(p, QStringLiteral("Name of an environment variable that holds the challenge password."),
                      QStringLiteral("Read the challenge password from the first line of standard input."));
    opt::addCaPin(p);
    p.addOptions({{maxPollsName, QStringLiteral("How often to ask again while PENDING (default 10)."),
                   QStringLiteral("N"), QStringLiteral("10")},
                  {pollIntervalName, QStringLiteral("Seconds before the first CertPoll; doubles up to 60 (default 5)."),
                   QStringLiteral("SECONDS"), QStringLiteral("5")},
                  {getName, QStringLiteral("Send the request by GET even when the server offers POST.")}});
}

int EnrollCommand::run(const QCommandLineParser& p, const CtlOutput& out) {
    auto url = opt::url(p);
    if (!url)
        return out.fail(url.error());
    auto opts = opt::scepClientOptions(p);
    if (!opts)
        return out.fail(opts.error());

    scep::EnrollmentRequest req;
    if (!p.isSet(keyOutName) || !p.isSet(certOutName))
        return out.fail(makeError(ErrorKind::Usage, QStringLiteral("--key-out and --cert-out are required.")));
    auto bits = opt::keySize(p);
    if (!bits)
        return out.fail(bits.error());
    req.keyBits = *bits;
    bool ok = false;
    req.maxPolls = p.value(maxPollsName).toInt(&ok);
    if (!ok || req.maxPolls < 0 || req.maxPolls > 1000)
        return out.fail(makeError(ErrorKind::Usage, QStringLiteral("--max-polls must be between 0 and 1000.")));
    const double interval = p.value(pollIntervalName).toDouble(&ok);
    if (!ok || interval < 0 || interval > 3600)
        return out.fail(
            makeError(ErrorKind::Usage, QStringLiteral("--poll-interval must be between 0 and 3600 seconds.")));
    req.pollIntervalMs = int(interval * 1000);
    req.forceGet = p.isSet(getName);
    req.dnsNames = p.values(QStringLiteral("san-dns"));
    req.ipAddresses = p.values(QStringLiteral("san-ip"));
    auto pin = opt::caPin(p);
    if (!pin)
        return out.fail(pin.error());
    req.caSha256Pin = *pin;

    if (m_renew) {
        if (Status s = takeCurrentPair(p, req); !s)
            return out.fail(s.error());
    } else {
        if (!p.isSet(QStringLiteral("subject")))
            return out.fail(makeError(
                ErrorKind::Usage, QStringLiteral("--subject is required, e.g. --subject \"CN=router1,O=Example\".")));
        req.subject = p.value(QStringLiteral("subject"));
        auto challenge = opt::challenge(p);
        if (!challenge)
            return out.fail(challenge.error());
        req.challengePassword = std::move(*challenge);
    }

    const QString keyPath = p.value(keyOutName);
    const QString certPath = p.value(certOutName);
    // Checked before anything is sent: a refused target after the enrollment would waste the challenge password.
    for (const QString& target : {keyPath, certPath})
        if (Status s = AtomicFile::checkTarget(target); !s)
            return out.fail(makeError(ErrorKind::Usage, s.error().message));

    scep::ScepClient client(*url, *opts);
    scep::ScepEnrollment enrollment(&client);
    QStringList warned; // said at once, not again at the end
    QObject::connect(&enrollment, &scep::ScepEnrollment::warning, [&out, &warned](const QString& w) {
        out.warn(w);
        warned << w;
    });
    if (opt::verbose(p))
        QObject::connect(&enrollment, &scep::ScepEnrollment::progress, [](const QString& step) {
            std::fputs((QStringLiteral("... ") + step + QLatin1Char('\n')).toUtf8().constData(), stderr);
        });
    return runUntilDone([&](const auto& done) {
        enrollment.start(std::move(req), [&, done](Result<scep::EnrollmentResult> r) {
            done(r ? report(out, *r, warned, keyPath, certPath) : out.fail(r.error()));
        });
    });
}

} // namespace ndesctl
