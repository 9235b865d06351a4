// SPDX-License-Identifier: Apache-2.0
// The console's Active Directory faces, offscreen, against a real Samba AD DC on loopback: the wizard's Apply to
// Active Directory dialog (preview, apply with a generated password shown once, read-back, nothing to do the second
// time, a refused bind), the server dialog's Active Directory tab, and the Overview's rows for the CA certificate
// published in AD and the service account's password.
#include "AdApplyDialog.h"
#include "ConsoleContext.h"
#include "OverviewModels.h"
#include "OverviewPage.h"
#include "SambaDc.h"
#include "ServerDialog.h"
#include "TestPki.h"
#include "inventory/CredentialStore.h"

#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

using namespace ndes;

namespace {

QByteArray utf16Password(const QByteArray& password) {
    const QString quoted = QLatin1Char('"') + QString::fromLatin1(password) + QLatin1Char('"');
    return QByteArray(reinterpret_cast<const char*>(quoted.utf16()), quoted.size() * 2).toBase64();
}

QPushButton* button(QWidget& w, const QString& textPart) {
    for (QPushButton* b : w.findChildren<QPushButton*>())
        if (b->text().remove(QLatin1Char('&')).contains(textPart))
            return b;
    return nullptr;
}

QLineEdit* field(QWidget& w, const QString& placeholderPart) {
    for (QLineEdit* e : w.findChildren<QLineEdit*>())
        if (e->placeholderText().contains(placeholderPart))
            return e;
    return nullptr;
}

void screenshot(QWidget& w, const QString& name) {
    if (!qEnvironmentVariableIsEmpty("NDES_SCREENSHOT_DIR"))
        w.grab().save(QDir(qEnvironmentVariable("NDES_SCREENSHOT_DIR")).filePath(name));
}

// Presses Yes on the next message box that asks.
void answerYesSoon() {
    QTimer::singleShot(200, [] {
        if (auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget()))
            box->button(QMessageBox::Yes)->click();
    });
}

} // namespace

class TestDirectoryUi : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    test::SambaDc m_dc;
    pki::Certificate m_ca;

    setup::SetupPlan plan() const {
        auto loaded = setup::SetupPlan::load(qEnvironmentVariable("NDES_TEST_DATA") +
                                             QStringLiteral("/../../docs/examples/plan.json"));
        setup::SetupPlan p = loaded ? *loaded : setup::SetupPlan{};
        p.domainDns = QStringLiteral("lab.test");
        p.domainNetbios = QStringLiteral("LAB");
        p.caConfig = QStringLiteral("ca1.lab.test\\Lab CA");
        p.ndesHost = QStringLiteral("ndes1.lab.test");
        p.accountName = QStringLiteral("svc-scep");
        p.accountUpn = QStringLiteral("svc-scep@lab.test");
        p.accountOu = QStringLiteral("OU=Service Accounts,DC=lab,DC=test");
        p.passwordPolicy = setup::SetupPlan::PasswordPolicy::Generate;
        p.templateName = QStringLiteral("NDES-Device");
        p.templateDisplayName = QStringLiteral("NDES Device");
        p.signatureTemplate = p.encryptionTemplate = p.generalPurposeTemplate = p.templateName;
        return p;
    }

    void fillBind(QWidget& w) {
        QLineEdit* url = field(w, QStringLiteral("ldaps://dc1"));
        QLineEdit* bind = field(w, QStringLiteral("@"));
        QLineEdit* ca = field(w, QStringLiteral("CA of the domain controller"));
        QVERIFY(url && bind && ca);
        url->setText(test::SambaDc::url());
        bind->setText(test::SambaDc::adminDn());
        ca->setText(m_dc.caFile());
    }

private slots:
    void initTestCase() {
        QCoreApplication::setOrganizationName(QStringLiteral("NDES Console Tests"));
        qputenv("XDG_CONFIG_HOME", m_dir.filePath(QStringLiteral("config")).toUtf8());
        const test::NdesLikePki pki = test::NdesLikePki::create();
        m_ca = pki.root;
        const QByteArray svcPassword =
            "Svc-" + QByteArray::number(QRandomGenerator::system()->generate64(), 36) + "-7aA!";
        const QByteArray pks = "CN=Public Key Services,CN=Services," + test::SambaDc::configDn().toUtf8();
        QByteArray seed;
        seed += "dn: OU=Service Accounts,DC=lab,DC=test\nobjectClass: organizationalUnit\n\n";
        seed += "dn: CN=svc-ndes,CN=Users,DC=lab,DC=test\nobjectClass: user\nsAMAccountName: svc-ndes\n"
                "unicodePwd:: " +
                utf16Password(svcPassword) + "\nuserAccountControl: 512\n\n";
        seed += "dn: CN=OID," + pks +
                "\nchangetype: modify\nadd: msPKI-Cert-Template-OID\n"
                "msPKI-Cert-Template-OID: 1.3.6.1.4.1.311.21.8.7654321.1234567.2345678.3456789.4567890.23\n-\n\n";
        seed += "dn: CN=Machine," + test::SambaDc::templatesDn().toUtf8() +
                "\nobjectClass: pKICertificateTemplate\ndisplayName: Computer\nflags: 131680\n"
                "msPKI-Template-Schema-Version: 1\nmsPKI-Enrollment-Flag: 0\n\n";
        seed += "dn: CN=Lab CA," + test::SambaDc::servicesDn().toUtf8() +
                "\nobjectClass: pKIEnrollmentService\ncn: Lab CA\ndNSHostName: ca1.lab.test\ncACertificate:: " +
                m_ca.toDer().toBase64() + "\n\n";
        QString error;
        QVERIFY2(m_dc.start(seed, &error), qPrintable(error));
    }

    void cleanupTestCase() { m_dc.stop(); }

    void applyDialog() {
        ui::AdApplyDialog dialog(plan());
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        fillBind(dialog);
        QLineEdit* password = field(dialog, QStringLiteral("stored nowhere"));
        QVERIFY(password);
        QPushButton* preview = button(dialog, QStringLiteral("Preview"));
        QPushButton* apply = button(dialog, QStringLiteral("Apply"));
        QVERIFY(preview && apply);
        QVERIFY(!apply->isEnabled()); // nothing previewed yet

        // A refused bind: said, nothing to apply.
        password->setText(QStringLiteral("wrong"));
        preview->click();
        QTRY_VERIFY_WITH_TIMEOUT(!dialog.busy(), 60000);
        QVERIFY(!apply->isEnabled());
        const auto status = [&dialog] {
            QStringList texts;
            for (QLabel* l : dialog.findChildren<QLabel*>())
                texts << l->text();
            return texts.join(u'\n');
        };
        QVERIFY2(status().contains(QStringLiteral("refused the credentials")), qPrintable(status()));

        password->setText(QString::fromLatin1(m_dc.adminPassword()));
        preview->click();
        QVERIFY(dialog.busy());
        QTRY_VERIFY_WITH_TIMEOUT(!dialog.busy(), 60000);
        QVERIFY2(dialog.previewText().contains(QStringLiteral("1. Create the service account LAB\\svc-scep")),
                 qPrintable(dialog.previewText() + status()));
        QVERIFY(dialog.previewText().contains(QStringLiteral("5. Publish NDES-Device on the CA Lab CA")));
        QVERIFY(apply->isEnabled());
        screenshot(dialog, QStringLiteral("ad-apply-preview.png"));

        // Editing a setting makes the preview stale.
        QLineEdit* ca = field(dialog, QStringLiteral("CA of the domain controller"));
        ca->setText(ca->text() + QLatin1Char(' '));
        QVERIFY(!apply->isEnabled());
        ca->setText(m_dc.caFile());
        preview->click();
        QTRY_VERIFY_WITH_TIMEOUT(!dialog.busy(), 60000);
        QVERIFY(apply->isEnabled());

        answerYesSoon();
        apply->click();
        QTRY_VERIFY_WITH_TIMEOUT(!dialog.busy() && !dialog.logText().isEmpty(), 60000);
        QVERIFY2(dialog.logText().contains(QStringLiteral("Read back: AD now holds what the plan needs.")),
                 qPrintable(dialog.logText()));
        QLineEdit* secret = nullptr;
        for (QLineEdit* e : dialog.findChildren<QLineEdit*>())
            if (e->accessibleName() == QStringLiteral("The new account's password"))
                secret = e;
        QVERIFY(secret && secret->isVisible());
        QCOMPARE(secret->text().size(), 24);
        QVERIFY(!dialog.logText().contains(secret->text()) && !dialog.previewText().contains(secret->text()));
        QVERIFY(!apply->isEnabled()); // nothing left to do
        QVERIFY(dialog.previewText().contains(QStringLiteral("Nothing to change")));
        screenshot(dialog, QStringLiteral("ad-apply-done.png"));
        // The account exists with its SPN, read by an independent client.
        QString error;
        const QByteArray ldif =
            m_dc.ldapsearch({QStringLiteral("-b"), test::SambaDc::baseDn(), QStringLiteral("(sAMAccountName=svc-scep)"),
                             QStringLiteral("servicePrincipalName")},
                            &error);
        QVERIFY2(ldif.contains("servicePrincipalName: HTTP/ndes1.lab.test"), ldif.constData());
    }

    // The server dialog's AD tab tests what is typed; the Overview shows AD's rows.
    void serverDialogAndOverview() {
        ui::ConsoleContext context(m_dir.filePath(QStringLiteral("inventory.json")),
                                   m_dir.filePath(QStringLiteral("audit.jsonl")));
        inventory::ServerProfile p;
        p.name = QStringLiteral("NDES 1");
        p.scepUrl = QUrl(QStringLiteral("http://127.0.0.1:1/certsrv/mscep/mscep.dll"));
        p.allowHttp = true;
        p.auth = service::AdminAuth::None;
        ui::ServerDialog dialog(p, nullptr, &context);
        dialog.show();
        auto* tabs = dialog.findChild<QTabWidget*>();
        QVERIFY(tabs);
        tabs->setCurrentIndex(1);
        fillBind(dialog);
        QLineEdit* account = field(dialog, QStringLiteral("svc-ndes"));
        QLineEdit* password = field(dialog, QStringLiteral("bind account's password"));
        QVERIFY(account && password);
        account->setText(QStringLiteral("LAB\\svc-ndes"));
        password->setText(QString::fromLatin1(m_dc.adminPassword()));
        screenshot(dialog, QStringLiteral("server-dialog-ad.png"));
        button(dialog, QStringLiteral("Test conn"))->click();
        QString result;
        QTRY_VERIFY_WITH_TIMEOUT((result = dialog.testResultText()).contains(QStringLiteral("Active Directory")),
                                 60000);
        QVERIFY2(result.contains(QStringLiteral("1 CA certificate(s) published")) ||
                     result.contains(QStringLiteral("1 CA certificate published")),
                 qPrintable(result));
        const inventory::ServerProfile typed = dialog.profile();
        QCOMPARE(typed.serviceAccount, QStringLiteral("LAB\\svc-ndes"));
        QCOMPARE(typed.directoryUrl, QUrl(test::SambaDc::url()));
        QVERIFY(dialog.directoryPassword().bytes() == m_dc.adminPassword());

        // Saved (the password goes to this session: no keychain here), the Overview reads AD for its rows.
        auto id = context.saveProfile(typed);
        QVERIFY(id.ok());
        context.setSessionPassword(context.inventory().find(*id)->directoryCredentialKey(), dialog.directoryPassword());
        ui::OverviewPage page(&context);
        page.resize(1280, 720);
        page.show();
        QSignalSpy done(&page, &ui::OverviewPage::refreshFinished);
        page.refresh();
        QVERIFY(done.wait(60000));
        QStringList roles;
        for (const service::HealthReport& r : page.reports())
            for (const service::ExpiryItem& e : r.expiries)
                roles << service::expiryRoleName(e.role) + QLatin1Char(':') + e.subject;
        QVERIFY2(roles.contains(QStringLiteral("service-account:LAB\\svc-ndes (password)")),
                 qPrintable(roles.join(u',')));
        QVERIFY2(std::any_of(roles.begin(), roles.end(),
                             [](const QString& r) { return r.startsWith(QStringLiteral("directory-ca:")); }),
                 qPrintable(roles.join(u',')));
        auto* pageTabs = page.findChild<QTabWidget*>();
        if (pageTabs)
            for (int i = 0; i < pageTabs->count(); ++i) {
                pageTabs->setCurrentIndex(i);
                QTest::qWait(50);
                screenshot(page, QStringLiteral("overview-ad-tab%1.png").arg(i));
            }
    }
};

QTEST_MAIN(TestDirectoryUi)
#include "TestDirectoryUi.moc"
