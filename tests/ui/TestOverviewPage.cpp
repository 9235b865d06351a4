// SPDX-License-Identifier: Apache-2.0
// The Overview page, offscreen, against real ndes-lab servers in different states: statuses and reasons, the
// certificate table (sorting, filters, colour bands), notifications when a threshold is crossed or a server gets
// worse, exports, and the RA renewal helper.
#include "ConsoleContext.h"
#include "NdesLabProcess.h"
#include "OverviewModels.h"
#include "OverviewPage.h"
#include "RaRenewalDialog.h"
#include "ScopedClock.h"
#include "util/Clock.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTimeAxis>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QSignalSpy>
#include <QSplitter>
#include <QStackedBarSeries>
#include <QTabWidget>
#include <QTableView>
#include <QTcpServer>
#include <QtTest>

using namespace ndes;
using namespace ndes::service;
using ndes::test::NdesLabProcess;

class TestOverviewPage : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    NdesLabProcess m_ok;
    NdesLabProcess m_soon;
    NdesLabProcess m_stopped;
    QString m_inventory;
    quint16 m_closedPort = 0;

    static QString statusOf(const ui::OverviewPage& page, const QString& server) {
        for (const HealthReport& r : page.reports())
            if (r.server == server)
                return healthStatusName(r.status);
        return {};
    }

    static bool refreshAndWait(ui::OverviewPage& page) {
        QSignalSpy done(&page, &ui::OverviewPage::refreshFinished);
        page.refresh();
        return done.wait(60000);
    }

private slots:
    void initTestCase() {
        QCoreApplication::setOrganizationName(QStringLiteral("NDES Console Tests"));
        qputenv("XDG_CONFIG_HOME", m_dir.filePath(QStringLiteral("config")).toUtf8());
        QString error;
        const QString users = ndes::test::writeUsers(m_dir);
        QVERIFY2(m_ok.start({QStringLiteral("--users"), users}, &error), qPrintable(error));
        QVERIFY2(m_soon.start({QStringLiteral("--users"), users, QStringLiteral("--ra-days"), QStringLiteral("20"),
                               QStringLiteral("--host"), QStringLiteral("NDESPAR")},
                              &error),
                 qPrintable(error));
        QVERIFY2(m_stopped.start(
                     {QStringLiteral("--users"), users, QStringLiteral("--fault"), QStringLiteral("app-pool-stopped")},
                     &error),
                 qPrintable(error));
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost));
        m_closedPort = closed.serverPort();
        closed.close();

        inventory::Inventory inv;
        auto add = [&inv](const QString& name, const QString& base) {
            inventory::ServerProfile p;
            p.name = name;
            p.scepUrl = QUrl(base + QStringLiteral("/certsrv/mscep/mscep.dll"));
            p.adminUrl = QUrl(base + QStringLiteral("/certsrv/mscep_admin/"));
            p.allowHttp = true;
            p.user = QStringLiteral("LAB\\alice");
            return bool(inv.upsert(p));
        };
        QVERIFY(add(QStringLiteral("Lab"), m_ok.baseUrl()));
        QVERIFY(add(QStringLiteral("NDES Paris"), m_soon.baseUrl()));
        QVERIFY(add(QStringLiteral("NDES Lyon"), m_stopped.baseUrl()));
        QVERIFY(add(QStringLiteral("NDES Oslo"), QStringLiteral("http://127.0.0.1:%1").arg(m_closedPort)));
        m_inventory = m_dir.filePath(QStringLiteral("inventory.json"));
        QVERIFY(inv.save(m_inventory));
    }

    void statusesReasonsAndCertificates() {
        ui::ConsoleContext context(m_inventory, m_dir.filePath(QStringLiteral("audit.jsonl")));
        ui::OverviewPage page(&context);
        page.resize(1300, 800);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        auto* servers = page.findChild<QTableView*>(QStringLiteral("serverHealth"));
        auto* certs = page.findChild<QTableView*>(QStringLiteral("certificates"));
        QVERIFY(servers && certs);
        QCOMPARE(servers->model()->rowCount(), 4);
        QVERIFY(refreshAndWait(page));
        QCOMPARE(statusOf(page, QStringLiteral("Lab")), QStringLiteral("ok"));
        QCOMPARE(statusOf(page, QStringLiteral("NDES Paris")), QStringLiteral("warning"));
        QCOMPARE(statusOf(page, QStringLiteral("NDES Lyon")), QStringLiteral("critical"));
        QCOMPARE(statusOf(page, QStringLiteral("NDES Oslo")), QStringLiteral("unreachable"));

        // Worst first, and the worst is selected: its reasons are on screen.
        const QAbstractItemModel* sm = servers->model();
        QCOMPARE(sm->data(sm->index(0, ui::ServerHealthModel::StatusColumn)).toString(), QStringLiteral("Unreachable"));
        QCOMPARE(servers->currentIndex().row(), 0);
        bool lyonReason = false;
        for (int r = 0; r < sm->rowCount(); ++r)
            if (sm->data(sm->index(r, ui::ServerHealthModel::ServerColumn)).toString() == QLatin1String("NDES Lyon"))
                lyonReason = sm->data(sm->index(r, ui::ServerHealthModel::ReasonColumn))
                                 .toString()
                                 .contains(QStringLiteral("503"));
        QVERIFY(lyonReason);

        // Certificates: sorted by days left, soonest first; colour bands by status.
        QAbstractItemModel* cm = certs->model();
        QVERIFY(cm->rowCount() >= 10); // 2 servers answering GetCACert x (2 CA + 2 RA + 1 CRL)
        const int days0 = cm->data(cm->index(0, ui::CertificateExpiryModel::DaysColumn)).toInt();
        for (int r = 1; r < cm->rowCount(); ++r)
            QVERIFY(cm->data(cm->index(r, ui::CertificateExpiryModel::DaysColumn)).toInt() >= days0);
        bool parisBand = false;
        for (int r = 0; r < cm->rowCount(); ++r)
            if (cm->data(cm->index(r, 0)).toString() == QLatin1String("NDES Paris") &&
                cm->data(cm->index(r, ui::CertificateExpiryModel::RoleColumn))
                    .toString()
                    .startsWith(QStringLiteral("RA")))
                parisBand = cm->data(cm->index(r, 0), Qt::BackgroundRole).value<QColor>() ==
                            ui::StatusColours::band(ExpiryStatus::Warning);
        QVERIFY(parisBand);
        // Sort by another column: by subject.
        certs->sortByColumn(ui::CertificateExpiryModel::SubjectColumn, Qt::AscendingOrder);
        QVERIFY(cm->data(cm->index(0, ui::CertificateExpiryModel::SubjectColumn)).toString() <=
                cm->data(cm->index(cm->rowCount() - 1, ui::CertificateExpiryModel::SubjectColumn)).toString());

        // Filters: text, kind, attention only — typed as a user types.
        auto* search = page.findChild<QLineEdit*>();
        QTest::keyClicks(search, QStringLiteral("ndespar"));
        QCOMPARE(cm->rowCount(), 2); // its two RA certificates
        search->clear();
        auto* kind = page.findChildren<QComboBox*>().last();
        kind->setCurrentIndex(kind->findData(QStringLiteral("crl")));
        QCOMPARE(cm->rowCount(), 2);
        kind->setCurrentIndex(0);
        page.findChild<QCheckBox*>()->setChecked(true);
        QCOMPARE(cm->rowCount(), 2); // only Paris's RA certificates need attention
        page.findChild<QCheckBox*>()->setChecked(false);

        // Charts have something to show.
        auto charts = page.findChildren<QChartView*>();
        QCOMPARE(charts.size(), 2);
        QVERIFY(!charts[0]->chart()->series().isEmpty());
        // The timeline: expired ones first, months with their year, CRLs counted; the probe axis in seconds for a
        // span of minutes (it printed "07:48" four times).
        QChartView* timelineView = nullptr;
        QChartView* probeView = nullptr;
        for (QChartView* v : charts)
            (v->accessibleName().startsWith(u"Certificate expirations") ? timelineView : probeView) = v;
        QVERIFY(timelineView && probeView);
        auto* months = qobject_cast<QBarCategoryAxis*>(timelineView->chart()->axes(Qt::Horizontal).value(0));
        QVERIFY(months);
        QCOMPARE(months->categories().size(), 13);
        QCOMPARE(months->categories().first(), QStringLiteral("Expired"));
        QVERIFY2(months->categories().at(1).contains(QString::number(Clock::instance().now().date().year())),
                 qPrintable(months->categories().at(1)));
        auto* bars = qobject_cast<QStackedBarSeries*>(timelineView->chart()->series().first());
        QStringList sets;
        for (QBarSet* set : bars->barSets())
            sets << set->label();
        QVERIFY2(sets.contains(QStringLiteral("CRL")), qPrintable(sets.join(QLatin1Char(','))));
        QCOMPARE(timelineView->chart()->title(),
                 QStringLiteral("Certificates and CRLs expiring in the next 12 months"));
        auto* probeAxis = qobject_cast<QDateTimeAxis*>(probeView->chart()->axes(Qt::Horizontal).value(0));
        QVERIFY(probeAxis);
        QCOMPARE(probeAxis->format(), QStringLiteral("HH:mm:ss"));
        if (!qEnvironmentVariableIsEmpty("NDES_SCREENSHOT_DIR")) {
            auto* tabs = page.findChild<QTabWidget*>();
            for (int i = 0; i < tabs->count(); ++i) {
                tabs->setCurrentIndex(i);
                QTest::qWait(50);
                page.grab().save(QDir(qEnvironmentVariable("NDES_SCREENSHOT_DIR"))
                                     .filePath(QStringLiteral("overview-tab%1.png").arg(i)));
            }
        }

        // Exports.
        QString error;
        const QString csv = m_dir.filePath(QStringLiteral("health.csv"));
        QVERIFY2(page.exportTo(csv, &error), qPrintable(error));
        QFile f(csv);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray text = f.readAll();
        QVERIFY(text.startsWith("\xEF\xBB\xBFserver,url,server_status,role,subject,not_after,days_left,status"));
        QVERIFY(text.contains("NDES Paris"));
        QVERIFY(text.contains("unreachable"));
        const QString html = m_dir.filePath(QStringLiteral("health.html"));
        QVERIFY2(page.exportTo(html, &error), qPrintable(error));
        QFile h(html);
        QVERIFY(h.open(QIODevice::ReadOnly));
        QVERIFY(h.readAll().contains("application pool is stopped"));
        QVERIFY(!page.exportTo(m_dir.filePath(QStringLiteral("no/such/dir/x.csv")), &error));
        QVERIFY(error.contains(QStringLiteral("Cannot write")));
    }

    void notificationsWhenThresholdsAreCrossedOrServersGetWorse() {
        ui::ConsoleContext context(m_inventory, m_dir.filePath(QStringLiteral("audit.jsonl")));
        ui::OverviewPage page(&context);
        QSignalSpy notes(&page, &ui::OverviewPage::notificationRaised);
        QVERIFY(refreshAndWait(page));
        // First round: one summary, not one message per certificate.
        QCOMPARE(notes.size(), 1);
        QVERIFY(notes.first().at(1).toString().contains(QStringLiteral("3 server(s) need attention")));
        notes.clear();
        // A server that stops: one notification, with the reason.
        QVERIFY(!m_ok.control(QStringLiteral("fault?set=app-pool-stopped")).isNull());
        QVERIFY(refreshAndWait(page));
        QVERIFY(!m_ok.control(QStringLiteral("fault?set=none")).isNull());
        QCOMPARE(notes.size(), 1);
        QCOMPARE(notes.first().at(0).toString(), QStringLiteral("Lab is now critical"));
        QVERIFY(notes.first().at(1).toString().contains(QStringLiteral("Start-WebAppPool")));
        QVERIFY(refreshAndWait(page)); // healthy again: no message for getting better
        QCOMPARE(notes.size(), 1);
        notes.clear();
        // Twelve days later Paris's RA certificates (19 days left) cross certmonger's 7-day mark.
        {
            test::ScopedClock later(QDateTime::currentDateTimeUtc().addDays(12).addSecs(3600));
            QVERIFY(refreshAndWait(page));
        }
        QStringList titles;
        for (const auto& n : notes)
            titles << n.at(0).toString();
        QCOMPARE(titles.count(QStringLiteral("NDES Paris: certificate expires in 7 day(s)")), 2); // signing, encryption
        QVERIFY2(titles.contains(QStringLiteral("NDES Paris is now critical")),
                 qPrintable(titles.join(QLatin1Char('|'))));
    }

    // Walk-through, issue 15 item 8: the server pane scrolls, the splitter is kept, dates in the locale's format,
    // an expired certificate says how long ago in words.
    void detailScrollsSplitterKeptExpiryInWords() {
        ui::ConsoleContext context(m_inventory, m_dir.filePath(QStringLiteral("audit.jsonl")));
        // A day and a half after Paris's RA certificates (20 days) ran out.
        test::ScopedClock later(QDateTime::currentDateTimeUtc().addDays(21).addSecs(12 * 3600));
        QList<int> kept;
        {
            ui::OverviewPage page(&context);
            page.resize(1000, 560);
            page.show();
            QVERIFY(QTest::qWaitForWindowExposed(&page));
            QVERIFY(refreshAndWait(page));
            auto* certs = page.findChild<QTableView*>(QStringLiteral("certificates"));
            QAbstractItemModel* cm = certs->model();
            int expiredRows = 0;
            for (int r = 0; r < cm->rowCount(); ++r) {
                if (cm->data(cm->index(r, 0)).toString() != QLatin1String("NDES Paris") ||
                    !cm->data(cm->index(r, ui::CertificateExpiryModel::RoleColumn)).toString().startsWith(u"RA"))
                    continue;
                ++expiredRows;
                QCOMPARE(cm->data(cm->index(r, ui::CertificateExpiryModel::DaysColumn)).toString(),
                         QStringLiteral("expired 1 day(s) ago"));
                const QString expires = cm->data(cm->index(r, ui::CertificateExpiryModel::ExpiresColumn)).toString();
                QVERIFY2(!expires.contains(QLatin1Char('T')) && !expires.endsWith(QLatin1Char('Z')),
                         qPrintable(expires));
            }
            QCOMPARE(expiredRows, 2);
            // The timeline counts them under "Expired" and its title says so.
            QChart* timeline = nullptr;
            for (QChartView* v : page.findChildren<QChartView*>())
                if (v->accessibleName().startsWith(u"Certificate expirations"))
                    timeline = v->chart();
            QVERIFY(timeline);
            auto* bars = qobject_cast<QStackedBarSeries*>(timeline->series().first());
            int expiredBar = 0;
            for (QBarSet* set : bars->barSets())
                expiredBar += int(set->at(0));
            QVERIFY(expiredBar >= 2);
            QVERIFY2(timeline->title().contains(QStringLiteral("expired")), qPrintable(timeline->title()));

            // Paris selected: its reasons are longer than a short pane; the pane scrolls instead of cutting them.
            auto* servers = page.findChild<QTableView*>(QStringLiteral("serverHealth"));
            for (int r = 0; r < servers->model()->rowCount(); ++r)
                if (servers->model()->data(servers->model()->index(r, ui::ServerHealthModel::ServerColumn)) ==
                    QStringLiteral("NDES Paris"))
                    servers->setCurrentIndex(servers->model()->index(r, 0));
            auto* scroll = page.findChild<QScrollArea*>(QStringLiteral("serverDetailScroll"));
            QVERIFY(scroll);
            QCOMPARE(scroll->widget()->objectName(), QStringLiteral("serverDetail"));
            auto* detail = qobject_cast<QLabel*>(scroll->widget());
            QVERIFY(detail->text().contains(QStringLiteral("expired on")));
            // The probe does not sign in; the pane says so, then what a sign-in elsewhere found (item 2).
            QVERIFY(detail->text().contains(QStringLiteral("Sign-in: not checked")));
            QString parisId;
            for (const auto& p : context.inventory().servers())
                if (p.name == QLatin1String("NDES Paris"))
                    parisId = p.id;
            context.noteAdminPageResult(parisId, QStringLiteral("unauthorized"));
            QVERIFY(detail->text().contains(QStringLiteral("refused the account")));
            context.noteAdminPageResult(parisId, QString());
            QVERIFY(detail->text().contains(QStringLiteral("account was accepted")));
            QVERIFY2(!detail->text().contains(QRegularExpression(QStringLiteral("\\dT\\d\\d:\\d\\d"))),
                     "an ISO 8601 time in the server pane");
            auto* split = page.findChild<QSplitter*>(QStringLiteral("overviewSplit"));
            QVERIFY(split);
            QVERIFY(split->handleWidth() >= 5);
            split->setSizes({80, 400}); // a short top pane
            QTest::qWait(50);
            QTRY_VERIFY(scroll->verticalScrollBar()->maximum() > 0);
            // Drag the handle as a user does: the position is saved.
            QSplitterHandle* handle = split->handle(1);
            const QPoint mid(handle->width() / 2, handle->height() / 2);
            QTest::mousePress(handle, Qt::LeftButton, {}, mid);
            QTest::mouseMove(handle, mid + QPoint(0, 60));
            QTest::mouseRelease(handle, Qt::LeftButton, {}, mid + QPoint(0, 60));
            kept = split->sizes();
            QVERIFY(kept.first() > 80);
        }
        ui::OverviewPage again(&context);
        again.resize(1000, 560);
        again.show();
        QVERIFY(QTest::qWaitForWindowExposed(&again));
        const QList<int> restored = again.findChild<QSplitter*>(QStringLiteral("overviewSplit"))->sizes();
        QVERIFY2(qAbs(restored.first() - kept.first()) <= 4, // the layout may round by a pixel or two
                 qPrintable(QStringLiteral("%1 restored, %2 kept").arg(restored.first()).arg(kept.first())));
        QSettings().remove(QStringLiteral("overview/splitter"));
    }

    void refreshIntervalIsKept() {
        ui::ConsoleContext context(m_inventory, m_dir.filePath(QStringLiteral("audit.jsonl")));
        {
            ui::OverviewPage page(&context);
            QCOMPARE(page.refreshMinutes(), 5); // default
            page.setRefreshMinutes(15);
        }
        ui::OverviewPage again(&context);
        QCOMPARE(again.refreshMinutes(), 15);
        again.setRefreshMinutes(7); // not a choice: nearest sensible is off
        QCOMPARE(again.refreshMinutes(), 0);
        again.setRefreshMinutes(5);
    }

    void raRenewalHelper() {
        ui::ConsoleContext context(m_inventory, m_dir.filePath(QStringLiteral("audit.jsonl")));
        ui::OverviewPage page(&context);
        QVERIFY(refreshAndWait(page));
        HealthReport paris;
        for (const HealthReport& r : page.reports())
            if (r.server == QLatin1String("NDES Paris"))
                paris = r;
        ui::RaRenewalDialog dialog(paris);
        dialog.show();
        if (!qEnvironmentVariableIsEmpty("NDES_SCREENSHOT_DIR")) {
            QVERIFY(QTest::qWaitForWindowExposed(&dialog));
            dialog.grab().save(
                QDir(qEnvironmentVariable("NDES_SCREENSHOT_DIR")).filePath(QStringLiteral("ra-renewal.png")));
        }
        QVERIFY(dialog.windowTitle().contains(QStringLiteral("NDES Paris")));
        QString script = dialog.script();
        for (const char* must : {"CEPEncryption", "EnrollmentAgentOffline", "CN=NDESPAR-MSCEP-RA, O=NDES Console Lab",
                                 "SupportsShouldProcess", "Set-StrictMode -Version Latest",
                                 "Microsoft Strong Cryptographic Provider", "MachineKeys", "Restart-WebAppPool"})
            QVERIFY2(script.contains(QLatin1String(must)), must);
        bool explains = false;
        for (QLabel* l : dialog.findChildren<QLabel*>())
            explains = explains || l->text().contains(QStringLiteral("NDES stops all enrollment"));
        QVERIFY(explains);
        // A hostile value cannot leave its string.
        dialog.setCaConfig(QStringLiteral("CA01\\Corp CA'; Remove-Item C:\\ -Recurse; '"));
        script = dialog.script();
        QVERIFY(
            script.contains(QStringLiteral("[string]$CAConfig = 'CA01\\Corp CA''; Remove-Item C:\\ -Recurse; '''")));
        dialog.setServiceAccount(QStringLiteral("CORP\\svc’ndes"));
        QVERIFY(dialog.script().contains(QStringLiteral("'CORP\\svc’’ndes'")));
        const QString path = m_dir.filePath(QStringLiteral("renew.ps1"));
        QString error;
        QVERIFY(dialog.saveTo(path, &error));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray bytes = f.readAll();
        QVERIFY(bytes.startsWith("\xEF\xBB\xBF#Requires -RunAsAdministrator\r\n"));
        QVERIFY(!bytes.contains("\r\r\n"));
    }
};

QTEST_MAIN(TestOverviewPage)
#include "TestOverviewPage.moc"
