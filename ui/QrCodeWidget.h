// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QImage>
#include <QWidget>

namespace ndes::ui {

// A QR code of a short text (the challenge password, for entry on a phone), drawn with libqrencode.
class QrCodeWidget : public QWidget {
    Q_OBJECT
public:
    explicit QrCodeWidget(QWidget* parent = nullptr);
    void setText(const QString& text); // empty clears
    [[nodiscard]] QSize sizeHint() const override { return {160, 160}; }
    [[nodiscard]] int modules() const { return m_modules; }
    // The code as an image with one pixel per module (for tests: decode or compare).
    static QImage encode(const QString& text, int* modules = nullptr);

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    QImage m_code;
    int m_modules = 0;
};

} // namespace ndes::ui
