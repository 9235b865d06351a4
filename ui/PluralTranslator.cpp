// SPDX-License-Identifier: Apache-2.0
#include "PluralTranslator.h"

namespace ndes::ui {

QString PluralTranslator::resolve(const QString& source, int n) {
    QString text = source;
    text.replace(QLatin1String("(s)"), n == 1 || n == -1 ? QString() : QStringLiteral("s"));
    return text;
}

QString PluralTranslator::translate(const char* context, const char* sourceText, const char* disambiguation,
                                    int n) const {
    Q_UNUSED(context)
    Q_UNUSED(disambiguation)
    if (n < 0 || !sourceText)
        return {}; // no count: nothing to choose, the source text stands
    const QString source = QString::fromUtf8(sourceText);
    if (!source.contains(QLatin1String("(s)")))
        return {};
    return resolve(source, n);
}

} // namespace ndes::ui
