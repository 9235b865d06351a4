// SPDX-License-Identifier: Apache-2.0
// ndes-console --help and --version on a machine without a display (over SSH, in a container, in a package build):
// they answer, where a QApplication would abort looking for an X server.
#include <QProcess>
#include <QtTest>

class TestConsoleCommandLine : public QObject {
    Q_OBJECT
    static QProcessEnvironment noDisplay() {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const char* name : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "XDG_SESSION_TYPE"})
            env.remove(QString::fromLatin1(name));
        return env;
    }

private slots:
    void helpAndVersionNeedNoDisplay_data() {
        QTest::addColumn<QString>("option");
        QTest::addColumn<QString>("expected");
        QTest::newRow("--version") << QStringLiteral("--version")
                                   << QStringLiteral("ndes-console ") + QStringLiteral(NDES_VERSION);
        QTest::newRow("--help") << QStringLiteral("--help") << QStringLiteral("--helpdesk");
        QTest::newRow("-h") << QStringLiteral("-h") << QStringLiteral("--setup-wizard");
    }
    void helpAndVersionNeedNoDisplay() {
        QFETCH(QString, option);
        QFETCH(QString, expected);
        QProcess console;
        console.setProcessEnvironment(noDisplay());
        console.start(qEnvironmentVariable("NDES_CONSOLE"), {option});
        QVERIFY(console.waitForFinished(30000));
        const QString out = QString::fromUtf8(console.readAllStandardOutput());
        const QString err = QString::fromUtf8(console.readAllStandardError());
        QVERIFY2(console.exitStatus() == QProcess::NormalExit && console.exitCode() == 0, qPrintable(err));
        QVERIFY2(out.contains(expected), qPrintable(out + err));
    }
};

QTEST_GUILESS_MAIN(TestConsoleCommandLine)
#include "TestConsoleCommandLine.moc"
