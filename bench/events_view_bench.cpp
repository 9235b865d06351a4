// SPDX-License-Identifier: Apache-2.0
// Events page table at N rows (issue 7, "smooth scrolling at 1 M rows"): the EventsModel over an EventStore of N
// synthetic events in a QTableView (offscreen), scrolled to 300 random places and repainted each time; prints
// the median and worst repaint, and the time to re-filter the whole store through the model.
//   QT_QPA_PLATFORM=offscreen events_view_bench N
#include "EventsModel.h"
#include "events/EventCatalogue.h"
#include "events/EventStore.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QHeaderView>
#include <QRandomGenerator>
#include <QScrollBar>
#include <QTableView>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace ndes;

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    const qint64 n = argc > 1 ? QByteArray(argv[1]).toLongLong() : 1000000;
    auto catalogue = events::EventCatalogue::builtIn();
    events::EventStore store;
    QRandomGenerator rng(7);
    for (qint64 i = 0; i < n; ++i) {
        events::EventRecord e;
        const bool ndesEvent = rng.bounded(10) == 0;
        e.provider = ndesEvent ? QStringLiteral("Microsoft-Windows-NetworkDeviceEnrollmentService")
                               : QStringLiteral("Service Control Manager");
        e.eventId = ndesEvent ? 31 : 7036;
        e.level = ndesEvent ? 2 : 4;
        e.time = QDateTime::fromSecsSinceEpoch(1764000000 + i, Qt::UTC);
        e.computer = QStringLiteral("NDES01.corp.example");
        e.data = {{QStringLiteral("Data1"), QStringLiteral("request %1 from router-%2").arg(i).arg(rng.bounded(900))}};
        store.append(e);
    }
    ui::EventsModel model(catalogue ? &*catalogue : nullptr);
    QTableView view;
    view.setModel(&model);
    view.verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    view.verticalHeader()->setVisible(false);
    view.horizontalHeader()->setStretchLastSection(true);
    view.resize(1200, 700);
    view.show();
    QElapsedTimer t;
    t.start();
    model.setStore(&store);
    QApplication::processEvents();
    std::printf("%lld rows: model set and first paint in %lld ms\n", static_cast<long long>(n),
                static_cast<long long>(t.elapsed()));
    std::vector<double> ms;
    QScrollBar* bar = view.verticalScrollBar();
    for (int i = 0; i < 300; ++i) {
        t.restart();
        bar->setValue(int(rng.bounded(quint32(std::max(1, bar->maximum())))));
        view.viewport()->repaint();
        QApplication::processEvents();
        ms.push_back(double(t.nsecsElapsed()) / 1e6);
    }
    std::sort(ms.begin(), ms.end());
    std::printf("scroll to a random place and repaint: median %.1f ms, p99 %.1f ms, max %.1f ms (300 jumps)\n",
                ms[ms.size() / 2], ms[ms.size() * 99 / 100], ms.back());
    events::EventFilter f;
    f.ids = {31};
    t.restart();
    const qint64 took = model.setFilter(f);
    QApplication::processEvents();
    std::printf("filter to event 31 through the model: %lld ms in the store, %lld ms with the view's reset (%d rows)\n",
                static_cast<long long>(took), static_cast<long long>(t.elapsed()), model.rowCount());
    return 0;
}
