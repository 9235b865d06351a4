// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "util/Result.h"

#include <QString>

#include <vector>

namespace ndes::events {

class EventCatalogue;
class EventStore;

enum class ExportFormat { Csv, Json, EventXml };

// The format a file name asks for: .json, .xml, else CSV.
[[nodiscard]] ExportFormat exportFormatForPath(const QString& path);
// "Critical", "Error", "Warning", "Information", "Verbose" (translated); events without a level are Information.
[[nodiscard]] QString levelName(int level);

// Writes the events SEQS of STORE to PATH, atomically (a failure leaves the old file, if any):
// - CSV for spreadsheets: UTF-8 with BOM, CRLF, every cell quoted and guarded against formula injection; time,
//   level, id, source, computer, channel, record, the catalogue's meaning, the data.
// - JSON: an array of the objects `ndesctl events --json` prints (JsonEventParser reads them back).
// - Event XML: <Events> around each event's XML, as wevtutil writes it (EventXmlReader reads it back).
Status exportEvents(const EventStore& store, const std::vector<quint64>& seqs, const EventCatalogue& catalogue,
                    const QString& path, ExportFormat format);

} // namespace ndes::events
