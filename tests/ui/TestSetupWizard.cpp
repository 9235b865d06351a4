// SPDX-License-Identifier: Apache-2.0
// The setup wizard offscreen, page by page: defaults, typing into fields, an error that blocks Next, a warning
// that does not, Back and Next keeping what was entered, the Review page's files and accepted warnings, save and
// reopen the plan, Save all.
#include "SetupWizard.h"

#include <QAbstractButton>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace ndes;
using namespace ndes::ui;

namespace {

template <typename T> T* field(QWizard& w, const QString& name) {
    auto* x = w.currentPage()->findChild<T*>(name);
    if (!x)
        qFatal("no field %s on page %d", qPrintable(name), w.currentId());
    return x;
}

void type(QWizard& w, const QString& name, const QString& text) {
    auto* e = field<QLineEdit>(w, name);
    e->selectAll();
    QTest::keyClicks(e, text);
}

// Whether Next goes on: it is always enabled; with errors on the page it shows them all and stays.
bool nextEnabled(QWizard& w) {
    return w.button(QWizard::NextButton)->isEnabled() && w.currentPage()->validatePage();
}

QString issueText(QWizard& w, const QString& fieldName) {
    auto* l = w.currentPage()->findChild<QLabel*>(QStringLiteral("issue-") + fieldName);
    return l && l->isVisible() ? l->text() : QString();
}

} // namespace

class TestSetupWizard : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void init() { QFile::remove(SetupWizard::draftPath()); } // each test starts from the defaults

    // One Escape closed the seven-page wizard without asking, and everything typed was gone (issue 15, item 4).
    void escapeAsksAndTheDraftComesBack() {
        auto answer = [](const QString& buttonText) {
            QTimer::singleShot(0, [buttonText] {
                QWidget* modal = QApplication::activeModalWidget();
                auto* box = qobject_cast<QMessageBox*>(modal);
                QVERIFY2(box, "no question was asked");
                for (QAbstractButton* b : box->buttons())
                    if (b->text().remove(QLatin1Char('&')) == buttonText)
                        return b->click();
                QFAIL(qPrintable(QStringLiteral("no button %1").arg(buttonText)));
            });
        };
        {
            SetupWizard w;
            w.show();
            QVERIFY(!w.draftRestored());
            type(w, QStringLiteral("domainDns"), QStringLiteral("corp.example"));
            type(w, QStringLiteral("caConfig"), QStringLiteral("ca01.corp.example\\Corp Issuing CA"));
            QVERIFY(w.hasUnsavedChanges());
            answer(QStringLiteral("Go on editing"));
            QTest::keyClick(&w, Qt::Key_Escape);
            QVERIFY(w.isVisible()); // still there, nothing lost
            QCOMPARE(field<QLineEdit>(w, QStringLiteral("domainDns"))->text(), QStringLiteral("corp.example"));
            answer(QStringLiteral("Keep as draft and close"));
            QTest::keyClick(&w, Qt::Key_Escape);
            QVERIFY(!w.isVisible());
            QVERIFY(QFile::exists(SetupWizard::draftPath()));
            QFile draft(SetupWizard::draftPath());
            QVERIFY(draft.open(QIODevice::ReadOnly));
            QVERIFY(!draft.readAll().toLower().contains("password\":\"")); // a plan never holds one
        }
        {
            SetupWizard w; // reopened: the draft is back, and it says so
            w.show();
            QVERIFY(w.draftRestored());
            QCOMPARE(field<QLineEdit>(w, QStringLiteral("domainDns"))->text(), QStringLiteral("corp.example"));
            QVERIFY(w.currentPage()->subTitle().contains(QStringLiteral("restored")));
            answer(QStringLiteral("Discard"));
            w.startOver();
            QVERIFY(field<QLineEdit>(w, QStringLiteral("domainDns"))->text().isEmpty());
            QVERIFY(!QFile::exists(SetupWizard::draftPath()));
            // Nothing changed since: Escape closes at once.
            QTest::keyClick(&w, Qt::Key_Escape);
            QVERIFY(!w.isVisible());
        }
        {
            // Typing alone keeps a draft (a crash or a killed session does not lose the plan either).
            SetupWizard w;
            w.show();
            type(w, QStringLiteral("domainNetbios"), QStringLiteral("CORP"));
            QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(SetupWizard::draftPath()), 5000);
            answer(QStringLiteral("Discard the plan"));
            w.reject();
            QVERIFY(!QFile::exists(SetupWizard::draftPath()));
        }
    }

    // Walk-through, issue 15 item 10: no wall of red before typing, errors on Next, the space for them kept,
    // obvious values filled in, names and lower case taken for what they mean, and where one is among the steps.
    void firstContactIsFriendly() {
        SetupWizard w;
        w.resize(960, 700);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        auto shownErrors = [&w] {
            int n = 0;
            for (QLabel* l : w.currentPage()->findChildren<QLabel*>())
                if (l->objectName().startsWith(u"issue-") && l->styleSheet().contains(u"#a61b1b"))
                    ++n;
            return n;
        };
        QCOMPARE(shownErrors(), 0); // the page has errors (nothing typed), none shown yet
        auto* steps = w.findChild<QLabel*>(QStringLiteral("wizardSteps"));
        QVERIFY(steps && steps->isVisible());
        QVERIFY(steps->text().contains(QStringLiteral("<b>1. Environment</b>")));

        // An error appearing does not move the next field.
        auto* netbios = field<QLineEdit>(w, QStringLiteral("domainNetbios"));
        const int y = netbios->mapTo(&w, QPoint(0, 0)).y();
        type(w, QStringLiteral("domainDns"), QStringLiteral("corp example")); // not a DNS name
        QVERIFY(!issueText(w, QStringLiteral("domainDns")).isEmpty());
        QCOMPARE(netbios->mapTo(&w, QPoint(0, 0)).y(), y);
        QCOMPARE(shownErrors(), 1); // only the field touched

        // Next shows them all, puts the cursor in the first and stays.
        w.next();
        QCOMPARE(w.currentId(), int(SetupWizard::Environment));
        QVERIFY(shownErrors() >= 3);
        QCOMPARE(QApplication::focusWidget(), field<QLineEdit>(w, QStringLiteral("domainDns")));

        type(w, QStringLiteral("domainDns"), QStringLiteral("corp.example"));
        type(w, QStringLiteral("domainNetbios"), QStringLiteral("CORP"));
        type(w, QStringLiteral("caConfig"), QStringLiteral("ca01.corp.example\\Corp Issuing CA"));
        type(w, QStringLiteral("ndesHost"), QStringLiteral("ndes01.corp.example"));
        w.next();
        QCOMPARE(w.currentId(), int(SetupWizard::ServiceAccount));
        QVERIFY(steps->text().contains(QStringLiteral("<b>2. Service account</b>")));
        // The UPN follows the account and the domain until typed over.
        QCOMPARE(field<QLineEdit>(w, QStringLiteral("accountUpn"))->text(), QStringLiteral("svc-ndes@corp.example"));
        type(w, QStringLiteral("accountName"), QStringLiteral("svc-scep"));
        QCOMPARE(field<QLineEdit>(w, QStringLiteral("accountUpn"))->text(), QStringLiteral("svc-scep@corp.example"));
        type(w, QStringLiteral("accountUpn"), QStringLiteral("scep@corp.example"));
        type(w, QStringLiteral("accountName"), QStringLiteral("svc-ndes"));
        QCOMPARE(w.plan().accountUpn, QStringLiteral("scep@corp.example"));
        QCOMPARE(w.plan().raName, QStringLiteral("NDES01-MSCEP-RA")); // from the host

        // EKUs by their Windows names; the country in lower case.
        type(w, QStringLiteral("accountOu"), QStringLiteral("OU=Service Accounts,DC=corp,DC=example"));
        QVERIFY(nextEnabled(w));
        w.next();
        QCOMPARE(w.currentId(), int(SetupWizard::Template));
        type(w, QStringLiteral("ekus"), QStringLiteral("Client Authentication, server authentication"));
        QCOMPARE(w.plan().ekus,
                 (QStringList{QStringLiteral("1.3.6.1.5.5.7.3.2"), QStringLiteral("1.3.6.1.5.5.7.3.1")}));
        QVERIFY(issueText(w, QStringLiteral("ekus")).isEmpty());
        while (w.currentId() != SetupWizard::Iis && nextEnabled(w))
            w.next();
        QCOMPARE(w.currentId(), int(SetupWizard::Iis));
        // HTTPS without a thumbprint: Next says what is missing and the way out if there is no certificate yet.
        w.next();
        QCOMPARE(w.currentId(), int(SetupWizard::Iis));
        QVERIFY(issueText(w, QStringLiteral("tlsThumbprint")).contains(QStringLiteral("Untick HTTPS")));
        field<QCheckBox>(w, QStringLiteral("https"))->setChecked(false);
        QVERIFY(nextEnabled(w));
        w.next();
        QCOMPARE(w.currentId(), int(SetupWizard::Role));
        type(w, QStringLiteral("raCountry"), QStringLiteral("fr"));
        QCOMPARE(field<QLineEdit>(w, QStringLiteral("raCountry"))->text(), QStringLiteral("FR"));
        QCOMPARE(w.plan().raCountry, QStringLiteral("FR"));
        QVERIFY(issueText(w, QStringLiteral("raCountry")).isEmpty());
        QFile::remove(SetupWizard::draftPath());
    }

    void walkThePages() {
        SetupWizard w;
        w.show();
        QCOMPARE(w.currentId(), int(SetupWizard::Environment));
        QVERIFY(!nextEnabled(w)); // nothing entered yet: errors
        type(w, QStringLiteral("domainDns"), QStringLiteral("corp.example"));
        type(w, QStringLiteral("domainNetbios"), QStringLiteral("CORP"));
        type(w, QStringLiteral("caConfig"), QStringLiteral("Corp Issuing CA")); // no host part
        type(w, QStringLiteral("ndesHost"), QStringLiteral("ndes01.corp.example"));
        QVERIFY(!nextEnabled(w));
        QVERIFY(issueText(w, QStringLiteral("caConfig")).contains(QLatin1String("HOST\\CA Name")));
        type(w, QStringLiteral("caConfig"), QStringLiteral("ca01.corp.example\\Corp Issuing CA"));
        QVERIFY(issueText(w, QStringLiteral("caConfig")).isEmpty());
        QVERIFY(nextEnabled(w));
        w.next();

        QCOMPARE(w.currentId(), int(SetupWizard::ServiceAccount));
        QCOMPARE(field<QLineEdit>(w, QStringLiteral("accountName"))->text(), QStringLiteral("svc-ndes")); // default
        type(w, QStringLiteral("accountName"), QStringLiteral("svc-ndes-production-01")); // 22 characters
        type(w, QStringLiteral("accountUpn"), QStringLiteral("svc-ndes@corp.example"));
        type(w, QStringLiteral("accountOu"), QStringLiteral("OU=Service Accounts,DC=corp,DC=example"));
        QVERIFY(!nextEnabled(w)); // the error blocks Next
        QVERIFY(issueText(w, QStringLiteral("accountName")).contains(QLatin1String("20 characters")));
        type(w, QStringLiteral("accountName"), QStringLiteral("svc-ndes"));
        QVERIFY(nextEnabled(w));
        w.next();

        QCOMPARE(w.currentId(), int(SetupWizard::Template));
        QVERIFY(nextEnabled(w)); // defaults are valid
        field<QSpinBox>(w, QStringLiteral("renewalDays"))->setValue(400);
        QVERIFY(!nextEnabled(w));
        QVERIFY(issueText(w, QStringLiteral("renewalDays")).contains(QLatin1String("shorter than the validity")));
        field<QSpinBox>(w, QStringLiteral("renewalDays"))->setValue(42);
        // The subject built from AD would name every certificate after the service account: an error.
        field<QCheckBox>(w, QStringLiteral("subjectInRequest"))->setChecked(false);
        QVERIFY(!nextEnabled(w));
        QVERIFY(issueText(w, QStringLiteral("subjectInRequest")).contains(QLatin1String("service account")));
        field<QCheckBox>(w, QStringLiteral("subjectInRequest"))->setChecked(true);
        field<QCheckBox>(w, QStringLiteral("sanFromRequest"))->setChecked(false); // a warning only
        QVERIFY(issueText(w, QStringLiteral("sanFromRequest")).contains(QLatin1String("SAN")));
        QVERIFY(nextEnabled(w));
        field<QCheckBox>(w, QStringLiteral("sanFromRequest"))->setChecked(true);
        // A base template of one's own is typed into the combo box.
        auto* base = field<QComboBox>(w, QStringLiteral("baseTemplate"));
        QVERIFY(base->isEditable());
        w.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&w));
        base->lineEdit()->setFocus();
        base->lineEdit()->selectAll();
        QTest::keyClicks(base->lineEdit(), QStringLiteral("Comp")); // not completed into "Computer"
        QCOMPARE(w.plan().baseTemplate, QStringLiteral("Comp"));
        base->lineEdit()->selectAll();
        QTest::keyClicks(base->lineEdit(), QStringLiteral("Corp-Device-Base"));
        QCOMPARE(w.plan().baseTemplate, QStringLiteral("Corp-Device-Base"));
        type(w, QStringLiteral("templateName"), QStringLiteral("NDES-Router"));
        QVERIFY(nextEnabled(w)); // the registry page shows the mismatch, not this one
        w.next();

        QCOMPARE(w.currentId(), int(SetupWizard::Registry));
        QVERIFY(!nextEnabled(w)); // the registry still names NDES-Device
        QVERIFY(issueText(w, QStringLiteral("generalPurposeTemplate")).contains(QLatin1String("NDES-Router")));
        type(w, QStringLiteral("signatureTemplate"), QStringLiteral("NDES-Router"));
        type(w, QStringLiteral("encryptionTemplate"), QStringLiteral("NDES-Router"));
        type(w, QStringLiteral("generalPurposeTemplate"), QStringLiteral("ndes-router")); // case differs
        QVERIFY(!nextEnabled(w));
        QVERIFY(issueText(w, QStringLiteral("generalPurposeTemplate")).contains(QLatin1String("differ in case")));
        // Named as the admin knows the value, not by the plan's key (issue 15, item 3).
        QVERIFY(
            issueText(w, QStringLiteral("generalPurposeTemplate")).contains(QLatin1String("GeneralPurposeTemplate")));
        QVERIFY(!issueText(w, QStringLiteral("generalPurposeTemplate")).contains(QLatin1String("registry.")));
        type(w, QStringLiteral("generalPurposeTemplate"), QStringLiteral("NDES-Router"));
        QVERIFY(nextEnabled(w));
        // The same case-only mismatch in SignatureTemplate (another purpose than the plan's) is caught too.
        type(w, QStringLiteral("signatureTemplate"), QStringLiteral("ndes-router"));
        QVERIFY(!nextEnabled(w));
        QVERIFY(issueText(w, QStringLiteral("signatureTemplate")).contains(QLatin1String("SignatureTemplate")));
        QVERIFY(issueText(w, QStringLiteral("signatureTemplate")).contains(QLatin1String("differ in case")));
        type(w, QStringLiteral("signatureTemplate"), QStringLiteral("NDES-Router"));
        QVERIFY(nextEnabled(w));
        field<QSpinBox>(w, QStringLiteral("passwordValidity"))->setValue(60); // a warning: Next stays enabled
        QVERIFY(issueText(w, QStringLiteral("passwordValidity")).contains(QLatin1String("60 minutes")));
        QVERIFY(nextEnabled(w));
        w.next();

        QCOMPARE(w.currentId(), int(SetupWizard::Iis));
        QVERIFY(!nextEnabled(w)); // HTTPS without a thumbprint
        type(w, QStringLiteral("tlsThumbprint"), QStringLiteral("3A1F9C2E7B4D6A8F0E1C3B5D7F9A2C4E6B8D0F12"));
        QVERIFY(nextEnabled(w));
        type(w, QStringLiteral("appPoolIdentity"), QStringLiteral("svc-pool")); // no domain
        QVERIFY(!nextEnabled(w));
        QVERIFY(issueText(w, QStringLiteral("appPoolIdentity")).contains(QLatin1String("DOMAIN\\account")));
        type(w, QStringLiteral("appPoolIdentity"), QStringLiteral("CORP\\svc-pool")); // another account: a warning
        QVERIFY(issueText(w, QStringLiteral("appPoolIdentity")).contains(QLatin1String("by hand")));
        QVERIFY(nextEnabled(w));
        field<QLineEdit>(w, QStringLiteral("appPoolIdentity"))->selectAll();
        QTest::keyClick(field<QLineEdit>(w, QStringLiteral("appPoolIdentity")), Qt::Key_Backspace); // the account
        QVERIFY(issueText(w, QStringLiteral("appPoolIdentity")).isEmpty());
        w.next();

        QCOMPARE(w.currentId(), int(SetupWizard::Role));
        type(w, QStringLiteral("raName"), QStringLiteral("NDES01-MSCEP-RA"));
        type(w, QStringLiteral("raCompany"), QStringLiteral("Corp"));
        type(w, QStringLiteral("raCsp"), QStringLiteral("Microsoft Software Key Storage Provider"));
        QVERIFY(!nextEnabled(w));
        QVERIFY(issueText(w, QStringLiteral("raCsp")).contains(QLatin1String("CryptoAPI")));
        type(w, QStringLiteral("raCsp"), QStringLiteral("Microsoft Strong Cryptographic Provider"));
        QVERIFY(nextEnabled(w));

        // Back and Next keep what was entered.
        w.back();
        w.back();
        QCOMPARE(w.currentId(), int(SetupWizard::Registry));
        QCOMPARE(field<QLineEdit>(w, QStringLiteral("generalPurposeTemplate"))->text(), QStringLiteral("NDES-Router"));
        QCOMPARE(field<QSpinBox>(w, QStringLiteral("passwordValidity"))->value(), 60);
        w.next();
        w.next();
        w.next();

        QCOMPARE(w.currentId(), int(SetupWizard::Review));
        auto* tabs = w.currentPage()->findChild<QTabWidget*>();
        QVERIFY(tabs);
        QStringList names;
        for (int i = 0; i < tabs->count(); ++i)
            names << tabs->tabText(i);
        QVERIFY(names.contains(QStringLiteral("04-ndes-registry.ps1")));
        QVERIFY(names.contains(QStringLiteral("mscep.reg")));
        auto* registry =
            qobject_cast<QPlainTextEdit*>(tabs->widget(int(names.indexOf(QStringLiteral("04-ndes-registry.ps1")))));
        QVERIFY(registry->toPlainText().contains(QLatin1String("-Name 'GeneralPurposeTemplate' -Value 'NDES-Router'")));
        bool warningListed = false;
        for (QLabel* l : w.currentPage()->findChildren<QLabel*>())
            warningListed = warningListed || (l->text().contains(QLatin1String("Warnings you accept")) &&
                                              l->text().contains(QLatin1String("60 minutes")));
        QVERIFY(warningListed);
        QVERIFY(!setup::hasErrors(w.issues()));

        QTemporaryDir dir;
        QString error;
        QVERIFY2(w.saveAll(dir.path(), &error), qPrintable(error));
        for (const char* f : {"plan.json", "mscep.reg", "04-ndes-registry.ps1", "05-iis-httpsys.ps1", "verify.ps1"})
            QVERIFY2(QFile::exists(dir.filePath(QLatin1String(f))), f);

        // Reopened, the plan is the same.
        SetupWizard again;
        QVERIFY2(again.openPlan(dir.filePath(QStringLiteral("plan.json")), &error), qPrintable(error));
        QCOMPARE(again.plan().toJsonBytes(), w.plan().toJsonBytes());
        QVERIFY(!again.openPlan(dir.filePath(QStringLiteral("missing.json")), &error));
        QVERIFY(!error.isEmpty());
    }

    void saveAllRefusesAPlanWithErrors() {
        SetupWizard w;
        QTemporaryDir dir;
        QString error;
        QVERIFY(!w.saveAll(dir.path(), &error)); // the empty environment has errors
        QVERIFY(error.contains(QLatin1String("errors")));
        QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("mscep.reg"))));
    }
};

QTEST_MAIN(TestSetupWizard)
#include "TestSetupWizard.moc"
