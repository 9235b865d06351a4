// SPDX-License-Identifier: Apache-2.0
#include "SecretScan.h"

#include <QRegularExpression>

#include <algorithm>

namespace ndes::test {

namespace {

constexpr qsizetype contextBytes = 24;

// Which bytes of `data` belong to some secret.
QList<bool> secretBytes(const QByteArray& data, const QList<NamedSecret>& secrets) {
    QList<bool> mask(data.size(), false);
    for (const NamedSecret& s : secrets) {
        if (s.value.isEmpty())
            continue;
        for (qsizetype at = data.indexOf(s.value); at >= 0; at = data.indexOf(s.value, at + 1))
            std::fill(mask.begin() + at, mask.begin() + at + s.value.size(), true);
    }
    return mask;
}

// data[from, to) as printable ASCII: secret bytes as one *** per run, other bytes escaped.
QString excerpt(const QByteArray& data, const QList<bool>& mask, qsizetype from, qsizetype to) {
    QString out;
    for (qsizetype i = from; i < to; ++i) {
        if (mask[i]) {
            if (i == from || !mask[i - 1])
                out += QStringLiteral("***");
            continue;
        }
        const auto ch = static_cast<unsigned char>(data[i]);
        if (ch == '\n')
            out += QStringLiteral("\\n");
        else if (ch == '\r')
            out += QStringLiteral("\\r");
        else if (ch == '\\')
            out += QStringLiteral("\\\\");
        else if (ch >= 0x20 && ch < 0x7f)
            out += QLatin1Char(char(ch));
        else
            out += QStringLiteral("\\x%1").arg(uint(ch), 2, 16, QLatin1Char('0'));
    }
    return out;
}

} // namespace

QString whereSecretsAre(const QByteArray& data, const QList<NamedSecret>& secrets, const QString& source) {
    QStringList found;
    QList<bool> mask;
    for (const NamedSecret& s : secrets) {
        const qsizetype at = s.value.isEmpty() ? -1 : data.indexOf(s.value);
        if (at < 0)
            continue;
        if (mask.isEmpty())
            mask = secretBytes(data, secrets);
        const qsizetype from = std::max<qsizetype>(0, at - contextBytes);
        const qsizetype to = std::min<qsizetype>(data.size(), at + s.value.size() + contextBytes);
        found << QStringLiteral("%1 at byte %2 of %3 (%4 time(s)): %5\"%6\"%7")
                     .arg(s.name)
                     .arg(at)
                     .arg(data.size())
                     .arg(data.count(s.value))
                     .arg(from > 0 ? QStringLiteral("...") : QString(), excerpt(data, mask, from, to),
                          to < data.size() ? QStringLiteral("...") : QString());
    }
    if (found.isEmpty())
        return {};
    return QStringLiteral("secret found in %1: %2").arg(source, found.join(QStringLiteral("; ")));
}

QByteArray redacted(QByteArray text, const QList<QByteArray>& secrets) {
    QList<QByteArray> longestFirst = secrets; // a secret may contain another one
    std::sort(longestFirst.begin(), longestFirst.end(),
              [](const QByteArray& a, const QByteArray& b) { return a.size() > b.size(); });
    for (const QByteArray& s : longestFirst)
        if (!s.isEmpty())
            text.replace(s, "***");
    return text;
}

QString withoutChallengePassword(QString page) {
    static const QRegularExpression password(QStringLiteral("(challenge password is:\\s*<B>)[^<]*"),
                                             QRegularExpression::CaseInsensitiveOption);
    return page.replace(password, QStringLiteral("\\1 *** "));
}

} // namespace ndes::test
