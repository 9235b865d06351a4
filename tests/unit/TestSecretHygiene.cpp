// SPDX-License-Identifier: Apache-2.0
// Where secrets could leak on this machine: a key written through a symbolic link, a process another process of
// the user may ptrace or dump, a wipe that silently skipped a buffer still shared with a regex match.
#include "ndes/AdminPage.h"
#include "util/AtomicFile.h"
#include "util/ProcessMemory.h"
#include "util/SecretBytes.h"

#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#ifdef Q_OS_LINUX
#include <sys/prctl.h>
#include <sys/resource.h>
#endif

using namespace ndes;

class TestSecretHygiene : public QObject {
    Q_OBJECT
private slots:
    // `ndesctl enroll --key-out LINK` replaced the link's target with a private key: QSaveFile follows links.
    void atomicWriteRefusesASymlink() {
        QTemporaryDir dir;
        const QString target = dir.filePath(QStringLiteral("someone-elses-file"));
        QFile t(target);
        QVERIFY(t.open(QIODevice::WriteOnly));
        t.write("precious");
        t.close();
        const QString link = dir.filePath(QStringLiteral("key.pem"));
        QVERIFY(QFile::link(target, link));
        const Status s = AtomicFile::write(link, "-----BEGIN PRIVATE KEY-----", AtomicFile::Access::OwnerOnly);
        QVERIFY(!s);
        QVERIFY2(s.error().message.contains(QStringLiteral("symbolic link")), qPrintable(s.error().message));
        QVERIFY(t.open(QIODevice::ReadOnly));
        QCOMPARE(t.readAll(), QByteArray("precious"));
        QVERIFY(QFileInfo(link).isSymLink());
        // A dangling link too (it would create the file it names).
        const QString dangling = dir.filePath(QStringLiteral("cert.pem"));
        QVERIFY(QFile::link(dir.filePath(QStringLiteral("nowhere")), dangling));
        QVERIFY(!AtomicFile::write(dangling, "x", AtomicFile::Access::WorldReadable));
        QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("nowhere"))));
        // A regular file is written as before.
        QVERIFY(AtomicFile::write(dir.filePath(QStringLiteral("plain.pem")), "ok", AtomicFile::Access::OwnerOnly));
    }

    void processIsNotDumpable() {
        const QString problem = hardenProcess();
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
#ifdef Q_OS_LINUX
        QCOMPARE(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
        rlimit core{};
        QCOMPARE(getrlimit(RLIMIT_CORE, &core), 0);
        QCOMPARE(core.rlim_cur, rlim_t(0));
#endif
    }

    // The trap the admin page parser fell into: a regex match shares the text, so a "wipe" while it lives only
    // drops a reference. cleanse says so, and the parser (which asserts it) wipes only after its matches are gone.
    void cleanseTellsWhenItCouldNotWipe() {
        QString text = QStringLiteral("password is: 8CE317021F690069");
        text.detach();
        {
            const auto m = QRegularExpression(QStringLiteral("([0-9A-F]{16})")).match(text);
            QVERIFY(m.hasMatch());
            QString shared = text;
            QVERIFY(!SecretBytes::cleanse(shared));
        }
        QVERIFY(SecretBytes::cleanse(text));
        QByteArray bytes("secret");
        QByteArray copy = bytes;
        QVERIFY(!SecretBytes::cleanse(bytes));
        QVERIFY(SecretBytes::cleanse(copy));
        auto page = service::AdminPage::parse(
            QStringLiteral("<Title>Network Device Enrollment Service</Title> The thumbprint (hash value) for the CA "
                           "certificate is: <B> 8A3BE8F5 0C8E5E0C 0B4B2F72 D3A44C8E </B> The enrollment challenge "
                           "password is: <B> 8ce317021f690069 </B> will expire within 60 minutes")
                .toUtf8());
        QVERIFY(page.ok());
        QCOMPARE(page->password.bytes(), QByteArray("8CE317021F690069"));
        QCOMPARE(page->caThumbprint, QStringLiteral("8A3BE8F5 0C8E5E0C 0B4B2F72 D3A44C8E"));
    }
};

QTEST_GUILESS_MAIN(TestSecretHygiene)
#include "TestSecretHygiene.moc"
