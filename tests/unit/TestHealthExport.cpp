// SPDX-License-Identifier: Apache-2.0
// Exports, the monitoring summary and the RA renewal script's quoting, with hostile values from a server.
#include "ndes/HealthExport.h"
#include "ndes/HealthProbe.h"
#include "ndes/RaRenewalScript.h"

#include <QtTest>

using namespace ndes::service;

namespace {

HealthReport report(const QString& server, HealthStatus status, const QString& subject, qint64 daysLeft) {
    HealthReport r;
    r.server = server;
    r.url = QUrl(QStringLiteral("https://%1/certsrv/mscep/mscep.dll").arg(server));
    r.status = status;
    r.checkedAt = QDateTime(QDate(2026, 11, 25), QTime(8, 0), Qt::UTC);
    r.totalMs = 42;
    if (status != HealthStatus::Ok)
        r.reasons.append({status, QStringLiteral("ra-expiring"), QStringLiteral("RA expires | soon\nreally")});
    ExpiryItem e;
    e.server = server;
    e.role = ExpiryRole::RaSigning;
    e.subject = subject;
    e.notAfter = r.checkedAt.addDays(daysLeft);
    e.daysLeft = daysLeft;
    e.status = daysLeft <= 7 ? ExpiryStatus::Critical : daysLeft <= 30 ? ExpiryStatus::Warning : ExpiryStatus::Ok;
    r.expiries << e;
    return r;
}

} // namespace

class TestHealthExport : public QObject {
    Q_OBJECT

private slots:
    // One table of reasons: each code has one stable name, found back from it, and a title that is words.
    void reasonCodesHaveNamesAndTitles() {
        QSet<QString> names;
        for (int i = 0; i <= int(HealthReasonCode::ServiceAccountExpiring); ++i) {
            const auto code = HealthReasonCode(i);
            const QString name = healthReasonCodeName(code);
            QVERIFY2(QRegularExpression(QStringLiteral("^[a-z0-9]+(-[a-z0-9]+)*$")).match(name).hasMatch(),
                     qPrintable(name));
            QVERIFY2(!names.contains(name), qPrintable(name));
            names << name;
            QCOMPARE(healthReasonCodeFromName(name), std::optional<HealthReasonCode>(code));
            QVERIFY(healthReasonTitle(code) != name && healthReasonTitle(code).size() > 3);
            QCOMPARE(healthReasonTitle(name), healthReasonTitle(code));
        }
        QCOMPARE(healthReasonCodeName(HealthReasonCode::RaExpired), QStringLiteral("ra-expired"));
        QCOMPARE(healthReasonCodeName(HealthReasonCode::AppPoolStopped), QStringLiteral("app-pool-stopped"));
        QCOMPARE(healthReasonTitle(QStringLiteral("from-a-later-version")), QStringLiteral("from-a-later-version"));
    }

    void csvCells_data() {
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("cell");
        QTest::newRow("plain") << QStringLiteral("NDES01") << QStringLiteral("NDES01");
        QTest::newRow("comma") << QStringLiteral("CN=a,O=b") << QStringLiteral("\"CN=a,O=b\"");
        QTest::newRow("quote") << QStringLiteral("say \"hi\"") << QStringLiteral("\"say \"\"hi\"\"\"");
        QTest::newRow("newline") << QStringLiteral("a\nb") << QStringLiteral("\"a\nb\"");
        QTest::newRow("formula") << QStringLiteral("=HYPERLINK(\"http://x\")")
                                 << QStringLiteral("\"'=HYPERLINK(\"\"http://x\"\")\"");
        QTest::newRow("plus") << QStringLiteral("+cmd") << QStringLiteral("'+cmd");
        QTest::newRow("minus number is text too") << QStringLiteral("-3") << QStringLiteral("'-3");
        QTest::newRow("at") << QStringLiteral("@SUM(A1)") << QStringLiteral("'@SUM(A1)");
        QTest::newRow("empty") << QString() << QString();
    }
    void csvCells() {
        QFETCH(QString, value);
        QFETCH(QString, cell);
        QCOMPARE(HealthExport::csvCell(value), cell);
    }

    void csvHasOneRowPerCertificateAndAServerWithout() {
        HealthReport down;
        down.server = QStringLiteral("NDES02");
        down.status = HealthStatus::Unreachable;
        const QByteArray csv = HealthExport::csv(
            {report(QStringLiteral("NDES01"), HealthStatus::Warning, QStringLiteral("CN=X,O=Y"), 20), down});
        const QList<QByteArray> lines = csv.split('\n');
        QCOMPARE(lines.size(), 4); // header, two rows, final empty
        QVERIFY(lines[1].startsWith("NDES01,https://ndes01/certsrv/mscep/mscep.dll,warning,ra-signing,\"CN=X,O=Y\","));
        QVERIFY(lines[1].contains(",20,warning,"));
        QVERIFY(lines[2].startsWith("NDES02,,unreachable,,,,,,"));
    }

    void htmlEscapesEverythingAServerSays() {
        const QByteArray html =
            HealthExport::html({report(QStringLiteral("<script>alert(1)</script>"), HealthStatus::Critical,
                                       QStringLiteral("CN=<img src=x onerror=alert(1)>"), 3)},
                               QDateTime(QDate(2026, 11, 25), QTime(9, 0), Qt::UTC));
        QVERIFY(!html.contains("<script>"));
        QVERIFY(!html.contains("<img"));
        QVERIFY(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        QVERIFY(html.contains("Generated 2026-11-25 09:00 UTC"));
    }

    void monitoringSummaryLine() {
        const QList<HealthReport> reports{
            report(QStringLiteral("A"), HealthStatus::Ok, QStringLiteral("CN=a"), 400),
            report(QStringLiteral("B"), HealthStatus::Warning, QStringLiteral("CN=b"), 20)};
        QCOMPARE(monitoringExitCode(reports), 1);
        const QString line = monitoringSummary(reports);
        QVERIFY2(
            line.startsWith(QStringLiteral("NDES WARNING - 2 server(s): 1 warning, 1 ok; B: RA expires / soon really "
                                           "| servers=2 ok=1 warning=1 critical=0 unreachable=0 ra_days_left_min=20")),
            qPrintable(line));
        QVERIFY(!line.contains(QLatin1Char('\n')));
        HealthReport down;
        down.status = HealthStatus::Unreachable;
        QCOMPARE(monitoringExitCode({down}), 2);
        QCOMPARE(monitoringExitCode({}), 0);
    }

    void powershellQuoting_data() {
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("literal");
        QTest::newRow("plain") << QStringLiteral("CA01\\Corp CA") << QStringLiteral("'CA01\\Corp CA'");
        QTest::newRow("apostrophe") << QStringLiteral("O'Brien") << QStringLiteral("'O''Brien'");
        QTest::newRow("curly quotes") << QStringLiteral("a‘b’c‚d‛e") << QStringLiteral("'a‘‘b’’c‚‚d‛‛e'");
        QTest::newRow("dollar and backtick stay literal")
            << QStringLiteral("$(Remove-Item x) `n") << QStringLiteral("'$(Remove-Item x) `n'");
        QTest::newRow("newline") << QStringLiteral("a\r\nb") << QStringLiteral("'a  b'");
        QTest::newRow("breakout") << QStringLiteral("x'; Remove-Item C:\\ -Recurse; '")
                                  << QStringLiteral("'x''; Remove-Item C:\\ -Recurse; '''");
    }
    void powershellQuoting() {
        QFETCH(QString, value);
        QFETCH(QString, literal);
        QCOMPARE(RaRenewalScript::quote(value), literal);
    }

    void renewalScriptCarriesNoRawValue() {
        RaRenewalParams p;
        p.serverName = QStringLiteral("NDES01\n#> Remove-Item C:\\");
        p.raSubject = QStringLiteral("CN=NDES01-MSCEP-RA,O=Contoso\\, Ltd,C=US");
        p.caConfig = QStringLiteral("ca01.contoso.com\\Contoso Issuing CA");
        const auto generated = RaRenewalScript::generate(p, QDateTime(QDate(2026, 11, 25), QTime(9, 0), Qt::UTC));
        QVERIFY(generated);
        const QString s = *generated;
        QVERIFY(s.contains(QStringLiteral("[string]$RaSubject = 'CN=NDES01-MSCEP-RA, O=Contoso\\, Ltd, C=US',")));
        QVERIFY(s.contains(QStringLiteral("[string]$RaName = 'NDES01-MSCEP-RA',")));
        QVERIFY(s.contains(QStringLiteral("[string]$CAConfig = 'ca01.contoso.com\\Contoso Issuing CA',")));
        // The server name sits in the comment block: one line, and it cannot close the block.
        QVERIFY(s.contains(QStringLiteral("Renews both NDES RA certificates on NDES01 # > Remove-Item C:\\.")));
        QCOMPARE(s.count(QStringLiteral("#>")), 1);
        QVERIFY(s.startsWith(QStringLiteral("#Requires -RunAsAdministrator\n")));
        QVERIFY(s.contains(QStringLiteral("$ErrorActionPreference = 'Stop'")));
    }
};

QTEST_GUILESS_MAIN(TestHealthExport)
#include "TestHealthExport.moc"
