// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "EventViews.h"
#include "events/EventCatalogue.h"
#include "events/EventExport.h"
#include "events/EventListener.h"
#include "events/EventStore.h"

#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QWidget>

#include <atomic>
#include <memory>

class QCheckBox;
class QComboBox;
class QDateTimeEdit;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSplitter;
class QTableView;
class QTextBrowser;
class QTimer;
class QToolButton;

namespace ndes::ui {

class EventsModel;

// The event viewer: NDES events from EVTX or Event XML files and live from forwarders, explained from the
// catalogue. Files load on a worker with progress and cancel; live events go into a bounded store that counts what
// it pushes out; the table follows new events unless paused.
class EventsPage : public QWidget {
    Q_OBJECT
public:
    enum class Source { Live, Files };
    static constexpr qint64 defaultLiveCapacity = 200000;

    explicit EventsPage(QWidget* parent = nullptr);
    ~EventsPage() override;

    void openFiles(const QStringList& paths);
    Status startListening(const events::ListenerSpec& spec);
    void stopListening();
    [[nodiscard]] bool isListening() const { return m_listener && m_listener->isListening(); }
    [[nodiscard]] QString listenerUrl() const;
    [[nodiscard]] bool isLoading() const { return m_loading; }

    void setSource(Source source);
    [[nodiscard]] Source source() const { return m_source; }
    void applyView(const QString& keyOrName); // a view's key (EventView::key) or the name shown
    [[nodiscard]] QStringList viewNames() const;
    void saveCurrentView(const QString& name);
    [[nodiscard]] events::EventFilter currentFilter() const;

    void setPaused(bool paused);
    void setFollow(bool follow);
    void setHighlightIds(const QString& ids);
    void setNotify(bool on);
    // The events shown, in the order shown (events::exportEvents).
    Status exportTo(const QString& path, events::ExportFormat format) const;
    void selectRow(int row);
    bool selectFirstEvent(int id);

    [[nodiscard]] EventsModel* model() const { return m_model; }
    [[nodiscard]] QTableView* table() const { return m_table; }
    [[nodiscard]] QString detailText() const;
    [[nodiscard]] events::EventStore& liveStore() { return *m_live; }
    [[nodiscard]] const events::EventStore* fileStore() const { return m_files.get(); }
    [[nodiscard]] qint64 lastFilterMs() const { return m_lastFilterMs; }
    [[nodiscard]] QString statusText() const;

signals:
    void statusMessage(const QString& text);
    void notify(const QString& title, const QString& text);
    void loaded();

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    struct LoadResult;
    void buildUi();
    void refilter();
    void scheduleRefilter();
    void onLiveEvents(const QList<events::EventRecord>& batch);
    void syncLive();
    void showDetail();
    void updateStatus();
    void chooseFiles();
    void configureListener();
    void exportFiltered();
    void saveViewAs();
    void deleteView();
    void fillViewCombo(const QString& select);
    [[nodiscard]] QString providerKey() const; // "" all, "ndes", or what was typed
    void setProviderKey(const QString& key);
    void loadFinished();
    [[nodiscard]] const events::EventStore* currentStore() const;

    events::EventCatalogue m_catalogue;
    std::unique_ptr<events::EventStore> m_live;
    std::unique_ptr<events::EventStore> m_files;
    QStringList m_fileNames;
    QStringList m_fileProblems;
    std::unique_ptr<events::EventListener> m_listener;
    Source m_source = Source::Live;
    quint64 m_liveSynced = 0; // live events up to here are in the model
    bool m_paused = false;
    bool m_follow = true;
    bool m_notify = false;
    qint64 m_lastNotifyMs = 0;
    qint64 m_lastFilterMs = 0;
    EventViews m_views;

    bool m_loading = false;
    std::shared_ptr<std::atomic<qint64>> m_loadCount;
    std::shared_ptr<std::atomic<int>> m_loadPermille; // of all the files' bytes; -1 while unknown
    std::shared_ptr<std::atomic<bool>> m_loadCancel;
    QFutureWatcher<std::shared_ptr<LoadResult>>* m_loadWatcher = nullptr;
    QElapsedTimer m_loadClock;

    EventsModel* m_model = nullptr;
    QComboBox* m_sourceCombo = nullptr;
    QComboBox* m_viewCombo = nullptr;
    QComboBox* m_levelCombo = nullptr;
    QComboBox* m_providerCombo = nullptr;
    QLineEdit* m_idsEdit = nullptr;
    QComboBox* m_timeCombo = nullptr;
    QDateTimeEdit* m_fromEdit = nullptr;
    QDateTimeEdit* m_toEdit = nullptr;
    QLineEdit* m_textEdit = nullptr;
    QLineEdit* m_highlightEdit = nullptr;
    QCheckBox* m_notifyBox = nullptr;
    QCheckBox* m_followBox = nullptr;
    QPushButton* m_pauseButton = nullptr;
    QPushButton* m_listenButton = nullptr;
    QTableView* m_table = nullptr;
    QTextBrowser* m_detail = nullptr;
    QTextBrowser* m_raw = nullptr;
    QLabel* m_status = nullptr;
    QWidget* m_hiddenHint = nullptr;
    QLabel* m_hiddenHintLabel = nullptr;
    QProgressBar* m_progress = nullptr;
    QPushButton* m_cancelLoad = nullptr;
    QTimer* m_filterTimer = nullptr;
    QTimer* m_liveTimer = nullptr;
    QTimer* m_progressTimer = nullptr;
};

} // namespace ndes::ui
