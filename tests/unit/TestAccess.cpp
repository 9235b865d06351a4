// SPDX-License-Identifier: Apache-2.0
// Auditor mode enforced in the core: once the process is read-only, every entry point that writes or spends refuses
// with the code "read-only" before it touches a file, the keychain or the network; the mode cannot be left; and the
// start-up mode follows the command line, the user's setting and the administrator's policy file, which nothing the
// user does overrides.
#include "inventory/ConsolePolicy.h"
#include "inventory/CredentialStore.h"
#include "inventory/Inventory.h"
#include "ndes/ChallengeAuditTrail.h"
#include "ndes/ChallengePasswordClient.h"
#include "ndes/EnrollmentTest.h"
#include "ndes/LoadTest.h"
#include "ndes/RaRenewalScript.h"
#include "scep/ScepClient.h"
#include "scep/ScepEnrollment.h"
#include "setup/ScriptWriter.h"
#include "setup/SetupPlan.h"
#include "util/Access.h"

#include <QDir>
#include <QFile>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace ndes;

class TestAccess : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;

    QString path(const QString& name) const { return m_dir.filePath(name); }

    void writePolicy(const QString& file, const QByteArray& text) {
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(text);
    }

private slots:
    // --- the start-up decision (pure; the console passes the fixed system path) ---
    void startupFollowsFlagSettingAndPolicy() {
        using inventory::resolveStartupAccess;
        const QString none = path(QStringLiteral("no-such-policy.conf"));
        QVERIFY(!resolveStartupAccess(false, false, none).readOnly);
        QVERIFY(resolveStartupAccess(true, false, none).readOnly);
        QVERIFY(resolveStartupAccess(false, true, none).readOnly);
        QVERIFY(!resolveStartupAccess(true, false, none).byPolicy);

        const QString policy = path(QStringLiteral("policy.conf"));
        writePolicy(policy, "[policy]\nauditor=true\n");
        // Neither the command line (no flag can undo it) nor the user's setting turns the policy off.
        for (bool flag : {false, true})
            for (bool user : {false, true}) {
                const auto a = resolveStartupAccess(flag, user, policy);
                QVERIFY(a.readOnly);
                QVERIFY(a.byPolicy);
                QVERIFY(a.reason.contains(policy));
            }
        // The user's own settings file saying the opposite changes nothing: the policy file is read on its own.
        QSettings user(path(QStringLiteral("user.conf")), QSettings::IniFormat);
        user.setValue(QStringLiteral("policy/auditor"), false);
        user.setValue(QStringLiteral("ui/auditorMode"), false);
        user.sync();
        QVERIFY(resolveStartupAccess(false, user.value(QStringLiteral("ui/auditorMode")).toBool(), policy).readOnly);

        writePolicy(policy, "[policy]\nauditor=false\n");
        QVERIFY(!resolveStartupAccess(false, false, policy).readOnly);
        QVERIFY(resolveStartupAccess(true, false, policy).readOnly); // a policy of "false" does not forbid it

        // A damaged lock is still a lock.
        writePolicy(policy, "[policy]\nauditor=perhaps\n");
        auto damaged = resolveStartupAccess(false, false, policy);
        QVERIFY(damaged.readOnly);
        QVERIFY(damaged.warning.contains(QStringLiteral("neither true nor false")));
        const QString folder = path(QStringLiteral("policy-is-a-folder.conf"));
        QVERIFY(QDir().mkpath(folder));
        damaged = resolveStartupAccess(false, false, folder);
        QVERIFY(damaged.readOnly);
        QVERIFY(damaged.warning.contains(QStringLiteral("could not be read")));
        // A file without the setting, and a dangling link, lock too (only "no such file" unlocks).
        writePolicy(policy, "[other]\nauditor=false\n");
        damaged = resolveStartupAccess(false, false, policy);
        QVERIFY(damaged.readOnly);
        QVERIFY(damaged.warning.contains(QStringLiteral("no auditor= setting")));
        const QString dangling = path(QStringLiteral("dangling.conf"));
        QVERIFY(QFile::link(path(QStringLiteral("nowhere")), dangling));
        QVERIFY(resolveStartupAccess(false, false, dangling).readOnly);
        // A policy file the user may write is reported: it locks nothing.
        writePolicy(policy, "[policy]\nauditor=true\n");
        QVERIFY(resolveStartupAccess(false, false, policy).warning.contains(QStringLiteral("writable by you")));
        QCOMPARE(inventory::systemPolicyPath(), QStringLiteral("/etc/xdg/ndes-console/policy.conf"));
    }

    // --- before auditor mode: the same entry points work (so the refusals below are auditor mode's doing) ---
    void writesAreGrantedOutsideAuditorMode() {
        QVERIFY(!Access::readOnly());
        const int granted = Access::granted();
        QVERIFY(Access::request(WriteOperation::ServerListSave));
        inventory::Inventory inv;
        QVERIFY(inv.save(path(QStringLiteral("before.json"))));
        QVERIFY(QFile::exists(path(QStringLiteral("before.json"))));
        setup::SetupPlan plan;
        QVERIFY(plan.save(path(QStringLiteral("plan-before.json"))));
        QVERIFY(service::RaRenewalScript::generate({}, QDateTime::currentDateTimeUtc()));
        QCOMPARE(Access::granted(), granted + 4);
        QCOMPARE(Access::refused(), 0);
    }

    // --- auditor mode: every core write entry point refuses, and says why ---
    void everyWriteEntryPointRefuses() {
        Access::enterReadOnly(QStringLiteral("started with --auditor"));
        QVERIFY(Access::readOnly());
        QVERIFY(!Access::byPolicy());
        const int granted = Access::granted();
        int refused = Access::refused();
        const auto refusedOnce = [&refused](const Error& e) {
            ++refused;
            return e.code == QLatin1String("read-only") && e.message.contains(QStringLiteral("auditor")) &&
                   Access::refused() == refused;
        };

        for (WriteOperation op :
             {WriteOperation::ChallengePassword, WriteOperation::Enrollment, WriteOperation::LoadTest,
              WriteOperation::KeychainWrite, WriteOperation::ServerListSave, WriteOperation::SetupFilesSave,
              WriteOperation::DirectoryApply, WriteOperation::RaRenewalScript, WriteOperation::AuditTrailWrite}) {
            auto c = Access::request(op);
            QVERIFY(!c);
            QVERIFY(refusedOnce(c.error()));
            QCOMPARE(Access::lastRefused(), writeOperationName(op));
        }

        // Challenge passwords: refused before any connection (the port below has nothing listening).
        service::ChallengeRequest challenge;
        challenge.adminUrl = QUrl(QStringLiteral("https://127.0.0.1:9/certsrv/mscep_admin/"));
        challenge.auth = service::AdminAuth::Negotiate;
        auto fetched = service::ChallengePasswordClient::fetch(challenge);
        QVERIFY(!fetched);
        QVERIFY(refusedOnce(fetched.error()));

        // Enrollment, the enrollment test and the load test.
        scep::ScepClient client(QUrl(QStringLiteral("http://127.0.0.1:9/certsrv/mscep/mscep.dll")));
        scep::ScepEnrollment enrollment(&client);
        std::optional<Error> enrollError;
        enrollment.start({}, [&](Result<scep::EnrollmentResult> r) {
            QVERIFY(!r);
            enrollError = r.error();
        });
        QTRY_VERIFY(enrollError.has_value());
        QVERIFY(refusedOnce(*enrollError));

        service::EnrollmentTest test;
        QSignalSpy testDone(&test, &service::EnrollmentTest::finished);
        service::EnrollmentTestOptions testOptions;
        testOptions.scepUrl = QUrl(QStringLiteral("http://127.0.0.1:9/certsrv/mscep/mscep.dll"));
        test.start(testOptions);
        QTRY_COMPARE(testDone.size(), 1);
        const auto report = testDone.first().first().value<service::EnrollmentTestReport>();
        QVERIFY(!report.ok);
        QCOMPARE(report.observed.errorCode, QStringLiteral("read-only"));
        ++refused;
        QCOMPARE(Access::refused(), refused);

        service::LoadTestOptions load;
        load.scepUrl = QUrl(QStringLiteral("http://127.0.0.1:9/certsrv/mscep/mscep.dll"));
        Status loadCheck = service::LoadTest::check(load);
        QVERIFY(!loadCheck);
        QVERIFY(refusedOnce(loadCheck.error()));

        // The keychain: no job is started, the callback says why.
        inventory::CredentialStore store;
        std::optional<Status> written;
        store.write(QStringLiteral("server/x"), SecretBytes(QByteArray("secret")), [&](Status s) { written = s; });
        QTRY_VERIFY(written.has_value());
        QVERIFY(!*written);
        QVERIFY(refusedOnce(written->error()));
        std::optional<Status> removed;
        store.remove(QStringLiteral("server/x"), [&](Status s) { removed = s; });
        QTRY_VERIFY(removed.has_value());
        QVERIFY(refusedOnce(removed->error()));
        Status blocking =
            inventory::CredentialStore::writeBlocking(QStringLiteral("server/x"), SecretBytes(QByteArray("secret")));
        QVERIFY(!blocking);
        QVERIFY(refusedOnce(blocking.error()));

        // Files: the server list, the setup plan and its scripts, the challenge audit trail. Nothing is created.
        inventory::Inventory inv;
        Status saved = inv.save(path(QStringLiteral("after.json")));
        QVERIFY(!saved);
        QVERIFY(refusedOnce(saved.error()));
        QVERIFY(!QFile::exists(path(QStringLiteral("after.json"))));
        setup::SetupPlan plan;
        saved = plan.save(path(QStringLiteral("plan-after.json")));
        QVERIFY(!saved);
        QVERIFY(refusedOnce(saved.error()));
        QVERIFY(!QFile::exists(path(QStringLiteral("plan-after.json"))));
        auto files = setup::writePlanFiles(plan, path(QStringLiteral("scripts")), QDateTime::currentDateTimeUtc());
        QVERIFY(!files);
        QVERIFY(refusedOnce(files.error()));
        QVERIFY(!QFileInfo::exists(path(QStringLiteral("scripts"))));
        service::ChallengeAuditTrail trail(path(QStringLiteral("trail.jsonl")));
        service::ChallengeAuditEntry entry;
        entry.time = QDateTime::currentDateTimeUtc();
        entry.server = QStringLiteral("ndes01");
        entry.outcome = QStringLiteral("issued");
        saved = trail.append(entry);
        QVERIFY(!saved);
        QVERIFY(refusedOnce(saved.error()));
        QVERIFY(!QFile::exists(path(QStringLiteral("trail.jsonl"))));

        // The RA renewal script.
        auto script = service::RaRenewalScript::generate({}, QDateTime::currentDateTimeUtc());
        QVERIFY(!script);
        QVERIFY(refusedOnce(script.error()));

        QCOMPARE(Access::granted(), granted); // not one capability handed out
    }

    // One way: nothing in the process leaves auditor mode, not even entering it again for another reason.
    void auditorModeCannotBeLeft() {
        Access::enterReadOnly(QString());
        QVERIFY(Access::readOnly());
        QCOMPARE(Access::readOnlyReason(), QStringLiteral("started with --auditor"));
        QVERIFY(!Access::request(WriteOperation::ServerListSave));
    }
};

QTEST_GUILESS_MAIN(TestAccess)
#include "TestAccess.moc"
