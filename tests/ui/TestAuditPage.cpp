// SPDX-License-Identifier: Apache-2.0
// The Audit page offscreen, on real files from Windows NDES servers (MSCEP.reg and applicationHost.config from
// ../shared/realworld) and on the lab's snapshot under faults: the findings and counts are exactly what
// `ndesctl audit --json` gives for the same input; the filter, the search and the grouping; the detail pane and the
// evidence opened at its line; the exports equal the CLI's; drag and drop; a bad path followed by a good one; the
// drift and fleet views against `ndesctl audit --compare`.
#include "AuditPage.h"
#include "ConsoleContext.h"
#include "EvidenceViewer.h"
#include "NdesLabProcess.h"
#include "RunProgram.h"
#include "SnapshotCompareDialog.h"
#include "audit/WindowsText.h"

#include <QApplication>
#include <QDir>
#include <QDropEvent>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QMimeData>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTextBrowser>
#include <QTreeView>
#include <QTreeWidget>
#include <QtTest>

using namespace ndes;

namespace {
QString data(const QString& rel) {
    return qEnvironmentVariable("NDES_TEST_DATA") + QLatin1Char('/') + rel;
}

using Run = ndes::test::ProgramRun;
using ndes::test::runProgram;

QJsonObject cliAudit(const QStringList& args) {
    const Run r = runProgram(qEnvironmentVariable("NDESCTL"),
                             QStringList{QStringLiteral("audit")} + args + QStringList{QStringLiteral("--json")});
    return QJsonDocument::fromJson(r.out).object();
}

QStringList ids(const QJsonArray& a) {
    QStringList out;
    for (const QJsonValue& v : a)
        out << (v.isString() ? v.toString() : v.toObject().value(QStringLiteral("id")).toString());
    return out;
}

QByteArray readAll(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

void screenshot(QWidget& w, const QString& name) {
    if (!qEnvironmentVariableIsEmpty("NDES_SCREENSHOT_DIR"))
        w.grab().save(QDir(qEnvironmentVariable("NDES_SCREENSHOT_DIR")).filePath(name));
}

bool auditAndWait(ui::AuditPage& page, const QString& path) {
    QSignalSpy done(&page, &ui::AuditPage::auditFinished);
    page.openSource(path);
    return done.wait(60000) || !done.isEmpty();
}
} // namespace

class TestAuditPage : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_real; // a folder of files exported from a real server: MSCEP.reg and applicationHost.config

    // The console's shared state over files of this test (an audit writes none of them).
    ui::ConsoleContext makeContext() const {
        return ui::ConsoleContext(m_dir.filePath(QStringLiteral("inventory.json")),
                                  m_dir.filePath(QStringLiteral("audit.jsonl")));
    }

    static QString findingsText(const QStandardItemModel* model) {
        QStringList groups;
        for (int g = 0; g < model->rowCount(); ++g)
            groups << model->item(g)->text();
        return groups.join(QStringLiteral(" | "));
    }

private slots:
    void initTestCase() {
        m_real = m_dir.filePath(QStringLiteral("real"));
        QVERIFY(QDir().mkpath(m_real));
        QVERIFY(QFile::copy(data(QStringLiteral("ndes-manual-installation/MSCEP.reg")),
                            m_real + QStringLiteral("/MSCEP.reg")));
        QVERIFY(QFile::copy(data(QStringLiteral("ndes-manual-installation/ws2019/applicationHost.config")),
                            m_real + QStringLiteral("/applicationHost.config")));
    }

    void realFilesAsTheCliSeesThem() {
        ui::ConsoleContext context = makeContext();
        ui::AuditPage page(&context);
        page.resize(1180, 760);
        page.show();
        QVERIFY(auditAndWait(page, m_real));
        QVERIFY(page.result().has_value());
        const QJsonObject cli = cliAudit({QStringLiteral("--in"), m_real});
        QVERIFY(!cli.isEmpty());
        QStringList pageIds;
        for (const audit::Finding& f : page.result()->findings)
            pageIds << f.id;
        QCOMPARE(pageIds, ids(cli.value(QStringLiteral("findings")).toArray()));
        QVERIFY(pageIds.size() >= 5); // the real server's defaults: HTTP only, NTLM over HTTP, SHA-1, …
        QStringList notChecked;
        for (const audit::NotChecked& n : page.result()->notChecked)
            notChecked << n.id;
        QCOMPARE(notChecked, ids(cli.value(QStringLiteral("notChecked")).toArray()));
        QCOMPARE(page.result()->passed, cli.value(QStringLiteral("passed")).toVariant().toStringList());
        QCOMPARE(page.notCheckedView()->topLevelItemCount(), notChecked.size());
        // Grouped by severity, worst first, with the counts the CLI gives.
        QCOMPARE(page.shownFindings(), pageIds.size());
        const QJsonObject counts = cli.value(QStringLiteral("counts")).toObject();
        QStringList expectedGroups;
        for (const char* s : {"critical", "high", "medium", "low", "info"}) {
            const int n = counts.value(QLatin1String(s)).toInt();
            if (n > 0)
                expectedGroups << QStringLiteral("%1 (%2)")
                                      .arg(QString::fromLatin1(s).left(1).toUpper() + QString::fromLatin1(s).mid(1))
                                      .arg(n);
        }
        QCOMPARE(findingsText(page.findingsModel()), expectedGroups.join(QStringLiteral(" | ")));
        screenshot(page, QStringLiteral("audit-real.png"));
    }

    void filterSearchAndGroups() {
        ui::ConsoleContext context = makeContext();
        ui::AuditPage page(&context);
        QVERIFY(auditAndWait(page, m_real));
        const QList<audit::Finding>& all = page.result()->findings;
        const auto atLeast = [&all](audit::Severity s) {
            return int(std::count_if(all.begin(), all.end(), [s](const audit::Finding& f) { return f.severity >= s; }));
        };
        page.setMinimumSeverity(audit::Severity::Medium);
        QCOMPARE(page.shownFindings(), atLeast(audit::Severity::Medium));
        QVERIFY(page.shownFindings() < int(all.size()));
        page.setMinimumSeverity(audit::Severity::Info);
        QCOMPARE(page.shownFindings(), int(all.size()));
        // The search reaches the evidence: the registry value's name is only there.
        page.setSearchText(QStringLiteral("PasswordValidity\\PasswordValidity"));
        QCOMPARE(page.shownFindings(), 1);
        QCOMPARE(page.findingsModel()->item(0)->child(0, 1)->text(), QStringLiteral("password-validity-long"));
        page.setSearchText(QStringLiteral("no finding says this"));
        QCOMPARE(page.shownFindings(), 0);
        QVERIFY(page.detailView()->toPlainText().contains(QStringLiteral("Select a finding")));
        page.setSearchText(QString());
        // By area: the real files give registry and IIS findings.
        page.setGroupByArea(true);
        const QString groups = findingsText(page.findingsModel());
        QVERIFY2(groups.contains(QStringLiteral("Registry (")), qPrintable(groups));
        QVERIFY2(groups.contains(QStringLiteral("IIS and TLS (")), qPrintable(groups));
        QCOMPARE(page.shownFindings(), int(all.size()));
    }

    void detailAndEvidenceAtItsLine() {
        ui::ConsoleContext context = makeContext();
        ui::AuditPage page(&context);
        page.resize(1180, 760);
        page.show();
        QVERIFY(auditAndWait(page, m_real));
        QVERIFY(page.selectFinding(QStringLiteral("password-validity-long")));
        const QString detail = page.detailView()->toPlainText();
        QVERIFY2(detail.contains(QStringLiteral("60 (0x3c)")), qPrintable(detail));
        QVERIFY(detail.contains(QStringLiteral("Why it matters")));
        QVERIFY(detail.contains(QStringLiteral("Remedy")));
        QVERIFY(page.detailView()->toHtml().contains(QStringLiteral("evidence:0")));
        screenshot(page, QStringLiteral("audit-detail.png"));

        const auto viewerOf = [] {
            for (QWidget* w : QApplication::topLevelWidgets())
                if (auto* v = qobject_cast<ui::EvidenceViewer*>(w); v && v->isVisible())
                    return v;
            return static_cast<ui::EvidenceViewer*>(nullptr);
        };
        // The registry value, at the line the evidence names.
        page.openEvidence(0);
        ui::EvidenceViewer* viewer = viewerOf();
        QVERIFY(viewer);
        QCOMPARE(viewer->markedLine(), 33);
        QVERIFY(viewer->text().split(QLatin1Char('\n')).value(32).contains(QStringLiteral("PasswordValidity")));
        screenshot(*viewer, QStringLiteral("audit-evidence.png"));
        viewer->close();
        QTRY_VERIFY(!viewerOf());
        // An element of applicationHost.config.
        QVERIFY(page.selectFinding(QStringLiteral("apppool-identity")));
        page.openEvidence(0);
        viewer = viewerOf();
        QVERIFY(viewer);
        QCOMPARE(viewer->markedLine(), 135);
        QVERIFY(
            viewer->text().split(QLatin1Char(QLatin1Char(0x0a))).value(134).contains(QStringLiteral("name=\"SCEP\"")));
        viewer->close();

        // Evidence without a line number is placed by its key and value.
        audit::Evidence e;
        e.source = QStringLiteral("MSCEP.reg");
        e.path = QStringLiteral("MSCEP\\PasswordMax\\PasswordMax");
        const QString text = QStringLiteral("Windows Registry Editor Version 5.00\n\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\"
                                            "Microsoft\\Cryptography\\MSCEP\\PasswordMax]\n\"Other\"=dword:1\n"
                                            "\"PasswordMax\"=dword:00000005\n");
        QCOMPARE(ui::EvidenceViewer::locate(text, e), 5);
        e.path = QStringLiteral("Elsewhere\\Absent\\Absent");
        e.value = QStringLiteral("nowhere");
        QCOMPARE(ui::EvidenceViewer::locate(text, e), 0);
    }

    void exportsEqualTheCli() {
        ui::ConsoleContext context = makeContext();
        ui::AuditPage page(&context);
        QVERIFY(!page.exportTo(m_dir.filePath(QStringLiteral("none.json")))); // nothing to export yet
        QVERIFY(auditAndWait(page, m_real));
        const QString cliJson = m_dir.filePath(QStringLiteral("cli.json"));
        const QString cliCsv = m_dir.filePath(QStringLiteral("cli.csv"));
        const Run r = runProgram(qEnvironmentVariable("NDESCTL"),
                                 {QStringLiteral("audit"), QStringLiteral("--in"), m_real, QStringLiteral("--json-out"),
                                  cliJson, QStringLiteral("--csv"), cliCsv});
        QVERIFY2(r.code >= 0 && r.code <= 2, r.err.constData());
        const QString json = m_dir.filePath(QStringLiteral("page.json"));
        const QString csv = m_dir.filePath(QStringLiteral("page.csv"));
        const QString html = m_dir.filePath(QStringLiteral("page.html"));
        const QString pdf = m_dir.filePath(QStringLiteral("page.pdf"));
        QVERIFY(page.exportTo(json));
        QVERIFY(page.exportTo(csv));
        QVERIFY(page.exportTo(html));
        QVERIFY(page.exportTo(pdf));
        // The remedy scripts say when they were generated (to the second): the only thing that may differ.
        const auto sameButTime = [](QByteArray b) {
            static const QRegularExpression generated(QStringLiteral("Generated \\d{4}-\\d\\d-\\d\\dT[0-9:]+Z"));
            return QString::fromUtf8(b).replace(generated, QStringLiteral("Generated (time)"));
        };
        QCOMPARE(sameButTime(readAll(json)), sameButTime(readAll(cliJson)));
        QCOMPARE(sameButTime(readAll(csv)), sameButTime(readAll(cliCsv)));
        QVERIFY(readAll(html).contains("password-validity-long"));
        QVERIFY(readAll(pdf).startsWith("%PDF-"));
        const Status refused = page.exportTo(m_dir.filePath(QStringLiteral("page.txt")));
        QVERIFY(!refused);
        QVERIFY(refused.error().message.contains(QStringLiteral(".html, .pdf, .json or .csv")));
    }

    // A user's sequence: a path that is not a snapshot, then a real one dropped on the page.
    void badPathThenDrop() {
        ui::ConsoleContext context = makeContext();
        ui::AuditPage page(&context);
        page.show();
        QVERIFY(auditAndWait(page, m_dir.filePath(QStringLiteral("no-such-folder"))));
        QVERIFY(!page.result().has_value());
        bool said = false;
        for (QLabel* l : page.findChildren<QLabel*>())
            said = said || l->text().contains(QStringLiteral("could not run"));
        QVERIFY(said);

        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(m_real)});
        QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&page, &enter);
        QVERIFY(enter.isAccepted());
        QSignalSpy done(&page, &ui::AuditPage::auditFinished);
        QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&page, &drop);
        QVERIFY(done.wait(60000));
        QCOMPARE(page.source(), m_real);
        QVERIFY(page.result().has_value());
        QVERIFY(!page.result()->findings.isEmpty());
    }

    // The lab's snapshot with faults, as the collector would find it on Windows: the same findings as the CLI.
    void labSnapshotUnderFaults() {
        const QString state = m_dir.filePath(QStringLiteral("lab-state"));
        const QString broken = m_dir.filePath(QStringLiteral("lab-broken"));
        const Run r =
            runProgram(qEnvironmentVariable("NDES_LAB"),
                       {QStringLiteral("snapshot"), QStringLiteral("--out"), broken, QStringLiteral("--state"), state,
                        QStringLiteral("--fault"), QStringLiteral("ra-expired"), QStringLiteral("--single-password"),
                        QStringLiteral("--password-max"), QStringLiteral("60")});
        QVERIFY2(r.code == 0, r.err.constData());
        ui::ConsoleContext context = makeContext();
        ui::AuditPage page(&context);
        page.resize(1180, 760);
        page.show();
        QVERIFY(auditAndWait(page, broken));
        const QJsonObject cli = cliAudit({QStringLiteral("--snapshot"), broken});
        QStringList pageIds;
        for (const audit::Finding& f : page.result()->findings)
            pageIds << f.id;
        QCOMPARE(pageIds, ids(cli.value(QStringLiteral("findings")).toArray()));
        QVERIFY(pageIds.contains(QStringLiteral("ra-expired")));
        QVERIFY(pageIds.contains(QStringLiteral("single-password")));
        // A certificate's evidence opens as its fields.
        QVERIFY(page.selectFinding(QStringLiteral("ra-expired")));
        page.openEvidence(0);
        ui::EvidenceViewer* viewer = nullptr;
        for (QWidget* w : QApplication::topLevelWidgets())
            if (auto* v = qobject_cast<ui::EvidenceViewer*>(w); v && v->isVisible())
                viewer = v;
        QVERIFY(viewer);
        QVERIFY2(viewer->text().contains(QStringLiteral("Valid to:")), qPrintable(viewer->text().left(400)));
        QVERIFY(viewer->text().contains(QStringLiteral("-----BEGIN CERTIFICATE-----")));
        viewer->close();
        screenshot(page, QStringLiteral("audit-lab-faults.png"));
    }

    // A live, read-only look at a server beside the snapshot: the lab with RA certificates about to expire; the
    // findings are the CLI's with --url, and nothing authenticates (no password is stored or asked for).
    void liveLookAtTheLab() {
        test::NdesLabProcess lab;
        QString error;
        QVERIFY2(lab.start({QStringLiteral("--ra-days"), QStringLiteral("5")}, &error), qPrintable(error));
        ui::ConsoleContext context(m_dir.filePath(QStringLiteral("live-inventory.json")),
                                   m_dir.filePath(QStringLiteral("audit.jsonl")));
        inventory::ServerProfile p;
        p.name = QStringLiteral("Lab");
        p.scepUrl = QUrl(lab.scepUrl());
        p.adminUrl = QUrl(lab.adminUrl());
        p.allowHttp = true;
        p.auth = service::AdminAuth::Negotiate;
        auto id = context.saveProfile(p);
        QVERIFY(id);
        ui::AuditPage page(&context);
        page.setLive(*id, false);
        QVERIFY(auditAndWait(page, m_real));
        QVERIFY(page.result().has_value());
        QCOMPARE(page.result()->liveUrl, lab.scepUrl());
        const QJsonObject cli = cliAudit({QStringLiteral("--in"), m_real, QStringLiteral("--url"), lab.scepUrl()});
        QStringList pageIds;
        for (const audit::Finding& f : page.result()->findings)
            pageIds << f.id;
        QCOMPARE(pageIds.join(QLatin1Char(',')),
                 ids(cli.value(QStringLiteral("findings")).toArray()).join(QLatin1Char(',')));
        QVERIFY2(pageIds.contains(QStringLiteral("ra-expiring")), qPrintable(pageIds.join(QLatin1Char(','))));
        // The live look alone, without a snapshot, is an audit too.
        ui::AuditPage liveOnly(&context);
        liveOnly.setLive(*id, false);
        QSignalSpy done(&liveOnly, &ui::AuditPage::auditFinished);
        liveOnly.runAudit();
        QVERIFY(done.wait(60000));
        QVERIFY(liveOnly.result().has_value());
        QCOMPARE(liveOnly.result()->liveUrl, lab.scepUrl());
    }

    // The page rendered headless, as the docs and the screenshot script do: read-only, the snapshot audited and the
    // finding asked for selected before the window is grabbed.
    void headlessScreenshot() {
        const QString shot = m_dir.filePath(QStringLiteral("audit-shot.png"));
        QProcess console;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_dir.filePath(QStringLiteral("config")));
        console.setProcessEnvironment(env);
        console.start(qEnvironmentVariable("NDES_CONSOLE"),
                      {QStringLiteral("--auditor"), QStringLiteral("--inventory"),
                       m_dir.filePath(QStringLiteral("shot-inventory.json")), QStringLiteral("--open-audit"), m_real,
                       QStringLiteral("--select-finding"), QStringLiteral("password-validity-long"),
                       QStringLiteral("--screenshot"), shot});
        QVERIFY(console.waitForFinished(60000));
        QVERIFY2(console.exitCode() == 0, console.readAllStandardError().constData());
        const QImage image(shot);
        QVERIFY(!image.isNull());
        QVERIFY(image.width() >= 900 && image.height() >= 600);
        // Auditor mode wrote nothing of its own: no server list appeared.
        QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("shot-inventory.json"))));
    }

    // Drift: the real server before and after a change; fleet: three servers of which one differs.
    void driftAndFleetViews() {
        const QString changed = m_dir.filePath(QStringLiteral("changed"));
        const QString twin = m_dir.filePath(QStringLiteral("twin"));
        for (const QString& d : {changed, twin}) {
            QVERIFY(QDir().mkpath(d));
            QVERIFY(QFile::copy(m_real + QStringLiteral("/applicationHost.config"),
                                d + QStringLiteral("/applicationHost.config")));
        }
        QVERIFY(QFile::copy(m_real + QStringLiteral("/MSCEP.reg"), twin + QStringLiteral("/MSCEP.reg")));
        auto text = audit::decodeWindowsText(readAll(m_real + QStringLiteral("/MSCEP.reg")));
        QVERIFY(text);
        const QString before = QStringLiteral("\"PasswordValidity\"=dword:0000003c");
        QVERIFY2(text->contains(before, Qt::CaseInsensitive), qPrintable(text->left(2000)));
        text->replace(before, QStringLiteral("\"PasswordValidity\"=dword:0000001e"), Qt::CaseInsensitive);
        QFile out(changed + QStringLiteral("/MSCEP.reg"));
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(audit::encodeWindowsText(*text));
        out.close();

        ui::SnapshotCompareDialog drift(ui::SnapshotCompareDialog::Mode::Drift, {m_real, changed});
        drift.resize(1000, 600);
        drift.show();
        QSignalSpy compared(&drift, &ui::SnapshotCompareDialog::compared);
        drift.compare();
        QVERIFY(compared.wait(60000));
        QVERIFY(drift.drift().has_value());
        const Run cli =
            runProgram(qEnvironmentVariable("NDESCTL"), {QStringLiteral("audit"), QStringLiteral("--compare"), m_real,
                                                         changed, QStringLiteral("--json")});
        QCOMPARE(cli.code, 1);
        const QJsonObject cliDrift = QJsonDocument::fromJson(cli.out).object();
        QCOMPARE(drift.drift()->toJson().value(QStringLiteral("differences")),
                 cliDrift.value(QStringLiteral("differences")));
        QCOMPARE(drift.table()->rowCount(), int(drift.drift()->differences.size()));
        bool found = false;
        for (int r = 0; r < drift.table()->rowCount(); ++r)
            if (drift.table()->item(r, 1)->text().contains(QStringLiteral("PasswordValidity"))) {
                found = true;
                QVERIFY(drift.table()->item(r, 2)->text().contains(QStringLiteral("60")));
                QVERIFY(drift.table()->item(r, 3)->text().contains(QStringLiteral("30")));
            }
        QVERIFY(found);
        screenshot(drift, QStringLiteral("audit-drift.png"));

        ui::SnapshotCompareDialog fleet(ui::SnapshotCompareDialog::Mode::Fleet, {m_real, changed});
        fleet.addPath(twin);
        fleet.addPath(twin); // once only
        QCOMPARE(fleet.paths().size(), 3);
        fleet.resize(1000, 600);
        fleet.show();
        QSignalSpy fleetDone(&fleet, &ui::SnapshotCompareDialog::compared);
        fleet.compare();
        QVERIFY(fleetDone.wait(60000));
        QVERIFY(fleet.fleet().has_value());
        // Exactly the settings the drift found differ, each with one value per server.
        QCOMPARE(fleet.fleet()->differences.size(), drift.drift()->differences.size());
        QCOMPARE(fleet.table()->columnCount(), 5);
        for (const audit::FleetRow& row : fleet.fleet()->differences) {
            QCOMPARE(row.values.size(), 3);
            QCOMPARE(row.values[0], row.values[2]); // the twin is alike
            QVERIFY(row.values[0] != row.values[1]);
        }
        screenshot(fleet, QStringLiteral("audit-fleet.png"));
    }
};

QTEST_MAIN(TestAuditPage)
#include "TestAuditPage.moc"
