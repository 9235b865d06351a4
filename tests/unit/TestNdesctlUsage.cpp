// SPDX-License-Identifier: Apache-2.0
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

class TestNdesctlUsage : public QObject {
    Q_OBJECT
private slots:
    void usageErrors_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("stderrHas");
        const QString url = QStringLiteral("http://127.0.0.1:9/scep");
        QTest::newRow("no arguments") << QStringList() << 2 << QStringLiteral("Usage");
        QTest::newRow("unknown command") << QStringList{QStringLiteral("frobnicate")} << 2
                                         << QStringLiteral("unknown command");
        QTest::newRow("caps without url")
            << QStringList{QStringLiteral("caps")} << 2 << QStringLiteral("--url is required");
        QTest::newRow("ftp url") << QStringList{QStringLiteral("caps"), QStringLiteral("--url"),
                                                QStringLiteral("ftp://x/y")}
                                 << 2 << QStringLiteral("not an http");
        QTest::newRow("unknown option") << QStringList{QStringLiteral("caps"), QStringLiteral("--bogus")} << 2
                                        << QStringLiteral("bogus");
        QTest::newRow("challenge on the command line")
            << QStringList{QStringLiteral("enroll"), QStringLiteral("--url"), url, QStringLiteral("--challenge"),
                           QStringLiteral("SECRET123")}
            << 2 << QStringLiteral("never taken on the command line");
        QTest::newRow("no challenge source")
            << QStringList{QStringLiteral("enroll"),    QStringLiteral("--url"),      url,
                           QStringLiteral("--subject"), QStringLiteral("CN=x"),       QStringLiteral("--key-out"),
                           QStringLiteral("k"),         QStringLiteral("--cert-out"), QStringLiteral("c")}
            << 2 << QStringLiteral("--challenge-env");
        QTest::newRow("unset challenge variable") << QStringList{QStringLiteral("enroll"),
                                                                 QStringLiteral("--url"),
                                                                 url,
                                                                 QStringLiteral("--subject"),
                                                                 QStringLiteral("CN=x"),
                                                                 QStringLiteral("--key-out"),
                                                                 QStringLiteral("k"),
                                                                 QStringLiteral("--cert-out"),
                                                                 QStringLiteral("c"),
                                                                 QStringLiteral("--challenge-env"),
                                                                 QStringLiteral("NDES_TEST_SURELY_UNSET")}
                                                  << 2 << QStringLiteral("not set");
        QTest::newRow("bad key size")
            << QStringList{QStringLiteral("enroll"),     QStringLiteral("--url"),      url,
                           QStringLiteral("--key-size"), QStringLiteral("1024"),       QStringLiteral("--key-out"),
                           QStringLiteral("k"),          QStringLiteral("--cert-out"), QStringLiteral("c")}
            << 2 << QStringLiteral("2048, 3072 or 4096");
        QTest::newRow("bad pin")
            << QStringList{QStringLiteral("enroll"),      QStringLiteral("--url"),      url,
                           QStringLiteral("--ca-sha256"), QStringLiteral("abcd"),       QStringLiteral("--key-out"),
                           QStringLiteral("k"),           QStringLiteral("--cert-out"), QStringLiteral("c")}
            << 2 << QStringLiteral("64 hex");
        QTest::newRow("renew without key")
            << QStringList{QStringLiteral("renew"),     QStringLiteral("--url"), url,
                           QStringLiteral("--key-out"), QStringLiteral("k"),     QStringLiteral("--cert-out"),
                           QStringLiteral("c")}
            << 2 << QStringLiteral("--key and --cert");
        QTest::newRow("bad timeout") << QStringList{QStringLiteral("caps"), QStringLiteral("--url"), url,
                                                    QStringLiteral("--timeout"), QStringLiteral("soon")}
                                     << 2 << QStringLiteral("--timeout");
        QTest::newRow("connection refused")
            << QStringList{QStringLiteral("caps"), QStringLiteral("--url"), QStringLiteral("http://127.0.0.1:1/scep")}
            << 3 << QStringLiteral("Could not reach");
        // An option a command does not honour is not offered: it is refused, not silently ignored.
        QTest::newRow("caps has no --verbose")
            << QStringList{QStringLiteral("caps"), QStringLiteral("--url"), url, QStringLiteral("--verbose")} << 2
            << QStringLiteral("verbose");
        QTest::newRow("test follows no redirect") << QStringList{QStringLiteral("test"), QStringLiteral("--url"), url,
                                                                 QStringLiteral("--allow-redirect-host")}
                                                  << 2 << QStringLiteral("allow-redirect-host");
        QTest::newRow("challenge has no --url")
            << QStringList{QStringLiteral("challenge"), QStringLiteral("--url"), url} << 2 << QStringLiteral("url");
        QTest::newRow("help for an unknown command")
            << QStringList{QStringLiteral("help"), QStringLiteral("frobnicate")} << 2
            << QStringLiteral("unknown command");
        QTest::newRow("check: usage errors are UNKNOWN")
            << QStringList{QStringLiteral("check"), QStringLiteral("--url"), url, QStringLiteral("--timeout"),
                           QStringLiteral("0")}
            << 3 << QStringLiteral("--timeout");
    }
    void usageErrors() {
        QFETCH(QStringList, args);
        QFETCH(int, exitCode);
        QFETCH(QString, stderrHas);
        QProcess ctl;
        ctl.start(qEnvironmentVariable("NDESCTL"), args);
        QVERIFY(ctl.waitForFinished(30000));
        QCOMPARE(ctl.exitCode(), exitCode);
        const QString err = QString::fromUtf8(ctl.readAllStandardError());
        QVERIFY2(err.contains(stderrHas), qPrintable(err));
        QVERIFY(!err.contains(QStringLiteral("SECRET123")));
    }
    // A --key-out that is a symbolic link is refused before anything is sent (a refusal after the enrollment would
    // waste the challenge password; writing through the link would replace its target with a private key).
    void keyOutSymlinkIsRefusedBeforeSending() {
        QTemporaryDir dir;
        const QString target = dir.filePath(QStringLiteral("target"));
        QFile t(target);
        QVERIFY(t.open(QIODevice::WriteOnly));
        t.write("keep me");
        t.close();
        const QString link = dir.filePath(QStringLiteral("key.pem"));
        QVERIFY(QFile::link(target, link));
        QProcess ctl;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("NDES_TEST_CHALLENGE"), QStringLiteral("x"));
        ctl.setProcessEnvironment(env);
        ctl.start(qEnvironmentVariable("NDESCTL"),
                  {QStringLiteral("enroll"), QStringLiteral("--url"), QStringLiteral("http://127.0.0.1:1/scep"),
                   QStringLiteral("--subject"), QStringLiteral("CN=x"), QStringLiteral("--key-out"), link,
                   QStringLiteral("--cert-out"), dir.filePath(QStringLiteral("cert.pem")),
                   QStringLiteral("--challenge-env"), QStringLiteral("NDES_TEST_CHALLENGE")});
        QVERIFY(ctl.waitForFinished(30000));
        QCOMPARE(ctl.exitCode(), 2); // a usage error, not "could not reach" (exit 3): nothing was tried
        const QString err = QString::fromUtf8(ctl.readAllStandardError());
        QVERIFY2(err.contains(QStringLiteral("symbolic link")), qPrintable(err));
        QVERIFY(t.open(QIODevice::ReadOnly));
        QCOMPARE(t.readAll(), QByteArray("keep me"));
    }
    // --challenge-stdin on a terminal: a prompt on stderr and echo off, so the password is not shown as typed.
    void stdinSecretIsNotEchoedOnATerminal() {
        QTemporaryDir dir;
        const QByteArray ctl = qgetenv("NDESCTL");
        const QByteArray key = dir.filePath(QStringLiteral("k.pem")).toLocal8Bit();
        const QByteArray cert = dir.filePath(QStringLiteral("c.pem")).toLocal8Bit();
        int master = -1;
        const pid_t pid = forkpty(&master, nullptr, nullptr, nullptr);
        QVERIFY(pid >= 0);
        if (pid == 0) {
            ::execl(ctl.constData(), "ndesctl", "enroll", "--url", "http://127.0.0.1:1/scep", "--subject", "CN=x",
                    "--key-out", key.constData(), "--cert-out", cert.constData(), "--challenge-stdin",
                    static_cast<char*>(nullptr));
            ::_exit(127);
        }
        QByteArray seen;
        auto readFor = [&](int ms, const QByteArray& until) {
            QElapsedTimer t;
            t.start();
            while (t.elapsed() < ms && (until.isEmpty() || !seen.contains(until))) {
                pollfd pfd{master, POLLIN, 0};
                if (::poll(&pfd, 1, 100) <= 0)
                    continue;
                char buf[512];
                const ssize_t n = ::read(master, buf, sizeof buf);
                if (n <= 0)
                    return; // EIO: the child is gone
                seen.append(buf, n);
            }
        };
        readFor(10000, "challenge password: ");
        const bool prompted = seen.contains("challenge password: ");
        QVERIFY(::write(master, "TTYSECRET42\n", 12) == 12);
        readFor(20000, {});
        int status = 0;
        ::waitpid(pid, &status, 0);
        ::close(master);
        QVERIFY2(prompted, seen.constData());
        QVERIFY2(!seen.contains("TTYSECRET42"), "the password was echoed on the terminal");
        QVERIFY(WIFEXITED(status));
        QCOMPARE(WEXITSTATUS(status), 3); // it went on to the (unreachable) server: the line was read
    }
    // `ndesctl help` lists every command, each with its one-line description; each command's --help names it.
    void helpListsEveryCommand() {
        QProcess ctl;
        ctl.start(qEnvironmentVariable("NDESCTL"), {QStringLiteral("help")});
        QVERIFY(ctl.waitForFinished(30000));
        QCOMPARE(ctl.exitCode(), 0);
        const QString help = QString::fromUtf8(ctl.readAllStandardOutput());
        const QStringList names{QStringLiteral("caps"),   QStringLiteral("cacert"),    QStringLiteral("enroll"),
                                QStringLiteral("renew"),  QStringLiteral("challenge"), QStringLiteral("keychain"),
                                QStringLiteral("check"),  QStringLiteral("test"),      QStringLiteral("load"),
                                QStringLiteral("events"), QStringLiteral("listen"),    QStringLiteral("plan")};
        for (const QString& name : names) {
            const QRegularExpression line(QStringLiteral("^  %1 +\\S.{10,}$").arg(name),
                                          QRegularExpression::MultilineOption);
            QVERIFY2(line.match(help).hasMatch(), qPrintable(name + QStringLiteral(" missing from:\n") + help));
            QProcess one;
            one.start(qEnvironmentVariable("NDESCTL"), {QStringLiteral("help"), name});
            QVERIFY(one.waitForFinished(30000));
            QCOMPARE(one.exitCode(), 0);
            const QString text = QString::fromUtf8(one.readAllStandardOutput());
            QVERIFY2(text.startsWith(QStringLiteral("Usage: ndesctl %1 ").arg(name)), qPrintable(text));
            QVERIFY2(text.contains(QStringLiteral("--json")), qPrintable(text));
        }
    }
    void versionIsTheProjectVersion() {
        QProcess ctl;
        ctl.start(qEnvironmentVariable("NDESCTL"), {QStringLiteral("--version")});
        QVERIFY(ctl.waitForFinished(30000));
        QCOMPARE(ctl.exitCode(), 0);
        QCOMPARE(QString::fromUtf8(ctl.readAllStandardOutput()).trimmed(),
                 QStringLiteral("ndesctl ") + QStringLiteral(NDES_VERSION));
    }
    // With --json a failure is one document on stdout, in the shape the README gives.
    void jsonErrorShape() {
        QProcess ctl;
        ctl.start(qEnvironmentVariable("NDESCTL"), {QStringLiteral("caps"), QStringLiteral("--json")});
        QVERIFY(ctl.waitForFinished(30000));
        QCOMPARE(ctl.exitCode(), 2);
        const QJsonObject doc = QJsonDocument::fromJson(ctl.readAllStandardOutput()).object();
        QCOMPARE(doc.value(QStringLiteral("error")).toString(), QStringLiteral("usage"));
        QCOMPARE(doc.value(QStringLiteral("kind")).toString(), QStringLiteral("usage"));
        QVERIFY(doc.value(QStringLiteral("message")).toString().contains(QStringLiteral("--url is required")));
        QVERIFY(doc.contains(QStringLiteral("detail")));
    }
    void helpIsExitZero() {
        for (const QStringList& args :
             {QStringList{QStringLiteral("--help")}, QStringList{QStringLiteral("enroll"), QStringLiteral("--help")}}) {
            QProcess ctl;
            ctl.start(qEnvironmentVariable("NDESCTL"), args);
            QVERIFY(ctl.waitForFinished(30000));
            QCOMPARE(ctl.exitCode(), 0);
            QVERIFY(!ctl.readAllStandardOutput().isEmpty());
        }
    }
};

QTEST_GUILESS_MAIN(TestNdesctlUsage)
#include "TestNdesctlUsage.moc"
