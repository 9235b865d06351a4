// SPDX-License-Identifier: Apache-2.0
#include "inventory/Inventory.h"

#include <QFile>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include <csignal>

using namespace ndes;
using namespace ndes::inventory;

namespace {
ServerProfile lab(const QString& name = QStringLiteral("Lab")) {
    ServerProfile p;
    p.name = name;
    p.scepUrl = QUrl(QStringLiteral("https://ndes.lab.example/certsrv/mscep/mscep.dll"));
    p.adminUrl = QUrl(QStringLiteral("https://ndes.lab.example/certsrv/mscep_admin/"));
    p.auth = service::AdminAuth::Ntlm;
    p.user = QStringLiteral("LAB\\helpdesk");
    p.site = QStringLiteral("Paris");
    p.notes = QStringLiteral("Üben mit Umlauten");
    return p;
}
} // namespace

class TestInventory : public QObject {
    Q_OBJECT
private slots:
    void saveLoadRoundTrip() {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("sub/inventory.json"));
        Inventory inv;
        auto id = inv.upsert(lab());
        QVERIFY(id.ok());
        QVERIFY(inv.save(path).ok());
        QCOMPARE(QFile(path).permissions() & (QFileDevice::ReadOther | QFileDevice::ReadGroup),
                 QFileDevice::Permissions());
        auto back = Inventory::load(path);
        QVERIFY(back.ok());
        QCOMPARE(back->servers().size(), 1);
        const ServerProfile& p = back->servers().first();
        QCOMPARE(p.id, *id);
        QCOMPARE(p.name, QStringLiteral("Lab"));
        QCOMPARE(p.user, QStringLiteral("LAB\\helpdesk"));
        QCOMPARE(p.notes, QStringLiteral("Üben mit Umlauten"));
        QCOMPARE(p.auth, service::AdminAuth::Ntlm);
        QVERIFY(back->find(QStringLiteral("lab")));
        // Missing file: empty inventory.
        QVERIFY(Inventory::load(dir.filePath(QStringLiteral("none.json")))->servers().isEmpty());
    }
    void problems_data() {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("problem");
        QTest::newRow("no name") << QStringLiteral("name") << QString() << QStringLiteral("name");
        QTest::newRow("ftp") << QStringLiteral("scep") << QStringLiteral("ftp://x/y")
                             << QStringLiteral("not an http(s) URL");
        QTest::newRow("plain http") << QStringLiteral("admin") << QStringLiteral("http://ndes/certsrv/mscep_admin/")
                                    << QStringLiteral("in clear");
        QTest::newRow("no user") << QStringLiteral("user") << QString() << QStringLiteral("user name");
        QTest::newRow("bad pin") << QStringLiteral("pin") << QStringLiteral("ABCD") << QStringLiteral("64 hex");
        QTest::newRow("directory over http")
            << QStringLiteral("directory") << QStringLiteral("https://dc1.lab.test") << QStringLiteral("ldaps://");
        QTest::newRow("directory with a password in the URL")
            << QStringLiteral("directory") << QStringLiteral("ldaps://reader:secret@dc1.lab.test")
            << QStringLiteral("no user name or password");
        QTest::newRow("directory with a base DN")
            << QStringLiteral("directory") << QStringLiteral("ldaps://dc1.lab.test/DC=lab,DC=test")
            << QStringLiteral("without a base DN");
        QTest::newRow("directory without a bind account")
            << QStringLiteral("bindDn") << QString() << QStringLiteral("account to bind with");
        QTest::newRow("service account without a directory")
            << QStringLiteral("serviceAccount") << QStringLiteral("LAB\\svc-ndes") << QStringLiteral("directory's URL");
    }
    void directoryRoundTripAndTarget() {
        ServerProfile p = lab();
        p.id = QStringLiteral("0c1e");
        p.directoryUrl = QUrl(QStringLiteral("ldaps://dc1.lab.test:636"));
        p.directoryBindDn = QStringLiteral("reader@lab.test");
        p.directoryCaFile = QStringLiteral("/etc/ndes/lab-ca.pem");
        p.serviceAccount = QStringLiteral("LAB\\svc-ndes");
        QVERIFY2(p.problems().isEmpty(), qPrintable(p.problems().join(QLatin1Char(' '))));
        const QJsonObject json = p.toJson();
        QVERIFY(!QJsonDocument(json).toJson().contains("password")); // the keychain holds it, never the profile
        const ServerProfile back = ServerProfile::fromJson(json);
        QCOMPARE(back.directoryUrl, p.directoryUrl);
        QCOMPARE(back.directoryBindDn, p.directoryBindDn);
        QCOMPARE(back.directoryCaFile, p.directoryCaFile);
        QCOMPARE(back.serviceAccount, p.serviceAccount);
        QVERIFY(!back.directoryKerberos);
        const service::HealthTarget t = back.healthTarget();
        QVERIFY(t.directory.configured());
        QCOMPARE(t.directory.url, p.directoryUrl);
        QCOMPARE(t.directory.accounts, QStringList{p.serviceAccount});
        QVERIFY(t.directory.credentialKey.startsWith(QStringLiteral("directory/0c1e/")));
        QCOMPARE(t.directory.credentialKey, back.directoryCredentialKey());
        // The key follows the directory: another URL, bind account or CA file is another key (the password saved
        // for one is never sent to the other).
        for (int change = 0; change < 3; ++change) {
            inventory::ServerProfile moved = back;
            if (change == 0)
                moved.directoryUrl = QUrl(QStringLiteral("ldaps://evil.example"));
            else if (change == 1)
                moved.directoryBindDn = QStringLiteral("someone@else");
            else
                moved.directoryCaFile = QStringLiteral("/tmp/other-ca.pem");
            QVERIFY(moved.directoryCredentialKey() != back.directoryCredentialKey());
        }
        // Kerberos needs no account; a profile without a directory has no "directory" object and no target.
        p.directoryKerberos = true;
        p.directoryBindDn.clear();
        QVERIFY(p.problems().isEmpty());
        QVERIFY(ServerProfile::fromJson(p.toJson()).directoryKerberos);
        QVERIFY(!lab().toJson().contains(QStringLiteral("directory")));
        QVERIFY(!lab().healthTarget().directory.configured());
    }
    void problems() {
        QFETCH(QString, field);
        QFETCH(QString, value);
        QFETCH(QString, problem);
        ServerProfile p = lab();
        if (field == QLatin1String("name"))
            p.name = value;
        else if (field == QLatin1String("scep"))
            p.scepUrl = QUrl(value);
        else if (field == QLatin1String("admin"))
            p.adminUrl = QUrl(value);
        else if (field == QLatin1String("user"))
            p.user = value;
        else if (field == QLatin1String("directory")) {
            p.directoryUrl = QUrl(value);
            p.directoryBindDn = QStringLiteral("reader@lab.test");
        } else if (field == QLatin1String("bindDn"))
            p.directoryUrl = QUrl(QStringLiteral("ldaps://dc1.lab.test"));
        else if (field == QLatin1String("serviceAccount"))
            p.serviceAccount = value;
        else
            p.caSha256Pin = value;
        QVERIFY2(p.problems().join(QLatin1Char(' ')).contains(problem),
                 qPrintable(p.problems().join(QLatin1Char(' '))));
        Inventory inv;
        QVERIFY(!inv.upsert(p).ok());
        QVERIFY(inv.servers().isEmpty());
        // Allowing HTTP explicitly makes the plain-HTTP profile acceptable.
        if (field == QLatin1String("admin")) {
            p.allowHttp = true;
            QVERIFY(p.problems().isEmpty());
        }
    }
    void namesAreUniqueAndImportExport() {
        Inventory inv;
        QVERIFY(inv.upsert(lab()).ok());
        QVERIFY(!inv.upsert(lab(QStringLiteral("LAB"))).ok());
        QVERIFY(inv.upsert(lab(QStringLiteral("Second"))).ok());
        const QByteArray json = inv.exportJson();
        auto imported = Inventory::importJson(json);
        QVERIFY(imported.ok());
        QCOMPARE(imported->servers().size(), 2);
        QVERIFY(!json.toLower().contains("password"));
    }
    void corruptOrForeignFiles_data() {
        QTest::addColumn<QByteArray>("content");
        QTest::newRow("garbage") << QByteArray("not json");
        QTest::newRow("array") << QByteArray("[1,2]");
        QTest::newRow("future version") << QByteArray("{\"version\": 99, \"servers\": []}");
        QTest::newRow("truncated") << QByteArray("{\"version\": 1, \"servers\": [{\"name\": \"x\"");
    }
    void corruptOrForeignFiles() {
        QFETCH(QByteArray, content);
        QTemporaryDir dir;
        QFile f(dir.filePath(QStringLiteral("inventory.json")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(content);
        f.close();
        auto inv = Inventory::load(f.fileName());
        QVERIFY(!inv.ok());
        QVERIFY(inv.error().message.contains(QStringLiteral("Move it aside")));
    }
    void survivesKillDashNineWhileSaving() {
        // A writer process saves a large inventory in a loop; it is killed with SIGKILL at varying moments.
        // Whatever moment: the file on disk loads, with one of the versions written.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("inventory.json"));
        for (int round = 0; round < 8; ++round) {
            QProcess writer;
            writer.start(QCoreApplication::applicationFilePath(), {QStringLiteral("--writer"), path});
            QVERIFY(writer.waitForStarted(5000));
            QVERIFY(writer.waitForReadyRead(10000)); // it has saved at least once
            QThread::msleep(5 + round * 7);
            ::kill(pid_t(writer.processId()), SIGKILL);
            writer.waitForFinished(5000);
            auto inv = Inventory::load(path);
            QVERIFY2(inv.ok(), qPrintable(inv.ok() ? QString() : inv.error().message));
            QVERIFY(inv->servers().size() >= 200);
        }
    }
};

int main(int argc, char* argv[]) {
    // Helper mode for survivesKillDashNineWhileSaving: save forever.
    if (argc == 3 && qstrcmp(argv[1], "--writer") == 0) {
        QCoreApplication app(argc, argv);
        for (int generation = 0;; ++generation) {
            Inventory inv;
            for (int i = 0; i < 200 + generation % 50; ++i)
                (void)inv.upsert(lab(QStringLiteral("Server %1-%2").arg(generation).arg(i)));
            if (!inv.save(QString::fromLocal8Bit(argv[2])).ok())
                return 1;
            if (generation == 0) {
                std::puts("saved");
                std::fflush(stdout);
            }
        }
    }
    QCoreApplication app(argc, argv);
    TestInventory t;
    return QTest::qExec(&t, argc, argv);
}

#include "TestInventory.moc"
