// SPDX-License-Identifier: Apache-2.0
#include "UserGuide.h"

#include <QAbstractTextDocumentLayout>
#include <QDialogButtonBox>
#include <QFile>
#include <QScrollBar>
#include <QTextBlock>
#include <QTextBrowser>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>

namespace ndes::ui {

QString UserGuide::markdown() {
    QFile f(QStringLiteral(":/docs/user-guide.md"));
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

UserGuide::UserGuide(const QString& section, QWidget* parent)
    : QDialog(parent) {
    setWindowTitle(tr("NDES Console user guide"));
    auto* layout = new QVBoxLayout(this);
    m_text = new QTextBrowser(this);
    m_text->setObjectName(QStringLiteral("userGuide"));
    m_text->setAccessibleName(tr("User guide"));
    m_text->setOpenExternalLinks(false);
    m_text->setOpenLinks(false); // a built-in text; nothing in it is followed
    m_text->setMarkdown(markdown());
    layout->addWidget(m_text, 1);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    resize(760, 600);
    // After the first layout the scroll range is known.
    QMetaObject::invokeMethod(
        this, [this, section] { showSection(section); }, Qt::QueuedConnection);
}

bool UserGuide::showSection(const QString& section) {
    QTextDocument* doc = m_text->document();
    for (QTextBlock b = doc->begin(); b.isValid(); b = b.next()) {
        if (b.blockFormat().headingLevel() != 2 || b.text().trimmed() != section)
            continue;
        const int y = int(doc->documentLayout()->blockBoundingRect(b).top());
        QScrollBar* bar = m_text->verticalScrollBar();
        if (bar->maximum() < std::min(y, 1) || (y > bar->maximum() && m_retries < 20)) {
            // The browser lays the text out after it is shown: until then the scroll range is short.
            ++m_retries;
            QTimer::singleShot(25, this, [this, section] { showSection(section); });
            return true;
        }
        bar->setValue(y);
        QTextCursor c(b);
        m_text->setTextCursor(c);
        bar->setValue(y); // setTextCursor scrolls only as far as the cursor needs
        return true;
    }
    return false;
}

bool UserGuide::showsSection(const QString& section) const {
    const int top = m_text->verticalScrollBar()->value();
    const int bottom = top + m_text->viewport()->height();
    QTextDocument* doc = m_text->document();
    for (QTextBlock b = doc->begin(); b.isValid(); b = b.next())
        if (b.blockFormat().headingLevel() == 2 && b.text().trimmed() == section) {
            const QRectF r = doc->documentLayout()->blockBoundingRect(b);
            return r.top() >= top - 1 && r.bottom() <= bottom + 1;
        }
    return false;
}

} // namespace ndes::ui
