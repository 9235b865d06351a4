// SPDX-License-Identifier: Apache-2.0
#include "audit/Snapshot.h"

#include "audit/ZipReader.h"
#include "pki/OpenSslPtr.h"

#include <openssl/evp.h>

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>

namespace ndes::audit {

namespace {
QString tr(const char* text) {
    return QCoreApplication::translate("Snapshot", text);
}

constexpr qsizetype headBytes = 8192;
// A machine's stores hold tens of certificates, a big one a few hundred.
constexpr int maxCertificatesPerFile = 100;
constexpr int maxCertificates = 5000;

QString megabytes(qint64 bytes) {
    return QString::number(double(bytes) / (1024.0 * 1024.0), 'f', bytes < 10 * 1024 * 1024 ? 1 : 0);
}

// The start of a file as text, whatever Windows encoding it is in (for recognising it).
QString headText(const QByteArray& head) {
    QByteArray h = head;
    const bool utf16 = h.startsWith("\xFF\xFE") || (h.size() >= 4 && h[1] == '\0' && h[3] == '\0' && h[0] != '\0');
    if (utf16) {
        if (h.size() % 2)
            h.chop(1);
        auto t = decodeWindowsText(h);
        return t ? *t : QString();
    }
    return QString::fromUtf8(h.startsWith("\xEF\xBB\xBF") ? h.mid(3) : h);
}

// SHA-256 through OpenSSL (SHA extensions where the CPU has them: a 100 MB log in a fraction of a second).
class Sha256 {
public:
    Sha256()
        : m_ctx(EVP_MD_CTX_new()) {
        m_ok = m_ctx && EVP_DigestInit_ex(m_ctx.get(), EVP_sha256(), nullptr) == 1;
    }
    void add(const char* data, qsizetype size) {
        m_ok = m_ok && EVP_DigestUpdate(m_ctx.get(), data, size_t(size)) == 1;
    }
    bool add(QIODevice& device) {
        QByteArray chunk(1 << 20, Qt::Uninitialized);
        for (;;) {
            const qint64 n = device.read(chunk.data(), chunk.size());
            if (n < 0)
                return false;
            if (n == 0)
                return true;
            add(chunk.constData(), qsizetype(n));
        }
    }
    QString hex() {
        unsigned char out[EVP_MAX_MD_SIZE];
        unsigned int len = 0;
        if (!m_ok || EVP_DigestFinal_ex(m_ctx.get(), out, &len) != 1)
            return {};
        return QString::fromLatin1(QByteArray(reinterpret_cast<const char*>(out), int(len)).toHex());
    }

private:
    ndes::pki::EvpMdCtxPtr m_ctx;
    bool m_ok = false;
};

QStringList jsonStrings(const QJsonValue& v) {
    QStringList out;
    for (const QJsonValue& x : v.toArray())
        out << x.toString();
    return out;
}
} // namespace

Result<Snapshot> Snapshot::load(const QString& path, const Limits& limits) {
    const QFileInfo info(path);
    if (!info.exists())
        return makeError(ErrorKind::Usage, tr("%1 does not exist.").arg(path));
    if (info.isSymLink())
        return makeError(ErrorKind::Usage, tr("%1 is a symbolic link; give the folder or zip itself.").arg(path));
    if (info.isFile()) {
        QFile f(path);
        if (f.open(QIODevice::ReadOnly) && ZipReader::isZip(f.peek(4)))
            return loadZip(path, limits);
    }
    if (!info.isDir())
        return makeError(ErrorKind::Usage, tr("%1 is not a folder or a zip. Give the zip or folder "
                                              "Collect-NdesSnapshot.ps1 wrote, or a folder of exported files (.reg, "
                                              "applicationHost.config, certificates, event logs, IIS logs).")
                                               .arg(path));
    auto s = loadFolder(path, limits);
    if (s)
        s->m_source = info.absoluteFilePath();
    return s;
}

Result<Snapshot> Snapshot::loadZip(const QString& zip, const Limits& limits) {
    auto dir = std::make_shared<QTemporaryDir>();
    if (!dir->isValid())
        return makeError(ErrorKind::Io,
                         tr("Cannot make a temporary folder to read %1 into: %2").arg(zip, dir->errorString()));
    ZipReader::Limits zl;
    zl.maxEntryBytes = limits.maxFileBytes;
    zl.maxTotalBytes = limits.maxTotalBytes;
    zl.maxEntries = limits.maxFiles;
    QStringList problems;
    std::unique_ptr<QFile> current;
    int currentIndex = -1;
    QStringList incomplete;
    Status read = ZipReader::read(
        zip, zl,
        [&](const ZipReader::Entry& e, QByteArrayView chunk, bool last) {
            if (e.index != currentIndex) {
                if (current)
                    incomplete << current->fileName();
                current.reset();
                currentIndex = e.index;
                const QString target = dir->path() + QLatin1Char('/') + e.name;
                if (!QFileInfo(target).absoluteFilePath().startsWith(dir->path() + QLatin1Char('/')) ||
                    !QDir().mkpath(QFileInfo(target).absolutePath()) || QFileInfo::exists(target)) {
                    problems << tr("%1 (in the zip): cannot be read (a second file of that name?).").arg(e.name);
                    current.reset();
                    return true;
                }
                current = std::make_unique<QFile>(target);
                if (!current->open(QIODevice::WriteOnly | QIODevice::NewOnly)) {
                    problems << tr("%1 (in the zip): %2").arg(e.name, current->errorString());
                    current.reset();
                    return true;
                }
            }
            if (!current)
                return true;
            if (current->write(chunk.data(), chunk.size()) != chunk.size())
                return false; // the disk is full: stop, and say so below
            if (last) {
                current->close();
                current.reset();
            }
            return true;
        },
        &problems);
    if (current)
        incomplete << current->fileName();
    current.reset();
    for (const QString& f : incomplete)
        QFile::remove(f); // an entry that failed part way is not evidence
    if (!read)
        return read.error();
    auto s = loadFolder(dir->path(), limits);
    if (!s) {
        if (!problems.isEmpty())
            return makeError(ErrorKind::Usage, s.error().message + QLatin1Char(' ') + problems.join(QLatin1Char(' ')));
        return s;
    }
    s->m_extracted = dir;
    s->m_source = QFileInfo(zip).absoluteFilePath();
    s->m_problems = problems + s->m_problems;
    for (const QString& p : problems)
        s->m_files << SnapshotFile{p.section(QStringLiteral(" (in the zip)"), 0, 0),
                                   QStringLiteral("unreadable"),
                                   0,
                                   {},
                                   p.section(QStringLiteral(" (in the zip): "), 1)};
    return s;
}

Result<Snapshot> Snapshot::loadFolder(const QString& folder, const Limits& limits) {
    const QFileInfo rootInfo(folder);
    Snapshot s;
    s.m_root = rootInfo.absoluteFilePath();
    qint64 total = 0;
    // Depth-first, in name order, links never followed.
    struct Dir {
        QString relative;
        int depth;
    };
    QList<Dir> pending{{QString(), 0}};
    while (!pending.isEmpty()) {
        const Dir d = pending.takeFirst();
        const QDir dir(d.relative.isEmpty() ? s.m_root : s.m_root + QLatin1Char('/') + d.relative);
        const QFileInfoList entries =
            dir.entryInfoList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDir::Name);
        QList<Dir> subdirs;
        for (const QFileInfo& e : entries) {
            const QString rel = d.relative.isEmpty() ? e.fileName() : d.relative + QLatin1Char('/') + e.fileName();
            if (e.isSymLink()) {
                s.m_problems << tr("%1 is a symbolic link: not followed.").arg(rel);
                s.m_files << SnapshotFile{
                    rel, QStringLiteral("unreadable"), 0, {}, tr("a symbolic link, not followed")};
                continue;
            }
            if (e.isDir()) {
                if (d.depth + 1 > limits.maxDepth)
                    s.m_problems
                        << tr("%1 is nested more than %2 folders deep: not read.").arg(rel).arg(limits.maxDepth);
                else
                    subdirs << Dir{rel, d.depth + 1};
                continue;
            }
            if (!e.isFile()) {
                s.m_problems << tr("%1 is not a regular file: not read.").arg(rel);
                continue;
            }
            if (s.m_files.size() >= limits.maxFiles) {
                s.m_problems << tr("More than %1 files: the rest were not read.").arg(limits.maxFiles);
                pending.clear();
                subdirs.clear();
                break;
            }
            SnapshotFile f;
            f.name = rel;
            f.size = e.size();
            if (f.size > limits.maxFileBytes) {
                f.kind = QStringLiteral("unreadable");
                f.problem = tr("%1 MB, over the %2 MB limit for one file: not read.")
                                .arg(megabytes(f.size), megabytes(limits.maxFileBytes));
                s.m_problems << QStringLiteral("%1: %2").arg(rel, f.problem);
                s.m_files << f;
                continue;
            }
            if (total + f.size > limits.maxTotalBytes) {
                f.kind = QStringLiteral("unreadable");
                f.problem = tr("the snapshot is over %1 MB in all: not read.").arg(megabytes(limits.maxTotalBytes));
                s.m_problems << QStringLiteral("%1: %2").arg(rel, f.problem);
                s.m_files << f;
                continue;
            }
            total += f.size;
            if (!s.m_newestFile.isValid() || e.lastModified() > s.m_newestFile)
                s.m_newestFile = e.lastModified();
            s.classify(f, e.absoluteFilePath(), limits);
            s.m_files << f;
        }
        pending = subdirs + pending;
    }
    if (s.m_files.isEmpty())
        return makeError(ErrorKind::Usage, tr("%1 holds no file to audit.").arg(folder));
    // Pair the collector's certificate info files with their certificates (by SHA-1 thumbprint, not by name).
    QMultiHash<QString, qsizetype> byThumbprint;
    for (qsizetype i = 0; i < s.m_certificates.size(); ++i)
        byThumbprint.insert(pki::Certificate::hex(s.m_certificates[i].certificate.sha1()), i);
    for (const auto& [file, info] : s.m_certificateInfos) {
        const QString thumb = info.value(QStringLiteral("thumbprint")).toString().toUpper();
        for (auto it = byThumbprint.constFind(thumb); it != byThumbprint.constEnd() && it.key() == thumb; ++it) {
            CertificateEvidence& c = s.m_certificates[it.value()];
            if (!c.infoFile.isEmpty())
                continue;
            c.infoFile = file;
            c.info = info;
            c.store = info.value(QStringLiteral("store")).toString();
            break;
        }
    }
    s.checkManifest();
    return s;
}

void Snapshot::classify(SnapshotFile& f, const QString& absolute, const Limits& limits) {
    QFile file(absolute);
    if (!file.open(QIODevice::ReadOnly)) {
        f.kind = QStringLiteral("unreadable");
        f.problem = tr("cannot be opened: %1").arg(file.errorString());
        m_problems << QStringLiteral("%1: %2").arg(f.name, f.problem);
        return;
    }
    Sha256 hash;
    const QByteArray head = file.peek(headBytes);
    const bool small = f.size <= limits.maxParsedBytes && m_parsedBytes + f.size <= limits.maxParsedTotalBytes;
    if (small)
        m_parsedBytes += f.size;
    QByteArray all;
    bool read = true;
    if (small) {
        all = file.readAll();
        hash.add(all.constData(), all.size());
    } else {
        read = hash.add(file);
    }
    f.sha256 = read ? hash.hex() : QString();
    if (f.sha256.isEmpty()) {
        f.kind = QStringLiteral("unreadable");
        f.problem = tr("cannot be read: %1").arg(file.errorString());
        m_problems << QStringLiteral("%1: %2").arg(f.name, f.problem);
        return;
    }
    auto fail = [this, &f](const QString& kind, const QString& why) {
        f.kind = QStringLiteral("unreadable");
        f.problem = tr("looks like %1 but cannot be read: %2").arg(kind, why);
        m_problems << QStringLiteral("%1: %2").arg(f.name, f.problem);
    };
    if (head.startsWith(QByteArrayLiteral("ElfFile\0"))) {
        f.kind = QStringLiteral("events");
        return;
    }
    const QString text = headText(head);
    if (text.startsWith(QLatin1String("#Software: Microsoft Internet Information Services")) ||
        (text.startsWith(QLatin1Char('#')) && text.contains(QLatin1String("#Fields:")))) {
        f.kind = QStringLiteral("iis-log");
        return;
    }
    if (!small) {
        f.kind = QStringLiteral("unknown");
        f.problem = tr("%1 MB, not recognised (only logs may be this large).").arg(megabytes(f.size));
        return;
    }
    if (text.startsWith(QLatin1String("Windows Registry Editor Version 5.00")) ||
        text.startsWith(QLatin1String("REGEDIT4"))) {
        auto reg = service::RegistryExport::parse(all);
        if (!reg)
            return fail(tr("a registry export"), reg.error().message);
        f.kind = QStringLiteral("registry");
        m_registries << RegistryEvidence{f.name, *reg};
        return;
    }
    if (AppHostConfig::looksLike(head)) {
        auto cfg = AppHostConfig::parse(all);
        if (!cfg)
            return fail(QStringLiteral("applicationHost.config"), cfg.error().message);
        if (m_appHost) {
            f.kind = QStringLiteral("unknown");
            f.problem = tr("a second applicationHost.config: only %1 is used.").arg(m_appHostFile);
            m_problems << QStringLiteral("%1: %2").arg(f.name, f.problem);
            return;
        }
        f.kind = QStringLiteral("iis");
        m_appHost = *cfg;
        m_appHostFile = f.name;
        return;
    }
    if (text.contains(QLatin1String("<Events")) || text.contains(QLatin1String("<Event xmlns"))) {
        f.kind = QStringLiteral("events");
        return;
    }
    if (UserRights::looksLike(text)) {
        auto rights = UserRights::parse(all);
        if (!rights)
            return fail(tr("a user rights export"), rights.error().message);
        f.kind = QStringLiteral("user-rights");
        m_userRights = *rights;
        m_userRightsFile = f.name;
        return;
    }
    if (SslCertList::looksLike(text)) {
        auto list = SslCertList::parse(all);
        if (!list)
            return fail(tr("netsh http show sslcert"), list.error().message);
        f.kind = QStringLiteral("sslcert");
        m_sslCerts = *list;
        m_sslCertsFile = f.name;
        return;
    }
    if (text.contains(QLatin1String("-----BEGIN CERTIFICATE-----"))) {
        if (all.count("-----BEGIN CERTIFICATE-----") > maxCertificatesPerFile)
            return fail(tr("a PEM bundle"), tr("it holds more than %1 certificates; a machine store export holds one "
                                               "per file.")
                                                .arg(maxCertificatesPerFile));
        if (m_certificates.size() >= maxCertificates)
            return fail(tr("a certificate"), tr("the snapshot already holds %1 certificates.").arg(maxCertificates));
        auto certs = pki::Certificate::listFromPem(all);
        if (!certs)
            return fail(tr("a PEM certificate"), certs.error().message);
        f.kind = QStringLiteral("certificate");
        for (const pki::Certificate& c : *certs)
            m_certificates << CertificateEvidence{f.name, c, {}, {}, {}};
        return;
    }
    if (head.startsWith('\x30') && m_certificates.size() < maxCertificates) {
        auto cert = pki::Certificate::fromDer(all);
        if (cert) {
            f.kind = QStringLiteral("certificate");
            m_certificates << CertificateEvidence{f.name, *cert, {}, {}, {}};
            return;
        }
    }
    const QString trimmed = text.trimmed();
    if (trimmed.startsWith(QLatin1Char('{'))) {
        auto decoded = decodeWindowsText(all);
        QJsonParseError pe;
        const QJsonDocument doc = QJsonDocument::fromJson(decoded ? decoded->toUtf8() : QByteArray(), &pe);
        const QJsonObject o = doc.object();
        const QString kind = o.value(QStringLiteral("kind")).toString();
        if (!doc.isObject() || kind.isEmpty()) {
            f.kind = QStringLiteral("unknown");
            return;
        }
        if (kind == QLatin1String("ndes-snapshot-manifest")) {
            f.kind = QStringLiteral("manifest");
            if (m_manifest) {
                m_problems << tr("%1: a second manifest; only %2 is used.").arg(f.name, m_manifestFile);
                return;
            }
            SnapshotManifest m;
            if (o.value(QStringLiteral("format")).toInt() != SnapshotManifest::formatVersion) {
                fail(tr("a snapshot manifest"),
                     tr("it has format %1; this version of NDES Console reads format %2. Update NDES Console, or "
                        "collect again with the collector it ships (ndesctl collector --out FILE).")
                         .arg(o.value(QStringLiteral("format")).toVariant().toString())
                         .arg(SnapshotManifest::formatVersion));
                return;
            }
            m.collectorVersion = o.value(QStringLiteral("collectorVersion")).toString();
            m.host = o.value(QStringLiteral("host")).toString();
            m.collectedAt = QDateTime::fromString(o.value(QStringLiteral("collectedAt")).toString(), Qt::ISODate);
            m.collectedBy = o.value(QStringLiteral("collectedBy")).toString();
            m.days = o.value(QStringLiteral("days")).toInt();
            m.absentKeys = jsonStrings(o.value(QStringLiteral("absentKeys")));
            m.redacted = jsonStrings(o.value(QStringLiteral("redacted")));
            for (const QJsonValue& v : o.value(QStringLiteral("files")).toArray()) {
                const QJsonObject e = v.toObject();
                m.files << SnapshotManifest::Entry{e.value(QStringLiteral("name")).toString(),
                                                   e.value(QStringLiteral("sha256")).toString().toLower()};
            }
            m_manifest = m;
            m_manifestFile = f.name;
        } else if (kind == QLatin1String("certificate-info")) {
            f.kind = QStringLiteral("certificate-info");
            m_certificateInfos << std::pair{f.name, o};
        } else if (kind == QLatin1String("local-groups")) {
            f.kind = QStringLiteral("groups");
            LocalGroups g;
            g.file = f.name;
            const QJsonObject groups = o.value(QStringLiteral("groups")).toObject();
            for (auto it = groups.begin(); it != groups.end(); ++it) {
                QList<GroupMember> members;
                for (const QJsonValue& m : it.value().toArray())
                    members << GroupMember{m.toObject().value(QStringLiteral("name")).toString(),
                                           m.toObject().value(QStringLiteral("sid")).toString()};
                g.groups.insert(it.key().toLower(), members);
            }
            m_groups = g;
        } else if (kind == QLatin1String("host")) {
            f.kind = QStringLiteral("host");
            HostInfo h;
            h.file = f.name;
            h.computerName = o.value(QStringLiteral("computerName")).toString();
            h.fqdn = o.value(QStringLiteral("fqdn")).toString();
            h.installedFeatures = jsonStrings(o.value(QStringLiteral("installedFeatures")));
            h.scepPoolIdentitySid = o.value(QStringLiteral("scepPoolIdentitySid")).toString();
            h.scepPoolSid = o.value(QStringLiteral("scepPoolSid")).toString();
            if (o.contains(QStringLiteral("domainRole")))
                h.domainController = o.value(QStringLiteral("domainRole")).toInt() >= 4; // 4, 5: a DC
            m_host = h;
        } else if (kind == QLatin1String("services")) {
            f.kind = QStringLiteral("services");
        } else {
            f.kind = QStringLiteral("unknown");
        }
        return;
    }
    f.kind = QStringLiteral("unknown");
}

void Snapshot::checkManifest() {
    if (!m_manifest)
        return;
    // Names in the manifest are relative to its own folder (a zip of the snapshot's parent folder holds it one
    // level down).
    const qsizetype slash = m_manifestFile.lastIndexOf(QLatin1Char('/'));
    const QString prefix = slash < 0 ? QString() : m_manifestFile.left(slash + 1);
    // Every other file of the snapshot must be listed, wherever it lies (one placed beside the manifest's folder would
    // otherwise be read as evidence without being vouched for).
    QHash<QString, QString> actual;
    for (const SnapshotFile& f : m_files)
        if (f.name != m_manifestFile)
            actual.insert(f.name, f.sha256);
    QSet<QString> listed;
    for (SnapshotManifest::Entry e : m_manifest->files) {
        e.name = prefix + e.name;
        listed.insert(e.name);
        auto it = actual.constFind(e.name);
        if (it == actual.constEnd())
            m_altered << AlteredFile{e.name, e.sha256, {}};
        else if (it.value() != e.sha256)
            m_altered << AlteredFile{e.name, e.sha256, it.value()};
    }
    for (auto it = actual.constBegin(); it != actual.constEnd(); ++it)
        if (!listed.contains(it.key()))
            m_altered << AlteredFile{it.key(), {}, it.value()};
}

QStringList Snapshot::filesOfKind(const QString& kind) const {
    QStringList out;
    for (const SnapshotFile& f : m_files)
        if (f.kind == kind)
            out << f.name;
    return out;
}

QString Snapshot::hostName() const {
    if (m_manifest && !m_manifest->host.isEmpty())
        return m_manifest->host;
    if (m_host)
        return m_host->fqdn.isEmpty() ? m_host->computerName : m_host->fqdn;
    return {};
}

QDateTime Snapshot::collectedAt() const {
    if (m_manifest && m_manifest->collectedAt.isValid())
        return m_manifest->collectedAt;
    return m_newestFile;
}

QString Snapshot::absolutePath(const QString& name) const {
    return m_root + QLatin1Char('/') + name;
}

Snapshot::FoundKey Snapshot::findKey(const QString& path) const {
    for (const RegistryEvidence& r : m_registries)
        if (const service::RegistryKey* k = r.reg.find(path))
            return {k, r.file};
    return {};
}

bool Snapshot::hasKeyUnder(const QString& path) const {
    const QString prefix = service::RegistryExport::normalize(path);
    for (const RegistryEvidence& r : m_registries)
        for (const service::RegistryKey& k : r.reg.keys()) {
            const QString n = service::RegistryExport::normalize(k.path);
            if (n == prefix || n.startsWith(prefix + QLatin1Char('\\')))
                return true;
        }
    return false;
}

} // namespace ndes::audit
