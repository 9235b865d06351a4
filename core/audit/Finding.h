// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace ndes::audit {

// How bad a finding is, worst last (so a comparison orders them).
enum class Severity { Info, Low, Medium, High, Critical };

[[nodiscard]] QString severityName(Severity s); // "critical", "high", "medium", "low", "info"
[[nodiscard]] std::optional<Severity> severityFromName(const QString& name);

// One piece of evidence: where it is and what it says.
struct Evidence {
    QString source; // the file, as named in the snapshot ("registry/mscep.reg")
    QString path;   // where in it: a registry key and value, an XML element and attribute, a line
    QString value;  // what was seen there

    [[nodiscard]] QJsonObject toJson() const;
};

// A check that fired: the catalogue's words plus what exactly is wrong here and the evidence for it.
struct Finding {
    QString id;
    Severity severity = Severity::Info;
    QString area;
    QString title;
    QString detail; // this occurrence, in one sentence ("PasswordMax is 60")
    QList<Evidence> evidence;
    QString why;
    QString remedy;
    QString remedyScript; // PowerShell, empty when none can be generated
    QStringList sources;  // expanded names

    [[nodiscard]] QJsonObject toJson() const;
};

// A check that could not be evaluated, and why (never reported as passed).
struct NotChecked {
    QString id;
    QString title;
    QString why;

    [[nodiscard]] QJsonObject toJson() const;
};

} // namespace ndes::audit
