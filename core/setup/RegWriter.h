// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "setup/SetupPlan.h"

#include <QByteArray>

namespace ndes::setup {

// The plan's NDES registry settings as a .reg file the way regedit writes one: UTF-16LE with a BOM, CRLF,
// "Windows Registry Editor Version 5.00", and the real MSCEP layout: the three template names are values of
// MSCEP itself; every other setting is a subkey holding a value of the same name (NDES-FACTS.md). Every value
// is escaped; a value with characters a quoted .reg string cannot hold is written as hex(1).
class RegWriter {
public:
    [[nodiscard]] static QString text(const SetupPlan& plan);
    [[nodiscard]] static QByteArray file(const SetupPlan& plan); // UTF-16LE with BOM
    [[nodiscard]] static QString quoted(const QString& value);   // "…" or hex(1):…
};

} // namespace ndes::setup
