// SPDX-License-Identifier: Apache-2.0
// certmonger (getcert + scep-submit), a second independent SCEP client, enrolls against ndes-lab. certmonger
// runs on a private session bus (dbus-run-session) with every state directory in a temporary folder.
#include "NdesLabProcess.h"

#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using namespace ndes::test;

class TestCertmongerIntegration : public QObject {
    Q_OBJECT
private slots:
    void enrollsAgainstTheLab() {
        for (const char* tool : {"certmonger", "getcert", "dbus-run-session"})
            if (QStandardPaths::findExecutable(QString::fromLatin1(tool)).isEmpty())
                QFAIL(qPrintable(QStringLiteral("%1 missing: bash scripts/install-deps.sh").arg(QLatin1String(tool))));
        NdesLabProcess lab;
        QString error;
        QVERIFY2(lab.start({}, &error), qPrintable(error));
        int status = 0;
        const QString page = decodeUtf16Le(curl({lab.adminUrl()}, &status));
        const auto m = QRegularExpression(QStringLiteral("challenge password is: <B> ([0-9A-F]+) </B>")).match(page);
        QVERIFY(m.hasMatch());

        QTemporaryDir dir;
        for (const char* sub : {"cas", "requests", "tmp", "config", "local", "home", "run"})
            QVERIFY(QDir(dir.path()).mkpath(QString::fromLatin1(sub)));
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("CERTMONGER_CAS_DIR"), dir.filePath(QStringLiteral("cas")));
        env.insert(QStringLiteral("CERTMONGER_REQUESTS_DIR"), dir.filePath(QStringLiteral("requests")));
        env.insert(QStringLiteral("CERTMONGER_TMPDIR"), dir.filePath(QStringLiteral("tmp")));
        env.insert(QStringLiteral("CERTMONGER_CONFIG_DIR"), dir.filePath(QStringLiteral("config")));
        env.insert(QStringLiteral("CERTMONGER_LOCAL_CA_DIR"), dir.filePath(QStringLiteral("local")));
        env.insert(QStringLiteral("CERTMONGER_SYSTEM_LOCK_FILE"), dir.filePath(QStringLiteral("lock")));
        env.insert(QStringLiteral("HOME"), dir.filePath(QStringLiteral("home")));
        env.insert(QStringLiteral("XDG_RUNTIME_DIR"), dir.filePath(QStringLiteral("run")));
        env.insert(QStringLiteral("LAB_SCEP_URL"), lab.scepUrl());
        env.insert(QStringLiteral("LAB_CHAIN"), lab.chainPemPath());
        env.insert(QStringLiteral("LAB_CHALLENGE"), m.captured(1));
        env.insert(QStringLiteral("OUT"), dir.path());
        // getcert takes the challenge as an argument (its interface); it is a single-use lab password.
        const QString script = QStringLiteral(
            "certmonger -s -n -d 1 > \"$OUT/certmonger.log\" 2>&1 & cm=$!\n"
            "for i in $(seq 1 100); do getcert list -s >/dev/null 2>&1 && break; sleep 0.1; done\n"
            "getcert add-scep-ca -s -c ndeslab -u \"$LAB_SCEP_URL\" -I \"$LAB_CHAIN\" || { kill $cm; exit 11; }\n"
            "getcert request -s -c ndeslab -f \"$OUT/cert.pem\" -k \"$OUT/key.pem\" -N CN=certmonger-device "
            "-D certmonger-device.lab.example -L \"$LAB_CHALLENGE\" -w -v; rc=$?\n"
            "getcert list -s > \"$OUT/list.txt\" 2>&1\n"
            "kill $cm; wait $cm 2>/dev/null; exit $rc\n");
        QProcess run;
        run.setProcessEnvironment(env);
        run.setProcessChannelMode(QProcess::MergedChannels);
        run.start(QStringLiteral("dbus-run-session"),
                  {QStringLiteral("--"), QStringLiteral("sh"), QStringLiteral("-c"), script});
        QVERIFY(run.waitForFinished(120000));
        QFile log(dir.filePath(QStringLiteral("certmonger.log")));
        log.open(QIODevice::ReadOnly);
        QVERIFY2(run.exitCode() == 0, qPrintable(QString::fromLocal8Bit(run.readAll() + log.readAll().right(3000))));
        QFile list(dir.filePath(QStringLiteral("list.txt")));
        QVERIFY(list.open(QIODevice::ReadOnly));
        const QByteArray l = list.readAll();
        QVERIFY2(l.contains("status: MONITORING"), l.constData());
        QVERIFY(l.contains("issuer: CN=NDES Lab Issuing CA,O=NDES Console Lab"));

        QProcess verify;
        verify.start(QStringLiteral("openssl"), {QStringLiteral("verify"), QStringLiteral("-CAfile"),
                                                 lab.chainPemPath(), dir.filePath(QStringLiteral("cert.pem"))});
        QVERIFY(verify.waitForFinished(30000));
        QCOMPARE(verify.exitCode(), 0);
        // Nothing was written outside the temporary folder.
        QVERIFY(!QDir(dir.filePath(QStringLiteral("requests"))).entryList(QDir::Files).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestCertmongerIntegration)
#include "TestCertmongerIntegration.moc"
