// SPDX-License-Identifier: Apache-2.0
#include "QrCodeWidget.h"

#include "util/SecretBytes.h"

#include <openssl/crypto.h>
#include <qrencode.h>

#include <QPainter>

namespace ndes::ui {

QrCodeWidget::QrCodeWidget(QWidget* parent)
    : QWidget(parent) {
    setMinimumSize(120, 120);
    setAccessibleName(tr("QR code of the challenge password"));
}

QImage QrCodeWidget::encode(const QString& text, int* modules) {
    QByteArray utf8 = text.toUtf8();
    QRcode* code = QRcode_encodeString(utf8.constData(), 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    SecretBytes::cleanse(utf8); // the text is a challenge password
    if (!code)
        return {};
    const int w = code->width;
    QImage img(w, w, QImage::Format_Mono);
    img.fill(0);
    img.setColor(0, qRgb(255, 255, 255));
    img.setColor(1, qRgb(0, 0, 0));
    for (int y = 0; y < w; ++y)
        for (int x = 0; x < w; ++x)
            img.setPixel(x, y, (code->data[y * w + x] & 1) ? 1 : 0);
    OPENSSL_cleanse(code->data, size_t(w) * size_t(w)); // the modules encode the password too
    QRcode_free(code);
    if (modules)
        *modules = w;
    return img;
}

void QrCodeWidget::setText(const QString& text) {
    if (!m_code.isNull() && m_code.isDetached())
        m_code.fill(0); // the old code is as readable as the password: blank it before it is freed
    m_code = text.isEmpty() ? QImage() : encode(text, &m_modules);
    if (text.isEmpty())
        m_modules = 0;
    update();
}

void QrCodeWidget::paintEvent(QPaintEvent*) {
    QPainter p(this);
    if (m_code.isNull()) {
        // No password: say where its code will be, rather than a blank white box.
        p.fillRect(rect(), palette().color(QPalette::Window));
        p.setPen(QPen(palette().color(QPalette::Mid), 1, Qt::DashLine));
        p.drawRect(rect().adjusted(0, 0, -1, -1));
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(rect().adjusted(8, 8, -8, -8), Qt::AlignCenter | Qt::TextWordWrap,
                   tr("The QR code of the password appears here"));
        return;
    }
    p.fillRect(rect(), Qt::white);
    const int quiet = 4; // modules of white border, as the standard asks
    const int side = qMin(width(), height());
    const int scale = qMax(1, side / (m_code.width() + 2 * quiet));
    const int size = scale * m_code.width();
    const QPoint origin((width() - size) / 2, (height() - size) / 2);
    p.drawImage(QRect(origin, QSize(size, size)), m_code);
}

} // namespace ndes::ui
