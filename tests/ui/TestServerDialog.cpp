// SPDX-License-Identifier: Apache-2.0
// The server dialog keeps what was typed when something is wrong, says what, and returns a clean profile; it tests
// what is typed before it is saved, against a real ndes-lab (issue 15, items 2 and 11), as the Servers page does.
#include "ConsoleContext.h"
#include "NdesLabProcess.h"
#include "ServerDialog.h"
#include "ServersPage.h"

#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

using namespace ndes;

class TestServerDialog : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    test::NdesLabProcess m_lab;

    static QPushButton* button(QWidget& w, const QString& textPart) {
        for (QPushButton* b : w.findChildren<QPushButton*>())
            if (b->text().remove(QLatin1Char('&')).contains(textPart))
                return b;
        return nullptr;
    }
    static QLabel* resultCard(QWidget& w) {
        for (QLabel* l : w.findChildren<QLabel*>(QStringLiteral("resultCard")))
            return l;
        return nullptr;
    }

    static QLineEdit* field(QDialog& d, const QString& placeholderPart) {
        for (QLineEdit* e : d.findChildren<QLineEdit*>())
            if (e->placeholderText().contains(placeholderPart))
                return e;
        return nullptr;
    }

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QString error;
        QVERIFY2(m_lab.start({QStringLiteral("--users"), test::writeUsers(m_dir)}, &error), qPrintable(error));
    }

    void badInputIsExplainedAndKept() {
        ui::ServerDialog dialog((inventory::ServerProfile()));
        dialog.show();
        QLineEdit* name = field(dialog, QStringLiteral("NDES Paris"));
        QLineEdit* scep = field(dialog, QStringLiteral("mscep.dll"));
        QVERIFY(name && scep);
        QTest::keyClicks(name, QStringLiteral("Paris"));
        QTest::keyClicks(scep, QStringLiteral("ftp://ndes/x"));
        dialog.accept();
        QVERIFY(dialog.isVisible()); // not closed
        auto* problems = dialog.findChild<QLabel*>(QStringLiteral("errorBanner"));
        QVERIFY(problems && !problems->isHidden());
        QVERIFY(problems->text().contains(QStringLiteral("not an http(s) URL")));
        QCOMPARE(name->text(), QStringLiteral("Paris")); // nothing typed is lost
    }

    void adminUrlIsDerivedAndProfileIsClean() {
        ui::ServerDialog dialog((inventory::ServerProfile()));
        dialog.show();
        QLineEdit* scep = field(dialog, QStringLiteral("mscep.dll"));
        QTest::keyClicks(field(dialog, QStringLiteral("NDES Paris")), QStringLiteral("Paris"));
        QTest::keyClicks(scep, QStringLiteral("https://ndes-par.corp.example/certsrv/mscep/mscep.dll"));
        emit scep->editingFinished();
        QCOMPARE(field(dialog, QStringLiteral("mscep_admin"))->text(),
                 QStringLiteral("https://ndes-par.corp.example/certsrv/mscep_admin/"));
        QTest::keyClicks(field(dialog, QStringLiteral("DOMAIN")), QStringLiteral("CORP\\helpdesk"));
        QTest::keyClicks(field(dialog, QStringLiteral("stored in the system keychain")),
                         QStringLiteral("typed-secret"));
        dialog.accept();
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        const inventory::ServerProfile p = dialog.profile();
        QCOMPARE(p.name, QStringLiteral("Paris"));
        QCOMPARE(p.auth, service::AdminAuth::Ntlm);
        QCOMPARE(p.user, QStringLiteral("CORP\\helpdesk"));
        QCOMPARE(dialog.password().bytes(), QByteArray("typed-secret"));
        QVERIFY(!p.toJson().contains(QStringLiteral("password")));

        // Negotiate needs no user: the fields are disabled and the profile drops the user.
        QComboBox* auth = nullptr;
        for (QComboBox* box : dialog.findChildren<QComboBox*>())
            if (box->findData(QStringLiteral("negotiate")) >= 0)
                auth = box;
        QVERIFY(auth);
        auth->setCurrentIndex(auth->findData(QStringLiteral("negotiate")));
        QVERIFY(!field(dialog, QStringLiteral("DOMAIN"))->isEnabled());
        QVERIFY(dialog.profile().user.isEmpty());
    }
    // Typed by hand, character by character: the admin URL follows the SCEP URL until it is edited itself.
    void adminUrlFollowsAndWrongPathIsWarned() {
        ui::ServerDialog dialog((inventory::ServerProfile()));
        dialog.show();
        QLineEdit* scep = field(dialog, QStringLiteral("mscep.dll"));
        QLineEdit* admin = field(dialog, QStringLiteral("mscep_admin"));
        QTest::keyClicks(scep, QStringLiteral("http://127.0.0.1:8080/certsrv/mscep"));
        QCOMPARE(admin->text(), QStringLiteral("http://127.0.0.1:8080/certsrv/mscep_admin/"));
        auto* warning = dialog.findChild<QLabel*>(QStringLiteral("warningBanner"));
        QVERIFY(warning && warning->isVisible()); // /certsrv/mscep is not NDES's path
        QVERIFY(dialog.scepUrlWarning().contains(QStringLiteral("/certsrv/mscep/mscep.dll")));
        QTest::keyClicks(scep, QStringLiteral("/mscep.dll"));
        QVERIFY(!warning->isVisible());
        scep->selectAll();
        QTest::keyClicks(scep, QStringLiteral("https://ndes-lyon.corp.example/certsrv/mscep/mscep.dll"));
        QCOMPARE(admin->text(), QStringLiteral("https://ndes-lyon.corp.example/certsrv/mscep_admin/"));
        admin->setText(QStringLiteral("https://ndes-admin.corp.example/certsrv/mscep_admin/")); // the admin's own
        QTest::keyClick(scep, Qt::Key_Backspace);
        QCOMPARE(admin->text(), QStringLiteral("https://ndes-admin.corp.example/certsrv/mscep_admin/"));
        // The admin page's path in the SCEP field is named as such.
        scep->setText(QStringLiteral("https://x.example/certsrv/mscep_admin/"));
        QVERIFY(dialog.scepUrlWarning().contains(QStringLiteral("admin page")));
    }

    // Test connection says that it did not sign in; Check sign-in does, with what is typed: a wrong password is
    // refused, the right one accepted, each sign-in recorded in the audit trail; the test's errors are not repeated.
    void testAndCheckSignInBeforeSaving() {
        ui::ConsoleContext context(m_dir.filePath(QStringLiteral("inventory.json")),
                                   m_dir.filePath(QStringLiteral("audit.jsonl")));
        inventory::ServerProfile start;
        start.allowHttp = true;
        ui::ServerDialog dialog(start, nullptr, &context);
        dialog.show();
        QTest::keyClicks(field(dialog, QStringLiteral("NDES Paris")), QStringLiteral("Lab"));
        QTest::keyClicks(field(dialog, QStringLiteral("mscep.dll")), m_lab.scepUrl());
        QTest::keyClicks(field(dialog, QStringLiteral("DOMAIN")), QStringLiteral("LAB\\alice"));
        QLineEdit* password = field(dialog, QStringLiteral("stored in the system keychain"));
        QTest::keyClicks(password, QStringLiteral("wrong-one"));

        QPushButton* test = button(dialog, QStringLiteral("Test connection"));
        QPushButton* signIn = button(dialog, QStringLiteral("Check sign-in"));
        QVERIFY(test && signIn);
        test->click();
        QTRY_VERIFY_WITH_TIMEOUT(dialog.testResultText().contains(QStringLiteral("Sign-in not checked")), 20000);
        QVERIFY2(dialog.testResultText().contains(QStringLiteral("OK")), qPrintable(dialog.testResultText()));

        signIn->click();
        QTRY_VERIFY_WITH_TIMEOUT(dialog.testResultText().contains(QStringLiteral("Sign-in failed")), 20000);
        password->setText(QStringLiteral("Alice-Pa55"));
        signIn->click();
        QTRY_VERIFY_WITH_TIMEOUT(dialog.testResultText().contains(QStringLiteral("Signed in as LAB\\alice")), 20000);
        QVERIFY(!dialog.testResultText().contains(QStringLiteral("Alice-Pa55")));
        const auto entries = context.auditTrail().entries();
        QVERIFY(entries);
        QCOMPARE(entries->size(), 2);
        QCOMPARE(entries->at(0).device, QStringLiteral("(sign-in check)"));
        QCOMPARE(entries->at(0).outcome, QStringLiteral("unauthorized"));
        QCOMPARE(entries->at(1).outcome, QStringLiteral("issued"));

        // A server that does not answer: the refusal is said once, not as a step and again as a reason.
        field(dialog, QStringLiteral("mscep.dll"))
            ->setText(QStringLiteral("http://127.0.0.1:9/certsrv/mscep/mscep.dll"));
        test->click();
        QTRY_VERIFY_WITH_TIMEOUT(dialog.testResultText().contains(QStringLiteral("Unreachable")), 20000);
        QCOMPARE(dialog.testResultText().count(QStringLiteral("Could not reach")), 1);
    }

    // The Servers page: a result belongs to its server (another row shows its own, or none), and the sign-in check
    // is there too.
    void serversPageKeepsResultsPerServer() {
        const QString inv = m_dir.filePath(QStringLiteral("servers.json"));
        QFile f(inv);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QStringLiteral("{\"version\":1,\"servers\":["
                               "{\"id\":\"lab\",\"name\":\"Lab\",\"scepUrl\":\"%1\",\"adminUrl\":\"%2\","
                               "\"auth\":\"ntlm\",\"user\":\"LAB\\\\alice\",\"allowHttp\":true},"
                               "{\"id\":\"off\",\"name\":\"Off\",\"scepUrl\":"
                               "\"http://127.0.0.1:9/certsrv/mscep/mscep.dll\",\"adminUrl\":"
                               "\"http://127.0.0.1:9/certsrv/mscep_admin/\",\"auth\":\"none\",\"allowHttp\":true}]}")
                    .arg(m_lab.scepUrl(), m_lab.adminUrl())
                    .toUtf8());
        f.close();
        ui::ConsoleContext context(inv, m_dir.filePath(QStringLiteral("audit2.jsonl")));
        context.setSessionPassword(QStringLiteral("lab"), SecretBytes(QByteArray("Alice-Pa55")));
        ui::ServersPage page(&context);
        page.show();
        auto* table = page.findChild<QTableWidget*>();
        table->selectRow(0);
        page.testConnection();
        QLabel* result = resultCard(page);
        QTRY_VERIFY_WITH_TIMEOUT(result->isVisible() && result->text().contains(QStringLiteral("Lab: OK")), 20000);
        table->selectRow(1);
        QVERIFY(!result->isVisible()); // Off has no result yet: Lab's is not shown beside it
        table->selectRow(0);
        QVERIFY(result->isVisible() && result->text().contains(QStringLiteral("Lab: OK")));
        QVERIFY(button(page, QStringLiteral("Check sign-in"))->isEnabled());
        page.checkSignIn();
        QTRY_VERIFY_WITH_TIMEOUT(result->text().contains(QStringLiteral("Signed in")), 20000);
        QVERIFY(result->text().contains(QStringLiteral("LAB\\alice")));
        QVERIFY(context.lastSignIn(QStringLiteral("lab")).has_value());
        QVERIFY(context.lastSignIn(QStringLiteral("lab"))->errorCode.isEmpty());
    }

    // From the security review: the saved password goes only to the saved server and account; a check that is still
    // running when the dialog closes keeps its audit line.
    void savedPasswordStaysWithItsServer() {
        const QString inv = m_dir.filePath(QStringLiteral("saved.json"));
        QFile f(inv);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QStringLiteral("{\"version\":1,\"servers\":[{\"id\":\"lab\",\"name\":\"Lab\",\"scepUrl\":\"%1\","
                               "\"adminUrl\":\"%2\",\"auth\":\"ntlm\",\"user\":\"LAB\\\\alice\",\"allowHttp\":true}]}")
                    .arg(m_lab.scepUrl(), m_lab.adminUrl())
                    .toUtf8());
        f.close();
        ui::ConsoleContext context(inv, m_dir.filePath(QStringLiteral("audit3.jsonl")));
        context.setSessionPassword(QStringLiteral("lab"), SecretBytes(QByteArray("Alice-Pa55")));
        const auto lines = [&context] {
            const auto e = context.auditTrail().entries();
            return e ? e->size() : -1;
        };
        {
            ui::ServerDialog dialog(*context.inventory().find(QStringLiteral("lab")), nullptr, &context);
            dialog.show();
            QLineEdit* scep = field(dialog, QStringLiteral("mscep.dll"));
            QLineEdit* admin = field(dialog, QStringLiteral("mscep_admin"));
            admin->setText(QStringLiteral("http://127.0.0.2:8080/certsrv/mscep_admin/")); // elsewhere
            Q_UNUSED(scep)
            button(dialog, QStringLiteral("Check sign-in"))->click();
            QVERIFY(dialog.testResultText().contains(QStringLiteral("not sent elsewhere")));
            QCOMPARE(lines(), 0); // nothing was sent
        }
        {
            auto* dialog = new ui::ServerDialog(*context.inventory().find(QStringLiteral("lab")), nullptr, &context);
            dialog->show();
            field(*dialog, QStringLiteral("unchanged"))->setText(QStringLiteral("wrong-one"));
            button(*dialog, QStringLiteral("Check sign-in"))->click();
            delete dialog; // closed while NDES answers
            QTRY_COMPARE_WITH_TIMEOUT(lines(), 1, 20000);
            // A typed (wrong) password was checked, not the saved one: the saved session password stays.
            QVERIFY(context.sessionPassword(QStringLiteral("lab")));
            QVERIFY(!context.lastSignIn(QStringLiteral("lab")).has_value());
        }
    }
};

QTEST_MAIN(TestServerDialog)
#include "TestServerDialog.moc"
