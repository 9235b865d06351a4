// SPDX-License-Identifier: Apache-2.0
#include "ChallengePage.h"
#include "ReadOnlyGuard.h"
#include "util/Access.h"

#include "ConsoleContext.h"
#include "QrCodeWidget.h"
#include "ServerPassword.h"
#include "util/Clock.h"

#include <QComboBox>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QShortcut>
#include <QTableWidget>
#include <QVBoxLayout>

namespace ndes::ui {

namespace {
// "8CE3 1702 1F69 0069", built in one buffer: no pieces of the password left in freed strings.
QString grouped(const QString& hex) {
    QString out;
    out.reserve(hex.size() + hex.size() / 4);
    for (qsizetype i = 0; i < hex.size(); ++i) {
        if (i > 0 && i % 4 == 0)
            out.append(QLatin1Char(' '));
        out.append(hex.at(i));
    }
    return out;
}

QString mmss(qint64 secs) {
    return QStringLiteral("%1:%2").arg(secs / 60).arg(secs % 60, 2, 10, QLatin1Char('0'));
}
} // namespace

ChallengePage::ChallengePage(ConsoleContext* context, bool compact, QWidget* parent)
    : QWidget(parent)
    , m_context(context)
    , m_compact(compact) {
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(compact ? 12 : 24, compact ? 12 : 20, compact ? 12 : 24, compact ? 12 : 20);
    outer->setSpacing(12);

    if (!compact) {
        auto* title = new QLabel(tr("Challenge passwords"), this);
        title->setObjectName(QStringLiteral("pageTitle"));
        auto* intro = new QLabel(tr("A one-time password from the NDES admin page, for a device to enroll with. "
                                    "Read it aloud in groups, copy it, or let the device scan the QR code."),
                                 this);
        intro->setWordWrap(true);
        intro->setObjectName(QStringLiteral("pageIntro"));
        outer->addWidget(title);
        outer->addWidget(intro);
    }

    auto* form = new QFormLayout;
    form->setLabelAlignment(Qt::AlignRight | Qt::AlignVCenter);
    m_server = new QComboBox(this);
    // A long server name must not widen the window: the box shows ~24 characters, the list the whole name.
    m_server->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_server->setMinimumContentsLength(24);
    m_server->setAccessibleName(tr("NDES server"));
    m_server->setMinimumWidth(260);
    m_device = new QLineEdit(this);
    m_device->setPlaceholderText(tr("optional, e.g. FW-PARIS-01"));
    m_device->setAccessibleName(tr("Device name"));
    form->addRow(tr("&Server:"), m_server);
    form->addRow(tr("&Device:"), m_device);
    if (!compact) {
        m_ticket = new QLineEdit(this);
        m_ticket->setPlaceholderText(tr("optional, e.g. INC0012345"));
        m_ticket->setAccessibleName(tr("Ticket number"));
        form->addRow(tr("Tic&ket:"), m_ticket);
    }
    outer->addLayout(form);

    m_httpWarning = new QLabel(this);
    m_httpWarning->setObjectName(QStringLiteral("warningBanner"));
    m_httpWarning->setWordWrap(true);
    m_httpWarning->hide();
    outer->addWidget(m_httpWarning);

    m_generate = new QPushButton(tr("&Generate challenge password"), this);
    m_generate->setObjectName(QStringLiteral("primaryButton"));
    m_generate->setToolTip(tr("Get a new one-time password from the NDES admin page (Ctrl+G)"));
    m_generate->setMinimumHeight(44);
    outer->addWidget(m_generate);
    guardWriteControl(m_generate); // each password fills a slot of NDES's cache
    if (Access::readOnly()) {
        auto* note = new QLabel(tr("Auditor (read-only) mode: no challenge password is fetched here, since each "
                                   "one fills a slot of NDES's password cache."),
                                this);
        note->setObjectName(QStringLiteral("warningBanner"));
        note->setWordWrap(true);
        outer->addWidget(note);
    }

    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("errorBanner"));
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->hide();
    outer->addWidget(m_error);

    auto* result = new QWidget(this);
    result->setObjectName(QStringLiteral("resultCard"));
    auto* resultLayout = new QHBoxLayout(result);
    resultLayout->setContentsMargins(16, 16, 16, 16);
    auto* left = new QVBoxLayout;
    m_password = new QLabel(QStringLiteral("—"), result);
    m_password->setObjectName(QStringLiteral("passwordDisplay"));
    m_password->setAccessibleName(tr("Challenge password"));
    // Not selectable and no context menu: X11's PRIMARY selection and the label's own "Copy" would take the
    // password past ClipboardGuard (Copy and Ctrl+Shift+C are the ways to copy it).
    m_password->setTextInteractionFlags(Qt::NoTextInteraction);
    m_password->setContextMenuPolicy(Qt::NoContextMenu);
    QFont mono(QStringLiteral("DejaVu Sans Mono"));
    mono.setStyleHint(QFont::Monospace);
    mono.setPointSize(compact ? 22 : 28);
    mono.setBold(true);
    m_password->setFont(mono);
    m_countdown = new QLabel(tr("No password yet: press Generate."), result);
    m_countdown->setProperty("state", QStringLiteral("idle")); // grey until there is a password to count down
    m_countdown->setObjectName(QStringLiteral("countdown"));
    m_details = new QLabel(result);
    m_details->setObjectName(QStringLiteral("details"));
    m_details->setWordWrap(true);
    m_copy = new QPushButton(tr("&Copy"), result);
    m_copy->setToolTip(tr("Copy the password (Ctrl+Shift+C); the clipboard is cleared after 30 seconds"));
    m_copy->setEnabled(false);
    left->addWidget(m_password);
    left->addWidget(m_countdown);
    left->addWidget(m_details);
    auto* copyRow = new QHBoxLayout;
    copyRow->addWidget(m_copy);
    copyRow->addStretch();
    left->addLayout(copyRow);
    left->addStretch();
    resultLayout->addLayout(left, 1);
    m_qr = new QrCodeWidget(result);
    m_qr->setFixedSize(compact ? 130 : 170, compact ? 130 : 170);
    resultLayout->addWidget(m_qr, 0, Qt::AlignTop);
    outer->addWidget(result);

    if (!compact) {
        auto* historyTitle = new QLabel(tr("This session"), this);
        historyTitle->setObjectName(QStringLiteral("sectionTitle"));
        outer->addWidget(historyTitle);
        m_history = new QTableWidget(0, 5, this);
        m_history->setHorizontalHeaderLabels(
            {tr("Time"), tr("Server"), tr("Device"), tr("Requested by"), tr("Status")});
        m_history->horizontalHeader()->setStretchLastSection(true);
        m_history->verticalHeader()->hide();
        m_history->setEditTriggers(QAbstractItemView::NoEditTriggers);
        m_history->setSelectionBehavior(QAbstractItemView::SelectRows);
        m_history->setAccessibleName(tr("Passwords requested in this session"));
        m_history->setTabKeyNavigation(false); // Tab leaves the table (arrow keys move inside it)
        outer->addWidget(m_history, 1);
    } else {
        outer->addStretch();
    }

    connect(m_generate, &QPushButton::clicked, this, &ChallengePage::generate);
    connect(m_copy, &QPushButton::clicked, this, &ChallengePage::copyPassword);
    connect(new QShortcut(QKeySequence(QStringLiteral("Ctrl+G")), this), &QShortcut::activated, this,
            &ChallengePage::generate);
    connect(new QShortcut(QKeySequence(QStringLiteral("Ctrl+Shift+C")), this), &QShortcut::activated, this,
            &ChallengePage::copyPassword);
    connect(m_server, &QComboBox::currentIndexChanged, this, [this] {
        const auto* p = m_context->inventory().find(m_server->currentData().toString());
        const bool clear = p && p->adminUrl.scheme() == QLatin1String("http");
        m_httpWarning->setText(tr("This server's admin page uses plain HTTP: the challenge password travels in clear "
                                  "on the network."));
        m_httpWarning->setVisible(clear);
        if (p)
            QSettings().setValue(QStringLiteral("challenge/lastServer"), p->id);
        // A password stays on screen only next to the server it came from: read out for another, it would fail
        // on the device (or worse, work on the wrong server).
        if (!m_current.isEmpty() && m_shownFor != m_server->currentData().toString()) {
            clearShownPassword();
            m_tick.stop();
            m_details->clear();
            setIdle(tr("No password for this server yet: press Generate."));
        }
    });
    connect(&m_clipboard, &ClipboardGuard::cleared, this, [this] { emit statusMessage(tr("Clipboard cleared.")); });
    connect(m_context, &ConsoleContext::inventoryChanged, this, &ChallengePage::refreshServers);
    m_tick.setInterval(1000);
    connect(&m_tick, &QTimer::timeout, this, &ChallengePage::tick);
    refreshServers();
}

ChallengePage::~ChallengePage() {
    // The window around this page is already gone: clear the clipboard without telling anyone.
    m_clipboard.blockSignals(true);
    m_clipboard.clearIfOurs();
    m_password->setText({}); // let go of the shown password, so it is wiped below
    SecretBytes::cleanse(m_shownText);
}

void ChallengePage::refreshServers() {
    const QString keep = m_server->currentData().toString().isEmpty()
                             ? QSettings().value(QStringLiteral("challenge/lastServer")).toString()
                             : m_server->currentData().toString();
    m_server->blockSignals(true);
    m_server->clear();
    for (const auto& p : m_context->inventory().servers())
        if (!p.adminUrl.isEmpty())
            m_server->addItem(p.site.isEmpty() ? p.name : QStringLiteral("%1 — %2").arg(p.name, p.site), p.id);
    const int idx = m_server->findData(keep);
    m_server->setCurrentIndex(idx >= 0 ? idx : 0);
    m_server->blockSignals(false);
    emit m_server->currentIndexChanged(m_server->currentIndex());
    m_generate->setEnabled(m_server->count() > 0 && !m_busy);
    if (m_server->count() == 0)
        showError(tr("No server with an admin page yet. Add one on the Servers page (File ▸ New server…)."));
    else if (m_error->text().startsWith(tr("No server with an admin page yet.")))
        m_error->hide();
}

void ChallengePage::setBusy(bool busy) {
    m_busy = busy;
    m_generate->setEnabled(!busy && m_server->count() > 0);
    m_generate->setText(busy ? tr("Getting a password…") : tr("&Generate challenge password"));
    if (busy)
        emit statusMessage(tr("Asking %1 for a challenge password…").arg(m_server->currentText()));
}

void ChallengePage::showError(const QString& message) {
    m_error->setText(message);
    m_error->setVisible(!message.isEmpty());
}

void ChallengePage::generate() {
    if (m_busy || Access::readOnly()) // Ctrl+G too: auditor mode fetches no password
        return;
    const auto* profile = m_context->inventory().find(m_server->currentData().toString());
    if (!profile) {
        showError(tr("Pick a server first."));
        return;
    }
    showError({});
    const QString id = profile->id;
    setBusy(true);
    obtainServerPassword(m_context, id, this, [this, id](bool ok, SecretBytes password) {
        setBusy(false);
        if (ok)
            fetchWith(id, std::move(password));
    });
}

void ChallengePage::fetchWith(const QString& profileId, SecretBytes password) {
    const auto* p = m_context->inventory().find(profileId);
    if (!p)
        return;
    service::ChallengeRequest req;
    req.adminUrl = p->adminUrl;
    req.auth = p->auth;
    req.user = p->user;
    req.password = std::move(password);
    req.allowHttp = p->allowHttp;
    setBusy(true);
    auto* watcher = new QFutureWatcher<Result<service::ChallengePassword>>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, profileId] {
        watcher->deleteLater();
        showResult(profileId, watcher->result());
    });
    watcher->setFuture(service::ChallengePasswordClient::fetchAsync(std::move(req)));
}

void ChallengePage::showResult(const QString& profileId, Result<service::ChallengePassword> result) {
    setBusy(false);
    const auto* p = m_context->inventory().find(profileId);
    const QString serverName = p ? p->name : profileId;
    service::ChallengeAuditEntry audit{
        Clock::instance().now(),
        QStringLiteral("%1 as %2")
            .arg(ConsoleContext::localUser(), p && !p->user.isEmpty() ? p->user : tr("(current user)")),
        serverName,
        m_device->text().trimmed(),
        m_ticket ? m_ticket->text().trimmed() : QString(),
        result ? QStringLiteral("issued") : result.error().code};
    if (Status s = m_context->auditTrail().append(audit); !s)
        emit statusMessage(s.error().message);
    m_context->noteAdminPageResult(profileId, result ? QString() : result.error().code);
    if (!result) {
        // The error is what this server said; an earlier password (maybe another server's) must not stand beside it.
        clearShownPassword();
        m_tick.stop();
        m_details->clear();
        setIdle(tr("No password: see the message above."));
        showError(result.error().message);
        addHistory(serverName, audit.requestedBy, result.error().code.isEmpty() ? tr("failed") : result.error().code);
        emit statusMessage(tr("No password: %1").arg(result.error().code));
        return;
    }
    m_clipboard.clearIfOurs();
    m_current = std::move(result->password);
    m_shownFor = profileId;
    QString hex = QString::fromLatin1(m_current.bytes());
    QString shown = grouped(hex);
    m_password->setText(shown);
    SecretBytes::cleanse(m_shownText); // the previous one: the label no longer refers to it
    m_shownText = std::move(shown);
    m_password->setEnabled(true);
    m_qr->setText(hex);
    SecretBytes::cleanse(hex);
    m_copy->setEnabled(true);
    m_neverExpires = result->neverExpires;
    const int validity = result->validityMinutes > 0 ? result->validityMinutes : 60;
    m_expiresAt = result->fetchedAt.addSecs(qint64(validity) * 60 -
                                            (validity * 60 > 2 * safetyMarginSeconds ? safetyMarginSeconds : 0));
    m_details->setText(
        result->neverExpires
            ? tr("From %1. Single-password mode: it does not expire.").arg(serverName)
            : tr("From %1 at %2. Single use; NDES keeps it %3 minutes (shown here with a 3-minute margin).")
                      .arg(serverName, result->fetchedAt.toLocalTime().toString(QStringLiteral("HH:mm")))
                      .arg(validity) +
                  (result->caThumbprint.isEmpty() ? QString() : tr("\nCA thumbprint: %1").arg(result->caThumbprint)));
    addHistory(serverName, audit.requestedBy, tr("valid"));
    m_currentHistoryRow = m_history ? m_history->rowCount() - 1 : -1;
    m_tick.start();
    tick();
    emit statusMessage(tr("Challenge password received from %1.").arg(serverName));
}

void ChallengePage::tick() {
    if (m_current.isEmpty()) {
        m_tick.stop();
        return;
    }
    if (m_neverExpires) {
        m_countdown->setText(tr("Does not expire"));
        return;
    }
    const qint64 left = Clock::instance().now().secsTo(m_expiresAt);
    if (left > 0) {
        m_countdown->setText(tr("Valid for %1").arg(mmss(left)));
        m_countdown->setProperty("state", left < 300 ? QStringLiteral("soon") : QStringLiteral("ok"));
    } else {
        m_countdown->setText(tr("Expired: generate a new password"));
        m_countdown->setProperty("state", QStringLiteral("expired"));
        clearShownPassword();
        m_tick.stop();
        if (m_history && m_currentHistoryRow >= 0 && m_currentHistoryRow < m_history->rowCount())
            m_history->item(m_currentHistoryRow, 4)->setText(tr("expired"));
    }
    m_countdown->style()->unpolish(m_countdown);
    m_countdown->style()->polish(m_countdown);
}

void ChallengePage::setIdle(const QString& text) {
    m_countdown->setText(text);
    m_countdown->setProperty("state", QStringLiteral("idle"));
    m_countdown->style()->unpolish(m_countdown);
    m_countdown->style()->polish(m_countdown);
}

void ChallengePage::clearShownPassword() {
    // The label drops its reference first, so the text we kept is the last copy and is wiped in place.
    m_password->setText(QStringLiteral("—"));
    m_password->setEnabled(false);
    SecretBytes::cleanse(m_shownText);
    m_copy->setEnabled(false);
    m_qr->setText({});
    m_clipboard.clearIfOurs();
    m_current.wipe();
    m_shownFor.clear();
}

void ChallengePage::copyPassword() {
    if (m_current.isEmpty())
        return;
    m_clipboard.copy(QString::fromLatin1(m_current.bytes()), m_clipboardClearMs);
    emit statusMessage(tr("Copied. The clipboard will be cleared in %1 seconds.").arg(m_clipboardClearMs / 1000));
}

void ChallengePage::addHistory(const QString& server, const QString& requestedBy, const QString& outcome) {
    if (!m_history)
        return;
    const int row = m_history->rowCount();
    m_history->insertRow(row);
    const QStringList cells{Clock::instance().now().toLocalTime().toString(QStringLiteral("HH:mm:ss")), server,
                            m_device->text().trimmed(), requestedBy, outcome};
    for (int c = 0; c < cells.size(); ++c)
        m_history->setItem(row, c, new QTableWidgetItem(cells[c]));
    m_history->scrollToBottom();
}

QString ChallengePage::shownPassword() const {
    return m_current.isEmpty() ? QString() : m_password->text();
}

QString ChallengePage::countdownText() const {
    return m_countdown->text();
}

QString ChallengePage::errorText() const {
    return m_error->isHidden() ? QString() : m_error->text();
}

int ChallengePage::historyRows() const {
    return m_history ? m_history->rowCount() : 0;
}

} // namespace ndes::ui
