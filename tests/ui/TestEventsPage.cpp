// SPDX-License-Identifier: Apache-2.0
// The Events page offscreen: a real EVTX log, live events streamed by ndes-lab over syslog, filters and views,
// the detail pane from the catalogue, pause/follow, highlight and notification, export and drag-and-drop.
#include "EventsModel.h"
#include "EventsPage.h"
#include "NdesLabProcess.h"
#include "events/EventXmlReader.h"

#include <QComboBox>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLineEdit>
#include <QMimeData>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace ndes;
using namespace ndes::ui;
using ndes::test::NdesLabProcess;

namespace {

QString evtx(const QString& name) {
    return qEnvironmentVariable("NDES_TEST_DATA") + QStringLiteral("/evtx/") + name;
}

// A device posting garbage: ndes-lab logs NDES event 17, as NDES does.
void postGarbage(const NdesLabProcess& lab) {
    QNetworkAccessManager nam;
    QNetworkRequest req(QUrl(lab.scepUrl() + QStringLiteral("?operation=PKIOperation")));
    req.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/x-pki-message"));
    QNetworkReply* reply = nam.post(req, QByteArray("not a PKCS#7 message"));
    QTRY_VERIFY_WITH_TIMEOUT(reply->isFinished(), 10000);
    reply->deleteLater();
}

} // namespace

class TestEventsPage : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
    }

    void evtxFileFiltersAndDetail() {
        EventsPage page;
        page.resize(1200, 700);
        page.show();
        page.openFiles({evtx(QStringLiteral("system.evtx"))});
        QVERIFY(page.isLoading());
        QTRY_VERIFY_WITH_TIMEOUT(!page.isLoading(), 30000);
        QCOMPARE(page.source(), EventsPage::Source::Files);
        QCOMPARE(page.fileStore()->size(), qint64(1881));
        // The default view shows NDES and related sources only: a System log has none, and the page says so.
        QCOMPARE(page.model()->rowCount(), 0);
        QVERIFY(page.statusText().startsWith(QStringLiteral("0 of 1,881 events")));
        page.applyView(QStringLiteral("All events"));
        QCOMPARE(page.model()->rowCount(), 1881);

        auto* ids = page.findChild<QLineEdit*>();
        QVERIFY(ids);
        const QList<QLineEdit*> edits = page.findChildren<QLineEdit*>();
        QLineEdit* idsEdit = nullptr;
        QLineEdit* textEdit = nullptr;
        for (QLineEdit* e : edits) {
            if (e->accessibleName() == QLatin1String("Event IDs"))
                idsEdit = e;
            if (e->accessibleName() == QLatin1String("Search text"))
                textEdit = e;
        }
        QVERIFY(idsEdit && textEdit);
        QTest::keyClicks(idsEdit, QStringLiteral("1014"));
        QTRY_VERIFY(page.model()->rowCount() > 0 && page.model()->rowCount() < 1881);
        for (int row = 0; row < page.model()->rowCount(); ++row)
            QCOMPARE(page.model()->data(page.model()->index(row, EventsModel::Id), Qt::DisplayRole).toInt(), 1014);
        const int with1014 = page.model()->rowCount();
        QTest::keyClicks(textEdit, QStringLiteral("_LDAP._TCP.dc"));
        QTRY_VERIFY(page.model()->rowCount() < with1014);
        QVERIFY(page.model()->rowCount() > 0);
        QVERIFY(page.lastFilterMs() < 200);
        idsEdit->clear();
        textEdit->clear();
        QTest::keyClicks(idsEdit, QStringLiteral("12, x"));
        QTRY_VERIFY(idsEdit->styleSheet().contains(QLatin1String("border"))); // "x" is not an ID: marked, not lost
        idsEdit->clear();

        page.selectRow(0);
        QTRY_VERIFY(page.detailText().contains(QLatin1String("Event data")));
        QVERIFY(page.detailText().contains(QLatin1String("Not in the catalogue")));
        QVERIFY(page.detailText().contains(QLatin1String("<EventID>")));
        // "What it means" carries the catalogue's words only; an unknown event's data has its own column.
        QCOMPARE(page.model()->data(page.model()->index(0, EventsModel::Description), Qt::DisplayRole).toString(),
                 QStringLiteral("not in the catalogue"));
        QVERIFY(!page.model()->data(page.model()->index(0, EventsModel::Data), Qt::DisplayRole).toString().isEmpty());
        QCOMPARE(page.model()->headerData(EventsModel::Data, Qt::Horizontal, Qt::DisplayRole).toString(),
                 QStringLiteral("Event data"));
    }

    // CAPI2 (the log PKI admins open for chain problems) keeps its data in <UserData>: shown as fields and XML.
    void capi2UserDataShown() {
        EventsPage page;
        page.resize(1200, 700);
        page.show();
        page.openFiles({evtx(
            QStringLiteral("E_ShadowCopy6_windows_system32_winevt_logs_Microsoft-Windows-CAPI2-Operational.evtx"))});
        QTRY_VERIFY_WITH_TIMEOUT(!page.isLoading(), 30000);
        page.applyView(QStringLiteral("All events"));
        QVERIFY(page.model()->rowCount() > 0);
        int row = -1;
        for (int i = 0; i < page.model()->rowCount() && row < 0; ++i)
            if (page.model()
                    ->data(page.model()->index(i, EventsModel::Data), Qt::DisplayRole)
                    .toString()
                    .contains(QLatin1String("ValidationTime: 2016-03-03T03:57:47Z")))
                row = i;
        QVERIFY2(row >= 0, "no CertGetCertificateChain event shows its validation time in the table");
        page.selectRow(row);
        QTRY_VERIFY(page.detailText().contains(QLatin1String("User data: CertGetCertificateChain")));
        const QString detail = page.detailText();
        QVERIFY(!detail.contains(QLatin1String("(none)")));
        QVERIFY(detail.contains(QStringLiteral("Certificate · subjectName")));
        QVERIFY(detail.contains(QLatin1String("Microsoft Corporation")));
        QVERIFY(detail.contains(QLatin1String("<UserData>")));
        QVERIFY(detail.contains(QLatin1String("<CertGetCertificateChain>")));
        QVERIFY(!detail.contains(QLatin1String("<EventData")));
    }

    void unreadableFileIsExplained() {
        EventsPage page;
        page.openFiles({evtx(QStringLiteral("LICENSE-MIT"))});
        QTRY_VERIFY_WITH_TIMEOUT(!page.isLoading(), 10000);
        QVERIFY(page.detailText().contains(QLatin1String("neither an EVTX")));
        QCOMPARE(page.source(), EventsPage::Source::Live);
    }

    void liveFromNdesLab() {
        QTemporaryDir dir;
        EventsPage page;
        page.resize(1200, 700);
        page.show();
        const Status st = page.startListening(*events::ListenerSpec::parse(QStringLiteral("syslog://127.0.0.1:0")));
        QVERIFY2(st, qPrintable(st ? QString() : st.error().toString()));
        const QString url = page.listenerUrl();
        const QString port = url.section(QLatin1Char(':'), -1);
        NdesLabProcess lab;
        QString error;
        QVERIFY2(lab.start({QStringLiteral("--syslog"), QStringLiteral("127.0.0.1:") + port, QStringLiteral("--host"),
                            QStringLiteral("NDES01")},
                           &error),
                 qPrintable(error));
        // The lab logs event 1 (service started) at once; a garbage request logs 17.
        QTRY_VERIFY_WITH_TIMEOUT(page.model()->rowCount() >= 1, 15000);
        QSignalSpy notified(&page, &EventsPage::notify);
        page.setHighlightIds(QStringLiteral("17"));
        page.setNotify(true);
        postGarbage(lab);
        QTRY_VERIFY_WITH_TIMEOUT(page.model()->rowCount() >= 2, 15000);
        QTRY_COMPARE(notified.count(), 1);
        QCOMPARE(notified.first().at(0).toString(), QStringLiteral("NDES event 17"));
        QVERIFY(page.selectFirstEvent(17));
        QTRY_VERIFY(page.detailText().contains(QLatin1String("What it means")));
        QVERIFY(page.detailText().contains(QLatin1String("Fix")));
        QVERIFY(page.detailText().contains(QLatin1String("NDES01")));
        const int row = page.model()->rowOf(page.model()->seqAt(page.table()->currentIndex().row()));
        QVERIFY(page.model()->data(page.model()->index(row, 0), Qt::BackgroundRole).isValid()); // highlighted

        // Paused: events keep arriving into the store but the table holds still.
        page.setPaused(true);
        const int before = page.model()->rowCount();
        postGarbage(lab);
        QTRY_VERIFY_WITH_TIMEOUT(page.statusText().contains(QLatin1String("paused: 1 new")), 15000);
        QCOMPARE(page.model()->rowCount(), before);
        page.setPaused(false);
        QTRY_COMPARE(page.model()->rowCount(), before + 1);
        QVERIFY(page.statusText().contains(QLatin1String("listening on syslog://127.0.0.1:")));
        // Plain words, and only what happened: nothing was removed or refused, so nothing is said about it.
        QVERIFY2(page.statusText().contains(QLatin1String(" received")), qPrintable(page.statusText()));
        QVERIFY(!page.statusText().contains(QLatin1String("removed")));
        QVERIFY(!page.statusText().contains(QLatin1String("not events")));
        QVERIFY(!page.statusText().contains(QLatin1String("pushed out")));

        // Export what is shown, in each format, and read it back.
        const int shown = page.model()->rowCount();
        QString err;
        QVERIFY2(page.exportTo(dir.filePath(QStringLiteral("e.xml")), QStringLiteral("xml"), &err), qPrintable(err));
        const auto xml = events::EventXmlReader::readFile(dir.filePath(QStringLiteral("e.xml")));
        QVERIFY2(xml.error.isEmpty(), qPrintable(xml.error));
        QCOMPARE(xml.events.size(), shown);
        QVERIFY(page.exportTo(dir.filePath(QStringLiteral("e.json")), QStringLiteral("json"), &err));
        QFile json(dir.filePath(QStringLiteral("e.json")));
        QVERIFY(json.open(QIODevice::ReadOnly));
        QCOMPARE(QJsonDocument::fromJson(json.readAll()).array().size(), shown);
        QVERIFY(page.exportTo(dir.filePath(QStringLiteral("e.csv")), QStringLiteral("csv"), &err));
        QFile csv(dir.filePath(QStringLiteral("e.csv")));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QByteArray csvBytes = csv.readAll();
        QVERIFY(csvBytes.startsWith("\xEF\xBB\xBF"
                                    "time,level,id"));
        QCOMPARE(csvBytes.count("\r\n"), shown + 1);
        QVERIFY(!page.exportTo(dir.filePath(QStringLiteral("missing/dir/e.csv")), QStringLiteral("csv"), &err));
        QVERIFY(!err.isEmpty());
        page.stopListening();
        QVERIFY(!page.isListening());
    }

    void savedViewsPersist() {
        {
            EventsPage page;
            page.applyView(QStringLiteral("All events"));
            for (QLineEdit* e : page.findChildren<QLineEdit*>())
                if (e->accessibleName() == QLatin1String("Event IDs"))
                    e->setText(QStringLiteral("10, 31"));
            page.saveCurrentView(QStringLiteral("Cache and templates"));
        }
        EventsPage again;
        QVERIFY(again.viewNames().contains(QStringLiteral("Cache and templates")));
        QVERIFY(again.viewNames().contains(QStringLiteral("NDES and related")));
        again.applyView(QStringLiteral("Cache and templates"));
        QCOMPARE(again.currentFilter().ids, (QSet<int>{10, 31}));
        QVERIFY(again.currentFilter().providers.isEmpty());
        // The default view is NDES and related.
        EventsPage fresh;
        QVERIFY(fresh.currentFilter().providers.contains(
            QStringLiteral("Microsoft-Windows-NetworkDeviceEnrollmentService")));
        // Its two boxes do not both say "NDES and related" (issue 15, item 12): the Source box names the sources.
        QComboBox* sourceBox = nullptr;
        for (QComboBox* c : fresh.findChildren<QComboBox*>())
            if (c->accessibleName() == QStringLiteral("Source"))
                sourceBox = c;
        QVERIFY(sourceBox);
        QCOMPARE(sourceBox->currentText(), QStringLiteral("NDES sources"));
        // The way out of a view that hides everything looks like a button, not tinted text.
        auto* hint = fresh.findChild<QWidget*>(QStringLiteral("hiddenHint"));
        QVERIFY(hint && hint->styleSheet().startsWith(QLatin1String("#hiddenHint")));
    }

    void dropOpensFiles() {
        EventsPage page;
        auto* mime = new QMimeData;
        mime->setUrls({QUrl::fromLocalFile(evtx(QStringLiteral("Application_no_crc32.evtx")))});
        QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&page, &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent drop(QPointF(10, 10), Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&page, &drop);
        QTRY_VERIFY_WITH_TIMEOUT(page.fileStore() && page.fileStore()->size() == 17, 15000);
        delete mime;
    }
};

QTEST_MAIN(TestEventsPage)
#include "TestEventsPage.moc"
