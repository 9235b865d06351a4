// SPDX-License-Identifier: Apache-2.0
// Files of earlier versions, kept one folder too deep ("NDES Console/NDES Console/"), move to ndes-console/ and
// keep working: the inventory loads, the settings keep their values, the audit trail still verifies against its
// anchor (which is keyed by the trail's path), and nothing newer is overwritten.
#include "inventory/AppFiles.h"
#include "inventory/Inventory.h"
#include "ndes/ChallengeAuditTrail.h"

#include <QDir>
#include <QFile>
#include <QSettings>
#include <QTemporaryDir>
#include <QtTest>

using namespace ndes;
using namespace ndes::inventory;

namespace {
service::ChallengeAuditEntry entry(const QString& device) {
    service::ChallengeAuditEntry e;
    e.time = QDateTime::currentDateTimeUtc();
    e.requestedBy = QStringLiteral("alice (LAB\\helpdesk)");
    e.server = QStringLiteral("Lab");
    e.device = device;
    e.outcome = QStringLiteral("issued");
    return e;
}

bool writeFile(const QString& path, const QByteArray& content) {
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(content) == content.size();
}

QByteArray readFile(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}
} // namespace

class TestAppFiles : public QObject {
    Q_OBJECT
    QTemporaryDir m_home;
    QString m_config;
    QString m_data;

    [[nodiscard]] QString legacyConfig() const { return m_config + QStringLiteral("/NDES Console/NDES Console"); }
    [[nodiscard]] QString legacyData() const { return m_data + QStringLiteral("/NDES Console/NDES Console"); }

private slots:
    void initTestCase() {
        // Before the first QSettings: Qt reads the folders once.
        m_config = m_home.filePath(QStringLiteral("config"));
        m_data = m_home.filePath(QStringLiteral("data"));
        qputenv("XDG_CONFIG_HOME", QFile::encodeName(m_config));
        qputenv("XDG_DATA_HOME", QFile::encodeName(m_data));
        setApplicationNames();
    }

    void init() {
        QDir(m_config).removeRecursively();
        QDir(m_data).removeRecursively();
        QSettings().clear();
    }

    void oneFolderEachSharedByBothPrograms() {
        QCOMPARE(configDir(), m_config + QStringLiteral("/ndes-console"));
        QCOMPARE(dataDir(), m_data + QStringLiteral("/ndes-console"));
        QCOMPARE(Inventory::defaultPath(), m_config + QStringLiteral("/ndes-console/inventory.json"));
        QCOMPARE(service::ChallengeAuditTrail::defaultPath(),
                 m_data + QStringLiteral("/ndes-console/challenge-audit.jsonl"));
        QCOMPARE(QSettings().fileName(), m_config + QStringLiteral("/ndes-console/ndes-console.conf"));
    }

    void movesEverythingAndTheTrailStillVerifies() {
        // What an earlier version left: a server, a setting, a draft plan and a trail of two entries anchored in
        // the old settings under the old path.
        Inventory inv;
        ServerProfile p;
        p.name = QStringLiteral("Lab");
        p.scepUrl = QUrl(QStringLiteral("https://ndes.lab.example/certsrv/mscep/mscep.dll"));
        p.adminUrl = QUrl(QStringLiteral("https://ndes.lab.example/certsrv/mscep_admin/"));
        p.user = QStringLiteral("LAB\\helpdesk");
        QVERIFY(inv.upsert(p).ok());
        QVERIFY(QDir().mkpath(legacyConfig()));
        QVERIFY(inv.save(legacyConfig() + QStringLiteral("/inventory.json")).ok());
        QVERIFY(writeFile(legacyData() + QStringLiteral("/setup-draft.json"), "{\"draft\":1}"));
        const QString oldTrail = legacyData() + QStringLiteral("/challenge-audit.jsonl");
        QString legacySettingsFile;
        {
            QSettings legacy(QSettings::NativeFormat, QSettings::UserScope, QStringLiteral("NDES Console"),
                             QStringLiteral("NDES Console"));
            legacySettingsFile = legacy.fileName();
            legacy.setValue(QStringLiteral("ui/helpdeskMode"), true);
            service::ChallengeAuditTrail trail(oldTrail);
            trail.setAnchorStore(&legacy);
            QVERIFY(trail.append(entry(QStringLiteral("router-1"))).ok());
            QVERIFY(trail.append(entry(QStringLiteral("router-2"))).ok());
            legacy.sync();
        }
        QVERIFY(QFile::exists(legacySettingsFile));

        QSettings settings;
        const LegacyMove moved = moveLegacyFiles(settings);
        QVERIFY2(moved.errors.isEmpty(), qPrintable(moved.errors.join(QLatin1Char('\n'))));
        QCOMPARE(moved.moved.size(), 4); // settings, inventory, trail, draft
        QVERIFY(moved.kept.isEmpty());
        QVERIFY(moved.summary().contains(QStringLiteral("Moved 4")));

        auto loaded = Inventory::load(Inventory::defaultPath());
        QVERIFY(loaded.ok());
        QCOMPARE(loaded->servers().size(), 1);
        QCOMPARE(loaded->servers().first().name, QStringLiteral("Lab"));
        QCOMPARE(settings.value(QStringLiteral("ui/helpdeskMode")).toBool(), true);
        QCOMPARE(readFile(dataDir() + QStringLiteral("/setup-draft.json")), QByteArray("{\"draft\":1}"));
        QVERIFY(!QFile::exists(legacySettingsFile));
        QVERIFY(!QDir(m_config + QStringLiteral("/NDES Console")).exists());
        QVERIFY(!QDir(m_data + QStringLiteral("/NDES Console")).exists());

        service::ChallengeAuditTrail trail(service::ChallengeAuditTrail::defaultPath());
        trail.setAnchorStore(&settings);
        const auto v = trail.verify();
        QVERIFY2(v.intact, qPrintable(v.problem));
        QCOMPARE(v.lines, 2);
        // The anchor came along: cutting the last line off the moved trail is caught.
        QByteArray lines = readFile(service::ChallengeAuditTrail::defaultPath());
        lines.chop(1);
        lines = lines.left(lines.lastIndexOf('\n') + 1);
        QVERIFY(writeFile(service::ChallengeAuditTrail::defaultPath(), lines));
        const auto cut = service::ChallengeAuditTrail(service::ChallengeAuditTrail::defaultPath()).verify();
        QVERIFY(cut.intact); // the chain alone cannot see a cut end...
        const auto anchored = trail.verify();
        QVERIFY(!anchored.intact); // ...the anchor can
        QVERIFY2(anchored.problem.contains(QStringLiteral("2 were written")), qPrintable(anchored.problem));

        // A second start finds nothing to do.
        QVERIFY(moveLegacyFiles(settings).isEmpty());
    }

    void neverOverwritesANewerFile() {
        QVERIFY(writeFile(legacyConfig() + QStringLiteral("/inventory.json"), "{\"version\":1,\"servers\":[]}"));
        QVERIFY(writeFile(Inventory::defaultPath(), "newer"));
        {
            QSettings legacy(QSettings::NativeFormat, QSettings::UserScope, QStringLiteral("NDES Console"),
                             QStringLiteral("NDES Console"));
            legacy.setValue(QStringLiteral("overview/refreshMinutes"), 15);
            legacy.setValue(QStringLiteral("events/notify"), true);
        }
        QSettings settings;
        settings.setValue(QStringLiteral("overview/refreshMinutes"), 2); // set since: it wins
        const LegacyMove moved = moveLegacyFiles(settings);
        QCOMPARE(moved.kept.size(), 1);
        QVERIFY(moved.kept.first().endsWith(QStringLiteral("inventory.json")));
        QCOMPARE(readFile(Inventory::defaultPath()), QByteArray("newer"));
        QVERIFY(QFile::exists(legacyConfig() + QStringLiteral("/inventory.json")));
        QCOMPARE(settings.value(QStringLiteral("overview/refreshMinutes")).toInt(), 2);
        QCOMPARE(settings.value(QStringLiteral("events/notify")).toBool(), true);
        QVERIFY(moved.summary().contains(QStringLiteral("newer one exists")));
    }

    // A trail deleted before the move, while its anchor says it had entries: the anchor comes along, and the new
    // place reports the missing entries instead of an empty trail that "verifies".
    void aMissingTrailIsStillReported() {
        const QString oldTrail = legacyData() + QStringLiteral("/challenge-audit.jsonl");
        {
            QVERIFY(QDir().mkpath(legacyData()));
            QSettings legacy(QSettings::NativeFormat, QSettings::UserScope, QStringLiteral("NDES Console"),
                             QStringLiteral("NDES Console"));
            service::ChallengeAuditTrail trail(oldTrail);
            trail.setAnchorStore(&legacy);
            QVERIFY(trail.append(entry(QStringLiteral("router-1"))).ok());
            QVERIFY(trail.append(entry(QStringLiteral("router-2"))).ok());
            legacy.sync();
        }
        QVERIFY(QFile::remove(oldTrail));
        QSettings settings;
        const LegacyMove moved = moveLegacyFiles(settings);
        QVERIFY2(moved.errors.isEmpty(), qPrintable(moved.errors.join(QLatin1Char('\n'))));
        service::ChallengeAuditTrail trail(service::ChallengeAuditTrail::defaultPath());
        trail.setAnchorStore(&settings);
        const auto v = trail.verify();
        QVERIFY(!v.intact);
        QVERIFY2(v.problem.contains(QStringLiteral("2 were written")), qPrintable(v.problem));
    }

    // A symbolic link waiting in the new place is not written through, and one in the old place is not moved.
    void noSymbolicLinkIsFollowed() {
        QVERIFY(writeFile(legacyData() + QStringLiteral("/setup-draft.json"), "{\"draft\":1}"));
        QVERIFY(QDir().mkpath(dataDir()));
        const QString elsewhere = m_home.filePath(QStringLiteral("elsewhere.json"));
        QVERIFY(QFile::link(elsewhere, dataDir() + QStringLiteral("/setup-draft.json"))); // dangling
        QVERIFY(writeFile(m_home.filePath(QStringLiteral("real-inventory.json")), "{}"));
        QVERIFY(QDir().mkpath(legacyConfig()));
        QVERIFY(QFile::link(m_home.filePath(QStringLiteral("real-inventory.json")),
                            legacyConfig() + QStringLiteral("/inventory.json")));
        QSettings settings;
        const LegacyMove moved = moveLegacyFiles(settings);
        QVERIFY(!QFile::exists(elsewhere));
        QVERIFY(QFile::exists(legacyData() + QStringLiteral("/setup-draft.json")));
        QVERIFY(moved.kept.join(QLatin1Char(' ')).contains(QStringLiteral("setup-draft.json")));
        QVERIFY(!QFileInfo::exists(Inventory::defaultPath()));
        QVERIFY2(moved.errors.join(QLatin1Char(' ')).contains(QStringLiteral("symbolic link")),
                 qPrintable(moved.errors.join(QLatin1Char(' '))));
    }

    void nothingOldNothingDone() {
        QSettings settings;
        QVERIFY(moveLegacyFiles(settings).isEmpty());
        QVERIFY(!QDir(configDir()).exists() || QDir(configDir()).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestAppFiles)
#include "TestAppFiles.moc"
