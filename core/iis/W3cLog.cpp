// SPDX-License-Identifier: Apache-2.0
#include "iis/W3cLog.h"

#include <QCoreApplication>
#include <QFile>

namespace ndes::iis {

namespace {
QString tr(const char* text) {
    return QCoreApplication::translate("W3cLog", text);
}
} // namespace

QByteArrayView W3cLine::value(const QByteArray& field) const {
    if (!m_fields)
        return {};
    const auto it = m_fields->constFind(field);
    if (it == m_fields->constEnd() || it.value() >= m_values.size())
        return {};
    const QByteArrayView v = m_values[it.value()];
    return v == QByteArrayView("-") ? QByteArrayView() : v;
}

QString W3cLine::text(const QByteArray& field) const {
    QString s = QString::fromUtf8(value(field));
    s.replace(QLatin1Char('+'), QLatin1Char(' '));
    return s;
}

int W3cLine::number(const QByteArray& field, int fallback) const {
    const QByteArrayView v = value(field);
    if (v.isEmpty())
        return fallback;
    bool ok = false;
    const int n = v.toInt(&ok);
    return ok ? n : fallback;
}

Result<W3cSummary> W3cLogReader::readFile(const QString& path, const Sink& sink) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return makeError(ErrorKind::Io, tr("Cannot read %1: %2").arg(path, f.errorString()));
    return read(f, sink);
}

Result<W3cSummary> W3cLogReader::read(QIODevice& device, const Sink& sink) {
    W3cSummary summary;
    QHash<QByteArray, int> fields;
    bool haveFields = false;
    W3cLine line;
    line.m_fields = &fields;
    QByteArray buffer;
    qint64 lineNumber = 0;
    constexpr qint64 chunk = 1 << 20;
    bool stop = false;
    bool eof = false;
    qsizetype start = 0;
    while (!stop) {
        qsizetype nl = buffer.indexOf('\n', start);
        if (nl < 0) {
            if (eof) {
                if (start >= buffer.size())
                    break;
                nl = buffer.size(); // a last line without a newline
            } else {
                buffer.remove(0, start);
                start = 0;
                if (buffer.size() > maxLineBytes) {
                    // An overlong line: drop up to its end.
                    ++summary.skipped;
                    ++lineNumber;
                    QByteArray rest;
                    for (;;) {
                        rest = device.read(chunk);
                        if (rest.isEmpty()) {
                            eof = true;
                            buffer.clear();
                            break;
                        }
                        const qsizetype at = rest.indexOf('\n');
                        if (at >= 0) {
                            buffer = rest.mid(at + 1);
                            break;
                        }
                    }
                    continue;
                }
                const QByteArray more = device.read(chunk);
                if (more.isEmpty())
                    eof = true;
                buffer += more;
                continue;
            }
        }
        ++lineNumber;
        QByteArrayView text(buffer.constData() + start, nl - start);
        start = nl + 1;
        if (text.endsWith('\r'))
            text.chop(1);
        if (text.size() > maxLineBytes) {
            ++summary.skipped;
            continue;
        }
        if (text.isEmpty())
            continue;
        if (text.startsWith('#')) {
            if (text.startsWith("#Fields:")) {
                fields.clear();
                int i = 0;
                for (const QByteArray& name : text.sliced(8).toByteArray().split(' '))
                    if (!name.isEmpty())
                        fields.insert(name.toLower(), i++);
                haveFields = !fields.isEmpty();
                ++summary.headerBlocks;
            } else if (text.startsWith("#Software:")) {
                haveFields = false; // a new block starts; its #Fields line follows
            }
            continue;
        }
        if (!haveFields) {
            ++summary.skipped;
            continue;
        }
        line.m_values.clear();
        qsizetype from = 0;
        for (qsizetype i = 0; i <= text.size(); ++i) {
            if (i == text.size() || text[i] == ' ') {
                line.m_values << text.sliced(from, i - from);
                from = i + 1;
            }
        }
        if (line.m_values.size() != fields.size()) {
            ++summary.skipped;
            continue;
        }
        line.m_line = lineNumber;
        ++summary.lines;
        if (!sink(line))
            stop = true;
    }
    return summary;
}

} // namespace ndes::iis
