// SPDX-License-Identifier: Apache-2.0
// The failure messages of the tests that look for secrets (tests/support/SecretScan) say where a secret was found
// and never print it, not even partly.
#include "SecretScan.h"

#include <QtTest>

using namespace ndes::test;

namespace {

// True when no 4-byte piece of `secret` is in `message`.
bool showsNoPieceOf(const QString& message, const QByteArray& secret) {
    const QByteArray text = message.toLatin1();
    for (qsizetype i = 0; i + 4 <= secret.size(); ++i)
        if (text.contains(secret.mid(i, 4)))
            return false;
    return true;
}

} // namespace

class TestSecretScan : public QObject {
    Q_OBJECT
private slots:
    void saysWhereNotWhat() {
        const QByteArray log = "ChallengePage: fetched for FW-PARIS-01\nAdminClient: reply from LAB\\helpdesk "
                               "Qx7#Vm9!Kz2$ in 12 ms\n";
        const QByteArray secret = "Qx7#Vm9!Kz2$";
        const QString m = whereSecretsAre(log, {{QStringLiteral("the account password"), secret}},
                                          QStringLiteral("the messages the program logged"));
        QVERIFY(m.startsWith(QStringLiteral("secret found in the messages the program logged: the account password "
                                            "at byte %1 of %2 (1 time(s)): ...")
                                 .arg(log.indexOf(secret))
                                 .arg(log.size())));
        QVERIFY2(m.contains(QStringLiteral("reply from LAB\\\\helpdesk *** in 12 ms\\n\"")), qPrintable(m));
        QVERIFY(showsNoPieceOf(m, secret));
        QVERIFY(whereSecretsAre("nothing here", {{QStringLiteral("s"), secret}}, QStringLiteral("x")).isEmpty());
        QVERIFY(whereSecretsAre("anything", {{QStringLiteral("empty"), QByteArray()}}, QStringLiteral("x")).isEmpty());
    }

    void neighbouringSecretsStayHiddenAtTheExcerptsEdges() {
        // A challenge as shown and without spaces, and a second one whose start falls inside the first's excerpt.
        const QByteArray shown = "8CE3 1702 1F69 0069";
        const QByteArray compact = "8CE317021F690069";
        const QByteArray other = "D4A7B5E2C9F10B36";
        const QByteArray data = "copied " + shown + " then " + compact + " x " + other + " end";
        const QList<NamedSecret> secrets{{QStringLiteral("challenge 1 as shown"), shown},
                                         {QStringLiteral("challenge 1 without spaces"), compact},
                                         {QStringLiteral("challenge 2"), other}};
        const QString m = whereSecretsAre(data, secrets, QStringLiteral("the clipboard"));
        QVERIFY(m.contains(QStringLiteral("challenge 1 as shown at byte 7")));
        QVERIFY(m.contains(QStringLiteral("challenge 2 at byte %1").arg(data.indexOf(other))));
        for (const NamedSecret& s : secrets)
            QVERIFY2(showsNoPieceOf(m, s.value), qPrintable(s.name));
    }

    void bytesThatAreNotTextAreEscaped() {
        const QByteArray data = QByteArray("\x00\x01key=", 6) + "S3cr3t-Value" + "\xff\r\n";
        const QString m = whereSecretsAre(data, {{QStringLiteral("the password"), "S3cr3t-Value"}},
                                          QStringLiteral("the file settings.ini"));
        QVERIFY2(m.contains(QStringLiteral("\"\\x00\\x01key=***\\xff\\r\\n\"")), qPrintable(m));
    }

    void redactedOutput() {
        QCOMPARE(redacted("error for LAB\\alice:Alice-Pa55 (Alice-Pa55)", {"Alice-Pa55", "Pa55"}),
                 QByteArray("error for LAB\\alice:*** (***)"));
        QCOMPARE(withoutChallengePassword(
                     QStringLiteral("<P> The enrollment challenge password is: <B> 8CE317021F690069 </B> <P>")),
                 QStringLiteral("<P> The enrollment challenge password is: <B> *** </B> <P>"));
    }
};

QTEST_GUILESS_MAIN(TestSecretScan)
#include "TestSecretScan.moc"
