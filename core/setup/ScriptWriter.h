// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "setup/SetupPlan.h"
#include "util/Result.h"

#include <QDateTime>
#include <QList>
#include <QString>

namespace ndes::setup {

// One generated file: its name in the output directory and its text (PowerShell in UTF-8 with a BOM when saved,
// so Windows PowerShell 5.1 reads non-ASCII values right).
struct GeneratedScript {
    QString fileName;
    QString title;
    QString text;
};

// PowerShell for the plan's steps, from the templates in setup/powershell (Qt resources). Every script:
// Set-StrictMode -Version Latest, $ErrorActionPreference = 'Stop', -WhatIf (SupportsShouldProcess), a transcript of
// what it changed, a check before each change (running it twice changes nothing the second time). Every value from
// the plan is a single-quoted literal with every kind of single quote doubled, or a number, never interpolated.
class ScriptWriter {
public:
    // The steps: the service account (01), the certificate template (02), the NDES role (03), the NDES registry
    // (04), IIS/HTTP.sys (05), all of them in order, the rollback of 04, and the read-only verification of 04 and
    // 05.
    [[nodiscard]] static QList<GeneratedScript> scripts(const SetupPlan& plan, const QDateTime& generatedAt);
    [[nodiscard]] static QString serviceAccountScript(const SetupPlan& plan, const QDateTime& generatedAt);
    [[nodiscard]] static QString roleScript(const SetupPlan& plan, const QDateTime& generatedAt);
    [[nodiscard]] static QString templateScript(const SetupPlan& plan, const QDateTime& generatedAt);
    [[nodiscard]] static QString combinedScript(const SetupPlan& plan, const QDateTime& generatedAt);
    [[nodiscard]] static QString registryScript(const SetupPlan& plan, const QDateTime& generatedAt);
    [[nodiscard]] static QString iisScript(const SetupPlan& plan, const QDateTime& generatedAt);
    [[nodiscard]] static QString rollbackScript(const SetupPlan& plan, const QDateTime& generatedAt);
    [[nodiscard]] static QString verifyScript(const SetupPlan& plan, const QDateTime& generatedAt);
    [[nodiscard]] static QByteArray fileBytes(const GeneratedScript& script); // UTF-8 with BOM, CRLF
};

// Writes mscep.reg and every script into `directory` (created if missing), each file atomically; the paths written,
// in order. Used by the wizard's Save all and by `ndesctl plan --out`.
[[nodiscard]] Result<QStringList> writePlanFiles(const SetupPlan& plan, const QString& directory,
                                                 const QDateTime& generatedAt);

} // namespace ndes::setup
