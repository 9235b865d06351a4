// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QLayout>
#include <QList>

#include <initializer_list>

namespace ndes::ui {

// Lays its items out left to right and starts a new line when the next one does not fit, so a row of controls
// wraps on a narrow screen instead of widening the window. Items that expand horizontally (a search box) share the
// room left on their line. Put a label and its field in one widget to keep them on one line.
class FlowLayout : public QLayout {
public:
    explicit FlowLayout(QWidget* parent = nullptr, int hSpacing = 8, int vSpacing = 6);
    ~FlowLayout() override;

    void addItem(QLayoutItem* item) override;
    [[nodiscard]] int count() const override { return int(m_items.size()); }
    [[nodiscard]] QLayoutItem* itemAt(int index) const override;
    QLayoutItem* takeAt(int index) override;
    [[nodiscard]] Qt::Orientations expandingDirections() const override { return {}; }
    [[nodiscard]] bool hasHeightForWidth() const override { return true; }
    [[nodiscard]] int heightForWidth(int width) const override;
    [[nodiscard]] QSize minimumSize() const override;
    [[nodiscard]] QSize sizeHint() const override;
    void setGeometry(const QRect& rect) override;

    // Widgets kept together on one line of a FlowLayout (a label and its field), in a widget of their own.
    [[nodiscard]] static QWidget* group(QWidget* parent, std::initializer_list<QWidget*> widgets);

private:
    int arrange(const QRect& rect, bool apply) const;

    QList<QLayoutItem*> m_items;
    int m_hSpacing;
    int m_vSpacing;
};

} // namespace ndes::ui
