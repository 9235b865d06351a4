// SPDX-License-Identifier: Apache-2.0
// The Enrollment test page, offscreen, against ndes-lab: a passing run shows its steps and certificate; a failing
// one ranks the cause first with a copyable fix; the report saves as HTML.
#include "ConsoleContext.h"
#include "EnrollmentTestPage.h"
#include "LoadTestPanel.h"
#include "NdesLabProcess.h"

#include <QApplication>
#include <QChartView>
#include <QClipboard>
#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTextBrowser>
#include <QValueAxis>
#include <QtTest>

#include <cmath>

using namespace ndes;
using ndes::test::NdesLabProcess;

class TestEnrollmentTestPage : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    NdesLabProcess m_lab;
    QString m_inventory;
    QString m_labId;

private slots:
    void initTestCase() {
        QString error;
        QVERIFY2(m_lab.start({QStringLiteral("--users"), ndes::test::writeUsers(m_dir)}, &error), qPrintable(error));
        inventory::Inventory inv;
        inventory::ServerProfile p;
        p.name = QStringLiteral("Lab");
        p.scepUrl = QUrl(m_lab.scepUrl());
        p.adminUrl = QUrl(m_lab.adminUrl());
        p.allowHttp = true;
        p.user = QStringLiteral("LAB\\alice");
        auto id = inv.upsert(p);
        QVERIFY(id);
        m_labId = *id;
        m_inventory = m_dir.filePath(QStringLiteral("inventory.json"));
        QVERIFY(inv.save(m_inventory));
    }

    // SCEP over plain HTTP without a pinned CA: both tabs say the RA is not authenticated, from the start; a pin
    // saved for the server takes the banner away.
    void unauthenticatedRaBanner() {
        QTemporaryDir dir;
        QVERIFY(QFile::copy(m_inventory, dir.filePath(QStringLiteral("inventory.json"))));
        ui::ConsoleContext context(dir.filePath(QStringLiteral("inventory.json")),
                                   dir.filePath(QStringLiteral("audit.jsonl")));
        ui::EnrollmentTestPage page(&context);
        page.resize(1200, 760);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QList<QLabel*> banners;
        for (QLabel* l : page.findChildren<QLabel*>(QStringLiteral("warningBanner")))
            if (l->text().contains(QStringLiteral("not authenticated")))
                banners << l;
        QCOMPARE(banners.size(), 2); // the single test and the load test
        for (QLabel* l : banners)
            QVERIFY(!l->isHidden()); // shown (the load test's only once its tab is)
        inventory::ServerProfile pinned = *context.inventory().find(m_labId);
        pinned.caSha256Pin = QString(64, QLatin1Char('a'));
        QVERIFY(context.saveProfile(pinned));
        for (QLabel* l : banners)
            QVERIFY(l->isHidden());
    }

    void passAndFail() {
        ui::ConsoleContext context(m_inventory, m_dir.filePath(QStringLiteral("audit.jsonl")));
        context.setSessionPassword(m_labId, SecretBytes(QByteArray("Alice-Pa55"))); // no keychain needed here
        ui::EnrollmentTestPage page(&context);
        page.resize(1200, 760);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QSignalSpy finished(&page, &ui::EnrollmentTestPage::finished);
        // Ctrl+Enter runs it, as the button says.
        QTest::keyClick(&page, Qt::Key_Return, Qt::ControlModifier);
        QVERIFY(finished.wait(60000));
        QCOMPARE(finished.last().first().toBool(), true);
        auto* steps = page.findChild<QTableWidget*>(QStringLiteral("steps"));
        QCOMPARE(steps->rowCount(), 6);
        QCOMPARE(steps->item(5, 0)->text(), QStringLiteral("Check the issued certificate"));
        auto* result = page.findChild<QTextBrowser*>(QStringLiteral("diagnosis"));
        QVERIFY(result->toPlainText().contains(QStringLiteral("Issued certificate")));
        QVERIFY(result->toPlainText().contains(QStringLiteral("NDES Lab Issuing CA")));
        // EKUs by name, not only as OIDs (issue 15, item 7).
        QVERIFY2(result->toPlainText().contains(QStringLiteral("IP security IKE intermediate (1.3.6.1.5.5.8.2.2)")),
                 qPrintable(result->toPlainText()));
        if (!qEnvironmentVariableIsEmpty("NDES_SCREENSHOT_DIR"))
            page.grab().save(
                QDir(qEnvironmentVariable("NDES_SCREENSHOT_DIR")).filePath(QStringLiteral("test-pass.png")));

        QVERIFY(!m_lab.control(QStringLiteral("fault?set=template-missing")).isNull());
        page.run();
        QVERIFY(finished.wait(60000));
        QVERIFY(!m_lab.control(QStringLiteral("fault?set=none")).isNull());
        QCOMPARE(finished.last().first().toBool(), false);
        QVERIFY(!page.causes().isEmpty());
        QCOMPARE(page.causes().first().id, QStringLiteral("template-not-available"));
        QVERIFY(result->toPlainText().contains(QStringLiteral("Likely causes, most likely first")));
        QVERIFY(
            result->toPlainText().contains(QRegularExpression(QStringLiteral("\\((very likely|likely|possible)\\)"))));
        QVERIFY(!result->toPlainText().contains(QStringLiteral("confidence 0.")));
        QVERIFY(result->toPlainText().contains(QStringLiteral("certutil -SetCATemplates")));
        auto* banner = page.findChild<QLabel*>(QStringLiteral("errorBanner"));
        QVERIFY(banner && banner->isVisible());
        // The banner follows the diagnosis (issue 15, item 7): the ranked first cause, not only the server's advice.
        QVERIFY2(banner->text().contains(QStringLiteral("Most likely: ") + page.causes().first().title),
                 qPrintable(banner->text()));
        QPushButton* copy = nullptr;
        for (QPushButton* b : page.findChildren<QPushButton*>())
            if (b->text() == QLatin1String("&Copy fixes"))
                copy = b;
        QVERIFY(copy && copy->isEnabled());
        copy->click();
        QVERIFY(QApplication::clipboard()->text().contains(QStringLiteral("certutil -SetCATemplates")));

        const QString report = m_dir.filePath(QStringLiteral("report.html"));
        QString error;
        QVERIFY2(page.saveReport(report, &error), qPrintable(error));
        QFile f(report);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray html = f.readAll();
        QVERIFY(html.contains("The enrollment failed."));
        QVERIFY(html.contains("certutil -SetCATemplates"));
        QVERIFY(!html.contains("Alice-Pa55"));
    }

    // Issue 15, item 7: Alt+U runs the test (Ctrl+Enter had replaced the mnemonic), and choosing another server
    // takes the previous server's result off the screen.
    void altURunsAndAnotherServerClearsTheResult() {
        QTemporaryDir dir;
        inventory::Inventory inv = *inventory::Inventory::load(m_inventory);
        inventory::ServerProfile other;
        other.name = QStringLiteral("Other");
        other.scepUrl = QUrl(QStringLiteral("http://127.0.0.1:1/certsrv/mscep/mscep.dll"));
        other.allowHttp = true;
        QVERIFY(inv.upsert(other));
        const QString path = dir.filePath(QStringLiteral("inventory.json"));
        QVERIFY(inv.save(path));
        ui::ConsoleContext context(path, dir.filePath(QStringLiteral("audit.jsonl")));
        context.setSessionPassword(m_labId, SecretBytes(QByteArray("Alice-Pa55")));
        ui::EnrollmentTestPage page(&context);
        page.resize(1200, 760);
        page.show();
        page.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&page));
        auto* server = page.findChild<QComboBox*>(QStringLiteral("testServer"));
        QVERIFY(server);
        server->setCurrentIndex(server->findText(QStringLiteral("Lab")));
        QSignalSpy finished(&page, &ui::EnrollmentTestPage::finished);
        QTest::keyClick(&page, Qt::Key_U, Qt::AltModifier);
        QVERIFY(finished.wait(60000));
        auto* steps = page.findChild<QTableWidget*>(QStringLiteral("steps"));
        QVERIFY(steps->rowCount() > 0);
        server->setCurrentIndex(server->findText(QStringLiteral("Other")));
        QCOMPARE(steps->rowCount(), 0);
        auto* result = page.findChild<QTextBrowser*>(QStringLiteral("diagnosis"));
        QVERIFY(!result->toPlainText().contains(QStringLiteral("Issued certificate")));
        QVERIFY(result->toPlainText().contains(QStringLiteral("Other")));
        QVERIFY(!page.lastReport().has_value());
    }

    void loadTestTab() {
        ui::ConsoleContext context(m_inventory, m_dir.filePath(QStringLiteral("audit2.jsonl")));
        context.setSessionPassword(m_labId, SecretBytes(QByteArray("Alice-Pa55")));
        ui::EnrollmentTestPage page(&context);
        page.resize(1200, 760);
        page.show();
        page.showLoadTest();
        ui::LoadTestPanel* panel = page.loadPanel();
        QVERIFY(panel->isVisible());
        panel->setNumbers(3, 12);
        // The per-second axis counts in whole steps, empty or not (it read "1, 0, 0, 0, 0" before any run).
        auto wholeSteps = [panel] {
            auto* view = panel->findChild<QChartView*>();
            const auto axes = view ? view->chart()->axes(Qt::Vertical) : QList<QAbstractAxis*>();
            auto* y = axes.isEmpty() ? nullptr : qobject_cast<QValueAxis*>(axes.first());
            return y && y->tickType() == QValueAxis::TicksDynamic && y->tickInterval() >= 1 &&
                   y->tickInterval() == std::floor(y->tickInterval()) && y->max() == std::floor(y->max()) &&
                   y->max() >= 5;
        };
        QVERIFY(wholeSteps());
        QSignalSpy finished(panel, &ui::LoadTestPanel::finished);
        panel->start();
        QVERIFY(finished.wait(60000));
        QVERIFY(panel->lastResult().has_value());
        QCOMPARE(panel->lastResult()->succeeded, 12);
        QVERIFY(panel->summaryText().contains(QStringLiteral("12 of 12 succeeded")));
        auto* summary = panel->findChild<QLabel*>(QStringLiteral("loadSummary"));
        QVERIFY(summary->text().contains(QStringLiteral("p50")));
        QVERIFY(wholeSteps());
        if (!qEnvironmentVariableIsEmpty("NDES_SCREENSHOT_DIR"))
            page.grab().save(
                QDir(qEnvironmentVariable("NDES_SCREENSHOT_DIR")).filePath(QStringLiteral("load-test.png")));
    }
};

QTEST_MAIN(TestEnrollmentTestPage)
#include "TestEnrollmentTestPage.moc"
