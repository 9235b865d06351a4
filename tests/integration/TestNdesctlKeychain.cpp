// SPDX-License-Identifier: Apache-2.0
// ndesctl with the OS keychain (GNOME Keyring in a private D-Bus session): the account password is stored
// once and used for challenge passwords, and appears in no file, argument or output.
#include "NdesLabProcess.h"
#include "SecretScan.h"
#include "inventory/CredentialStore.h"
#include "inventory/Inventory.h"

#include <QDirIterator>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace ndes::test;

class TestNdesctlKeychain : public QObject {
    Q_OBJECT
private slots:
    void storeOnceUseFromTheKeychain() {
        QTemporaryDir dir;
        const QString users = dir.filePath(QStringLiteral("users.txt"));
        const QByteArray accountPassword =
            "Keychain-Only-Pa55-" + QByteArray::number(QCoreApplication::applicationPid());
        QFile f(users);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("LAB\\alice:" + accountPassword + ":enroll\n");
        f.close();
        f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        NdesLabProcess lab;
        QString error;
        QVERIFY2(lab.start({QStringLiteral("--users"), users}, &error), qPrintable(error));

        QProcess store;
        store.start(qEnvironmentVariable("NDESCTL"), {QStringLiteral("keychain"), QStringLiteral("set"),
                                                      QStringLiteral("lab-alice"), QStringLiteral("--password-stdin")});
        store.write(accountPassword + '\n');
        store.closeWriteChannel();
        QVERIFY(store.waitForFinished(30000));
        QVERIFY2(store.exitCode() == 0, redacted(store.readAllStandardError(), {accountPassword}).constData());

        QProcess challenge;
        challenge.start(qEnvironmentVariable("NDESCTL"),
                        {QStringLiteral("challenge"), QStringLiteral("--admin-url"), lab.adminUrl(),
                         QStringLiteral("--user"), QStringLiteral("LAB\\alice"), QStringLiteral("--keychain"),
                         QStringLiteral("lab-alice"), QStringLiteral("--allow-http"), QStringLiteral("--json")});
        QVERIFY(challenge.waitForFinished(30000));
        const QByteArray out = challenge.readAllStandardOutput();
        const QByteArray err = challenge.readAllStandardError();
        QVERIFY2(challenge.exitCode() == 0, redacted(err, {accountPassword}).constData());
        QCOMPARE(QJsonDocument::fromJson(out).object().value(QStringLiteral("password")).toString().size(), 16);
        QVERIFY(!out.contains(accountPassword) && !err.contains(accountPassword));

        // A name with no entry: a clear error.
        QProcess missing;
        missing.start(qEnvironmentVariable("NDESCTL"),
                      {QStringLiteral("challenge"), QStringLiteral("--admin-url"), lab.adminUrl(),
                       QStringLiteral("--user"), QStringLiteral("LAB\\alice"), QStringLiteral("--keychain"),
                       QStringLiteral("nobody"), QStringLiteral("--allow-http")});
        QVERIFY(missing.waitForFinished(30000));
        QVERIFY(missing.exitCode() != 0);
        QVERIFY(missing.readAllStandardError().contains("No password is stored"));

        // The password is in no plain file under this session's home (the keyring file is encrypted).
        QDirIterator it(QDir::homePath(), QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            QFile file(it.next());
            if (file.open(QIODevice::ReadOnly))
                QVERIFY2(!file.readAll().contains(accountPassword), qPrintable(file.fileName()));
        }
    }

    // An inventory left in the doubled folder of earlier versions ("NDES Console/NDES Console") is moved to
    // ndes-console/ and found: the password goes under the server's id, where the console looks for it, not under
    // the name typed.
    void findsTheInventoryOfEarlierVersions() {
        const QString config = qEnvironmentVariable("XDG_CONFIG_HOME");
        QVERIFY2(!config.isEmpty(), "run under with-keyring.sh, which gives this test its own HOME");
        ndes::inventory::Inventory inv;
        ndes::inventory::ServerProfile p;
        p.name = QStringLiteral("Legacy Lab");
        p.scepUrl = QUrl(QStringLiteral("https://ndes.lab.example/certsrv/mscep/mscep.dll"));
        p.adminUrl = QUrl(QStringLiteral("https://ndes.lab.example/certsrv/mscep_admin/"));
        p.user = QStringLiteral("LAB\\helpdesk");
        auto id = inv.upsert(p);
        QVERIFY(id.ok());
        const QString legacy = config + QStringLiteral("/NDES Console/NDES Console/inventory.json");
        QVERIFY(QDir().mkpath(QFileInfo(legacy).absolutePath()));
        QVERIFY(inv.save(legacy).ok());

        const QByteArray secret = "Legacy-Pa55-" + QByteArray::number(QCoreApplication::applicationPid());
        QProcess store;
        store.start(qEnvironmentVariable("NDESCTL"),
                    {QStringLiteral("keychain"), QStringLiteral("set"), QStringLiteral("Legacy Lab"),
                     QStringLiteral("--password-stdin")});
        store.write(secret + '\n');
        store.closeWriteChannel();
        QVERIFY(store.waitForFinished(30000));
        const QByteArray err = store.readAllStandardError();
        QVERIFY2(store.exitCode() == 0, redacted(err, {secret}).constData());
        QVERIFY2(err.contains("inventory.json"), err.constData()); // the move is said

        QVERIFY(!QFile::exists(legacy));
        QVERIFY(!QDir(config + QStringLiteral("/NDES Console")).exists()); // the empty old folders are gone
        QVERIFY(QFile::exists(config + QStringLiteral("/ndes-console/inventory.json")));
        auto stored =
            ndes::inventory::CredentialStore::readBlocking(ndes::inventory::CredentialStore::keyForServer(*id));
        QVERIFY2(stored.ok(), qPrintable(stored.ok() ? QString() : stored.error().toString()));
        QVERIFY(QByteArray(stored->bytes()) == secret);
    }
};

QTEST_GUILESS_MAIN(TestNdesctlKeychain)
#include "TestNdesctlKeychain.moc"
