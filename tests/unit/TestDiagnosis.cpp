// SPDX-License-Identifier: Apache-2.0
// The diagnosis rules as data: the built-in file is complete and valid, and each symptom ranks its cause first.
#include "ndes/Diagnosis.h"

#include <QtTest>

using namespace ndes::service;

class TestDiagnosis : public QObject {
    Q_OBJECT

    static EnrollmentObservation failed(const QString& step) {
        EnrollmentObservation o;
        o.failedStep = step;
        return o;
    }

private slots:
    void builtInCausesAreComplete() {
        auto d = Diagnosis::builtIn();
        QVERIFY2(d, d ? "" : qPrintable(d.error().message));
        QVERIFY(d->causeCount() >= 15);
        // Every cause, when it applies, comes with a way to confirm it, a fix and a source.
        EnrollmentObservation everything;
        everything.failedStep = QStringLiteral("request");
        everything.httpStatus = 500;
        everything.raState = QStringLiteral("expired");
        everything.eventIds = {2, 10, 18, 31};
        everything.failInfo = QStringLiteral("badRequest");
        for (const LikelyCause& c : d->diagnose(everything)) {
            QVERIFY2(!c.confirm.isEmpty() && !c.fix.isEmpty() && !c.sources.isEmpty(), qPrintable(c.id));
            QVERIFY(c.confidence > 0 && c.confidence < 1);
        }
    }

    void symptomsRankTheirCauseFirst_data() {
        QTest::addColumn<QString>("step");
        QTest::addColumn<int>("httpStatus");
        QTest::addColumn<QString>("errorKind");
        QTest::addColumn<QString>("errorCode");
        QTest::addColumn<QString>("failInfo");
        QTest::addColumn<QString>("message");
        QTest::addColumn<QList<int>>("events");
        QTest::addColumn<bool>("fetched");
        QTest::addColumn<QString>("cause");
        const QList<int> none;
        QTest::newRow("503") << "caps" << 503 << "http-status"
                             << ""
                             << ""
                             << "" << none << false << "app-pool-stopped";
        QTest::newRow("403 on request, fresh password") << "request" << 403 << "http-status"
                                                        << ""
                                                        << ""
                                                        << "" << none << true << "template-not-available";
        QTest::newRow("403 with access denied")
            << "request" << 403 << "http-status"
            << ""
            << ""
            << "Access is denied. 0x80070005" << none << true << "service-account-request-permission";
        QTest::newRow("500 with events 2 and 10") << "request" << 500 << "http-status"
                                                  << ""
                                                  << ""
                                                  << "" << QList<int>{2, 10} << true << "ra-key-access";
        QTest::newRow("500 RPC unavailable")
            << "request" << 500 << "http-status"
            << ""
            << ""
            << "The RPC server is unavailable. 0x800706ba" << none << true << "ca-unreachable";
        QTest::newRow("badRequest, password not fetched here") << "request" << 0 << "scep-failure"
                                                               << ""
                                                               << "badRequest"
                                                               << "" << none << false << "password-used-or-expired";
        QTest::newRow("badRequest, event 31 unsupported template")
            << "request" << 0 << "scep-failure"
            << ""
            << "badRequest"
            << "CERTSRV_E_UNSUPPORTED_CERT_TYPE" << QList<int>{31} << false << "template-not-available";
        QTest::newRow("event 18") << "request" << 500 << "http-status"
                                  << ""
                                  << ""
                                  << "" << QList<int>{18} << true << "wrong-ra-encryption";
        QTest::newRow("cache full") << "challenge" << 200 << "http-status"
                                    << "cache-full"
                                    << ""
                                    << "" << none << false << "cache-full";
        QTest::newRow("401") << "challenge" << 401 << "http-status"
                             << "unauthorized"
                             << ""
                             << "" << none << false << "admin-credentials";
        QTest::newRow("no permission") << "challenge" << 200 << "http-status"
                                       << "insufficient-permission"
                                       << ""
                                       << "" << none << false << "admin-permission";
        QTest::newRow("timeout") << "request" << 0 << "timeout"
                                 << "timeout"
                                 << ""
                                 << "" << none << true << "server-slow";
        QTest::newRow("tls") << "caps" << 0 << "tls"
                             << ""
                             << ""
                             << "" << none << false << "tls-untrusted";
        QTest::newRow("refused") << "caps" << 0 << "network"
                                 << ""
                                 << ""
                                 << "" << none << false << "not-reachable";
        QTest::newRow("404") << "caps" << 404 << "http-status"
                             << ""
                             << ""
                             << "" << none << false << "wrong-url";
        QTest::newRow("pending") << "poll" << 0 << "scep-failure"
                                 << "pending"
                                 << ""
                                 << "" << none << true << "pending-approval";
    }
    void symptomsRankTheirCauseFirst() {
        QFETCH(QString, step);
        QFETCH(int, httpStatus);
        QFETCH(QString, errorKind);
        QFETCH(QString, errorCode);
        QFETCH(QString, failInfo);
        QFETCH(QString, message);
        QFETCH(QList<int>, events);
        QFETCH(bool, fetched);
        QFETCH(QString, cause);
        EnrollmentObservation o = failed(step);
        o.httpStatus = httpStatus;
        o.errorKind = errorKind;
        o.errorCode = errorCode;
        o.failInfo = failInfo;
        o.message = message;
        o.eventIds = events;
        o.challengeFetched = fetched;
        auto d = Diagnosis::builtIn();
        QVERIFY(d);
        const QList<LikelyCause> causes = d->diagnose(o);
        QVERIFY(!causes.isEmpty());
        QStringList ids;
        for (const LikelyCause& c : causes)
            ids << QStringLiteral("%1=%2").arg(c.id).arg(c.confidence);
        QVERIFY2(causes.first().id == cause, qPrintable(ids.join(QLatin1Char(' '))));
    }

    void aHealthyRunHasNothingToSay() {
        EnrollmentObservation o;
        o.ok = true;
        o.raState = QStringLiteral("ok");
        o.challengeFetched = true;
        o.slowestStepMs = 40;
        QVERIFY(Diagnosis::builtIn()->diagnose(o).isEmpty());
    }

    void badCauseFilesAreRefusedWithAReason_data() {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("says");
        QTest::newRow("not json") << QByteArray("{causes: [") << QStringLiteral("not valid JSON");
        QTest::newRow("other format") << QByteArray(R"({"format": 2, "causes": []})") << QStringLiteral("format");
        QTest::newRow("empty") << QByteArray(R"({"format": 1, "causes": []})") << QStringLiteral("no cause");
        QTest::newRow("no fix") << QByteArray(R"({"format": 1, "causes": [{"id": "x", "title": "X", "score": 0.5,
            "require": {"httpStatus": [500]}}]})")
                                << QStringLiteral("needs an id, a title, a fix");
        QTest::newRow("no condition") << QByteArray(R"({"format": 1, "causes": [{"id": "x", "title": "X",
            "fix": "f", "score": 0.5}]})")
                                      << QStringLiteral("at least one condition");
        QTest::newRow("unknown condition") << QByteArray(R"({"format": 1, "causes": [{"id": "x", "title": "X",
            "fix": "f", "score": 0.5, "require": {"httpStatsu": [500]}}]})")
                                           << QStringLiteral("unknown condition \"httpStatsu\"");
    }
    void badCauseFilesAreRefusedWithAReason() {
        QFETCH(QByteArray, json);
        QFETCH(QString, says);
        auto d = Diagnosis::fromJson(json);
        QVERIFY(!d);
        QVERIFY2(d.error().message.contains(says), qPrintable(d.error().message));
    }
};

QTEST_GUILESS_MAIN(TestDiagnosis)
#include "TestDiagnosis.moc"
