// SPDX-License-Identifier: Apache-2.0
#include "TestPki.h"

#include "pki/CertificateBuilder.h"
#include "pki/ChainVerifier.h"

#include <QtTest>

using namespace ndes;
using namespace ndes::pki;

class TestChainVerifier : public QObject {
    Q_OBJECT
private slots:
    void chains() {
        const auto p = test::NdesLikePki::create();
        const QDateTime now = QDateTime::currentDateTimeUtc();
        QVERIFY(ChainVerifier({p.root}, {p.issuing}).verify(p.raSign, now).ok());
        QVERIFY(ChainVerifier({p.issuing}).verify(p.raEnc, now).ok()); // intermediate as anchor
        QVERIFY(ChainVerifier({p.root}).verify(p.root, now).ok());
    }
    void refuses() {
        const auto p = test::NdesLikePki::create();
        const QDateTime now = QDateTime::currentDateTimeUtc();
        // Missing intermediate.
        Status s = ChainVerifier({p.root}).verify(p.raSign, now);
        QVERIFY(!s.ok());
        QCOMPARE(s.error().kind, ErrorKind::Verification);
        // A rogue self-signed RA with the same name.
        auto rogue = CertificateBuilder().setSubject(p.raSign.subject()).selfSigned(test::testKey(7));
        QVERIFY(!ChainVerifier({p.root}, {p.issuing}).verify(*rogue, now).ok());
        // Expired at the instant asked.
        s = ChainVerifier({p.root}, {p.issuing}).verify(p.raSign, now.addDays(800));
        QVERIFY(!s.ok());
        QVERIFY2(s.error().message.contains(QStringLiteral("expired")), qPrintable(s.error().message));
        // No anchors.
        QVERIFY(!ChainVerifier({}).verify(p.raSign, now).ok());
        QVERIFY(!ChainVerifier({p.root}).verify(Certificate(), now).ok());
    }
};

QTEST_GUILESS_MAIN(TestChainVerifier)
#include "TestChainVerifier.moc"
