// SPDX-License-Identifier: Apache-2.0
#include "audit/ZipReader.h"

#include <QCoreApplication>
#include <QFile>

#include <zlib.h>

namespace ndes::audit {

namespace {
QString tr(const char* text) {
    return QCoreApplication::translate("ZipReader", text);
}

quint16 le16(const uchar* p) {
    return quint16(p[0] | (p[1] << 8));
}
quint32 le32(const uchar* p) {
    return quint32(p[0]) | (quint32(p[1]) << 8) | (quint32(p[2]) << 16) | (quint32(p[3]) << 24);
}

constexpr qint64 eocdSize = 22;
constexpr qint64 centralSize = 46;
constexpr qint64 localSize = 30;
constexpr qint64 chunkBytes = 256 * 1024;

struct Central {
    QString rawName;
    quint16 flags = 0;
    quint16 method = 0;
    quint32 crc = 0;
    quint32 compressed = 0;
    quint32 size = 0;
    quint32 localOffset = 0;
    quint16 madeBy = 0;
    quint32 external = 0;
};

// Closes the zlib stream on every path.
struct Inflater {
    z_stream z{};
    bool open = false;
    Inflater() { open = inflateInit2(&z, -MAX_WBITS) == Z_OK; }
    ~Inflater() {
        if (open)
            inflateEnd(&z);
    }
    Inflater(const Inflater&) = delete;
    Inflater& operator=(const Inflater&) = delete;
};
} // namespace

QString ZipReader::safeName(const QString& raw) {
    QString n = raw;
    n.replace(QLatin1Char('\\'), QLatin1Char('/'));
    if (n.isEmpty() || n.startsWith(QLatin1Char('/')) || n.contains(QChar(0)) ||
        (n.size() >= 2 && n[1] == QLatin1Char(':')))
        return {};
    if (n.size() > 1024)
        return {};
    QStringList parts;
    for (const QString& p : n.split(QLatin1Char('/'), Qt::SkipEmptyParts)) {
        if (p.size() > 255)
            return {};
        if (p == QLatin1String(".."))
            return {};
        if (p == QLatin1String("."))
            continue;
        for (QChar c : p)
            if (c.unicode() < 0x20)
                return {};
        parts << p;
    }
    if (parts.size() > 16)
        return {};
    return parts.join(QLatin1Char('/'));
}

Status ZipReader::read(const QString& path, const Limits& limits, const Sink& sink, QStringList* problems) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return makeError(ErrorKind::Usage, tr("Cannot read %1: %2").arg(path, f.errorString()));
    const qint64 fileSize = f.size();
    if (fileSize < eocdSize)
        return makeError(ErrorKind::Usage, tr("%1 is too short to be a ZIP archive.").arg(path));
    // The end-of-central-directory record is in the last 64 KB + 22 bytes (its comment is at most 64 KB).
    const qint64 tailStart = std::max<qint64>(0, fileSize - (65535 + eocdSize));
    f.seek(tailStart);
    const QByteArray tail = f.read(fileSize - tailStart);
    qsizetype at = -1;
    for (qsizetype i = tail.size() - eocdSize; i >= 0; --i)
        if (tail.at(i) == 'P' && tail.at(i + 1) == 'K' && tail.at(i + 2) == 5 && tail.at(i + 3) == 6) {
            at = i;
            break;
        }
    if (at < 0)
        return makeError(ErrorKind::Usage, tr("%1 is not a ZIP archive, or it was cut short (no central "
                                              "directory). Copy the collector's zip again.")
                                               .arg(path));
    const auto* e = reinterpret_cast<const uchar*>(tail.constData() + at);
    const quint16 entries = le16(e + 10);
    const quint32 dirSize = le32(e + 12);
    const quint32 dirOffset = le32(e + 16);
    if (entries == 0xFFFF || dirSize == 0xFFFFFFFF || dirOffset == 0xFFFFFFFF)
        return makeError(ErrorKind::Usage, tr("%1 is a ZIP64 archive (over 4 GB or 65535 files); a snapshot is far "
                                              "smaller. Collect again with fewer days of logs.")
                                               .arg(path));
    if (entries > limits.maxEntries)
        return makeError(ErrorKind::Usage,
                         tr("%1 holds %2 files, over the limit of %3.").arg(path).arg(entries).arg(limits.maxEntries));
    if (qint64(dirOffset) + dirSize > fileSize)
        return makeError(ErrorKind::Usage, tr("%1 has a damaged central directory.").arg(path));
    f.seek(dirOffset);
    const QByteArray dir = f.read(dirSize);
    QList<Central> list;
    qsizetype pos = 0;
    for (int i = 0; i < entries; ++i) {
        if (pos + centralSize > dir.size())
            return makeError(ErrorKind::Usage, tr("%1 has a damaged central directory.").arg(path));
        const auto* c = reinterpret_cast<const uchar*>(dir.constData() + pos);
        if (le32(c) != 0x02014b50)
            return makeError(ErrorKind::Usage, tr("%1 has a damaged central directory.").arg(path));
        Central ce;
        ce.madeBy = le16(c + 4);
        ce.flags = le16(c + 8);
        ce.method = le16(c + 10);
        ce.crc = le32(c + 16);
        ce.compressed = le32(c + 20);
        ce.size = le32(c + 24);
        const quint16 nameLen = le16(c + 28);
        const quint16 extraLen = le16(c + 30);
        const quint16 commentLen = le16(c + 32);
        ce.external = le32(c + 38);
        ce.localOffset = le32(c + 42);
        if (pos + centralSize + nameLen + extraLen + commentLen > dir.size())
            return makeError(ErrorKind::Usage, tr("%1 has a damaged central directory.").arg(path));
        const QByteArray rawName = dir.mid(pos + centralSize, nameLen);
        // Bit 11: UTF-8 names; otherwise code page 437, which for the collector's ASCII names is the same.
        ce.rawName = (ce.flags & 0x800) ? QString::fromUtf8(rawName) : QString::fromLatin1(rawName);
        pos += centralSize + nameLen + extraLen + commentLen;
        list << ce;
    }
    qint64 total = 0;
    // Each entry's data must lie apart from every other's: entries that share bytes turn a small zip into many
    // large files.
    QList<std::pair<qint64, qint64>> ranges; // [start, end) of the data already read
    int index = -1;
    for (const Central& ce : list) {
        ++index;
        auto refuse = [&](const QString& why) {
            if (problems)
                *problems << tr("%1 (in the zip): %2").arg(ce.rawName, why);
        };
        if (ce.rawName.endsWith(QLatin1Char('/')) || ce.rawName.endsWith(QLatin1Char('\\')))
            continue; // a folder
        const QString name = safeName(ce.rawName);
        if (name.isEmpty()) {
            refuse(tr("its name leads outside the snapshot's folder; not extracted."));
            continue;
        }
        const quint32 unixMode = ce.external >> 16;
        if ((ce.madeBy >> 8) == 3 && (unixMode & 0170000) == 0120000) {
            refuse(tr("a symbolic link; not followed."));
            continue;
        }
        if (ce.flags & 0x1) {
            refuse(tr("encrypted; not read."));
            continue;
        }
        if (ce.method != 0 && ce.method != 8) {
            refuse(tr("compressed with method %1, which the collector never uses; not read.").arg(ce.method));
            continue;
        }
        if (qint64(ce.size) > limits.maxEntryBytes) {
            refuse(tr("%1 MB, over the limit for one file; not read.").arg(ce.size / (1024 * 1024)));
            continue;
        }
        if (total + ce.size > limits.maxTotalBytes) {
            refuse(tr("the archive is over its size limit; not read."));
            continue;
        }
        // The local header repeats the name; its own lengths decide where the data starts.
        if (qint64(ce.localOffset) + localSize > fileSize) {
            refuse(tr("damaged (its data lies past the end of the archive)."));
            continue;
        }
        f.seek(ce.localOffset);
        const QByteArray local = f.read(localSize);
        const auto* l = reinterpret_cast<const uchar*>(local.constData());
        if (local.size() != localSize || le32(l) != 0x04034b50) {
            refuse(tr("damaged (no local header)."));
            continue;
        }
        const qint64 dataStart = qint64(ce.localOffset) + localSize + le16(l + 26) + le16(l + 28);
        if (dataStart + ce.compressed > fileSize) {
            refuse(tr("damaged (its data lies past the end of the archive)."));
            continue;
        }
        const qint64 dataEnd = dataStart + ce.compressed;
        bool overlaps = qint64(ce.localOffset) < dirOffset && dataEnd > dirOffset;
        for (const auto& [from, to] : ranges)
            overlaps |= qint64(ce.localOffset) < to && dataEnd > from;
        if (overlaps) {
            refuse(tr("its data overlaps another entry's (a crafted archive); not read."));
            continue;
        }
        ranges.append({qint64(ce.localOffset), dataEnd});
        f.seek(dataStart);
        const Entry entry{name, qint64(ce.size), index};
        qint64 remaining = ce.compressed;
        qint64 produced = 0;
        uLong crc = crc32(0L, Z_NULL, 0);
        bool failed = false;
        bool stop = false;
        if (ce.method == 0) {
            if (ce.compressed != ce.size) {
                refuse(tr("damaged (stored with two different sizes)."));
                continue;
            }
            while (remaining > 0 && !failed) {
                const QByteArray chunk = f.read(std::min(remaining, chunkBytes));
                if (chunk.isEmpty()) {
                    failed = true;
                    break;
                }
                remaining -= chunk.size();
                produced += chunk.size();
                crc = crc32(crc, reinterpret_cast<const Bytef*>(chunk.constData()), uInt(chunk.size()));
                if (remaining == 0 && crc != ce.crc) {
                    refuse(tr("damaged (its checksum does not match)."));
                    failed = true;
                    break;
                }
                if (!sink(entry, chunk, remaining == 0)) {
                    stop = true;
                    break;
                }
            }
        } else {
            Inflater inf;
            if (!inf.open)
                return makeError(ErrorKind::Internal, tr("zlib could not be initialised."));
            QByteArray out(int(chunkBytes), Qt::Uninitialized);
            int rc = Z_OK;
            QByteArray pendingOut;
            while (rc != Z_STREAM_END && !failed) {
                if (inf.z.avail_in == 0) {
                    if (remaining <= 0) {
                        failed = true;
                        break;
                    }
                    static thread_local QByteArray input;
                    input = f.read(std::min(remaining, chunkBytes));
                    if (input.isEmpty()) {
                        failed = true;
                        break;
                    }
                    remaining -= input.size();
                    inf.z.next_in = reinterpret_cast<Bytef*>(input.data());
                    inf.z.avail_in = uInt(input.size());
                }
                inf.z.next_out = reinterpret_cast<Bytef*>(out.data());
                inf.z.avail_out = uInt(out.size());
                rc = inflate(&inf.z, Z_NO_FLUSH);
                if (rc != Z_OK && rc != Z_STREAM_END) {
                    failed = true;
                    break;
                }
                const qint64 got = out.size() - inf.z.avail_out;
                produced += got;
                if (produced > qint64(ce.size)) {
                    refuse(tr("it inflates to more than its header says (a zip bomb?); not read."));
                    failed = true;
                    break;
                }
                crc = crc32(crc, reinterpret_cast<const Bytef*>(out.constData()), uInt(got));
                const bool last = rc == Z_STREAM_END;
                if (last && (produced != qint64(ce.size) || crc != ce.crc)) {
                    refuse(tr("damaged (its size or checksum does not match)."));
                    failed = true;
                    break;
                }
                if ((got > 0 || last) && !sink(entry, QByteArrayView(out.constData(), got), last)) {
                    stop = true;
                    break;
                }
            }
            if (failed && problems && (problems->isEmpty() || !problems->last().startsWith(ce.rawName)))
                refuse(tr("damaged (it does not inflate)."));
        }
        if (ce.size == 0 && ce.method == 0 && !failed && !stop)
            stop = !sink(entry, QByteArrayView(), true);
        if (failed && ce.method == 0 && problems && (problems->isEmpty() || !problems->last().startsWith(ce.rawName)))
            refuse(tr("damaged (cut short)."));
        total += produced;
        if (stop)
            break;
    }
    return {};
}

} // namespace ndes::audit
