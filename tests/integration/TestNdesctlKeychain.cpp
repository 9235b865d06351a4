// SPDX-License-Identifier: Apache-2.0
// ndesctl with the OS keychain (GNOME Keyring in a private D-Bus session): the account password is stored
// once and used for challenge passwords, and appears in no file, argument or output.
#include "NdesLabProcess.h"
#include "SecretScan.h"

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
};

QTEST_GUILESS_MAIN(TestNdesctlKeychain)
#include "TestNdesctlKeychain.moc"
