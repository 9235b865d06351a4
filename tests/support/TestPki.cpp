// SPDX-License-Identifier: Apache-2.0
#include "TestPki.h"

#include "pki/CertificateBuilder.h"
#include "pki/Oids.h"

#include <QMap>
#include <QtTest>

namespace ndes::test {

using namespace ndes::pki;

PrivateKey testKey(int index) {
    static QMap<int, PrivateKey> cache;
    if (!cache.contains(index)) {
        auto k = PrivateKey::generateRsa(2048);
        if (!k)
            qFatal("key generation failed");
        cache.insert(index, *k);
    }
    return cache.value(index);
}

Certificate issue(const PrivateKey& subjectKey, const QString& subject, const Certificate& ca, const PrivateKey& caKey,
                  quint32 keyUsage, const QStringList& ekus) {
    auto c = CertificateBuilder().setSubject(subject).setKeyUsage(keyUsage).setExtendedKeyUsages(ekus).build(
        subjectKey.get(), caKey, ca);
    if (!c)
        qFatal("issue failed: %s", qPrintable(c.error().toString()));
    return *c;
}

NdesLikePki NdesLikePki::create(int raDays) {
    NdesLikePki p;
    p.rootKey = testKey(100);
    p.issuingKey = testKey(101);
    p.raSignKey = testKey(102);
    p.raEncKey = testKey(103);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    p.root = *CertificateBuilder()
                  .setSubject(QStringLiteral("CN=Lab Root CA,O=NDES Console Tests"))
                  .setCa(true)
                  .setKeyUsage(static_cast<quint32>(KeyUsage::KeyCertSign) | static_cast<quint32>(KeyUsage::CrlSign))
                  .setValidity(now.addDays(-10), now.addDays(3650))
                  .selfSigned(p.rootKey);
    p.issuing = *CertificateBuilder()
                     .setSubject(QStringLiteral("CN=Lab Issuing CA,O=NDES Console Tests"))
                     .setCa(true, 0)
                     .setKeyUsage(static_cast<quint32>(KeyUsage::KeyCertSign) | static_cast<quint32>(KeyUsage::CrlSign))
                     .setValidity(now.addDays(-10), now.addDays(1825))
                     .build(p.issuingKey.get(), p.rootKey, p.root);
    const QDateTime raStart = raDays > 0 ? now.addDays(-1) : now.addDays(raDays - 365);
    p.raSign = *CertificateBuilder()
                    .setSubject(QStringLiteral("CN=NDES01-MSCEP-RA,O=NDES Console Tests"))
                    .setKeyUsage(static_cast<quint32>(KeyUsage::DigitalSignature))
                    .setExtendedKeyUsages({QString::fromLatin1(oid::certificateRequestAgent)})
                    .setTemplateName(QStringLiteral("EnrollmentAgentOffline"))
                    .setValidity(raStart, now.addDays(raDays))
                    .build(p.raSignKey.get(), p.issuingKey, p.issuing);
    p.raEnc = *CertificateBuilder()
                   .setSubject(QStringLiteral("CN=NDES01-MSCEP-RA,O=NDES Console Tests"))
                   .setKeyUsage(static_cast<quint32>(KeyUsage::KeyEncipherment))
                   .setExtendedKeyUsages({QString::fromLatin1(oid::certificateRequestAgent)})
                   .setTemplateName(QStringLiteral("CEPEncryption"))
                   .setValidity(raStart, now.addDays(raDays))
                   .build(p.raEncKey.get(), p.issuingKey, p.issuing);
    return p;
}

} // namespace ndes::test
