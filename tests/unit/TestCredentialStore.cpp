// SPDX-License-Identifier: Apache-2.0
// QtKeychain for real: GNOME Keyring's Secret Service in a private D-Bus session (tests/support/with-keyring.sh).
#include "AwaitResult.h"

#include "inventory/CredentialStore.h"

#include <QDirIterator>
#include <QStandardPaths>
#include <QtTest>

using namespace ndes;
using namespace ndes::inventory;
using namespace ndes::test;

class TestCredentialStore : public QObject {
    Q_OBJECT
private slots:
    void roundTrip() {
        CredentialStore store;
        const QString key =
            CredentialStore::keyForServer(QStringLiteral("test-%1").arg(QCoreApplication::applicationPid()));
        const QByteArray secret("S3cret-for-the-keychain-!");
        auto written = awaitResult<bool>([&](auto done) {
            store.write(key, SecretBytes(secret),
                        [done](Status s) { done(s.ok() ? Result<bool>(true) : Result<bool>(s.error())); });
        });
        QVERIFY2(written.ok(), qPrintable(written.ok() ? QString() : written.error().toString()));
        auto read = awaitResult<SecretBytes>([&](auto done) { store.read(key, done); });
        QVERIFY2(read.ok(), qPrintable(read.ok() ? QString() : read.error().toString()));
        QCOMPARE(read->bytes(), secret);
        QCOMPARE(CredentialStore::readBlocking(key)->bytes(), secret);

        // The secret is in the keyring's encrypted file, not in clear anywhere under the test's home.
        QDirIterator it(QDir::homePath(), QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            QFile f(it.next());
            if (f.open(QIODevice::ReadOnly))
                QVERIFY2(!f.readAll().contains(secret), qPrintable(f.fileName()));
        }

        auto removed = awaitResult<bool>([&](auto done) {
            store.remove(key, [done](Status s) { done(s.ok() ? Result<bool>(true) : Result<bool>(s.error())); });
        });
        QVERIFY(removed.ok());
        auto gone = awaitResult<SecretBytes>([&](auto done) { store.read(key, done); });
        QVERIFY(!gone.ok());
        QVERIFY(gone.error().message.contains(QStringLiteral("No password is stored")));
    }
};

QTEST_GUILESS_MAIN(TestCredentialStore)
#include "TestCredentialStore.moc"
