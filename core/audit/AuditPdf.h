// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "audit/Audit.h"
#include "util/Result.h"

#include <QDateTime>
#include <QString>

namespace ndes::audit {

// The audit report as PDF: the HTML report laid out by Qt's text engine and written by Qt's own PDF writer (A4,
// fonts embedded), atomically, owner-only. Needs a QGuiApplication (ndesctl makes an offscreen one for --pdf).
// In the separate library ndesauditpdf, so ndescore stays free of Qt GUI.
Status writeAuditPdf(const AuditResult& result, const QString& path, const QDateTime& generatedAt);

} // namespace ndes::audit
