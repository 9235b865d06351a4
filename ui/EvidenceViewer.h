// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "audit/Finding.h"

#include <QDialog>

class QPlainTextEdit;
class QLabel;

namespace ndes::audit {
class Snapshot;
}

namespace ndes::ui {

// One piece of evidence in the raw file it came from: the text of the .reg export or applicationHost.config with
// the line scrolled to and marked, or the certificate's fields. Read-only.
class EvidenceViewer : public QDialog {
    Q_OBJECT
public:
    EvidenceViewer(const audit::Snapshot& snapshot, const audit::Evidence& evidence, QWidget* parent = nullptr);

    // The line (1-based) the evidence points at in its file, 0 when it could not be placed.
    [[nodiscard]] int markedLine() const { return m_line; }
    [[nodiscard]] QString text() const;

    // Where in `text` the evidence is: the "(line N)" it names, else the registry key and value or the element it
    // names, else its value. 0 when none of them is found.
    [[nodiscard]] static int locate(const QString& text, const audit::Evidence& evidence);

private:
    QPlainTextEdit* m_text;
    int m_line = 0;
};

} // namespace ndes::ui
