// SPDX-License-Identifier: Apache-2.0
#include "LabPki.h"

#include "pki/CertificateBuilder.h"
#include "pki/Oids.h"
#include "util/AtomicFile.h"
#include "util/Clock.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QSaveFile>
#include <QUrl>

namespace ndes::lab {

using namespace ndes::pki;

namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("LabPki", text);
}

QByteArray readFile(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// Loads NAME.pem and NAME.key from the state directory, if both are there and match.
bool load(const QString& dir, const QString& name, Certificate& cert, PrivateKey& key) {
    QByteArray keyPem = readFile(QDir(dir).filePath(name + QStringLiteral(".key")));
    auto k = PrivateKey::fromPem(keyPem);
    SecretBytes::cleanse(keyPem);
    auto c = Certificate::fromPem(readFile(QDir(dir).filePath(name + QStringLiteral(".pem"))));
    if (!k || !c || !k->matches(c->publicKey()))
        return false;
    cert = *c;
    key = *k;
    return true;
}

Status save(const QString& dir, const QString& name, const Certificate& cert, const PrivateKey& key) {
    if (Status s = AtomicFile::write(QDir(dir).filePath(name + QStringLiteral(".key")), key.toPem().bytes(),
                                     AtomicFile::Access::OwnerOnly);
        !s)
        return s;
    return AtomicFile::write(QDir(dir).filePath(name + QStringLiteral(".pem")), cert.toPem(),
                             AtomicFile::Access::WorldReadable);
}

// The same RA certificate (subject, key usage, EKUs, template) signed again with another CDP or validity.
Result<Certificate> resignRa(const Certificate& ra, const PrivateKey& key, const Certificate& issuer,
                             const PrivateKey& issuerKey, const QString& cdp, const QDateTime& notBefore,
                             const QDateTime& notAfter) {
    return CertificateBuilder()
        .setSubject(ra.subject())
        .setKeyUsage(ra.hasKeyUsage(KeyUsage::KeyEncipherment) ? static_cast<quint32>(KeyUsage::KeyEncipherment)
                                                               : static_cast<quint32>(KeyUsage::DigitalSignature))
        .setExtendedKeyUsages(ra.extendedKeyUsages())
        .setTemplateName(ra.templateName())
        .setCrlDistributionPoint(cdp)
        .setValidity(notBefore, notAfter)
        .build(key.get(), issuerKey, issuer);
}

constexpr quint32 caUsage = static_cast<quint32>(KeyUsage::KeyCertSign) | static_cast<quint32>(KeyUsage::CrlSign);

} // namespace

Result<LabPki> LabPki::openOrCreate(const Options& options) {
    if (options.stateDir.isEmpty())
        return makeError(ErrorKind::Usage, tr("A state directory is needed (--state DIR)."));
    if (!QDir().mkpath(options.stateDir))
        return makeError(ErrorKind::Io, tr("Cannot create the state directory %1.").arg(options.stateDir));
    QFile::setPermissions(options.stateDir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);

    LabPki p;
    p.stateDir = options.stateDir;
    p.hostName = options.hostName;
    const QDateTime now = Clock::instance().now();
    const QString& dir = options.stateDir;
    const QString caDir = options.caStateDir.isEmpty() ? dir : options.caStateDir;
    if (!QDir().mkpath(caDir))
        return makeError(ErrorKind::Io, tr("Cannot create the state directory %1.").arg(caDir));

    if (!load(caDir, QStringLiteral("root-ca"), p.root, p.rootKey)) {
        auto key = PrivateKey::generateRsa(3072);
        if (!key)
            return key.error();
        auto cert = CertificateBuilder()
                        .setSubject(QStringLiteral("CN=NDES Lab Root CA,O=NDES Console Lab"))
                        .setCa(true)
                        .setKeyUsage(caUsage)
                        .setValidity(now.addDays(-1), now.addYears(20))
                        .selfSigned(*key);
        if (!cert)
            return cert.error();
        p.root = *cert;
        p.rootKey = *key;
        if (Status s = save(caDir, QStringLiteral("root-ca"), p.root, p.rootKey); !s)
            return s.error();
    }
    if (!load(caDir, QStringLiteral("issuing-ca"), p.issuing, p.issuingKey)) {
        auto key = PrivateKey::generateRsa(2048);
        if (!key)
            return key.error();
        auto cert = CertificateBuilder()
                        .setSubject(QStringLiteral("CN=NDES Lab Issuing CA,O=NDES Console Lab"))
                        .setCa(true, 0)
                        .setKeyUsage(caUsage)
                        .setValidity(now.addDays(-1), now.addYears(10))
                        .build(key->get(), p.rootKey, p.root);
        if (!cert)
            return cert.error();
        p.issuing = *cert;
        p.issuingKey = *key;
        if (Status s = save(caDir, QStringLiteral("issuing-ca"), p.issuing, p.issuingKey); !s)
            return s.error();
    }

    const QString raSubject = QStringLiteral("CN=%1-MSCEP-RA,O=NDES Console Lab").arg(options.hostName);
    struct RaSpec {
        const char* file;
        const char* templ;
        KeyUsage usage;
        Certificate* cert;
        PrivateKey* key;
    };
    const RaSpec specs[] = {
        {"ra-signing", "EnrollmentAgentOffline", KeyUsage::DigitalSignature, &p.raSign, &p.raSignKey},
        {"ra-encryption", "CEPEncryption", KeyUsage::KeyEncipherment, &p.raEnc, &p.raEncKey},
    };
    for (const RaSpec& s : specs) {
        const QString file = QString::fromLatin1(s.file);
        const bool have = load(dir, file, *s.cert, *s.key);
        if (have && !options.reissueRa && s.cert->subject() == raSubject)
            continue;
        PrivateKey key = have ? *s.key : PrivateKey();
        if (key.isNull()) {
            auto k = PrivateKey::generateRsa(2048);
            if (!k)
                return k.error();
            key = *k;
        }
        // An expired RA (negative days) was valid for two years until -raDays ago.
        const QDateTime notAfter = now.addDays(options.raDays);
        const QDateTime notBefore = options.raDays > 0 ? now.addDays(-1) : notAfter.addDays(-730);
        auto cert = CertificateBuilder()
                        .setSubject(raSubject)
                        .setKeyUsage(static_cast<quint32>(s.usage))
                        .setExtendedKeyUsages({QString::fromLatin1(oid::certificateRequestAgent)})
                        .setTemplateName(QString::fromLatin1(s.templ))
                        .setValidity(notBefore, notAfter)
                        .build(key.get(), p.issuingKey, p.issuing);
        if (!cert)
            return cert.error();
        *s.cert = *cert;
        *s.key = key;
        if (Status st = save(dir, file, *s.cert, *s.key); !st)
            return st.error();
    }
    return p;
}

QString LabPki::crlFileName(const Certificate& ca) {
    return ca.commonName() + QStringLiteral(".crl");
}

QString LabPki::crlUrl(const Certificate& ca) const {
    if (m_crlBaseUrl.isEmpty())
        return {};
    return m_crlBaseUrl + QString::fromLatin1(QUrl::toPercentEncoding(crlFileName(ca)));
}

Status LabPki::setCrlBaseUrl(const QString& baseUrl) {
    m_crlBaseUrl = baseUrl;
    const QString cdp = crlUrl(issuing);
    struct Ra {
        const char* file;
        Certificate* cert;
        PrivateKey* key;
    };
    for (const Ra& ra : {Ra{"ra-signing", &raSign, &raSignKey}, Ra{"ra-encryption", &raEnc, &raEncKey}}) {
        if (ra.cert->crlDistributionPoints() == QStringList{cdp})
            continue;
        auto cert = resignRa(*ra.cert, *ra.key, issuing, issuingKey, cdp, ra.cert->notBefore(), ra.cert->notAfter());
        if (!cert)
            return cert.error();
        *ra.cert = *cert;
        if (Status st = save(stateDir, QString::fromLatin1(ra.file), *ra.cert, *ra.key); !st)
            return st;
    }
    return {};
}

Result<QList<Certificate>> LabPki::expiredRaCopies() const {
    const QDateTime now = Clock::instance().now();
    QList<Certificate> out;
    for (const auto& [cert, key] : {std::pair{&raEnc, &raEncKey}, std::pair{&raSign, &raSignKey}}) {
        auto copy = resignRa(*cert, *key, issuing, issuingKey, crlUrl(issuing), now.addDays(-731), now.addDays(-1));
        if (!copy)
            return copy.error();
        out << *copy;
    }
    return out;
}

} // namespace ndes::lab
