// SPDX-License-Identifier: Apache-2.0
// ndesctl and the core SCEP client against a real, independent SCEP server: micromdm scepserver.
#include "ScepServerProcess.h"

#include "pki/Certificate.h"
#include "pki/PrivateKey.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using namespace ndes;
using namespace ndes::test;

namespace {
const QString challenge = QStringLiteral("integration-secret-42");

struct Run {
    int exitCode = -1;
    QByteArray out;
    QString err;
};
} // namespace

class TestScepServerIntegration : public QObject {
    Q_OBJECT
private:
    ScepServerProcess m_server;
    QTemporaryDir m_dir;
    int m_serial = 0;

    Run ndesctl(const QStringList& args, const QByteArray& challengeEnv = {}, const QByteArray& stdinData = {}) {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        if (!challengeEnv.isNull())
            env.insert(QStringLiteral("NDES_CHALLENGE"), QString::fromLatin1(challengeEnv));
        p.setProcessEnvironment(env);
        p.start(qEnvironmentVariable("NDESCTL"), args);
        if (!stdinData.isNull())
            p.write(stdinData);
        p.closeWriteChannel();
        p.waitForFinished(60000);
        return {p.exitCode(), p.readAllStandardOutput(), QString::fromUtf8(p.readAllStandardError())};
    }
    QString path(const QString& name) const { return m_dir.filePath(name); }
    QString uniqueCn() {
        return QStringLiteral("CN=device-%1-%2").arg(QCoreApplication::applicationPid()).arg(++m_serial);
    }

    int opensslVerify(const QString& certPath) {
        QProcess v;
        v.start(QStringLiteral("openssl"),
                {QStringLiteral("verify"), QStringLiteral("-CAfile"), m_server.caPemPath(), certPath});
        v.waitForFinished(30000);
        return v.exitCode();
    }

private slots:
    void initTestCase() {
        QString error;
        QVERIFY2(m_server.start(challenge, &error), qPrintable(error));
        QVERIFY(m_dir.isValid());
    }

    void caps() {
        const Run r = ndesctl(
            {QStringLiteral("caps"), QStringLiteral("--url"), m_server.url().toString(), QStringLiteral("--json")});
        QCOMPARE(r.exitCode, 0);
        const QJsonArray caps = QJsonDocument::fromJson(r.out).object().value(QStringLiteral("capabilities")).toArray();
        QVERIFY(caps.contains(QStringLiteral("POSTPKIOperation")));
        QVERIFY(caps.contains(QStringLiteral("AES")));
        QVERIFY(caps.contains(QStringLiteral("SHA-256")));
    }

    void cacert() {
        const QString out = path(QStringLiteral("cacert"));
        const Run r = ndesctl({QStringLiteral("cacert"), QStringLiteral("--url"), m_server.url().toString(),
                               QStringLiteral("--out"), out, QStringLiteral("--json")});
        QCOMPARE(r.exitCode, 0);
        const QJsonArray certs =
            QJsonDocument::fromJson(r.out).object().value(QStringLiteral("certificates")).toArray();
        QCOMPARE(certs.size(), 1);
        const QJsonObject ca = certs.at(0).toObject();
        QCOMPARE(ca.value(QStringLiteral("role")).toString(), QStringLiteral("ca"));
        QVERIFY(ca.value(QStringLiteral("daysLeft")).toInt() > 3000);
        // The saved PEM is byte-for-byte the depot's CA certificate.
        QFile saved(out + QStringLiteral("/ca.pem"));
        QFile depot(m_server.caPemPath());
        QVERIFY(saved.open(QIODevice::ReadOnly) && depot.open(QIODevice::ReadOnly));
        auto a = pki::Certificate::fromPem(saved.readAll());
        auto b = pki::Certificate::fromPem(depot.readAll());
        QVERIFY(a.ok() && b.ok());
        QVERIFY(*a == *b);
        QCOMPARE(ca.value(QStringLiteral("sha256")).toString(), pki::Certificate::hex(b->sha256()));
    }

    void enrollAndVerifyWithOpenssl_data() {
        QTest::addColumn<QStringList>("extra");
        QTest::addColumn<bool>("viaStdin");
        QTest::newRow("POST, env, 2048") << QStringList{} << false;
        QTest::newRow("GET, stdin, 3072")
            << QStringList{QStringLiteral("--get"), QStringLiteral("--key-size"), QStringLiteral("3072")} << true;
    }
    void enrollAndVerifyWithOpenssl() {
        QFETCH(QStringList, extra);
        QFETCH(bool, viaStdin);
        const QString key = path(QStringLiteral("enroll-%1.key").arg(m_serial));
        const QString cert = path(QStringLiteral("enroll-%1.pem").arg(m_serial));
        const QString cn = uniqueCn();
        QStringList args{QStringLiteral("enroll"),
                         QStringLiteral("--url"),
                         m_server.url().toString(),
                         QStringLiteral("--subject"),
                         cn + QStringLiteral(",O=Tests"),
                         QStringLiteral("--san-dns"),
                         QStringLiteral("dev.example.test"),
                         QStringLiteral("--key-out"),
                         key,
                         QStringLiteral("--cert-out"),
                         cert,
                         QStringLiteral("--json")};
        args << extra;
        args << (viaStdin ? QStringLiteral("--challenge-stdin") : QStringLiteral("--challenge-env"));
        if (!viaStdin)
            args << QStringLiteral("NDES_CHALLENGE");
        const Run r = viaStdin ? ndesctl(args, {}, challenge.toLatin1() + "\n") : ndesctl(args, challenge.toLatin1());
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(!r.out.contains(challenge.toLatin1()));
        QVERIFY(!r.err.contains(challenge));
        QCOMPARE(opensslVerify(cert), 0);
        QCOMPARE(QFileInfo(key).permissions() &
                     (QFile::ReadGroup | QFile::ReadOther | QFile::WriteGroup | QFile::WriteOther),
                 QFileDevice::Permissions());
        const QJsonObject doc = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(doc.value(QStringLiteral("method")).toString(),
                 extra.contains(QStringLiteral("--get")) ? QStringLiteral("GET") : QStringLiteral("POST"));
        QCOMPARE(doc.value(QStringLiteral("cipher")).toString(), QStringLiteral("AES-128-CBC"));
        // scepserver replies with DES-CBC: the legacy provider had to be used, and that was reported.
        QVERIFY(doc.value(QStringLiteral("warnings"))
                    .toArray()
                    .at(0)
                    .toString()
                    .contains(QStringLiteral("legacy provider")) ||
                doc.value(QStringLiteral("warnings")).toString().isEmpty());
        QFile kf(key);
        QFile cf(cert);
        QVERIFY(kf.open(QIODevice::ReadOnly) && cf.open(QIODevice::ReadOnly));
        auto k = pki::PrivateKey::fromPem(kf.readAll());
        auto c = pki::Certificate::fromPem(cf.readAll());
        QVERIFY(k.ok() && c.ok());
        QVERIFY(k->matches(c->publicKey()));
        QCOMPARE(c->commonName(), cn.mid(3));
        QCOMPARE(c->dnsNames(), QStringList{QStringLiteral("dev.example.test")});
        QCOMPARE(k->bits(), extra.contains(QStringLiteral("3072")) ? 3072 : 2048);
    }

    void wrongChallengeNamesFailInfo() {
        const Run r = ndesctl(
            {QStringLiteral("enroll"), QStringLiteral("--url"), m_server.url().toString(), QStringLiteral("--subject"),
             uniqueCn(), QStringLiteral("--key-out"), path(QStringLiteral("wrong.key")), QStringLiteral("--cert-out"),
             path(QStringLiteral("wrong.pem")), QStringLiteral("--challenge-env"), QStringLiteral("NDES_CHALLENGE")},
            "not-the-password");
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QStringLiteral("FAILURE, failInfo badRequest")), qPrintable(r.err));
        QVERIFY(!QFileInfo::exists(path(QStringLiteral("wrong.key"))));
        QVERIFY(!r.err.contains(QStringLiteral("not-the-password")));
    }

    void renew() {
        const QString key = path(QStringLiteral("renew-old.key"));
        const QString cert = path(QStringLiteral("renew-old.pem"));
        const QString cn = uniqueCn();
        Run r =
            ndesctl({QStringLiteral("enroll"), QStringLiteral("--url"), m_server.url().toString(),
                     QStringLiteral("--subject"), cn, QStringLiteral("--key-out"), key, QStringLiteral("--cert-out"),
                     cert, QStringLiteral("--challenge-env"), QStringLiteral("NDES_CHALLENGE")},
                    challenge.toLatin1());
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QString newKey = path(QStringLiteral("renew-new.key"));
        const QString newCert = path(QStringLiteral("renew-new.pem"));
        // micromdm scepserver checks the challenge on RenewalReq too (its quirk), so it is given here.
        r = ndesctl({QStringLiteral("renew"), QStringLiteral("--url"), m_server.url().toString(),
                     QStringLiteral("--key"), key, QStringLiteral("--cert"), cert, QStringLiteral("--key-out"), newKey,
                     QStringLiteral("--cert-out"), newCert, QStringLiteral("--challenge-env"),
                     QStringLiteral("NDES_CHALLENGE"), QStringLiteral("--json")},
                    challenge.toLatin1());
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(opensslVerify(newCert), 0);
        QFile o(cert);
        QFile n(newCert);
        QVERIFY(o.open(QIODevice::ReadOnly) && n.open(QIODevice::ReadOnly));
        auto oldC = pki::Certificate::fromPem(o.readAll());
        auto newC = pki::Certificate::fromPem(n.readAll());
        QCOMPARE(newC->subject(), oldC->subject());
        QVERIFY(newC->serialHex() != oldC->serialHex());
        QVERIFY(m_server.log().contains(QStringLiteral("Revoking certificate with serial ") +
                                        oldC->serialHex().rightJustified(2, QLatin1Char('0'))) ||
                m_server.log().contains(QStringLiteral("Revoking certificate")));
    }

    void pinnedCaMismatchIsRefused() {
        const Run r = ndesctl(
            {QStringLiteral("enroll"), QStringLiteral("--url"), m_server.url().toString(), QStringLiteral("--subject"),
             uniqueCn(), QStringLiteral("--key-out"), path(QStringLiteral("pin.key")), QStringLiteral("--cert-out"),
             path(QStringLiteral("pin.pem")), QStringLiteral("--challenge-env"), QStringLiteral("NDES_CHALLENGE"),
             QStringLiteral("--ca-sha256"), QString(64, QLatin1Char('A'))},
            challenge.toLatin1());
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.err.contains(QStringLiteral("pinned")));
    }
};

QTEST_GUILESS_MAIN(TestScepServerIntegration)
#include "TestScepServerIntegration.moc"
