// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QTranslator>

namespace ndes::ui {

// English plurals for the source strings: "%n server(s)" reads "1 server" / "3 servers", "%n certificate(s) or
// CRL(s)" "1 certificate or CRL". Qt picks plural forms from a translation; without one the "(s)" stays on screen.
// Only strings asked for with a count (tr's n) are touched. Install it first: a real translation (de, fr) installed
// after it is asked before it.
class PluralTranslator : public QTranslator {
public:
    using QTranslator::QTranslator;
    [[nodiscard]] QString translate(const char* context, const char* sourceText, const char* disambiguation = nullptr,
                                    int n = -1) const override;
    [[nodiscard]] bool isEmpty() const override { return false; }

    // The rule alone, for tests: "(s)" dropped for 1 (and -1), "s" otherwise.
    [[nodiscard]] static QString resolve(const QString& source, int n);
};

} // namespace ndes::ui
