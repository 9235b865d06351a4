// SPDX-License-Identifier: Apache-2.0
#include "ndes/ChallengeAuditTrail.h"

#include <QFile>
#include <QSettings>
#include <QTemporaryDir>
#include <QtTest>

using namespace ndes;
using namespace ndes::service;

namespace {
ChallengeAuditEntry entry(int i) {
    return {QDateTime(QDate(2026, 11, 25), QTime(9, i), Qt::UTC),
            QStringLiteral("helpdesk1 as LAB\\helpdesk"),
            QStringLiteral("ndes.lab.example"),
            QStringLiteral("router-%1").arg(i),
            QStringLiteral("INC%1").arg(1000 + i),
            i == 2 ? QStringLiteral("cache-full") : QStringLiteral("issued")};
}

QList<QByteArray> lines(const QString& path) {
    QFile f(path);
    f.open(QIODevice::ReadOnly);
    QList<QByteArray> l = f.readAll().split('\n');
    if (!l.isEmpty() && l.last().isEmpty())
        l.removeLast();
    return l;
}

void writeLines(const QString& path, const QList<QByteArray>& l) {
    QFile f(path);
    f.open(QIODevice::WriteOnly);
    for (const QByteArray& line : l)
        f.write(line + '\n');
}
} // namespace

class TestChallengeAuditTrail : public QObject {
    Q_OBJECT
private:
    QString makeTrail(QTemporaryDir& dir) {
        const QString path = dir.filePath(QStringLiteral("audit.jsonl"));
        ChallengeAuditTrail trail(path);
        for (int i = 1; i <= 4; ++i)
            if (!trail.append(entry(i)).ok())
                return {};
        return path;
    }
private slots:
    void appendsAndVerifies() {
        QTemporaryDir dir;
        const QString path = makeTrail(dir);
        ChallengeAuditTrail trail(path);
        const auto v = trail.verify();
        QVERIFY(v.intact);
        QCOMPARE(v.lines, 4);
        auto list = trail.entries();
        QCOMPARE(list->size(), 4);
        QCOMPARE(list->at(1).outcome, QStringLiteral("cache-full"));
        QCOMPARE(list->at(3).device, QStringLiteral("router-4"));
        const QByteArray csv = *trail.exportCsv();
        QVERIFY(csv.startsWith("time,requested by,server,device,ticket,outcome\r\n"));
        QCOMPARE(csv.count("\r\n"), 5);
        QFile raw(path);
        QVERIFY(raw.open(QIODevice::ReadOnly));
        const QByteArray content = raw.readAll();
        QVERIFY(content.contains("router-4"));
        QVERIFY(!content.toLower().contains("password"));
    }
    void tamperingShows_data() {
        QTest::addColumn<QString>("change");
        QTest::addColumn<int>("badLine");
        QTest::newRow("edited") << QStringLiteral("edit") << 3;
        QTest::newRow("deleted") << QStringLiteral("delete") << 2;
        QTest::newRow("inserted") << QStringLiteral("insert") << 3;
        QTest::newRow("swapped") << QStringLiteral("swap") << 2;
    }
    void tamperingShows() {
        QFETCH(QString, change);
        QFETCH(int, badLine);
        QTemporaryDir dir;
        const QString path = makeTrail(dir);
        QList<QByteArray> l = lines(path);
        if (change == QLatin1String("edit"))
            l[1].replace("router-2", "router-X");
        else if (change == QLatin1String("delete"))
            l.removeAt(1);
        else if (change == QLatin1String("insert"))
            l.insert(2, l[1]);
        else
            l.swapItemsAt(1, 2);
        writeLines(path, l);
        const auto v = ChallengeAuditTrail(path).verify();
        QVERIFY(!v.intact);
        QCOMPARE(v.firstBadLine, badLine);
        QVERIFY(!v.problem.isEmpty());
    }
    // Cutting entries off the end leaves a valid chain; the head kept in the settings shows it.
    void cutAtTheEndShowsWithAnAnchor() {
        QTemporaryDir dir;
        QSettings settings(dir.filePath(QStringLiteral("settings.ini")), QSettings::IniFormat);
        const QString path = dir.filePath(QStringLiteral("audit.jsonl"));
        {
            ChallengeAuditTrail trail(path);
            trail.setAnchorStore(&settings);
            for (int i = 1; i <= 4; ++i)
                QVERIFY(trail.append(entry(i)).ok());
            QVERIFY(trail.verify().intact);
        }
        QList<QByteArray> l = lines(path);
        l.removeLast();
        writeLines(path, l);
        ChallengeAuditTrail reopened(path);
        QVERIFY(reopened.verify().intact); // the chain alone cannot tell
        reopened.setAnchorStore(&settings);
        auto v = reopened.verify();
        QVERIFY(!v.intact);
        QCOMPARE(v.firstBadLine, 4);
        QVERIFY2(v.problem.contains(QStringLiteral("removed")), qPrintable(v.problem));
        // The console's next append must not move the anchor onto the cut history and hide it (the review's
        // probe): the finding stays, and the trail itself says so.
        QVERIFY(reopened.append(entry(5)).ok());
        v = reopened.verify();
        QVERIFY(!v.intact);
        QVERIFY2(v.problem.contains(QStringLiteral("cut or rewritten")), qPrintable(v.problem));
        QVERIFY(lines(path).at(3).contains("audit-trail-tampered"));
        QVERIFY(ChallengeAuditTrail(path).verify().intact); // the chain itself goes on
        settings.remove(QStringLiteral("auditTrailAnchors"));
        // A whole new history that chains correctly, of the same length: its head is not the anchored one.
        {
            ChallengeAuditTrail fresh(path);
            QFile::remove(path);
            fresh.setAnchorStore(&settings);
            for (int i = 1; i <= 4; ++i)
                QVERIFY(fresh.append(entry(i)).ok());
        }
        QFile::remove(path);
        writeLines(path, {});
        ChallengeAuditTrail rebuilt(path);
        for (int i = 1; i <= 4; ++i)
            QVERIFY(rebuilt.append(entry(i == 3 ? 9 : i)).ok()); // written without the anchor: a forged history
        rebuilt.setAnchorStore(&settings);
        v = rebuilt.verify();
        QVERIFY(!v.intact);
        QVERIFY2(v.problem.contains(QStringLiteral("rewritten")), qPrintable(v.problem));
    }
    void csvGuardsAgainstFormulas() {
        QTemporaryDir dir;
        ChallengeAuditTrail trail(dir.filePath(QStringLiteral("a.jsonl")));
        ChallengeAuditEntry e = entry(1);
        e.device = QStringLiteral("=HYPERLINK(\"x\")");
        QVERIFY(trail.append(e).ok());
        QVERIFY(trail.exportCsv()->contains("\"'=HYPERLINK(\"\"x\"\")\""));
    }
};

QTEST_GUILESS_MAIN(TestChallengeAuditTrail)
#include "TestChallengeAuditTrail.moc"
