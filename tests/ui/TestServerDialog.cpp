// SPDX-License-Identifier: Apache-2.0
// The server dialog keeps what was typed when something is wrong, says what, and returns a clean profile.
#include "ServerDialog.h"

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QtTest>

using namespace ndes;

class TestServerDialog : public QObject {
    Q_OBJECT
private:
    static QLineEdit* field(QDialog& d, const QString& placeholderPart) {
        for (QLineEdit* e : d.findChildren<QLineEdit*>())
            if (e->placeholderText().contains(placeholderPart))
                return e;
        return nullptr;
    }

private slots:
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
        QTest::keyClicks(field(dialog, QStringLiteral("keychain")), QStringLiteral("typed-secret"));
        dialog.accept();
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        const inventory::ServerProfile p = dialog.profile();
        QCOMPARE(p.name, QStringLiteral("Paris"));
        QCOMPARE(p.auth, service::AdminAuth::Ntlm);
        QCOMPARE(p.user, QStringLiteral("CORP\\helpdesk"));
        QCOMPARE(dialog.password().bytes(), QByteArray("typed-secret"));
        QVERIFY(!p.toJson().contains(QStringLiteral("password")));

        // Negotiate needs no user: the fields are disabled and the profile drops the user.
        auto* auth = dialog.findChild<QComboBox*>();
        auth->setCurrentIndex(auth->findData(QStringLiteral("negotiate")));
        QVERIFY(!field(dialog, QStringLiteral("DOMAIN"))->isEnabled());
        QVERIFY(dialog.profile().user.isEmpty());
    }
};

QTEST_MAIN(TestServerDialog)
#include "TestServerDialog.moc"
