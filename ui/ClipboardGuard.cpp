// SPDX-License-Identifier: Apache-2.0
#include "ClipboardGuard.h"

#include "util/SecretBytes.h"

#include <QClipboard>
#include <QCryptographicHash>
#include <QGuiApplication>
#include <QMimeData>

namespace ndes::ui {

namespace {
QByteArray fingerprint(const QString& text) {
    return QCryptographicHash::hash(text.toUtf8(), QCryptographicHash::Sha256);
}
} // namespace

ClipboardGuard::ClipboardGuard(QObject* parent)
    : QObject(parent) {
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &ClipboardGuard::clearIfOurs);
}

ClipboardGuard::~ClipboardGuard() {
    SecretBytes::cleanse(m_secret);
}

void ClipboardGuard::copy(const QString& secret, int clearAfterMs) {
    auto* mime = new QMimeData;
    mime->setText(secret);
    mime->setData(QStringLiteral("x-kde-passwordManagerHint"), QByteArrayLiteral("secret"));
#ifdef Q_OS_WIN
    mime->setData(QStringLiteral("ExcludeClipboardContentFromMonitorProcessing"), QByteArrayLiteral("1"));
#endif
#ifdef Q_OS_MACOS
    mime->setData(QStringLiteral("application/x-nspasteboard-concealed-type"), secret.toUtf8());
#endif
    QGuiApplication::clipboard()->setMimeData(mime, QClipboard::Clipboard); // deletes our previous one, if held
    SecretBytes::cleanse(m_secret);
    m_secret = secret; // shares the MIME data's text, so it can be wiped once the clipboard lets go of it
    m_fingerprint = fingerprint(secret);
    m_timer.start(clearAfterMs);
}

void ClipboardGuard::clearIfOurs() {
    m_timer.stop();
    QClipboard* cb = QGuiApplication::clipboard();
    if (!m_fingerprint.isEmpty() && fingerprint(cb->text(QClipboard::Clipboard)) == m_fingerprint)
        cb->clear(QClipboard::Clipboard);
    // Wiped in place when the clipboard no longer holds our MIME data; otherwise only our reference is dropped.
    SecretBytes::cleanse(m_secret);
    m_fingerprint.clear();
    emit cleared();
}

} // namespace ndes::ui
