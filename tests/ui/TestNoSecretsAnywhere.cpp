// SPDX-License-Identifier: Apache-2.0
// After a session that stores credentials and generates challenge passwords, no secret is in the config
// folder, the data folder (inventory, audit trail, settings), or anything the program logged. Runs inside a
// private keyring session (tests/support/with-keyring.sh); the account password lives only in the keychain.
#include "AwaitResult.h"
#include "NdesLabProcess.h"
#include "SecretScan.h"
#include "inventory/AppFiles.h"

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

        const QString configDir = inventory::configDir();
        const QString dataDir = inventory::dataDir();
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

        // A failure says where a secret was found, never the secret itself (whereSecretsAre prints *** instead).
        QList<NamedSecret> secrets{{QStringLiteral("the account password"), accountPassword}};
        for (int i = 0; i < challenges.size(); ++i) {
            secrets << NamedSecret{QStringLiteral("challenge %1 as shown").arg(i + 1), challenges[i].toLatin1()}
                    << NamedSecret{QStringLiteral("challenge %1 without spaces").arg(i + 1),
                                   QString(challenges[i]).remove(QLatin1Char(' ')).toLatin1()};
        }
        int filesSearched = 0;
        for (const QString& root : {configDir, dataDir, QFileInfo(QSettings().fileName()).absolutePath()}) {
            QDirIterator it(root, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
            while (it.hasNext()) {
                QFile f(it.next());
                QVERIFY(f.open(QIODevice::ReadOnly));
                const QByteArray content = f.readAll();
                ++filesSearched;
                const QString where =
                    whereSecretsAre(content, secrets, QStringLiteral("the file %1").arg(f.fileName()));
                QVERIFY2(where.isEmpty(), qPrintable(where));
            }
        }
        QVERIFY2(filesSearched >= 2,
                 "the inventory and the audit trail were searched"); // inventory + audit trail at least
        const QString inLog = whereSecretsAre(logged, secrets, QStringLiteral("the messages the program logged"));
        QVERIFY2(inLog.isEmpty(), qPrintable(inLog));
        const QString inClipboard =
            whereSecretsAre(QGuiApplication::clipboard()->text().toUtf8(), secrets, QStringLiteral("the clipboard"));
        QVERIFY2(inClipboard.isEmpty(), qPrintable(inClipboard));
    }
};

QTEST_MAIN(TestNoSecretsAnywhere)
#include "TestNoSecretsAnywhere.moc"
