// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

namespace ndes::test {

// A secret a test looks for, with a name to report instead of its value.
struct NamedSecret {
    QString name; // e.g. "the account password", "challenge 2 without spaces"
    QByteArray value;
};

// Failure messages must never print a secret. When one of `secrets` is in `data`, this says where: `source`, which
// secret, its byte offset and a few bytes around it, with every secret replaced by *** (also one that is only partly
// inside the excerpt). Empty when none is there.
QString whereSecretsAre(const QByteArray& data, const QList<NamedSecret>& secrets, const QString& source);

// `text` with every occurrence of each secret replaced by ***, for printing in a failure message.
QByteArray redacted(QByteArray text, const QList<QByteArray>& secrets);

// An admin page (or any text holding one) with its challenge password replaced by ***.
QString withoutChallengePassword(QString page);

} // namespace ndes::test
