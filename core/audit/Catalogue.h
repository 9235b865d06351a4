// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "audit/Finding.h"
#include "util/Result.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace ndes::audit {

// One check as the catalogue describes it; the code that evaluates it is registered by id (Checks.cpp).
struct CheckDefinition {
    QString id;
    QString area;
    Severity severity = Severity::Info;
    QString title;
    QString why;
    QString remedy;
    QStringList needs;   // evidence kinds: registry, iis, certificates, …, directory
    QStringList sources; // expanded from the catalogue's sourceNames
};

// The audit's checks as versioned data (audit/audit-checks.json, built in; another file can be loaded), so a
// renamed connector or a new check changes data, not code.
class Catalogue {
public:
    static Result<Catalogue> builtIn();
    static Result<Catalogue> fromJson(const QByteArray& json);

    [[nodiscard]] const QString& version() const { return m_version; }
    [[nodiscard]] const QList<CheckDefinition>& checks() const { return m_checks; }
    [[nodiscard]] const CheckDefinition* find(const QString& id) const;

private:
    QString m_version;
    QList<CheckDefinition> m_checks;
};

} // namespace ndes::audit
