// SPDX-License-Identifier: Apache-2.0
// "%n server(s)" on screen read as unfinished (issue 15, item 15): with the console's plural translator installed,
// counts get English plural forms; strings without a count are left alone.
#include "ConsoleContext.h"
#include "OverviewPage.h"
#include "PluralTranslator.h"

#include <QCoreApplication>
#include <QFile>
#include <QLabel>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using namespace ndes;

class TestPluralTranslator : public QObject {
    Q_OBJECT
private slots:
    void rule() {
        QCOMPARE(ui::PluralTranslator::resolve(QStringLiteral("%n server(s)"), 1), QStringLiteral("%n server"));
        QCOMPARE(ui::PluralTranslator::resolve(QStringLiteral("%n server(s)"), 0), QStringLiteral("%n servers"));
        QCOMPARE(ui::PluralTranslator::resolve(QStringLiteral("%n certificate(s) or CRL(s) expired"), 1),
                 QStringLiteral("%n certificate or CRL expired"));
    }

    void installed() {
        ui::PluralTranslator plurals;
        QVERIFY(QCoreApplication::installTranslator(&plurals));
        QCOMPARE(QCoreApplication::translate("X", "%n server(s)", nullptr, 1), QStringLiteral("1 server"));
        QCOMPARE(QCoreApplication::translate("X", "%n server(s)", nullptr, 12), QStringLiteral("12 servers"));
        QCOMPARE(QCoreApplication::translate("X", "in %n day(s)", nullptr, 7), QStringLiteral("in 7 days"));
        // No count: "http(s)" in a message is not a plural.
        QCOMPARE(QCoreApplication::translate("X", "not an http(s) URL"), QStringLiteral("not an http(s) URL"));

        // A real page: the Overview's summary before the first check.
        QStandardPaths::setTestModeEnabled(true);
        QTemporaryDir dir;
        QFile f(dir.filePath(QStringLiteral("inventory.json")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"version\":1,\"servers\":[{\"id\":\"a\",\"name\":\"A\",\"scepUrl\":"
                "\"https://a.example/certsrv/mscep/mscep.dll\",\"adminUrl\":\"https://a.example/certsrv/mscep_admin/\","
                "\"auth\":\"none\"}]}");
        f.close();
        ui::ConsoleContext context(f.fileName(), dir.filePath(QStringLiteral("audit.jsonl")));
        ui::OverviewPage page(&context);
        auto* summary = page.findChild<QLabel*>(QStringLiteral("summaryLine"));
        QVERIFY(summary);
        QVERIFY2(summary->text().startsWith(QStringLiteral("1 server, not checked yet")), qPrintable(summary->text()));
        QCoreApplication::removeTranslator(&plurals);
    }
};

QTEST_MAIN(TestPluralTranslator)
#include "TestPluralTranslator.moc"
