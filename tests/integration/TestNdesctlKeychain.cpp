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

    // An inventory an earlier console left in its doubled folder ("NDES Console/NDES Console") is read where it is
    // (ndesctl moves nothing; the console moves it when it starts): the password goes under the server's id, where
    // the console looks for it, not under the name typed. And a server's saved password goes only to that server's
    // admin page, for that account.
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
        QVERIFY2(store.exitCode() == 0, redacted(store.readAllStandardError(), {secret}).constData());
        QVERIFY(QFile::exists(legacy)); // left for the console to move
        QVERIFY(!QFile::exists(config + QStringLiteral("/ndes-console/inventory.json")));
        auto stored =
            ndes::inventory::CredentialStore::readBlocking(ndes::inventory::CredentialStore::keyForServer(*id));
        QVERIFY2(stored.ok(), qPrintable(stored.ok() ? QString() : stored.error().toString()));
        QVERIFY(QByteArray(stored->bytes()) == secret);

        // The saved password is not sent to another admin page, nor as another account's.
        for (const QStringList& target :
             {QStringList{QStringLiteral("http://127.0.0.1:9/certsrv/mscep_admin/"), QStringLiteral("LAB\\helpdesk")},
              QStringList{QStringLiteral("https://ndes.lab.example/certsrv/mscep_admin/"),
                          QStringLiteral("LAB\\eve")}}) {
            QProcess challenge;
            challenge.start(qEnvironmentVariable("NDESCTL"),
                            {QStringLiteral("challenge"), QStringLiteral("--admin-url"), target[0],
                             QStringLiteral("--user"), target[1], QStringLiteral("--keychain"),
                             QStringLiteral("Legacy Lab"), QStringLiteral("--allow-http")});
            QVERIFY(challenge.waitForFinished(30000));
            QCOMPARE(challenge.exitCode(), 2);
            const QByteArray err = challenge.readAllStandardError();
            QVERIFY2(err.contains("keychain entry of server") && !err.contains(secret), err.constData());
        }
    }
};

QTEST_GUILESS_MAIN(TestNdesctlKeychain)
#include "TestNdesctlKeychain.moc"
