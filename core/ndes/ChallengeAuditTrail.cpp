// SPDX-License-Identifier: Apache-2.0
#include "ndes/ChallengeAuditTrail.h"
#include "util/Access.h"

#include "inventory/AppFiles.h"
#include "util/Clock.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSettings>
#include <QStandardPaths>

#include <unistd.h>

namespace ndes::service {

namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("ChallengeAuditTrail", text);
}

const QByteArray genesis(64, '0');

QByteArray hashLine(const QByteArray& line) {
    return QCryptographicHash::hash(line, QCryptographicHash::Sha256).toHex();
}

QByteArray readAll(const QString& path, bool* ok) {
    QFile f(path);
    if (!f.exists()) {
        *ok = true;
        return {};
    }
    *ok = f.open(QIODevice::ReadOnly);
    return *ok ? f.readAll() : QByteArray();
}

QString csvField(QString s) {
    // Guard against formula injection in spreadsheets and quote every field.
    if (!s.isEmpty() && QStringLiteral("=+-@").contains(s.front()))
        s.prepend(QLatin1Char('\''));
    s.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return QLatin1Char('"') + s + QLatin1Char('"');
}

} // namespace

QString ChallengeAuditTrail::defaultPath() {
    return QDir(inventory::dataDir()).filePath(QStringLiteral("challenge-audit.jsonl"));
}

QString ChallengeAuditTrail::anchorKeyFor(const QString& path) {
    const QByteArray where = QFileInfo(path).absoluteFilePath().toUtf8();
    return QStringLiteral("auditTrailAnchors/") +
           QString::fromLatin1(QCryptographicHash::hash(where, QCryptographicHash::Sha256).toHex().left(32));
}

Status ChallengeAuditTrail::append(const ChallengeAuditEntry& entry) {
    if (auto capability = Access::request(WriteOperation::AuditTrailWrite); !capability)
        return capability.error();
    // The chain's tail is read once and then kept; the file is read again only if its size is not what this
    // object last wrote (another writer), so appending does not re-read a growing file every time.
    const qint64 size = QFileInfo(m_path).exists() ? QFileInfo(m_path).size() : 0;
    if (m_knownSize != size) {
        bool ok = false;
        const QByteArray existing = readAll(m_path, &ok);
        if (!ok)
            return makeError(ErrorKind::Io, tr("Cannot read the audit trail %1.").arg(m_path));
        m_lastHash = genesis;
        m_lines = 0;
        QList<QByteArray> hashes;
        for (const QByteArray& line : existing.split('\n')) {
            if (line.isEmpty())
                continue;
            m_lastHash = hashLine(line);
            hashes << m_lastHash;
            ++m_lines;
        }
        m_knownSize = existing.size();
        // Appending to a trail that was cut or rewritten would move the anchor onto the new history and hide it:
        // the finding is kept in the settings for good, and written into the trail itself first.
        if (m_anchors) {
            const int anchoredLines = m_anchors->value(anchorKey() + QStringLiteral("/lines"), 0).toInt();
            const QByteArray head = m_anchors->value(anchorKey() + QStringLiteral("/head")).toString().toLatin1();
            QString problem;
            if (anchoredLines > m_lines)
                problem = tr("%1 of %2 entries were missing").arg(anchoredLines - m_lines).arg(anchoredLines);
            else if (anchoredLines > 0 && hashes.value(anchoredLines - 1) != head)
                problem = tr("entry %1 was not the one written").arg(anchoredLines);
            if (!problem.isEmpty() &&
                m_anchors->value(anchorKey() + QStringLiteral("/tampered")).toString().isEmpty()) {
                m_anchors->setValue(anchorKey() + QStringLiteral("/tampered"),
                                    tr("On %1 the trail was found cut or rewritten: %2.")
                                        .arg(Clock::instance().now().toString(Qt::ISODate), problem));
                m_anchors->sync();
            }
            if (!problem.isEmpty()) {
                ChallengeAuditEntry note;
                note.time = Clock::instance().now();
                note.requestedBy = entry.requestedBy;
                note.outcome = QStringLiteral("audit-trail-tampered: ") + problem;
                const QByteArray noteLine = lineFor(note, m_lastHash, m_lines);
                if (Status st = writeLine(noteLine); !st)
                    return st;
            }
        }
    }
    return writeLine(lineFor(entry, m_lastHash, m_lines));
}

QByteArray ChallengeAuditTrail::lineFor(const ChallengeAuditEntry& entry, const QByteArray& prev, int lines) {
    const QJsonObject o{{QStringLiteral("seq"), lines + 1},
                        {QStringLiteral("time"), entry.time.toUTC().toString(Qt::ISODateWithMs)},
                        {QStringLiteral("requestedBy"), entry.requestedBy},
                        {QStringLiteral("server"), entry.server},
                        {QStringLiteral("device"), entry.device},
                        {QStringLiteral("ticket"), entry.ticket},
                        {QStringLiteral("outcome"), entry.outcome},
                        {QStringLiteral("prev"), QString::fromLatin1(prev)}};
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

Status ChallengeAuditTrail::writeLine(const QByteArray& line) {
    QDir().mkpath(QFileInfo(m_path).absolutePath());
    QFile f(m_path);
    if (!f.open(QIODevice::Append | QIODevice::WriteOnly))
        return makeError(ErrorKind::Io, tr("Cannot write the audit trail %1: %2").arg(m_path, f.errorString()));
    f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    if (f.write(line + '\n') != line.size() + 1 || !f.flush())
        return makeError(ErrorKind::Io, tr("Cannot write the audit trail %1: %2").arg(m_path, f.errorString()));
    ::fsync(f.handle());
    m_lastHash = hashLine(line);
    ++m_lines;
    m_knownSize = f.size();
    if (m_anchors) {
        m_anchors->setValue(anchorKey() + QStringLiteral("/lines"), m_lines);
        m_anchors->setValue(anchorKey() + QStringLiteral("/head"), QString::fromLatin1(m_lastHash));
        m_anchors->sync();
    }
    return {};
}

ChallengeAuditTrail::Verification ChallengeAuditTrail::verify() const {
    Verification v;
    bool ok = false;
    const QByteArray all = readAll(m_path, &ok);
    if (!ok) {
        v.intact = false;
        v.problem = tr("The audit trail cannot be read.");
        return v;
    }
    QByteArray prev = genesis;
    QList<QByteArray> lineHashes;
    int expectedSeq = 1;
    const QList<QByteArray> lines = all.split('\n');
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QByteArray& line = lines[i];
        if (line.isEmpty()) {
            if (i != lines.size() - 1) {
                v = {false, int(i), int(i + 1),
                     tr("Line %1 is empty: a line was removed or the file was edited.").arg(i + 1)};
                return v;
            }
            continue;
        }
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        if (o.isEmpty()) {
            v = {false, int(i), int(i + 1), tr("Line %1 is not a valid entry.").arg(i + 1)};
            return v;
        }
        if (o.value(QStringLiteral("prev")).toString().toLatin1() != prev) {
            v = {false, int(i), int(i + 1),
                 tr("Line %1 does not follow the line before it: an entry was changed, inserted or deleted.")
                     .arg(i + 1)};
            return v;
        }
        if (o.value(QStringLiteral("seq")).toInt() != expectedSeq) {
            v = {false, int(i), int(i + 1),
                 tr("Line %1 has sequence number %2, expected %3.")
                     .arg(i + 1)
                     .arg(o.value(QStringLiteral("seq")).toInt())
                     .arg(expectedSeq)};
            return v;
        }
        prev = hashLine(line);
        ++expectedSeq;
        ++v.lines;
        lineHashes << prev;
    }
    if (m_anchors) {
        const QString tampered = m_anchors->value(anchorKey() + QStringLiteral("/tampered")).toString();
        if (!tampered.isEmpty()) {
            v.intact = false;
            v.firstBadLine = 1;
            v.problem = tampered;
            return v;
        }
        const int anchoredLines = m_anchors->value(anchorKey() + QStringLiteral("/lines"), 0).toInt();
        const QByteArray anchoredHead = m_anchors->value(anchorKey() + QStringLiteral("/head")).toString().toLatin1();
        if (anchoredLines > v.lines) {
            v.intact = false;
            v.firstBadLine = v.lines + 1;
            v.problem = tr("The trail ends after %1 entries, but %2 were written: the last %3 were removed.")
                            .arg(v.lines)
                            .arg(anchoredLines)
                            .arg(anchoredLines - v.lines);
        } else if (anchoredLines > 0 && lineHashes.value(anchoredLines - 1) != anchoredHead) {
            v.intact = false;
            v.firstBadLine = anchoredLines;
            v.problem = tr("Entry %1 is not the one that was written: the trail was rewritten.").arg(anchoredLines);
        }
    }
    return v;
}

Result<QList<ChallengeAuditEntry>> ChallengeAuditTrail::entries() const {
    bool ok = false;
    const QByteArray all = readAll(m_path, &ok);
    if (!ok)
        return makeError(ErrorKind::Io, tr("Cannot read the audit trail %1.").arg(m_path));
    QList<ChallengeAuditEntry> out;
    for (const QByteArray& line : all.split('\n')) {
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        if (o.isEmpty())
            continue;
        out.append({QDateTime::fromString(o.value(QStringLiteral("time")).toString(), Qt::ISODateWithMs),
                    o.value(QStringLiteral("requestedBy")).toString(), o.value(QStringLiteral("server")).toString(),
                    o.value(QStringLiteral("device")).toString(), o.value(QStringLiteral("ticket")).toString(),
                    o.value(QStringLiteral("outcome")).toString()});
    }
    return out;
}

Result<QByteArray> ChallengeAuditTrail::exportCsv() const {
    auto list = entries();
    if (!list)
        return list.error();
    QString csv = QStringLiteral("time,requested by,server,device,ticket,outcome\r\n");
    for (const ChallengeAuditEntry& e : *list)
        csv += QStringList{csvField(e.time.toString(Qt::ISODate)),
                           csvField(e.requestedBy),
                           csvField(e.server),
                           csvField(e.device),
                           csvField(e.ticket),
                           csvField(e.outcome)}
                   .join(QLatin1Char(',')) +
               QStringLiteral("\r\n");
    return csv.toUtf8();
}

} // namespace ndes::service
