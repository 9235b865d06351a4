// SPDX-License-Identifier: Apache-2.0
// After a session that stores credentials and generates challenge passwords, no secret is in the config
// folder, the data folder (inventory, audit trail, settings), or anything the program logged. Runs inside a
// private keyring session (tests/support/with-keyring.sh); the account password lives only in the keychain.
#include "AwaitResult.h"
#include "NdesLabProcess.h"

#include "ChallengePage.h"
#include "ConsoleContext.h"
#include "MainWindow.h"
#include "inventory/CredentialStore.h"

#include <QClipboard>
#include <QDirIterator>
#include <QFile>
#include <QGuiApplication>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using namespace ndes;
using namespace ndes::test;

namespace {
QByteArray logged;
void captureMessages(QtMsgType, const QMessageLogContext&, const QString& msg) {
    logged += msg.toUtf8() + '\n';
}
} // namespace

class TestNoSecretsAnywhere : public QObject {
    Q_OBJECT
private slots:
    void noSecretAnywhere() {
        QStandardPaths::setTestModeEnabled(true);
        const QByteArray accountPassword =
            "Acc0unt-" + QByteArray::number(QCoreApplication::applicationPid()) + "-Secret";
        QTemporaryDir dir;
        QFile users(dir.filePath(QStringLiteral("users.txt")));
        QVERIFY(users.open(QIODevice::WriteOnly));
        users.write("LAB\\helpdesk:" + accountPassword + ":enroll\n");
        users.close();
        users.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        NdesLabProcess lab;
        QString error;
        QVERIFY2(lab.start({QStringLiteral("--users"), users.fileName()}, &error), qPrintable(error));

        const QString configDir = QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation);
        const QString dataDir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
        QDir(configDir).removeRecursively();
        QDir(dataDir).removeRecursively();
        QtMessageHandler previous = qInstallMessageHandler(captureMessages);

        QStringList challenges;
        {
            ui::ConsoleContext context(inventory::Inventory::defaultPath(),
                                       service::ChallengeAuditTrail::defaultPath());
            inventory::ServerProfile p;
            p.name = QStringLiteral("Lab");
            p.scepUrl = QUrl(lab.scepUrl());
            p.adminUrl = QUrl(lab.adminUrl());
            p.auth = service::AdminAuth::Ntlm;
            p.user = QStringLiteral("LAB\\helpdesk");
            p.allowHttp = true;
            auto id = context.saveProfile(p);
            QVERIFY(id.ok());
            auto stored = awaitResult<bool>([&](auto done) {
                context.credentials().write(
                    inventory::CredentialStore::keyForServer(*id), SecretBytes(accountPassword),
                    [done](Status s) { done(s.ok() ? Result<bool>(true) : Result<bool>(s.error())); });
            });
            QVERIFY2(stored.ok(), qPrintable(stored.ok() ? QString() : stored.error().toString()));

            ui::MainWindow window(&context, false);
            ui::ChallengePage* page = window.challengePage();
            page->setClipboardClearMs(200);
            for (int i = 0; i < 3; ++i) {
                page->generate();
                QTRY_VERIFY_WITH_TIMEOUT(!page->busy() && !page->shownPassword().isEmpty() &&
                                             !challenges.contains(page->shownPassword()),
                                         20000);
                challenges << page->shownPassword();
                page->copyPassword();
            }
            QTest::qWait(400); // the clipboard is cleared
            QSettings().sync();
        }
        qInstallMessageHandler(previous);
        QCOMPARE(challenges.size(), 3);

        QList<QByteArray> secrets{accountPassword};
        for (const QString& c : challenges) {
            secrets << c.toLatin1() << QString(c).remove(QLatin1Char(' ')).toLatin1();
        }
        int filesSearched = 0;
        for (const QString& root : {configDir, dataDir, QFileInfo(QSettings().fileName()).absolutePath()}) {
            QDirIterator it(root, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
            while (it.hasNext()) {
                QFile f(it.next());
                QVERIFY(f.open(QIODevice::ReadOnly));
                const QByteArray content = f.readAll();
                ++filesSearched;
                for (const QByteArray& s : secrets)
                    QVERIFY2(!content.contains(s), qPrintable(QStringLiteral("a secret is in %1").arg(f.fileName())));
            }
        }
        QVERIFY2(filesSearched >= 2,
                 "the inventory and the audit trail were searched"); // inventory + audit trail at least
        for (const QByteArray& s : secrets)
            QVERIFY2(!logged.contains(s), logged.constData());
        QVERIFY(!QGuiApplication::clipboard()->text().contains(QString(challenges.last()).remove(QLatin1Char(' '))));
    }
};

QTEST_MAIN(TestNoSecretsAnywhere)
#include "TestNoSecretsAnywhere.moc"
