// SPDX-License-Identifier: Apache-2.0
#include "AdminPage.h" // the lab's page writer
#include "ndes/AdminPage.h"

#include <QtTest>

using namespace ndes;

namespace {
// NDES's own wording (NDES-FACTS.md), hand-written rather than produced by the lab.
const QString realSuccess = QStringLiteral(
    "<HTML><Head><Meta HTTP-Equiv=\"Content-Type\" Content=\"text/html; charset=UTF-8\">\r\n"
    "<Title>Network Device Enrollment Service</Title></Head><Body>\r\n"
    "<P> The thumbprint (hash value) for the CA certificate is: <B> 8A3BE8F5 0C8E5E0C 0B4B2F72 D3A44C8E </B> \r\n"
    "<P> The enrollment challenge password is: <B> 8CE317021F690069 </B> \r\n"
    "<P> This password can be used only once and will expire within 60 minutes. \r\n</Body></HTML>");
const QString realPermission = QStringLiteral(
    "<HTML><Title>Network Device Enrollment Service</Title><P> You do not have sufficient permission to enroll "
    "with SCEP.  Please contact your system administrator. </P></HTML>");

QByteArray utf16le(const QString& s, bool bom = false, bool stray = false) {
    return lab::AdminPage::encode(s, bom     ? lab::AdminPage::Encoding::Utf16LeBom
                                     : stray ? lab::AdminPage::Encoding::Utf16LeStrayByte
                                             : lab::AdminPage::Encoding::Utf16Le);
}
} // namespace

class TestAdminPage : public QObject {
    Q_OBJECT
private slots:
    void encodings_data() {
        QTest::addColumn<QByteArray>("body");
        QTest::newRow("UTF-16LE without BOM") << utf16le(realSuccess);
        QTest::newRow("UTF-16LE with BOM") << utf16le(realSuccess, true);
        QTest::newRow("UTF-16LE with a stray byte") << utf16le(realSuccess, false, true);
        QTest::newRow("UTF-8") << realSuccess.toUtf8();
        QTest::newRow("UTF-16LE starting with whitespace") << utf16le(QStringLiteral("\r\n") + realSuccess);
    }
    void encodings() {
        QFETCH(QByteArray, body);
        auto page = service::AdminPage::parse(body);
        QVERIFY2(page.ok(), qPrintable(page.ok() ? QString() : page.error().message));
        QCOMPARE(page->kind, service::AdminPageContent::Kind::Password);
        QCOMPARE(page->password.bytes(), QByteArray("8CE317021F690069"));
        QCOMPARE(page->caThumbprint, QStringLiteral("8A3BE8F5 0C8E5E0C 0B4B2F72 D3A44C8E"));
        QCOMPARE(page->validityMinutes, 60);
        QVERIFY(!page->neverExpires);
    }
    void errorPages() {
        auto perm = service::AdminPage::parse(utf16le(realPermission));
        QVERIFY(perm.ok());
        QCOMPARE(perm->kind, service::AdminPageContent::Kind::InsufficientPermission);
        auto full = service::AdminPage::parse(lab::AdminPage::cacheFull(5, lab::AdminPage::Encoding::Utf16Le));
        QVERIFY(full.ok());
        QCOMPARE(full->kind, service::AdminPageContent::Kind::CacheFull);
        QCOMPARE(full->cacheSize, 5);
        auto single = service::AdminPage::parse(
            lab::AdminPage::success(QStringLiteral("00000000 11111111 22222222 33333333"), "ABCDEF0123456789", 60, true,
                                    lab::AdminPage::Encoding::Utf16Le));
        QVERIFY(single.ok());
        QVERIFY(single->neverExpires);
        QCOMPARE(single->validityMinutes, -1);
    }
    void hostile_data() {
        QTest::addColumn<QByteArray>("body");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("IIS error page") << QByteArray("<html><body>HTTP Error 404.0 - Not Found</body></html>");
        QTest::newRow("NDES frame, no password")
            << utf16le(QStringLiteral("<Title>Network Device Enrollment Service</Title>"));
        QTest::newRow("password tag without value")
            << utf16le(QStringLiteral("The enrollment challenge password is: <B>  </B>"));
        QTest::newRow("binary") << QByteArray("\x00\x01\x02\x03\xff\xfe\xfd", 7);
        QTest::newRow("huge") << QByteArray(2 * 1024 * 1024, 'A');
        QTest::newRow("one byte") << QByteArray("<");
    }
    void hostile() {
        QFETCH(QByteArray, body);
        auto page = service::AdminPage::parse(body);
        QVERIFY(!page.ok());
        QCOMPARE(page.error().kind, ErrorKind::BadReply);
        QVERIFY(!page.error().message.isEmpty());
    }
    // NDES's own page without a password is told apart from somebody else's page (the title test ran on text
    // that had already been wiped, so every such page was "not NDES's admin page").
    void ndesPageWithoutPasswordIsNamedAsSuch() {
        auto ndes = service::AdminPage::parse(
            utf16le(QStringLiteral("<HTML><Head><Title>Network Device Enrollment Service</Title></Head><Body>Something "
                                   "NDES says that we do not know</Body></HTML>")));
        QVERIFY(!ndes.ok());
        QVERIFY2(ndes.error().message.contains(QStringLiteral("shows no challenge password")),
                 qPrintable(ndes.error().message));
        auto other = service::AdminPage::parse(QByteArray("<html><body>HTTP Error 404.0 - Not Found</body></html>"));
        QVERIFY(!other.ok());
        QVERIFY2(other.error().message.contains(QStringLiteral("not NDES's admin page")),
                 qPrintable(other.error().message));
    }
};

QTEST_GUILESS_MAIN(TestAdminPage)
#include "TestAdminPage.moc"
