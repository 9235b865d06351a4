// SPDX-License-Identifier: Apache-2.0
#include "FlowLayout.h"

#include <QHBoxLayout>
#include <QWidget>

#include <algorithm>

namespace ndes::ui {

FlowLayout::FlowLayout(QWidget* parent, int hSpacing, int vSpacing)
    : QLayout(parent)
    , m_hSpacing(hSpacing)
    , m_vSpacing(vSpacing) {
    setContentsMargins(0, 0, 0, 0);
}

FlowLayout::~FlowLayout() {
    while (QLayoutItem* item = takeAt(0))
        delete item;
}

QWidget* FlowLayout::group(QWidget* parent, std::initializer_list<QWidget*> widgets) {
    auto* box = new QWidget(parent);
    auto* row = new QHBoxLayout(box);
    row->setContentsMargins(0, 0, 0, 0);
    row->setSpacing(6);
    for (QWidget* w : widgets) {
        w->setParent(box);
        row->addWidget(w);
    }
    return box;
}

void FlowLayout::addItem(QLayoutItem* item) {
    m_items.append(item);
    invalidate();
}

QLayoutItem* FlowLayout::itemAt(int index) const {
    return index >= 0 && index < m_items.size() ? m_items.at(index) : nullptr;
}

QLayoutItem* FlowLayout::takeAt(int index) {
    if (index < 0 || index >= m_items.size())
        return nullptr;
    QLayoutItem* item = m_items.takeAt(index);
    invalidate();
    return item;
}

int FlowLayout::heightForWidth(int width) const {
    return arrange(QRect(0, 0, width, 0), false);
}

QSize FlowLayout::minimumSize() const {
    // As narrow as the widest item: everything else wraps.
    QSize size;
    for (const QLayoutItem* item : m_items)
        if (!item->isEmpty())
            size = size.expandedTo(item->minimumSize());
    const QMargins m = contentsMargins();
    return size + QSize(m.left() + m.right(), m.top() + m.bottom());
}

QSize FlowLayout::sizeHint() const {
    // One line, as wide as all the items.
    int width = 0;
    int height = 0;
    int visible = 0;
    for (const QLayoutItem* item : m_items) {
        if (item->isEmpty())
            continue;
        width += item->sizeHint().width();
        height = std::max(height, item->sizeHint().height());
        ++visible;
    }
    const QMargins m = contentsMargins();
    return {width + std::max(0, visible - 1) * m_hSpacing + m.left() + m.right(), height + m.top() + m.bottom()};
}

void FlowLayout::setGeometry(const QRect& rect) {
    QLayout::setGeometry(rect);
    arrange(rect, true);
}

int FlowLayout::arrange(const QRect& rect, bool apply) const {
    const QRect area = rect.marginsRemoved(contentsMargins());
    // Break the items into lines first, then place each line: an expanding item takes what its line leaves over.
    QList<QList<QLayoutItem*>> lines(1);
    int x = 0;
    for (QLayoutItem* item : m_items) {
        if (item->isEmpty())
            continue;
        const int w = std::min(item->sizeHint().width(), area.width());
        if (!lines.last().isEmpty() && x + w > area.width()) {
            lines.append(QList<QLayoutItem*>());
            x = 0;
        }
        lines.last().append(item);
        x += w + m_hSpacing;
    }
    int y = area.y();
    for (const QList<QLayoutItem*>& line : lines) {
        if (line.isEmpty())
            continue;
        int used = 0;
        int expanding = 0;
        int height = 0;
        for (QLayoutItem* item : line) {
            used += std::min(item->sizeHint().width(), area.width());
            if (item->expandingDirections() & Qt::Horizontal)
                ++expanding;
            height = std::max(height, item->sizeHint().height());
        }
        used += int(line.size() - 1) * m_hSpacing;
        const int extra = std::max(0, area.width() - used);
        int left = area.x();
        int given = 0;
        for (QLayoutItem* item : line) {
            int w = std::min(item->sizeHint().width(), area.width());
            if (expanding > 0 && (item->expandingDirections() & Qt::Horizontal)) {
                const int share = extra / expanding + (given < extra % expanding ? 1 : 0);
                ++given;
                w += share;
            }
            w = std::max(w, item->minimumSize().width());
            if (apply) {
                const int h = std::min(height, std::max(item->sizeHint().height(), item->minimumSize().height()));
                item->setGeometry(QRect(left, y + (height - h) / 2, w, h));
            }
            left += w + m_hSpacing;
        }
        y += height + m_vSpacing;
    }
    if (y == area.y())
        return contentsMargins().top() + contentsMargins().bottom();
    return y - m_vSpacing - rect.y() + contentsMargins().bottom();
}

} // namespace ndes::ui
