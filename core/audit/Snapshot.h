// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "audit/AppHostConfig.h"
#include "audit/WindowsText.h"
#include "ndes/RegistryExport.h"
#include "pki/Certificate.h"
#include "util/Result.h"

#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <memory>
#include <optional>

class QTemporaryDir;

namespace ndes::audit {

// One file of a snapshot as found, with what it was recognised as (by content, never by name).
struct SnapshotFile {
    QString name; // relative to the snapshot's folder, '/' separated
    QString kind; // registry, iis, certificate, certificate-info, user-rights, sslcert, groups, services, host,
                  // events, iis-log, manifest, unknown; "unreadable" with a problem
    qint64 size = 0;
    QString sha256; // lower-case hex; empty when the file was not read (too large, a link)
    QString problem;
};

// manifest.json of Collect-NdesSnapshot.ps1.
struct SnapshotManifest {
    static constexpr int formatVersion = 1;
    QString collectorVersion;
    QString host;
    QDateTime collectedAt;
    QString collectedBy;
    int days = 0;
    QStringList absentKeys; // registry keys the collector found absent on the server
    QStringList redacted;   // values that exist but whose data the collector did not copy (EncryptedPassword)
    struct Entry {
        QString name;
        QString sha256;
    };
    QList<Entry> files;
};

// A file whose content is not what the manifest recorded.
struct AlteredFile {
    QString name;
    QString expected; // the manifest's SHA-256, empty when the manifest does not list the file
    QString actual;   // empty when the file is missing
};

struct RegistryEvidence {
    QString file;
    service::RegistryExport reg;
};

struct CertificateEvidence {
    QString file;
    pki::Certificate certificate;
    QString store;    // "My", "Root", … from the collector's info file; empty when unknown
    QString infoFile; // the collector's JSON about the certificate and its key, empty when none
    QJsonObject info; // keyProvider, keyExportable, keyFileSddl, hasPrivateKey, …
};

struct GroupMember {
    QString name;
    QString sid;
};

struct LocalGroups {
    QString file;
    QHash<QString, QList<GroupMember>> groups; // by group name, lower case
};

struct HostInfo {
    QString file;
    QString computerName;
    QString fqdn;
    QStringList installedFeatures; // Windows feature names (ADCS-Cert-Authority, AD-Domain-Services, …)
    std::optional<bool> domainController;
    QString scepPoolIdentitySid; // the SCEP pool's account as a SID, resolved on the server
    QString scepPoolSid;         // IIS AppPool\SCEP as a SID
};

// The evidence an audit looks at, from (a) a folder Collect-NdesSnapshot.ps1 wrote (with manifest.json) or (b) any
// folder of raw artifacts an auditor got otherwise: .reg exports, applicationHost.config, certificates, secedit's
// user rights, netsh's sslcert list, EVTX or Event XML, IIS logs. Nothing is written; symbolic links are not
// followed; each file and the whole are bounded. A file that cannot be read is listed with the reason, and the
// checks that needed it say "not checked".
class Snapshot {
public:
    struct Limits {
        qint64 maxFileBytes = qint64(1) * 1024 * 1024 * 1024;   // one file (logs are large)
        qint64 maxParsedBytes = qint64(32) * 1024 * 1024;       // a file parsed in memory (.reg, XML, JSON, INF)
        qint64 maxParsedTotalBytes = qint64(256) * 1024 * 1024; // all of them together
        qint64 maxTotalBytes = qint64(8) * 1024 * 1024 * 1024;
        int maxFiles = 20000;
        int maxDepth = 16;
    };

    // A folder, or the collector's zip (read into a private temporary folder, removed with the snapshot).
    static Result<Snapshot> load(const QString& path) { return load(path, Limits()); }
    static Result<Snapshot> load(const QString& path, const Limits& limits);

    // What was given: the folder or the zip.
    [[nodiscard]] const QString& source() const { return m_source; }

    [[nodiscard]] const QString& root() const { return m_root; }
    [[nodiscard]] const QList<SnapshotFile>& files() const { return m_files; }
    [[nodiscard]] const std::optional<SnapshotManifest>& manifest() const { return m_manifest; }
    [[nodiscard]] const QList<AlteredFile>& altered() const { return m_altered; }
    [[nodiscard]] const QStringList& problems() const { return m_problems; }

    [[nodiscard]] const QList<RegistryEvidence>& registries() const { return m_registries; }
    [[nodiscard]] const std::optional<AppHostConfig>& appHost() const { return m_appHost; }
    [[nodiscard]] const QString& appHostFile() const { return m_appHostFile; }
    [[nodiscard]] const QList<CertificateEvidence>& certificates() const { return m_certificates; }
    [[nodiscard]] const std::optional<LocalGroups>& localGroups() const { return m_groups; }
    [[nodiscard]] const std::optional<UserRights>& userRights() const { return m_userRights; }
    [[nodiscard]] const QString& userRightsFile() const { return m_userRightsFile; }
    [[nodiscard]] const std::optional<SslCertList>& sslCerts() const { return m_sslCerts; }
    [[nodiscard]] const QString& sslCertsFile() const { return m_sslCertsFile; }
    [[nodiscard]] const std::optional<HostInfo>& host() const { return m_host; }
    [[nodiscard]] QStringList filesOfKind(const QString& kind) const;

    // The host name: the manifest's, else the host file's, else empty.
    [[nodiscard]] QString hostName() const;
    // When the evidence was collected: the manifest's time, else the newest file's modification time.
    [[nodiscard]] QDateTime collectedAt() const;
    [[nodiscard]] QString absolutePath(const QString& name) const;

    // The key (by path, case-insensitive, HKLM = HKEY_LOCAL_MACHINE) in whichever .reg file holds it.
    struct FoundKey {
        const service::RegistryKey* key = nullptr;
        QString file;
    };
    [[nodiscard]] FoundKey findKey(const QString& path) const;
    [[nodiscard]] bool hasKeyUnder(const QString& path) const;

private:
    static Result<Snapshot> loadFolder(const QString& folder, const Limits& limits);
    static Result<Snapshot> loadZip(const QString& zip, const Limits& limits);
    void classify(SnapshotFile& f, const QString& absolute, const Limits& limits);
    void checkManifest();

    QString m_root;
    QString m_source;
    qint64 m_parsedBytes = 0;
    std::shared_ptr<QTemporaryDir> m_extracted;
    QDateTime m_newestFile;
    QList<SnapshotFile> m_files;
    std::optional<SnapshotManifest> m_manifest;
    QString m_manifestFile;
    QList<AlteredFile> m_altered;
    QStringList m_problems;
    QList<RegistryEvidence> m_registries;
    std::optional<AppHostConfig> m_appHost;
    QString m_appHostFile;
    QList<CertificateEvidence> m_certificates;
    QList<std::pair<QString, QJsonObject>> m_certificateInfos;
    std::optional<LocalGroups> m_groups;
    std::optional<UserRights> m_userRights;
    QString m_userRightsFile;
    std::optional<SslCertList> m_sslCerts;
    QString m_sslCertsFile;
    std::optional<HostInfo> m_host;
};

} // namespace ndes::audit
