// SPDX-License-Identifier: Apache-2.0
#include "audit/Drift.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QJsonArray>
#include <QSet>

namespace ndes::audit {

namespace {
QString tr(const char* text) {
    return QCoreApplication::translate("Drift", text);
}

using Key = std::pair<QString, QString>;

// A registry path without the hive prefix, as admins read it.
QString shortKey(const QString& path) {
    QString p = path.trimmed();
    for (const char* prefix : {"HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Cryptography\\", "HKEY_LOCAL_MACHINE\\",
                               "HKLM\\SOFTWARE\\Microsoft\\Cryptography\\", "HKLM\\"})
        if (p.startsWith(QLatin1String(prefix), Qt::CaseInsensitive))
            return p.mid(int(qstrlen(prefix)));
    return p;
}

QString boolText(const std::optional<bool>& b) {
    return !b ? QString() : *b ? QStringLiteral("true") : QStringLiteral("false");
}

QString certRole(const pki::Certificate& c) {
    const QString t = c.templateName();
    if (!t.isEmpty())
        return t;
    if (c.isCa())
        return QStringLiteral("CA");
    return {};
}

QSet<QString> kinds(const Snapshot& s) {
    QSet<QString> k;
    if (!s.registries().isEmpty())
        k << QStringLiteral("registry");
    if (s.appHost())
        k << QStringLiteral("iis");
    if (!s.certificates().isEmpty())
        k << QStringLiteral("certificates");
    if (s.localGroups())
        k << QStringLiteral("groups");
    if (s.userRights())
        k << QStringLiteral("user-rights");
    if (s.host())
        k << QStringLiteral("host");
    return k;
}
} // namespace

QJsonObject DriftItem::toJson() const {
    return {{QStringLiteral("area"), area},
            {QStringLiteral("setting"), setting},
            {QStringLiteral("a"), a},
            {QStringLiteral("b"), b}};
}

QJsonObject DriftReport::toJson() const {
    QJsonArray d;
    for (const DriftItem& i : differences)
        d.append(i.toJson());
    return {
        {QStringLiteral("a"), QJsonObject{{QStringLiteral("host"), hostA},
                                          {QStringLiteral("collectedAt"), collectedA.toUTC().toString(Qt::ISODate)}}},
        {QStringLiteral("b"), QJsonObject{{QStringLiteral("host"), hostB},
                                          {QStringLiteral("collectedAt"), collectedB.toUTC().toString(Qt::ISODate)}}},
        {QStringLiteral("differences"), d},
        {QStringLiteral("same"), same},
        {QStringLiteral("notCompared"), QJsonArray::fromStringList(notSeen)}};
}

QMap<Key, QString> settingsOf(const Snapshot& s) {
    QMap<Key, QString> m;
    const QString reg = QStringLiteral("registry");
    for (const RegistryEvidence& r : s.registries())
        for (const service::RegistryKey& k : r.reg.keys()) {
            if (k.deleted)
                continue;
            if (k.values.isEmpty())
                m.insert({reg, shortKey(k.path)}, tr("(key)"));
            for (const service::RegistryValue& v : k.values)
                m.insert({reg, shortKey(k.path) + QLatin1Char('\\') +
                                   (v.name.isEmpty() ? QStringLiteral("(Default)") : v.name)},
                         v.text());
        }
    if (s.appHost()) {
        const AppHostConfig& c = *s.appHost();
        const QString iis = QStringLiteral("iis");
        for (const AppHostConfig::AppPool& p : c.pools())
            m.insert({iis, tr("pool %1 identity").arg(p.name)},
                     p.userName.isEmpty()
                         ? (p.identityType.isEmpty() ? QStringLiteral("ApplicationPoolIdentity") : p.identityType)
                         : p.userName);
        for (const AppHostConfig::Site& site : c.sites()) {
            QStringList bindings;
            for (const AppHostConfig::Binding& b : site.bindings)
                bindings << QStringLiteral("%1 %2").arg(b.protocol, b.information);
            bindings.sort();
            m.insert({iis, tr("site %1 bindings").arg(site.name)}, bindings.join(QStringLiteral("; ")));
            for (const AppHostConfig::Application& a : site.applications) {
                m.insert({iis, tr("%1%2 pool").arg(site.name, a.path)}, a.pool);
                const AppHostConfig::Effective e = c.effective(site.name, a.path);
                const QString at = site.name + a.path;
                m.insert({iis, tr("%1 anonymous").arg(at)}, boolText(e.anonymous.value));
                m.insert({iis, tr("%1 basic").arg(at)}, boolText(e.basic.value));
                m.insert({iis, tr("%1 windows").arg(at)}, boolText(e.windows.value));
                m.insert({iis, tr("%1 providers").arg(at)},
                         e.windowsProviders.value.value_or(QStringList()).join(QStringLiteral(", ")));
                m.insert({iis, tr("%1 sslFlags").arg(at)}, e.sslFlags.value.value_or(QString()));
                m.insert({iis, tr("%1 extendedProtection").arg(at)}, e.extendedProtection.value.value_or(QString()));
                m.insert({iis, tr("%1 maxUrl").arg(at)}, e.maxUrl.value ? QString::number(*e.maxUrl.value) : QString());
                m.insert({iis, tr("%1 maxQueryString").arg(at)},
                         e.maxQueryString.value ? QString::number(*e.maxQueryString.value) : QString());
            }
        }
    }
    QMap<Key, QStringList> certs;
    for (const CertificateEvidence& c : s.certificates()) {
        const QString role = certRole(c.certificate);
        const QString store = c.store.isEmpty() ? QStringLiteral("?") : c.store;
        // Two servers' RA certificates carry their own host names: compare by role, with the subject in the value.
        const bool ra = c.certificate.commonName().endsWith(QLatin1String("-MSCEP-RA"), Qt::CaseInsensitive);
        const QString name =
            ra ? tr("%1: RA %2")
                     .arg(store, role.isEmpty() ? c.certificate.keyUsageNames().join(QLatin1Char('+')) : role)
               : QStringLiteral("%1: %2").arg(store, c.certificate.subject());
        QString value =
            QStringLiteral("%1, expires %2")
                .arg(pki::Certificate::hex(c.certificate.sha1()), c.certificate.notAfter().toString(Qt::ISODate));
        if (ra)
            value.prepend(c.certificate.subject() + QStringLiteral(", "));
        if (c.info.contains(QStringLiteral("keyProvider")))
            value += QStringLiteral(", %1").arg(c.info.value(QStringLiteral("keyProvider")).toString());
        if (c.info.contains(QStringLiteral("keyExportable")))
            value +=
                c.info.value(QStringLiteral("keyExportable")).toBool() ? tr(", exportable") : tr(", not exportable");
        certs[{QStringLiteral("certificates"), name}] << value;
    }
    for (auto it = certs.begin(); it != certs.end(); ++it) {
        it.value().sort();
        m.insert(it.key(), it.value().join(QStringLiteral(" | ")));
    }
    if (s.localGroups())
        for (auto it = s.localGroups()->groups.begin(); it != s.localGroups()->groups.end(); ++it) {
            QStringList names;
            for (const GroupMember& g : it.value())
                names << g.name;
            names.sort(Qt::CaseInsensitive);
            m.insert({QStringLiteral("groups"), it.key()}, names.join(QStringLiteral(", ")));
        }
    if (s.userRights())
        for (auto it = s.userRights()->rights.begin(); it != s.userRights()->rights.end(); ++it) {
            QStringList holders = it.value().holders;
            holders.sort(Qt::CaseInsensitive);
            m.insert({QStringLiteral("user-rights"), it.key()}, holders.join(QStringLiteral(", ")));
        }
    if (s.host()) {
        QStringList f = s.host()->installedFeatures;
        f.sort();
        m.insert({QStringLiteral("host"), tr("installed features")}, f.join(QStringLiteral(", ")));
    }
    return m;
}

DriftReport compareSnapshots(const Snapshot& a, const Snapshot& b) {
    DriftReport r;
    r.hostA = a.hostName();
    r.hostB = b.hostName();
    r.collectedA = a.collectedAt();
    r.collectedB = b.collectedAt();
    const QSet<QString> ka = kinds(a);
    const QSet<QString> kb = kinds(b);
    for (const QString& k : ka - kb)
        r.notSeen << tr("%1: only in the first snapshot").arg(k);
    for (const QString& k : kb - ka)
        r.notSeen << tr("%1: only in the second snapshot").arg(k);
    r.notSeen.sort();
    const QSet<QString> both = ka & kb;
    const auto sa = settingsOf(a);
    const auto sb = settingsOf(b);
    QSet<Key> keys;
    for (auto it = sa.begin(); it != sa.end(); ++it)
        keys << it.key();
    for (auto it = sb.begin(); it != sb.end(); ++it)
        keys << it.key();
    QList<Key> sorted(keys.begin(), keys.end());
    std::sort(sorted.begin(), sorted.end());
    for (const Key& k : sorted) {
        if (!both.contains(k.first))
            continue;
        const QString va = sa.value(k);
        const QString vb = sb.value(k);
        if (va == vb && sa.contains(k) == sb.contains(k))
            ++r.same;
        else
            r.differences << DriftItem{k.first, k.second, sa.contains(k) ? va : tr("(absent)"),
                                       sb.contains(k) ? vb : tr("(absent)")};
    }
    return r;
}

QJsonObject FleetReport::toJson() const {
    QJsonArray servers;
    for (int i = 0; i < hosts.size(); ++i)
        servers.append(QJsonObject{{QStringLiteral("host"), hosts[i]},
                                   {QStringLiteral("collectedAt"), collected.value(i).toUTC().toString(Qt::ISODate)}});
    QJsonArray rows;
    for (const FleetRow& row : differences)
        rows.append(QJsonObject{{QStringLiteral("area"), row.area},
                                {QStringLiteral("setting"), row.setting},
                                {QStringLiteral("values"), QJsonArray::fromStringList(row.values)}});
    return {
        {QStringLiteral("servers"), servers}, {QStringLiteral("differences"), rows}, {QStringLiteral("same"), same}};
}

FleetReport compareFleet(const QList<const Snapshot*>& snapshots) {
    FleetReport r;
    QList<QSet<QString>> kindsOf;
    QList<QMap<Key, QString>> settings;
    QSet<Key> keys;
    for (const Snapshot* s : snapshots) {
        QString host = s->hostName();
        if (host.isEmpty())
            host = QFileInfo(s->source()).fileName();
        r.hosts << host;
        r.collected << s->collectedAt();
        kindsOf << kinds(*s);
        settings << settingsOf(*s);
        for (auto it = settings.last().begin(); it != settings.last().end(); ++it)
            keys << it.key();
    }
    QList<Key> sorted(keys.begin(), keys.end());
    std::sort(sorted.begin(), sorted.end());
    for (const Key& k : sorted) {
        FleetRow row{k.first, k.second, {}};
        QSet<QString> distinct;
        for (int i = 0; i < settings.size(); ++i) {
            if (!kindsOf[i].contains(k.first)) {
                row.values << tr("(not collected)");
                continue;
            }
            const auto it = settings[i].constFind(k);
            const QString v = it == settings[i].constEnd() ? tr("(absent)") : it.value();
            row.values << v;
            distinct << v;
        }
        if (distinct.size() > 1)
            r.differences << row;
        else
            ++r.same;
    }
    return r;
}

} // namespace ndes::audit
