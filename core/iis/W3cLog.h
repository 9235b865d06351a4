// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "util/Result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QHash>
#include <QIODevice>
#include <QList>
#include <QString>

#include <functional>

namespace ndes::iis {

// One line of an IIS W3C log: its values by field name, as the nearest #Fields line above it names them (admins
// change the fields, and a file holds a new header block after each restart). '-' is an empty value; '+' stands for
// a space in the written value (value() gives it as written, text() with spaces).
class W3cLine {
public:
    [[nodiscard]] QByteArrayView value(const QByteArray& field) const;
    [[nodiscard]] QString text(const QByteArray& field) const;
    [[nodiscard]] int number(const QByteArray& field, int fallback = -1) const;
    [[nodiscard]] qint64 lineNumber() const { return m_line; }

private:
    friend class W3cLogReader;
    const QHash<QByteArray, int>* m_fields = nullptr;
    QList<QByteArrayView> m_values;
    qint64 m_line = 0;
};

struct W3cSummary {
    qint64 lines = 0;   // data lines handed to the sink
    qint64 skipped = 0; // lines without a #Fields line before them, or with a different number of values
    qint64 headerBlocks = 0;
};

// Streams a W3C extended log (u_exYYMMDD.log) line by line; never holds the file. Lines are capped at 64 KB (longer
// ones are skipped, counted). The sink returns false to stop.
class W3cLogReader {
public:
    static constexpr qsizetype maxLineBytes = 64 * 1024;
    using Sink = std::function<bool(const W3cLine&)>;
    static Result<W3cSummary> read(QIODevice& device, const Sink& sink);
    static Result<W3cSummary> readFile(const QString& path, const Sink& sink);
};

} // namespace ndes::iis
