// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDialog>

class QTextBrowser;

namespace ndes::ui {

// The user guide (docs/user-guide.md, built in), opened at a section: F1 shows the part about the page in front.
class UserGuide : public QDialog {
    Q_OBJECT
public:
    explicit UserGuide(const QString& section, QWidget* parent = nullptr);
    // Scrolls so that the heading `section` is at the top; false when there is no such heading.
    bool showSection(const QString& section);
    // Whether the heading `section` is on screen.
    [[nodiscard]] bool showsSection(const QString& section) const;
    [[nodiscard]] static QString markdown();

private:
    QTextBrowser* m_text;
    int m_retries = 0;
};

} // namespace ndes::ui
