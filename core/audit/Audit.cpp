// SPDX-License-Identifier: Apache-2.0
#include "audit/Audit.h"

#include "events/EventFileReader.h"
#include "iis/W3cLog.h"
#include "ndes/MscepSettings.h"
#include "pki/Oids.h"
#include "setup/ScriptWriter.h"
#include "setup/SetupPlan.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QMap>
#include <QRegularExpression>

#include <algorithm>

namespace ndes::audit {

namespace {
QString tr(const char* text) {
    return QCoreApplication::translate("Audit", text);
}
QString trn(const char* text, int n) {
    return QCoreApplication::translate("Audit", text, nullptr, n);
}

using service::RegistryKey;
using service::RegistryValue;

const QString mscepPath = QStringLiteral("HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Cryptography\\MSCEP");
const QString ndesRolePath = QStringLiteral("HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\ADCS\\NDES");
const QString httpParamsPath =
    QStringLiteral("HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\HTTP\\Parameters");
const QString intunePath =
    QStringLiteral("HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\MicrosoftIntune\\PFXCertificateConnector");
const char* const defaultTemplate = "IPSECIntermediateOffline";
const char* const raEku = "1.3.6.1.4.1.311.20.2.1";
const char* const serverAuthEku = "1.3.6.1.5.5.7.3.1";
const char* const clientAuthEku = "1.3.6.1.5.5.7.3.2";
const char* const strongCsp = "Microsoft Strong Cryptographic Provider";

// Settings NDES reads from a subkey holding a value of the same name (NDES-FACTS.md).
const char* const subkeySettings[] = {
    "CAType",         "CertsInMYStore", "EnforcePassword",  "PasswordVDir",  "UseSinglePassword",
    "PasswordLength", "PasswordMax",    "PasswordValidity", "HashAlgorithm", "CACapabilitiesAlgorithms"};
// Subkeys of MSCEP that hold something other than one setting.
const char* const otherSubkeys[] = {"CAInfo", "Modules"};

bool isOneOf(const QString& name, const auto& list) {
    for (const char* n : list)
        if (name.compare(QLatin1String(n), Qt::CaseInsensitive) == 0)
            return true;
    return false;
}

bool isTemplateValue(const QString& name) {
    return isOneOf(
        name, std::initializer_list<const char*>{"SignatureTemplate", "EncryptionTemplate", "GeneralPurposeTemplate"});
}

// Numbers with their hex, as regedit shows them.
QString valueText(const RegistryValue& v) {
    if (v.type == RegistryValue::Type::Dword || v.type == RegistryValue::Type::Qword)
        return QStringLiteral("%1 (0x%2)").arg(v.number).arg(v.number, 0, 16);
    return v.text();
}

// The subkey's name below `parent` in its written case, or empty when `key` is not directly below it.
QString childName(const RegistryKey& key, const QString& parent) {
    const QString norm = service::RegistryExport::normalize(key.path);
    const QString prefix = service::RegistryExport::normalize(parent) + QLatin1Char('\\');
    if (!norm.startsWith(prefix))
        return {};
    const QString rest = norm.mid(prefix.size());
    if (rest.contains(QLatin1Char('\\')))
        return {};
    QString written = key.path.trimmed();
    while (written.endsWith(QLatin1Char('\\')))
        written.chop(1);
    return written.right(rest.size());
}

// What one check gives: nothing (passed), hits, or a reason it could not run.
struct Outcome {
    struct Hit {
        QString detail;
        QList<Evidence> evidence;
    };
    QList<Hit> hits;
    QString notChecked;

    void fire(QString detail, QList<Evidence> evidence) { hits << Hit{std::move(detail), std::move(evidence)}; }
    void skip(QString why) { notChecked = std::move(why); }
};

// Everything the checks share, worked out once.
struct Context {
    Context(const Snapshot& s, const AuditOptions& o, QDateTime t)
        : snap(s)
        , options(o)
        , now(std::move(t)) {}
    const Snapshot& snap;
    const AuditOptions& options;
    QDateTime now;
    // MSCEP
    const RegistryKey* mscep = nullptr;
    QString mscepFile;
    QStringList mscepFiles; // every export that holds MSCEP (more than one is a problem to report)
    const service::RegistryExport* mscepReg = nullptr;
    std::optional<service::MscepSettings> settings;
    bool mscepAbsentPerManifest = false;
    // IIS
    const AppHostConfig* iis = nullptr;
    const AppHostConfig::Site* scepSite = nullptr;
    const AppHostConfig::Application* scepApp = nullptr;
    const AppHostConfig::AppPool* scepPool = nullptr;
    // Certificates of LocalMachine\My (or of unknown store, for folders without the collector's info)
    QList<const CertificateEvidence*> myCerts;
    QList<const CertificateEvidence*> rootCerts;
    QList<const CertificateEvidence*> raSigning;
    QList<const CertificateEvidence*> raEncryption;

    [[nodiscard]] bool haveRegistry() const { return !snap.registries().isEmpty(); }
    [[nodiscard]] QString noRegistry() const {
        return tr("The snapshot has no registry export. Export HKLM\\SOFTWARE\\Microsoft\\Cryptography\\MSCEP with "
                  "reg export (the collector does).");
    }
    [[nodiscard]] QString noMscep() const {
        return tr("No .reg file in the snapshot holds HKLM\\SOFTWARE\\Microsoft\\Cryptography\\MSCEP.");
    }
    [[nodiscard]] QString noIis() const {
        return tr("The snapshot has no applicationHost.config (%windir%\\System32\\inetsrv\\config).");
    }
    [[nodiscard]] QString noScepApp() const {
        return tr("applicationHost.config has no /CertSrv/mscep application: NDES's IIS part is not there.");
    }
    [[nodiscard]] QString noCerts() const {
        return tr("The snapshot has no certificates of the machine's Personal store (LocalMachine\\My).");
    }
    [[nodiscard]] QString account() const { return scepPool ? scepPool->userName : QString(); }
    [[nodiscard]] bool poolRunsAsAccount() const {
        return scepPool && scepPool->identityType.compare(QLatin1String("SpecificUser"), Qt::CaseInsensitive) == 0 &&
               !scepPool->userName.isEmpty();
    }

    // A value of a MSCEP subkey, as evidence: where it is, or that it is absent.
    [[nodiscard]] std::pair<const RegistryValue*, Evidence> setting(const char* name) const {
        const QString sub = QString::fromLatin1(name);
        Evidence e{mscepFile, QStringLiteral("MSCEP\\%1\\%1").arg(sub), tr("absent")};
        if (!mscepReg)
            return {nullptr, e};
        for (const RegistryKey& k : mscepReg->keys()) {
            if (k.deleted || childName(k, mscepPath).compare(sub, Qt::CaseInsensitive) != 0)
                continue;
            for (const RegistryValue& v : k.values)
                if (v.name.compare(sub, Qt::CaseInsensitive) == 0) {
                    e.path = tr("MSCEP\\%1\\%1 (line %2)").arg(sub).arg(v.line);
                    e.value = valueText(v);
                    return {&v, e};
                }
        }
        return {nullptr, e};
    }
};

Evidence certEvidence(const CertificateEvidence& c, const QString& value) {
    return Evidence{
        c.file, tr("%1 (SHA-1 %2)").arg(c.certificate.subject(), pki::Certificate::hex(c.certificate.sha1())), value};
}

bool isRaCertificate(const pki::Certificate& c) {
    const QString t = c.templateName();
    return c.hasExtendedKeyUsage(raEku) ||
           t.compare(QLatin1String("EnrollmentAgentOffline"), Qt::CaseInsensitive) == 0 ||
           t.compare(QLatin1String("CEPEncryption"), Qt::CaseInsensitive) == 0 ||
           c.commonName().endsWith(QLatin1String("-MSCEP-RA"), Qt::CaseInsensitive);
}

// ---- evidence and host ------------------------------------------------------------------------------------------

void evidenceAltered(const Context& c, Outcome& o) {
    if (!c.snap.manifest())
        return o.skip(tr("The snapshot has no manifest.json (it was not written by Collect-NdesSnapshot.ps1), so its "
                         "files cannot be proven unchanged."));
    for (const AlteredFile& a : c.snap.altered()) {
        if (a.actual.isEmpty())
            o.fire(tr("%1 is listed in the manifest but missing.").arg(a.name),
                   {{QStringLiteral("manifest.json"), a.name, tr("SHA-256 %1, file missing").arg(a.expected)}});
        else if (a.expected.isEmpty())
            o.fire(tr("%1 is not listed in the manifest: it was added after collection.").arg(a.name),
                   {{a.name, QString(), tr("SHA-256 %1, not in the manifest").arg(a.actual)}});
        else
            o.fire(tr("%1 does not match its SHA-256 in the manifest.").arg(a.name),
                   {{a.name, QString(), tr("SHA-256 %1; the manifest says %2").arg(a.actual, a.expected)}});
    }
}

void ndesNotInstalled(const Context& c, Outcome& o) {
    QList<Evidence> ev;
    bool installed = false;
    bool looked = false;
    if (c.iis) {
        looked = true;
        if (c.scepApp)
            installed = true;
        else
            ev << Evidence{c.snap.appHostFile(), QStringLiteral("system.applicationHost/sites"),
                           tr("no /CertSrv/mscep application, no SCEP application pool")};
    }
    if (const auto role = c.snap.findKey(ndesRolePath); role.key) {
        looked = true;
        for (const RegistryValue& v : role.key->values)
            if (v.name.compare(QLatin1String("ConfigurationStatus"), Qt::CaseInsensitive) == 0) {
                if (v.number == 2)
                    installed = true;
                else
                    ev << Evidence{role.file, tr("ADCS\\NDES\\ConfigurationStatus (line %1)").arg(v.line),
                                   tr("%1 (2 = configured)").arg(v.number)};
            }
    }
    if (c.mscep) {
        looked = true;
        installed = true;
    }
    if (!looked)
        return o.skip(
            tr("The snapshot has neither applicationHost.config, nor the MSCEP or ADCS\\NDES registry keys."));
    if (!installed)
        o.fire(tr("No part of NDES is configured on this server."), ev);
}

void ndesOnCa(const Context& c, Outcome& o) {
    bool looked = false;
    if (c.snap.host()) {
        looked = true;
        const HostInfo& h = *c.snap.host();
        if (h.installedFeatures.contains(QLatin1String("ADCS-Cert-Authority"), Qt::CaseInsensitive))
            return o.fire(tr("The Certification Authority role service is installed on the NDES server."),
                          {{h.file, QStringLiteral("installedFeatures"), QStringLiteral("ADCS-Cert-Authority")}});
    }
    if (c.settings && c.settings->caConfiguration) {
        const QString caHost = c.settings->caConfiguration->section(QLatin1Char('\\'), 0, 0).trimmed();
        const QString host = c.snap.hostName();
        if (!host.isEmpty()) {
            looked = true;
            const QString shortCa = caHost.section(QLatin1Char('.'), 0, 0);
            const QString shortHost = host.section(QLatin1Char('.'), 0, 0);
            if (caHost.compare(host, Qt::CaseInsensitive) == 0 || shortCa.compare(shortHost, Qt::CaseInsensitive) == 0)
                return o.fire(
                    tr("MSCEP\\CAInfo names this server as the CA."),
                    {{c.mscepFile, QStringLiteral("MSCEP\\CAInfo\\Configuration"), *c.settings->caConfiguration},
                     {QStringLiteral("manifest.json"), QStringLiteral("host"), host}});
        }
    }
    if (!looked)
        o.skip(tr("Neither the installed Windows features nor the server's host name are in the snapshot."));
}

void ndesOnDc(const Context& c, Outcome& o) {
    if (!c.snap.host())
        return o.skip(tr("The snapshot has no host information (the collector's host.json)."));
    const HostInfo& h = *c.snap.host();
    if (h.installedFeatures.contains(QLatin1String("AD-Domain-Services"), Qt::CaseInsensitive) ||
        h.domainController.value_or(false))
        o.fire(tr("The NDES server is a domain controller."),
               {{h.file, QStringLiteral("domainRole / installedFeatures"), QStringLiteral("AD-Domain-Services")}});
}

// ---- MSCEP -------------------------------------------------------------------------------------------------------

void mscepMissing(const Context& c, Outcome& o) {
    if (c.mscep || c.snap.hasKeyUnder(mscepPath))
        return;
    if (c.mscepAbsentPerManifest)
        return o.fire(tr("The collector found no MSCEP key on the server."),
                      {{QStringLiteral("manifest.json"), QStringLiteral("absentKeys"), mscepPath}});
    o.skip(c.haveRegistry() ? c.noMscep() : c.noRegistry());
}

bool needMscep(const Context& c, Outcome& o) {
    if (c.mscep || c.settings)
        return true;
    o.skip(c.haveRegistry() ? c.noMscep() : c.noRegistry());
    return false;
}

void templatesDefault(const Context& c, Outcome& o) {
    if (!needMscep(c, o))
        return;
    QList<Evidence> ev;
    int defaults = 0;
    for (const char* name : {"SignatureTemplate", "EncryptionTemplate", "GeneralPurposeTemplate"}) {
        const RegistryValue* found = nullptr;
        if (c.mscep)
            for (const RegistryValue& v : c.mscep->values)
                if (v.name.compare(QLatin1String(name), Qt::CaseInsensitive) == 0)
                    found = &v;
        if (!found) {
            ++defaults; // NDES falls back to its default
            ev << Evidence{c.mscepFile, QStringLiteral("MSCEP\\%1").arg(QLatin1String(name)),
                           tr("absent (NDES uses %1)").arg(QLatin1String(defaultTemplate))};
        } else if (found->string.compare(QLatin1String(defaultTemplate), Qt::CaseInsensitive) == 0) {
            ++defaults;
            ev << Evidence{c.mscepFile, tr("MSCEP\\%1 (line %2)").arg(QLatin1String(name)).arg(found->line),
                           found->string};
        }
    }
    if (defaults == 3)
        o.fire(tr("All three template values are %1.").arg(QLatin1String(defaultTemplate)), ev);
}

void mscepFlatValue(const Context& c, Outcome& o) {
    if (!needMscep(c, o) || !c.mscep)
        return;
    for (const RegistryValue& v : c.mscep->values)
        if (isOneOf(v.name, subkeySettings))
            o.fire(tr("%1 is a plain value of MSCEP; NDES reads MSCEP\\%1\\%1 and ignores this one.").arg(v.name),
                   {{c.mscepFile, tr("MSCEP, value %1 (line %2)").arg(v.name).arg(v.line), valueText(v)}});
}

void mscepUnknownValue(const Context& c, Outcome& o) {
    if (!needMscep(c, o) || !c.mscepReg)
        return;
    if (c.mscep)
        for (const RegistryValue& v : c.mscep->values)
            if (!isTemplateValue(v.name) && !isOneOf(v.name, subkeySettings) &&
                v.name.compare(QLatin1String("EncryptedPassword"), Qt::CaseInsensitive) != 0)
                o.fire(v.name.compare(QLatin1String("PasswordCacheMax"), Qt::CaseInsensitive) == 0
                           ? tr("PasswordCacheMax is not a name NDES reads; the cache size is MSCEP\\PasswordMax.")
                           : tr("MSCEP has a value %1 that NDES does not read.")
                                 .arg(v.name.isEmpty() ? QStringLiteral("(Default)") : v.name),
                       {{c.mscepFile, tr("MSCEP, value %1 (line %2)").arg(v.name).arg(v.line), valueText(v)}});
    for (const RegistryKey& k : c.mscepReg->keys()) {
        const QString sub = childName(k, mscepPath);
        if (sub.isEmpty() || k.deleted || isOneOf(sub, otherSubkeys))
            continue;
        if (!isOneOf(sub, subkeySettings)) {
            o.fire(sub.compare(QLatin1String("PasswordCacheMax"), Qt::CaseInsensitive) == 0
                       ? tr("The subkey PasswordCacheMax is not read by NDES; the cache size is MSCEP\\PasswordMax.")
                       : tr("The subkey MSCEP\\%1 is not an NDES setting.").arg(sub),
                   {{c.mscepFile, tr("MSCEP\\%1 (line %2)").arg(sub).arg(k.line), tr("subkey")}});
            continue;
        }
        for (const RegistryValue& v : k.values)
            if (v.name.compare(sub, Qt::CaseInsensitive) != 0)
                o.fire(tr("MSCEP\\%1 holds a value %2; NDES reads only the value %1 there.")
                           .arg(sub, v.name.isEmpty() ? QStringLiteral("(Default)") : v.name),
                       {{c.mscepFile, tr("MSCEP\\%1, value %2 (line %3)").arg(sub, v.name).arg(v.line), valueText(v)}});
    }
}

bool looksLikeMinutes(quint64 n) {
    return n >= 15 && n % 15 == 0;
}

void passwordMaxMinutes(const Context& c, Outcome& o) {
    if (!needMscep(c, o))
        return;
    const auto [value, ev] = c.setting("PasswordMax");
    if (value && value->type == RegistryValue::Type::Dword && looksLikeMinutes(value->number))
        o.fire(tr("PasswordMax is %1: a number of minutes, where NDES reads the number of passwords it caches.")
                   .arg(value->number),
               {ev});
    if (c.mscep)
        for (const RegistryValue& v : c.mscep->values)
            if (v.name.compare(QLatin1String("PasswordMax"), Qt::CaseInsensitive) == 0 &&
                v.type == RegistryValue::Type::Dword && looksLikeMinutes(v.number))
                o.fire(tr("PasswordMax was written as %1, as the guide that calls it a lifetime in minutes does.")
                           .arg(v.number),
                       {{c.mscepFile, tr("MSCEP, value PasswordMax (line %1)").arg(v.line), valueText(v)}});
}

bool hasPolicyModule(const Context& c, QList<Evidence>* seen = nullptr) {
    bool found = false;
    for (const RegistryEvidence& r : c.snap.registries())
        for (const RegistryKey& k : r.reg.keys()) {
            const QString n = service::RegistryExport::normalize(k.path);
            if (k.deleted)
                continue;
            if (n.startsWith(service::RegistryExport::normalize(mscepPath + QStringLiteral("\\Modules\\"))) ||
                n == service::RegistryExport::normalize(intunePath)) {
                found = true;
                if (seen)
                    *seen << Evidence{r.file, tr("%1 (line %2)").arg(k.path).arg(k.line), tr("present")};
            }
        }
    return found;
}

void enforcePasswordOff(const Context& c, Outcome& o) {
    if (!needMscep(c, o))
        return;
    const auto [value, ev] = c.setting("EnforcePassword");
    if (!value || value->number != 0)
        return;
    if (hasPolicyModule(c))
        return;
    o.fire(tr("EnforcePassword is 0 and no policy module is configured: NDES issues to anyone who asks."),
           {ev,
            {c.mscepFile, QStringLiteral("MSCEP\\Modules"), tr("absent")},
            {QString(), QStringLiteral("HKLM\\SOFTWARE\\Microsoft\\MicrosoftIntune\\PFXCertificateConnector"),
             tr("not in the snapshot")}});
}

void enforcePasswordAbsent(const Context& c, Outcome& o) {
    if (!needMscep(c, o))
        return;
    const auto [value, ev] = c.setting("EnforcePassword");
    if (!value)
        o.fire(tr("MSCEP\\EnforcePassword\\EnforcePassword is absent."), {ev});
}

void singlePassword(const Context& c, Outcome& o) {
    if (!needMscep(c, o))
        return;
    const auto [value, ev] = c.setting("UseSinglePassword");
    if (value && value->number != 0) {
        QList<Evidence> evs{ev};
        bool redacted = false;
        if (c.snap.manifest())
            for (const QString& r : c.snap.manifest()->redacted)
                redacted |= r.endsWith(QLatin1String("\\EncryptedPassword"), Qt::CaseInsensitive);
        if ((c.settings && c.settings->hasEncryptedPassword) || redacted)
            evs << Evidence{c.mscepFile, QStringLiteral("MSCEP\\EncryptedPassword"),
                            tr("present (its data is not collected)")};
        o.fire(tr("UseSinglePassword is 1."), evs);
    }
}

void passwordValidityLong(const Context& c, Outcome& o) {
    if (!needMscep(c, o))
        return;
    const auto [value, ev] = c.setting("PasswordValidity");
    const quint64 minutes = value ? value->number : 60;
    if (minutes > quint64(c.options.maxPasswordValidity)) {
        Evidence e = ev;
        if (!value)
            e.value = tr("absent (NDES's default is 60 minutes)");
        o.fire(tr("One-time passwords stay valid for %1 minutes.").arg(minutes), {e});
    }
}

void hashSha1(const Context& c, Outcome& o) {
    if (!needMscep(c, o))
        return;
    const auto [value, ev] = c.setting("HashAlgorithm");
    if (!value) {
        Evidence e = ev;
        e.value = tr("absent (NDES uses SHA1)");
        return o.fire(tr("No HashAlgorithm is set, so NDES uses SHA-1."), {e});
    }
    const QString v = value->string.trimmed();
    if (v.compare(QLatin1String("SHA1"), Qt::CaseInsensitive) == 0 ||
        v.compare(QLatin1String("SHA-1"), Qt::CaseInsensitive) == 0)
        o.fire(tr("HashAlgorithm is %1.").arg(v), {ev});
}

// RA certificates as GetCACert returned them live, for a snapshot without the machine's certificates.
QList<const service::ExpiryItem*> liveRa(const Context& c) {
    QList<const service::ExpiryItem*> out;
    if (c.options.live)
        for (const service::ExpiryItem& e : c.options.live->expiries)
            if (e.role == service::ExpiryRole::RaSigning || e.role == service::ExpiryRole::RaEncryption)
                out << &e;
    return out;
}

bool liveCacertRan(const Context& c) {
    return c.options.live && c.options.live->stepMs(QStringLiteral("cacert")) >= 0 &&
           std::any_of(c.options.live->steps.begin(), c.options.live->steps.end(),
                       [](const service::ProbeStep& s) { return s.name == QLatin1String("cacert") && s.ok; });
}

Evidence liveEvidence(const Context& c, const service::ExpiryItem& e) {
    return {tr("live: %1 (GetCACert)").arg(c.options.live->url.toString()), e.subject,
            tr("notAfter %1").arg(e.notAfter.toString(Qt::ISODate))};
}

// ---- certificates ------------------------------------------------------------------------------------------------

bool needCerts(const Context& c, Outcome& o) {
    if (!c.myCerts.isEmpty())
        return true;
    o.skip(c.noCerts());
    return false;
}

void raMissing(const Context& c, Outcome& o) {
    if (c.myCerts.isEmpty() && liveCacertRan(c)) {
        bool sign = false;
        bool enc = false;
        for (const service::ExpiryItem* e : liveRa(c)) {
            sign |= e->role == service::ExpiryRole::RaSigning;
            enc |= e->role == service::ExpiryRole::RaEncryption;
        }
        const QString source = tr("live: %1 (GetCACert)").arg(c.options.live->url.toString());
        if (!sign)
            o.fire(tr("GetCACert returns no signing RA certificate."),
                   {{source, QStringLiteral("GetCACert"), tr("no signing RA")}});
        if (!enc)
            o.fire(tr("GetCACert returns no encryption RA certificate."),
                   {{source, QStringLiteral("GetCACert"), tr("no encryption RA")}});
        return;
    }
    if (!needCerts(c, o))
        return;
    if (c.raSigning.isEmpty())
        o.fire(tr("No signing RA certificate (Exchange Enrollment Agent (Offline request), digital signature) among "
                  "the %1 certificates of the Personal store.")
                   .arg(c.myCerts.size()),
               {{QStringLiteral("certificates"), QStringLiteral("LocalMachine\\My"),
                 tr("%1 certificates, none a signing RA").arg(c.myCerts.size())}});
    if (c.raEncryption.isEmpty())
        o.fire(tr("No encryption RA certificate (CEP Encryption, key encipherment) among the %1 certificates of the "
                  "Personal store.")
                   .arg(c.myCerts.size()),
               {{QStringLiteral("certificates"), QStringLiteral("LocalMachine\\My"),
                 tr("%1 certificates, none an encryption RA").arg(c.myCerts.size())}});
}

QList<const CertificateEvidence*> allRa(const Context& c) {
    QList<const CertificateEvidence*> all = c.raSigning;
    for (const CertificateEvidence* e : c.raEncryption)
        if (!all.contains(e))
            all << e;
    return all;
}

void raExpired(const Context& c, Outcome& o) {
    if (c.myCerts.isEmpty() && !liveRa(c).isEmpty()) {
        for (const service::ExpiryItem* e : liveRa(c))
            if (e->notAfter < c.now)
                o.fire(tr("%1 expired on %2.").arg(e->subject, e->notAfter.toString(Qt::ISODate)),
                       {liveEvidence(c, *e)});
        return;
    }
    if (!needCerts(c, o))
        return;
    if (allRa(c).isEmpty())
        return o.skip(tr("No RA certificate in the snapshot (see ra-missing)."));
    for (const CertificateEvidence* e : allRa(c))
        if (e->certificate.notAfter() < c.now)
            o.fire(tr("%1 expired on %2.")
                       .arg(e->certificate.commonName(), e->certificate.notAfter().toString(Qt::ISODate)),
                   {certEvidence(*e, tr("notAfter %1").arg(e->certificate.notAfter().toString(Qt::ISODate)))});
}

void raExpiring(const Context& c, Outcome& o) {
    if (c.myCerts.isEmpty() && !liveRa(c).isEmpty()) {
        for (const service::ExpiryItem* e : liveRa(c)) {
            const qint64 days = c.now.daysTo(e->notAfter);
            if (e->notAfter >= c.now && days <= c.options.expiringDays)
                o.fire(
                    tr("%1 expires in %2 days (%3).").arg(e->subject).arg(days).arg(e->notAfter.toString(Qt::ISODate)),
                    {liveEvidence(c, *e)});
        }
        return;
    }
    if (!needCerts(c, o))
        return;
    if (allRa(c).isEmpty())
        return o.skip(tr("No RA certificate in the snapshot (see ra-missing)."));
    for (const CertificateEvidence* e : allRa(c)) {
        const qint64 days = e->certificate.daysLeft(c.now);
        if (e->certificate.notAfter() >= c.now && days <= c.options.expiringDays)
            o.fire(tr("%1 expires in %2 days (%3).")
                       .arg(e->certificate.commonName())
                       .arg(days)
                       .arg(e->certificate.notAfter().toString(Qt::ISODate)),
                   {certEvidence(*e, tr("notAfter %1").arg(e->certificate.notAfter().toString(Qt::ISODate)))});
    }
}

// RA checks that need the collector's information about the key.
bool needRaInfo(const Context& c, Outcome& o, const char* field) {
    if (!needCerts(c, o))
        return false;
    if (allRa(c).isEmpty()) {
        o.skip(tr("No RA certificate in the snapshot (see ra-missing)."));
        return false;
    }
    for (const CertificateEvidence* e : allRa(c))
        if (!e->info.contains(QLatin1String(field))) {
            o.skip(tr("The snapshot has no information about the key of %1 (%2); the collector records it beside each "
                      "certificate.")
                       .arg(e->file, QLatin1String(field)));
            return false;
        }
    return true;
}

void raKeyExportable(const Context& c, Outcome& o) {
    if (!needRaInfo(c, o, "keyExportable"))
        return;
    for (const CertificateEvidence* e : allRa(c))
        if (e->info.value(QStringLiteral("keyExportable")).toBool())
            o.fire(tr("The private key of %1 can be exported.").arg(e->certificate.commonName()),
                   {certEvidence(*e, QStringLiteral("keyExportable: true")),
                    {e->infoFile, QStringLiteral("keyExportable"), QStringLiteral("true")}});
}

// Principals that may read an RA key: SYSTEM, Administrators, the service account and the SCEP pool's own identity
// (IIS AppPool\SCEP), as the collector resolved them to SIDs. Without the pool's SID, any application pool identity
// (S-1-5-82-*) is let through.
bool allowedOnRaKey(const QString& trustee, const QString& accountSid, const QString& poolSid) {
    static const QStringList allowed = {QStringLiteral("SY"), QStringLiteral("BA"), QStringLiteral("S-1-5-18"),
                                        QStringLiteral("S-1-5-32-544"), QStringLiteral("OW")};
    if (allowed.contains(trustee, Qt::CaseInsensitive))
        return true;
    if (!accountSid.isEmpty() && trustee.compare(accountSid, Qt::CaseInsensitive) == 0)
        return true;
    if (!poolSid.isEmpty())
        return trustee.compare(poolSid, Qt::CaseInsensitive) == 0;
    return trustee.startsWith(QLatin1String("S-1-5-82-"), Qt::CaseInsensitive);
}

// The access mask an SDDL rights string stands for (hex, or two-letter tokens).
quint32 sddlRights(const QString& rights) {
    if (rights.startsWith(QLatin1String("0x"), Qt::CaseInsensitive)) {
        bool ok = false;
        const quint32 mask = rights.mid(2).toUInt(&ok, 16);
        return ok ? mask : 0xFFFFFFFFu; // unreadable: assume the worst
    }
    static const QHash<QString, quint32> tokens = {
        {QStringLiteral("GA"), 0x10000000}, {QStringLiteral("GR"), 0x80000000}, {QStringLiteral("GW"), 0x40000000},
        {QStringLiteral("GX"), 0x20000000}, {QStringLiteral("RC"), 0x00020000}, {QStringLiteral("SD"), 0x00010000},
        {QStringLiteral("WD"), 0x00040000}, {QStringLiteral("WO"), 0x00080000}, {QStringLiteral("RP"), 0x00000010},
        {QStringLiteral("WP"), 0x00000020}, {QStringLiteral("CC"), 0x00000001}, {QStringLiteral("DC"), 0x00000002},
        {QStringLiteral("LC"), 0x00000004}, {QStringLiteral("SW"), 0x00000008}, {QStringLiteral("LO"), 0x00000080},
        {QStringLiteral("DT"), 0x00000040}, {QStringLiteral("CR"), 0x00000100}, {QStringLiteral("FA"), 0x001F01FF},
        {QStringLiteral("FR"), 0x00120089}, {QStringLiteral("FW"), 0x00120116}, {QStringLiteral("FX"), 0x001200A0},
        {QStringLiteral("KA"), 0x000F003F}, {QStringLiteral("KR"), 0x00020019}, {QStringLiteral("KW"), 0x00020006},
        {QStringLiteral("KX"), 0x00020019}};
    quint32 mask = 0;
    for (qsizetype i = 0; i + 1 < rights.size(); i += 2)
        mask |= tokens.value(rights.mid(i, 2).toUpper(), 0xFFFFFFFFu);
    return mask;
}

// Reading the key file's data, or taking control of it (changing its permissions or owner), or generic read/all.
bool grantsRead(const QString& rights) {
    return (sddlRights(rights) & (0x1u | 0x80000000u | 0x10000000u | 0x02000000u | 0x40000u | 0x80000u)) != 0;
}

void raKeyAcl(const Context& c, Outcome& o) {
    if (!needRaInfo(c, o, "keyFileSddl"))
        return;
    // (type;flags;rights;object;inherited object;trustee[;condition]): a callback entry's condition has parentheses.
    static const QRegularExpression ace(QStringLiteral(
        "\\(([^;()]*);([^;()]*);([^;()]*);([^;()]*);([^;()]*);([^;()]*)(?:;\\((?:[^()]|\\([^()]*\\))*\\))?\\)"));
    for (const CertificateEvidence* e : allRa(c)) {
        const QString sddl = e->info.value(QStringLiteral("keyFileSddl")).toString();
        const QString svcSid = c.snap.host() ? c.snap.host()->scepPoolIdentitySid : QString();
        const QString poolSid = c.snap.host() ? c.snap.host()->scepPoolSid : QString();
        QString daclPart = sddl.mid(std::max<qsizetype>(0, sddl.indexOf(QLatin1String("D:"))));
        const qsizetype sacl = daclPart.indexOf(QLatin1String("S:"));
        if (sacl > 0)
            daclPart = daclPart.left(sacl);
        QStringList extra;
        for (auto it = ace.globalMatch(daclPart); it.hasNext();) {
            const auto m = it.next();
            // Allow entries: plain, object and callback (conditional) ones; deny and audit entries grant nothing.
            const QString type = m.captured(1).toUpper();
            if (type != QLatin1String("A") && type != QLatin1String("OA") && type != QLatin1String("XA") &&
                type != QLatin1String("ZA"))
                continue;
            if (grantsRead(m.captured(3)) && !allowedOnRaKey(m.captured(6), svcSid, poolSid))
                extra << m.captured(6);
        }
        if (!extra.isEmpty())
            o.fire(tr("The key of %1 is readable by %2.")
                       .arg(e->certificate.commonName(), extra.join(QStringLiteral(", "))),
                   {{e->infoFile, QStringLiteral("keyFileSddl"), sddl}});
    }
}

void raCsp(const Context& c, Outcome& o) {
    if (!needRaInfo(c, o, "keyProvider"))
        return;
    for (const CertificateEvidence* e : allRa(c)) {
        const QString provider = e->info.value(QStringLiteral("keyProvider")).toString();
        if (!provider.isEmpty() && provider.compare(QLatin1String(strongCsp), Qt::CaseInsensitive) != 0)
            o.fire(tr("The key of %1 is from %2.").arg(e->certificate.commonName(), provider),
                   {{e->infoFile, QStringLiteral("keyProvider"), provider}});
    }
}

void rootStoreIntermediate(const Context& c, Outcome& o) {
    if (c.rootCerts.isEmpty())
        return o.skip(tr("The snapshot has no certificates of LocalMachine\\Root (the collector exports them)."));
    for (const CertificateEvidence* e : c.rootCerts)
        if (!e->certificate.isSelfSigned())
            o.fire(tr("%1, issued by %2, is in the Trusted Root store.")
                       .arg(e->certificate.subject(), e->certificate.issuer()),
                   {certEvidence(*e, tr("issuer %1").arg(e->certificate.issuer()))});
}

// Values under the policy module keys that name a certificate thumbprint.
void policyCert(const Context& c, Outcome& o) {
    if (!c.haveRegistry())
        return o.skip(c.noRegistry());
    QList<Evidence> modules;
    if (!hasPolicyModule(c, &modules))
        return; // no policy module: nothing to check
    QList<std::pair<Evidence, QString>> thumbprints;
    static const QRegularExpression hex40(QStringLiteral("^[0-9A-Fa-f ]{40,}$"));
    for (const RegistryEvidence& r : c.snap.registries())
        for (const RegistryKey& k : r.reg.keys()) {
            const QString n = service::RegistryExport::normalize(k.path);
            if (!n.startsWith(service::RegistryExport::normalize(mscepPath + QStringLiteral("\\Modules\\"))) &&
                n != service::RegistryExport::normalize(intunePath))
                continue;
            for (const RegistryValue& v : k.values)
                if (v.name.contains(QLatin1String("Thumbprint"), Qt::CaseInsensitive) &&
                    hex40.match(v.string).hasMatch())
                    thumbprints << std::pair{
                        Evidence{r.file, tr("%1\\%2 (line %3)").arg(k.path, v.name).arg(v.line), v.string},
                        QString(v.string).remove(QLatin1Char(' ')).toUpper()};
        }
    if (thumbprints.isEmpty())
        return o.skip(tr("A policy module is configured, but its registry key names no certificate thumbprint."));
    if (c.myCerts.isEmpty())
        return o.skip(c.noCerts());
    for (const auto& [ev, thumb] : thumbprints) {
        const CertificateEvidence* cert = nullptr;
        for (const CertificateEvidence* e : c.myCerts)
            if (pki::Certificate::hex(e->certificate.sha1()) == thumb)
                cert = e;
        if (!cert) {
            o.fire(tr("The policy module's certificate %1 is not in the Personal store.").arg(thumb), {ev});
            continue;
        }
        QStringList wrong;
        if (cert->certificate.notAfter() < c.now)
            wrong << tr("expired on %1").arg(cert->certificate.notAfter().toString(Qt::ISODate));
        if (cert->certificate.isSelfSigned())
            wrong << tr("self-signed");
        if (!cert->certificate.extendedKeyUsages().isEmpty() && !cert->certificate.hasExtendedKeyUsage(clientAuthEku))
            wrong << tr("no Client Authentication");
        if (!wrong.isEmpty())
            o.fire(tr("The policy module's certificate is %1.").arg(wrong.join(QStringLiteral(", "))),
                   {ev, certEvidence(*cert, wrong.join(QStringLiteral(", ")))});
    }
}

// ---- IIS and TLS -------------------------------------------------------------------------------------------------

bool needScepSite(const Context& c, Outcome& o) {
    if (!c.iis) {
        o.skip(c.noIis());
        return false;
    }
    if (!c.scepSite) {
        o.skip(c.noScepApp());
        return false;
    }
    return true;
}

bool hasHttps(const AppHostConfig::Site& s) {
    return std::any_of(s.bindings.begin(), s.bindings.end(),
                       [](const AppHostConfig::Binding& b) { return b.protocol == QLatin1String("https"); });
}

QString adminPath(const Context& c) {
    if (c.settings && c.settings->passwordVDir && !c.settings->passwordVDir->isEmpty())
        return QLatin1Char('/') + *c.settings->passwordVDir;
    return QStringLiteral("/CertSrv/mscep_admin");
}

void noHttps(const Context& c, Outcome& o) {
    if (!needScepSite(c, o))
        return;
    if (hasHttps(*c.scepSite))
        return;
    QList<Evidence> ev;
    for (const AppHostConfig::Binding& b : c.scepSite->bindings)
        ev << Evidence{c.snap.appHostFile(), tr("site \"%1\", binding (line %2)").arg(c.scepSite->name).arg(b.line),
                       QStringLiteral("%1 %2").arg(b.protocol, b.information)};
    if (ev.isEmpty())
        ev << Evidence{c.snap.appHostFile(), tr("site \"%1\" (line %2)").arg(c.scepSite->name).arg(c.scepSite->line),
                       tr("no bindings")};
    o.fire(tr("The site \"%1\" that serves NDES has no https binding.").arg(c.scepSite->name), ev);
}

void adminPageAnonymous(const Context& c, Outcome& o) {
    if (!needScepSite(c, o))
        return;
    const auto e = c.iis->effective(c.scepSite->name, adminPath(c));
    if (e.anonymous.value.value_or(false))
        o.fire(tr("Anonymous authentication is enabled on %1.").arg(adminPath(c)),
               {{c.snap.appHostFile(), tr("anonymousAuthentication enabled (line %1)").arg(e.anonymous.line),
                 QStringLiteral("true")}});
}

void adminPageNtlmOverHttp(const Context& c, Outcome& o) {
    if (!needScepSite(c, o))
        return;
    const auto e = c.iis->effective(c.scepSite->name, adminPath(c));
    if (!e.windows.value.value_or(false))
        return;
    // IIS's default providers are Negotiate and NTLM.
    const QStringList providers =
        e.windowsProviders.value.value_or(QStringList{QStringLiteral("Negotiate"), QStringLiteral("NTLM")});
    if (!providers.contains(QLatin1String("NTLM"), Qt::CaseInsensitive))
        return;
    const bool sslRequired =
        e.sslFlags.value &&
        e.sslFlags.value->split(QLatin1Char(',')).contains(QLatin1String("Ssl"), Qt::CaseInsensitive);
    const bool epaRequired = e.extendedProtection.value &&
                             e.extendedProtection.value->compare(QLatin1String("Require"), Qt::CaseInsensitive) == 0;
    if ((hasHttps(*c.scepSite) && sslRequired) || epaRequired)
        return;
    QList<Evidence> ev{{c.snap.appHostFile(),
                        tr("windowsAuthentication providers (line %1)")
                            .arg(e.windowsProviders.line ? e.windowsProviders.line : e.windows.line),
                        providers.join(QStringLiteral(", "))}};
    ev << Evidence{c.snap.appHostFile(), QStringLiteral("access sslFlags"),
                   e.sslFlags.value ? *e.sslFlags.value : tr("not set (SSL not required)")};
    ev << Evidence{c.snap.appHostFile(), QStringLiteral("extendedProtection tokenChecking"),
                   e.extendedProtection.value ? *e.extendedProtection.value : tr("not set (None)")};
    o.fire(tr("%1 accepts NTLM without requiring SSL or Extended Protection.").arg(adminPath(c)), ev);
}

void requestLimits(const Context& c, Outcome& o) {
    constexpr qint64 wanted = 65534;
    bool looked = false;
    QList<Evidence> low;
    if (c.iis && c.scepSite) {
        looked = true;
        const auto e = c.iis->effective(c.scepSite->name, QStringLiteral("/CertSrv/mscep"));
        const qint64 maxUrl = e.maxUrl.value.value_or(4096);
        const qint64 maxQuery = e.maxQueryString.value.value_or(2048);
        if (maxUrl < wanted)
            low << Evidence{c.snap.appHostFile(),
                            e.maxUrl.value ? tr("requestLimits maxUrl (line %1)").arg(e.maxUrl.line)
                                           : QStringLiteral("requestLimits maxUrl"),
                            e.maxUrl.value ? QString::number(maxUrl) : tr("not set (IIS default 4096)")};
        if (maxQuery < wanted)
            low << Evidence{c.snap.appHostFile(),
                            e.maxQueryString.value
                                ? tr("requestLimits maxQueryString (line %1)").arg(e.maxQueryString.line)
                                : QStringLiteral("requestLimits maxQueryString"),
                            e.maxQueryString.value ? QString::number(maxQuery) : tr("not set (IIS default 2048)")};
    }
    if (const auto http = c.snap.findKey(httpParamsPath); http.key) {
        looked = true;
        for (const char* name : {"MaxFieldLength", "MaxRequestBytes"}) {
            const RegistryValue* v = nullptr;
            for (const RegistryValue& x : http.key->values)
                if (x.name.compare(QLatin1String(name), Qt::CaseInsensitive) == 0)
                    v = &x;
            if (!v)
                low << Evidence{http.file, QStringLiteral("HTTP\\Parameters\\%1").arg(QLatin1String(name)),
                                tr("absent (HTTP.sys default 16384)")};
            else if (qint64(v->number) < wanted)
                low << Evidence{http.file, tr("HTTP\\Parameters\\%1 (line %2)").arg(QLatin1String(name)).arg(v->line),
                                valueText(*v)};
        }
    }
    if (!looked)
        return o.skip(tr("The snapshot has neither NDES's IIS configuration nor HTTP.sys's Parameters key."));
    if (!low.isEmpty())
        o.fire(trn("%n request limit(s) below 65534.", int(low.size())), low);
}

bool nameMatches(const pki::Certificate& cert, const QString& host) {
    if (host.isEmpty())
        return true;
    QStringList names = cert.dnsNames();
    if (names.isEmpty())
        names << cert.commonName();
    for (const QString& n : names) {
        if (n.compare(host, Qt::CaseInsensitive) == 0)
            return true;
        if (n.startsWith(QLatin1String("*.")) &&
            host.section(QLatin1Char('.'), 1).compare(n.mid(2), Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

void tlsCert(const Context& c, Outcome& o) {
    if (!c.snap.sslCerts())
        return o.skip(tr("The snapshot has no list of HTTPS certificate bindings (netsh http show sslcert)."));
    if (c.myCerts.isEmpty())
        return o.skip(c.noCerts());
    const QString host = c.snap.host() && !c.snap.host()->fqdn.isEmpty() ? c.snap.host()->fqdn : c.snap.hostName();
    for (const SslCertBinding& b : c.snap.sslCerts()->bindings) {
        const QString thumb = b.certHash.toUpper();
        const CertificateEvidence* cert = nullptr;
        for (const CertificateEvidence* e : c.myCerts)
            if (pki::Certificate::hex(e->certificate.sha1()) == thumb)
                cert = e;
        const Evidence bound{c.snap.sslCertsFile(), tr("%1 (line %2)").arg(b.endpoint).arg(b.line), b.certHash};
        if (!cert) {
            o.fire(tr("The certificate bound to %1 is not in the Personal store.").arg(b.endpoint), {bound});
            continue;
        }
        QStringList wrong;
        if (!cert->certificate.extendedKeyUsages().isEmpty() && !cert->certificate.hasExtendedKeyUsage(serverAuthEku))
            wrong << tr("no Server Authentication");
        if (cert->certificate.isSelfSigned())
            wrong << tr("self-signed");
        if (cert->certificate.notAfter() < c.now)
            wrong << tr("expired on %1").arg(cert->certificate.notAfter().toString(Qt::ISODate));
        if (!nameMatches(cert->certificate, host))
            wrong << tr("not for %1").arg(host);
        if (!wrong.isEmpty())
            o.fire(tr("The certificate bound to %1 is %2.").arg(b.endpoint, wrong.join(QStringLiteral(", "))),
                   {bound, certEvidence(*cert, wrong.join(QStringLiteral(", ")))});
    }
}

// ---- accounts ----------------------------------------------------------------------------------------------------

void appPoolIdentity(const Context& c, Outcome& o) {
    if (!needScepSite(c, o))
        return;
    if (!c.scepPool)
        return o.skip(
            tr("The SCEP application's pool \"%1\" is not defined in applicationHost.config.").arg(c.scepApp->pool));
    const Evidence ev{
        c.snap.appHostFile(),
        tr("applicationPools/add[@name='%1']/processModel (line %2)").arg(c.scepPool->name).arg(c.scepPool->line),
        c.poolRunsAsAccount() ? c.scepPool->userName
                              : (c.scepPool->identityType.isEmpty() ? tr("ApplicationPoolIdentity (default)")
                                                                    : c.scepPool->identityType)};
    if (!c.poolRunsAsAccount())
        return o.fire(tr("The pool %1 runs as %2, not as a service account.").arg(c.scepPool->name, ev.value), {ev});
    if (!c.options.expectedAccount.isEmpty() &&
        c.scepPool->userName.compare(c.options.expectedAccount, Qt::CaseInsensitive) != 0)
        o.fire(tr("The pool %1 runs as %2, not as %3.")
                   .arg(c.scepPool->name, c.scepPool->userName, c.options.expectedAccount),
               {ev});
}

bool memberMatches(const GroupMember& m, const QString& account) {
    if (m.name.compare(account, Qt::CaseInsensitive) == 0)
        return true;
    // DOMAIN\name against name@domain, or a bare name
    const QString bare = account.section(QLatin1Char('\\'), -1).section(QLatin1Char('@'), 0, 0);
    return m.name.section(QLatin1Char('\\'), -1).compare(bare, Qt::CaseInsensitive) == 0;
}

bool needAccount(const Context& c, Outcome& o) {
    if (!c.iis) {
        o.skip(c.noIis());
        return false;
    }
    if (!c.scepPool) {
        o.skip(c.noScepApp());
        return false;
    }
    if (!c.poolRunsAsAccount()) {
        o.skip(tr("The SCEP pool runs as its built-in identity, not as a service account (see apppool-identity)."));
        return false;
    }
    if (!c.snap.localGroups()) {
        o.skip(tr("The snapshot has no local group members (the collector's local-groups.json)."));
        return false;
    }
    return true;
}

void svcLocalAdmin(const Context& c, Outcome& o) {
    if (!needAccount(c, o))
        return;
    const auto& groups = c.snap.localGroups()->groups;
    const auto it = groups.constFind(QStringLiteral("administrators"));
    if (it == groups.constEnd())
        return o.skip(tr("local-groups.json does not list the Administrators group."));
    for (const GroupMember& m : it.value())
        if (memberMatches(m, c.account()))
            o.fire(tr("%1 is a member of the local Administrators group.").arg(m.name),
                   {{c.snap.localGroups()->file, QStringLiteral("groups.Administrators"), m.name}});
}

void svcNotIisIusrs(const Context& c, Outcome& o) {
    if (!needAccount(c, o))
        return;
    const auto& groups = c.snap.localGroups()->groups;
    const auto it = groups.constFind(QStringLiteral("iis_iusrs"));
    if (it == groups.constEnd())
        return o.skip(tr("local-groups.json does not list the IIS_IUSRS group."));
    for (const GroupMember& m : it.value())
        if (memberMatches(m, c.account()))
            return;
    // Not a member: the rights granted directly would do.
    QList<Evidence> ev{
        {c.snap.localGroups()->file, QStringLiteral("groups.IIS_IUSRS"), tr("%1 is not a member").arg(c.account())}};
    if (c.snap.userRights()) {
        const auto& rights = c.snap.userRights()->rights;
        auto holds = [&](const char* right) {
            const auto r = rights.constFind(QString::fromLatin1(right));
            if (r == rights.constEnd())
                return false;
            for (const QString& h : r.value().holders)
                if (memberMatches(GroupMember{h.startsWith(QLatin1Char('*')) ? h.mid(1) : h, {}}, c.account()))
                    return true;
            return false;
        };
        if (holds("SeImpersonatePrivilege") && (holds("SeBatchLogonRight") || holds("SeServiceLogonRight")))
            return;
        ev << Evidence{c.snap.userRightsFile(), QStringLiteral("[Privilege Rights]"),
                       tr("%1 holds neither SeImpersonatePrivilege with a logon right").arg(c.account())};
    } else {
        ev << Evidence{QString(), QStringLiteral("user rights"), tr("not in the snapshot")};
    }
    o.fire(tr("%1 is not in IIS_IUSRS.").arg(c.account()), ev);
}

// ---- logs --------------------------------------------------------------------------------------------------------

void ndesErrorsRecent(const Context& c, Outcome& o) {
    const QStringList files = c.snap.filesOfKind(QStringLiteral("events"));
    if (files.isEmpty())
        return o.skip(tr("The snapshot has no event log (EVTX or Event XML)."));
    const QDateTime end = c.snap.collectedAt().isValid() ? c.snap.collectedAt() : c.now;
    const QDateTime since = end.addDays(-c.options.recentDays);
    QMap<int, qint64> byId;
    QMap<int, QString> where;
    QStringList unreadable;
    for (const QString& name : files) {
        Error why;
        auto reader = events::EventFileReader::forFile(c.snap.absolutePath(name), &why);
        if (!reader) {
            unreadable << name;
            continue;
        }
        reader->setKeepRawXml(false);
        auto read = reader->read(c.snap.absolutePath(name), [&](events::EventRecord&& e) {
            if (e.level >= 1 && e.level <= 2 && events::isNdesProvider(e.provider) && e.time >= since) {
                ++byId[e.eventId];
                where.insert(e.eventId, name);
            }
            return true;
        });
        if (!read)
            unreadable << name;
    }
    if (unreadable.size() == files.size())
        return o.skip(tr("No event log in the snapshot could be read: %1.").arg(unreadable.join(QStringLiteral(", "))));
    QList<Evidence> ev;
    qint64 total = 0;
    for (auto it = byId.constBegin(); it != byId.constEnd(); ++it) {
        total += it.value();
        ev << Evidence{where.value(it.key()), tr("event %1").arg(it.key()), trn("%n time(s)", int(it.value()))};
    }
    if (total > 0)
        o.fire(trn("%n NDES error event(s) in the %1 days before the snapshot.", int(total)).arg(c.options.recentDays),
               ev);
}

char asciiLower(char c) {
    return c >= 'A' && c <= 'Z' ? char(c + ('a' - 'A')) : c;
}

// NEEDLE in lower case.
bool containsNoCase(QByteArrayView hay, const char* needle) {
    const qsizetype n = qsizetype(qstrlen(needle));
    for (qsizetype i = 0; i + n <= hay.size(); ++i) {
        qsizetype j = 0;
        while (j < n && asciiLower(hay[i + j]) == needle[j])
            ++j;
        if (j == n)
            return true;
    }
    return false;
}

bool endsWithNoCase(QByteArrayView hay, const char* needle) {
    const qsizetype n = qsizetype(qstrlen(needle));
    return hay.size() >= n && containsNoCase(hay.sliced(hay.size() - n), needle);
}

void iisScepErrors(const Context& c, Outcome& o) {
    static const QByteArray stemField = QByteArrayLiteral("cs-uri-stem");
    static const QByteArray statusField = QByteArrayLiteral("sc-status");
    static const QByteArray queryField = QByteArrayLiteral("cs-uri-query");
    static const QByteArray methodField = QByteArrayLiteral("cs-method");
    const QStringList files = c.snap.filesOfKind(QStringLiteral("iis-log"));
    if (files.isEmpty())
        return o.skip(tr("The snapshot has no IIS log (u_ex*.log)."));
    struct Group {
        qint64 count = 0;
        QString file;
        qint64 firstLine = 0;
        QString example;
    };
    QMap<QString, Group> groups;
    QStringList unreadable;
    for (const QString& name : files) {
        auto read = iis::W3cLogReader::readFile(c.snap.absolutePath(name), [&](const iis::W3cLine& l) {
            const QByteArrayView stem = l.value(stemField);
            if (!containsNoCase(stem, "/mscep") && !containsNoCase(stem, "/certificateregistrationsvc"))
                return true;
            const int status = l.number(statusField);
            if (status < 400)
                return true;
            // A plain GET of mscep.dll answering 403 is healthy with the Intune connector.
            if (status == 403 && l.value(queryField).isEmpty() && l.value(methodField) == QByteArrayView("GET") &&
                endsWithNoCase(stem, "mscep.dll"))
                return true;
            const QString key = QStringLiteral("%1.%2 win32 %3")
                                    .arg(status)
                                    .arg(l.number(QByteArrayLiteral("sc-substatus"), 0))
                                    .arg(l.number(QByteArrayLiteral("sc-win32-status"), 0));
            Group& g = groups[key];
            if (g.count++ == 0) {
                g.file = name;
                g.firstLine = l.lineNumber();
                g.example = QStringLiteral("%1 %2").arg(l.text(QByteArrayLiteral("cs-method")),
                                                        l.text(QByteArrayLiteral("cs-uri-stem")));
            }
            return true;
        });
        if (!read)
            unreadable << name;
    }
    if (unreadable.size() == files.size())
        return o.skip(tr("No IIS log in the snapshot could be read: %1.").arg(unreadable.join(QStringLiteral(", "))));
    QList<Evidence> ev;
    qint64 total = 0;
    for (auto it = groups.constBegin(); it != groups.constEnd(); ++it) {
        total += it.value().count;
        ev << Evidence{it.value().file, tr("line %1 (first of %2)").arg(it.value().firstLine).arg(it.value().count),
                       QStringLiteral("%1: %2").arg(it.key(), it.value().example)};
    }
    if (!unreadable.isEmpty())
        ev << Evidence{unreadable.join(QStringLiteral(", ")), QString(), tr("could not be read: not counted")};
    if (total > 0)
        o.fire(trn("%n failed SCEP request(s) in the IIS logs.", int(total)), ev);
    else if (!unreadable.isEmpty())
        o.skip(tr("Some IIS logs could not be read (%1); the others show no failed SCEP request.")
                   .arg(unreadable.join(QStringLiteral(", "))));
}

// ---- live --------------------------------------------------------------------------------------------------------

void liveReasons(const Context& c, Outcome& o, service::HealthStatus level) {
    if (!c.options.live)
        return o.skip(tr("No live probe was asked for (ndesctl audit --url URL)."));
    const service::HealthReport& r = *c.options.live;
    const QString source = tr("live: %1").arg(r.url.toString());
    for (const service::HealthReason& reason : r.reasons) {
        const bool critical =
            reason.severity == service::HealthStatus::Critical || reason.severity == service::HealthStatus::Unreachable;
        if (critical == (level == service::HealthStatus::Critical))
            o.fire(reason.message, {{source, reason.code, reason.message}});
    }
}

void liveCritical(const Context& c, Outcome& o) {
    liveReasons(c, o, service::HealthStatus::Critical);
}

void liveWarning(const Context& c, Outcome& o) {
    liveReasons(c, o, service::HealthStatus::Warning);
}

// ---- the registry of evaluators ------------------------------------------------------------------------------

using Evaluator = void (*)(const Context&, Outcome&);
// ---- Active Directory: templates, the CA's published list, the service account -----------------------------------

using directory::CertificateTemplate;
using directory::DirectoryAccount;
using directory::DirectoryData;
using directory::EffectiveRights;

bool needDirectory(const Context& c, Outcome& o) {
    if (c.options.directory)
        return true;
    o.skip(c.options.directoryProblem.isEmpty()
               ? tr("Needs a read of Active Directory (templates, the CA, the service account): give --directory "
                    "ldaps://DC with a bind, or --directory-ldif FILE from `ndesctl directory export`.")
               : c.options.directoryProblem);
    return false;
}

Evidence dirEvidence(const Context& c, const QString& dn, const QString& attribute, const QString& value) {
    return Evidence{c.options.directory->source,
                    attribute.isEmpty() ? dn : QStringLiteral("%1 · %2").arg(dn, attribute), value};
}

// The templates NDES uses, by the MSCEP values that name them (an absent value: NDES's default).
struct NdesTemplate {
    QString value; // SignatureTemplate, EncryptionTemplate, GeneralPurposeTemplate
    QString name;
    Evidence evidence;
};

QList<NdesTemplate> ndesTemplateNames(const Context& c) {
    QList<NdesTemplate> out;
    for (const char* value : {"SignatureTemplate", "EncryptionTemplate", "GeneralPurposeTemplate"}) {
        NdesTemplate t{QString::fromLatin1(value), QString::fromLatin1(defaultTemplate),
                       Evidence{c.mscepFile, QStringLiteral("MSCEP\\%1").arg(QLatin1String(value)),
                                tr("absent (NDES uses %1)").arg(QLatin1String(defaultTemplate))}};
        if (c.mscep)
            for (const RegistryValue& v : c.mscep->values)
                if (v.name.compare(QLatin1String(value), Qt::CaseInsensitive) == 0 && !v.string.isEmpty()) {
                    t.name = v.string;
                    t.evidence = Evidence{c.mscepFile, tr("MSCEP\\%1 (line %2)").arg(v.name).arg(v.line), v.string};
                }
        out << t;
    }
    return out;
}

// The distinct NDES templates found in AD (a name that differs only in case is the same object in AD).
QList<std::pair<const CertificateTemplate*, NdesTemplate>> ndesTemplates(const Context& c, Outcome& o) {
    QList<std::pair<const CertificateTemplate*, NdesTemplate>> out;
    if (!needDirectory(c, o) || !needMscep(c, o))
        return out;
    const DirectoryData& d = *c.options.directory;
    if (d.templates.isEmpty()) {
        o.skip(tr("The directory read has no certificate templates (none exist, or the account may not read them)."));
        return out;
    }
    for (const NdesTemplate& n : ndesTemplateNames(c)) {
        const CertificateTemplate* t = d.findTemplate(n.name, Qt::CaseSensitive);
        if (!t)
            t = d.findTemplate(n.name, Qt::CaseInsensitive);
        if (!t)
            continue; // template-not-published reports it
        if (std::none_of(out.begin(), out.end(), [t](const auto& p) { return p.first == t; }))
            out << std::pair{t, n};
    }
    if (out.isEmpty())
        o.skip(tr("None of the templates MSCEP names exists in the directory (see template-not-published)."));
    return out;
}

// The service account the SCEP pool runs as (or --account), in the directory; nullptr with the reason.
const DirectoryAccount* serviceAccount(const Context& c, Outcome& o, QString* name = nullptr) {
    if (!needDirectory(c, o))
        return nullptr;
    QString account = c.options.expectedAccount;
    if (account.isEmpty() && c.poolRunsAsAccount())
        account = c.account();
    if (account.isEmpty()) {
        o.skip(c.scepPool ? tr("The SCEP pool runs as its built-in identity, not as a service account; give --account "
                               "DOMAIN\\name to check one.")
                          : tr("The snapshot does not say which account the SCEP pool runs as; give --account "
                               "DOMAIN\\name."));
        return nullptr;
    }
    if (name)
        *name = account;
    const DirectoryAccount* a = c.options.directory->findAccount(account);
    if (!a && !name)
        o.skip(tr("The account %1 is not in the directory read.").arg(account));
    return a;
}

bool isServiceAccount(const Context& c, const EffectiveRights& r) {
    QString name;
    Outcome ignored;
    if (const DirectoryAccount* a = serviceAccount(c, ignored, &name); a)
        return r.sid == a->sid;
    if (name.isEmpty())
        return false;
    // Not read from the directory: only the same DOMAIN\name (or, when no domain was given, the same name).
    if (name.contains(QLatin1Char('\\')))
        return r.name.compare(name, Qt::CaseInsensitive) == 0;
    return r.name.section(QLatin1Char('\\'), -1).compare(name, Qt::CaseInsensitive) == 0;
}

QString aceList(const EffectiveRights& r) {
    QStringList s;
    for (const directory::Ace& a : r.grantingAces)
        s << a.toSddl();
    return s.join(QLatin1Char(' '));
}

QString flagEvidence(quint32 value, const QStringList& names) {
    return QStringLiteral("%1 (0x%2) %3")
        .arg(value)
        .arg(value, 0, 16)
        .arg(names.isEmpty() ? QStringLiteral("none") : names.join(QStringLiteral(", ")));
}

QString ekuEvidence(const CertificateTemplate& t) {
    QStringList names;
    for (const QString& e : t.effectiveEkus())
        names << QStringLiteral("%1 (%2)").arg(directory::ekuName(e), e);
    return names.isEmpty() ? tr("none (any purpose)") : names.join(QStringLiteral(", "));
}

void templateEsc1(const Context& c, Outcome& o) {
    for (const auto& [t, n] : ndesTemplates(c, o)) {
        if (!t->enrolleeSuppliesSubject() || !t->allowsAuthentication() || t->managerApproval() || t->raSignatures > 0)
            continue;
        if (!t->securityDescriptor) {
            o.skip(tr("%1: %2").arg(t->name, t->securityDescriptorProblem));
            continue;
        }
        for (const EffectiveRights& r : t->rights) {
            if (!r.enroll || c.options.directory->isPrivileged(r.sid) || isServiceAccount(c, r))
                continue;
            o.fire(tr("%1 (%2): the enrollee supplies the subject, it allows authentication, needs no approval and "
                      "no RA signature, and %3 may enroll: they can request a certificate as any user.")
                       .arg(t->name, n.value, r.name),
                   {n.evidence,
                    dirEvidence(c, t->dn, QStringLiteral("msPKI-Certificate-Name-Flag"),
                                flagEvidence(t->nameFlags, directory::certificateNameFlagNames(t->nameFlags))),
                    dirEvidence(c, t->dn, QStringLiteral("pKIExtendedKeyUsage"), ekuEvidence(*t)),
                    dirEvidence(c, t->dn, QStringLiteral("msPKI-Enrollment-Flag"),
                                flagEvidence(t->enrollmentFlags, directory::enrollmentFlagNames(t->enrollmentFlags))),
                    dirEvidence(c, t->dn, QStringLiteral("nTSecurityDescriptor"),
                                tr("%1 (%2): %3").arg(r.name, r.sid.toString(), aceList(r)))});
        }
    }
}

void templateOtpLeak(const Context& c, Outcome& o) {
    for (const auto& [t, n] : ndesTemplates(c, o)) {
        if (!t->securityDescriptor) {
            o.skip(tr("%1: %2").arg(t->name, t->securityDescriptorProblem));
            continue;
        }
        for (const EffectiveRights& r : t->rights)
            if (r.enroll && directory::DirectoryData::isBroadGroup(r.sid))
                o.fire(tr("%1 has Enroll on %2 (%3): any of its members can open mscep_admin and take one-time "
                          "passwords.")
                           .arg(r.name, t->name, n.value),
                       {n.evidence, dirEvidence(c, t->dn, QStringLiteral("nTSecurityDescriptor"),
                                                tr("%1 (%2): %3").arg(r.name, r.sid.toString(), aceList(r)))});
    }
}

void templateEku(const Context& c, Outcome& o) {
    for (const auto& [t, n] : ndesTemplates(c, o)) {
        const QStringList e = t->effectiveEkus();
        QString what;
        if (e.isEmpty())
            what = tr("has no EKU at all (any purpose)");
        else if (e.contains(QLatin1String(directory::oids::anyPurpose)))
            what = tr("allows Any Purpose (ESC2)");
        else if (e.contains(QLatin1String(directory::oids::certificateRequestAgent)))
            what = tr("allows Certificate Request Agent (ESC3)");
        if (!what.isEmpty())
            o.fire(tr("%1 (%2) %3.").arg(t->name, n.value, what),
                   {n.evidence, dirEvidence(c, t->dn,
                                            t->schemaVersion >= 2 && !t->applicationPolicies.isEmpty()
                                                ? QStringLiteral("msPKI-Certificate-Application-Policy")
                                                : QStringLiteral("pKIExtendedKeyUsage"),
                                            ekuEvidence(*t))});
    }
}

void templateSchemaV1Subject(const Context& c, Outcome& o) {
    for (const auto& [t, n] : ndesTemplates(c, o))
        if (t->schemaVersion <= 1 && t->enrolleeSuppliesSubject())
            o.fire(tr("%1 (%2) is a schema version 1 template and takes the subject from the request.")
                       .arg(t->name, n.value),
                   {n.evidence,
                    dirEvidence(c, t->dn, QStringLiteral("msPKI-Template-Schema-Version"),
                                QString::number(t->schemaVersion)),
                    dirEvidence(c, t->dn, QStringLiteral("msPKI-Certificate-Name-Flag"),
                                flagEvidence(t->nameFlags, directory::certificateNameFlagNames(t->nameFlags)))});
}

void templateNoSecurityExt(const Context& c, Outcome& o) {
    for (const auto& [t, n] : ndesTemplates(c, o))
        if (t->enrollmentFlags & directory::templateFlags::noSecurityExtension)
            o.fire(tr("%1 (%2) has CT_FLAG_NO_SECURITY_EXTENSION.").arg(t->name, n.value),
                   {n.evidence,
                    dirEvidence(c, t->dn, QStringLiteral("msPKI-Enrollment-Flag"),
                                flagEvidence(t->enrollmentFlags, directory::enrollmentFlagNames(t->enrollmentFlags)))});
}

void templatePublishToAd(const Context& c, Outcome& o) {
    for (const auto& [t, n] : ndesTemplates(c, o))
        if (t->enrollmentFlags & directory::templateFlags::publishToDs)
            o.fire(tr("%1 (%2) publishes every certificate in Active Directory.").arg(t->name, n.value),
                   {n.evidence,
                    dirEvidence(c, t->dn, QStringLiteral("msPKI-Enrollment-Flag"),
                                flagEvidence(t->enrollmentFlags, directory::enrollmentFlagNames(t->enrollmentFlags)))});
}

bool isRaTemplate(const CertificateTemplate& t) {
    return t.isEnrollmentAgent() || t.name.compare(QLatin1String("EnrollmentAgentOffline"), Qt::CaseInsensitive) == 0 ||
           t.name.compare(QLatin1String("CEPEncryption"), Qt::CaseInsensitive) == 0;
}

void templateWritable(const Context& c, Outcome& o) {
    QList<std::pair<const CertificateTemplate*, QString>> targets;
    for (const auto& [t, n] : ndesTemplates(c, o))
        targets << std::pair{t, tr("the NDES template (%1)").arg(n.value)};
    if (c.options.directory)
        for (const CertificateTemplate& t : c.options.directory->templates)
            if (isRaTemplate(t) &&
                std::none_of(targets.begin(), targets.end(), [&t](const auto& p) { return p.first == &t; }))
                targets << std::pair{&t, tr("an RA template")};
    if (!targets.isEmpty())
        o.notChecked.clear();
    for (const auto& [t, role] : targets) {
        if (!t->securityDescriptor) {
            o.skip(tr("%1: %2").arg(t->name, t->securityDescriptorProblem));
            continue;
        }
        const DirectoryData& d = *c.options.directory;
        if (t->securityDescriptor->owner && !d.isPrivileged(*t->securityDescriptor->owner) &&
            !(d.domain.sid.isValid() && t->securityDescriptor->owner->rid() == 517))
            o.fire(tr("%1, %2, is owned by %3, who can therefore change its permissions.")
                       .arg(t->name, role, d.nameOf(*t->securityDescriptor->owner)),
                   {dirEvidence(c, t->dn, QStringLiteral("nTSecurityDescriptor (owner)"),
                                tr("O:%1").arg(t->securityDescriptor->owner->toString()))});
        for (const EffectiveRights& r : t->rights)
            if (r.canWrite() && !d.isPrivileged(r.sid))
                o.fire(tr("%1 may change %2, %3: %4.").arg(r.name, t->name, role, r.writes.join(QStringLiteral(", "))),
                       {dirEvidence(c, t->dn, QStringLiteral("nTSecurityDescriptor"),
                                    tr("%1 (%2): %3").arg(r.name, r.sid.toString(), aceList(r)))});
    }
}

void templateNotPublished(const Context& c, Outcome& o) {
    if (!needDirectory(c, o) || !needMscep(c, o))
        return;
    const DirectoryData& d = *c.options.directory;
    QStringList seen;
    for (const NdesTemplate& n : ndesTemplateNames(c)) {
        if (seen.contains(n.name))
            continue;
        seen << n.name;
        QList<Evidence> ev{n.evidence};
        if (d.services.isEmpty()) {
            o.fire(tr("%1 (%2): the directory has no enrollment service (CA) at all.").arg(n.name, n.value), ev);
            continue;
        }
        bool exact = false;
        QString caseOnly;
        QStringList cas;
        for (const directory::EnrollmentService& s : d.services) {
            cas << s.name;
            for (const QString& published : s.templates) {
                if (published == n.name)
                    exact = true;
                else if (published.compare(n.name, Qt::CaseInsensitive) == 0)
                    caseOnly = QStringLiteral("%1 (%2)").arg(published, s.name);
            }
            ev << dirEvidence(c, s.dn, QStringLiteral("certificateTemplates"),
                              s.templates.isEmpty() ? tr("none") : s.templates.join(QStringLiteral(", ")));
        }
        if (exact)
            continue;
        if (!caseOnly.isEmpty())
            o.fire(tr("%1 (%2) is published only as %3: the case differs, and NDES fails with event 31 "
                      "(0x80094800).")
                       .arg(n.name, n.value, caseOnly),
                   ev);
        else if (!d.findTemplate(n.name, Qt::CaseInsensitive))
            o.fire(tr("%1 (%2) does not exist in the directory, and no CA publishes it.").arg(n.name, n.value), ev);
        else
            o.fire(tr("%1 (%2) is not published by %3.").arg(n.name, n.value, cas.join(QStringLiteral(", "))), ev);
    }
}

void raTemplateEsc3(const Context& c, Outcome& o) {
    if (!needDirectory(c, o))
        return;
    for (const CertificateTemplate& t : c.options.directory->templates) {
        // An agent certificate: Certificate Request Agent, or Any Purpose / no EKU at all, which include it.
        const QStringList ekus = t.effectiveEkus();
        const bool agent =
            t.isEnrollmentAgent() || ekus.isEmpty() || ekus.contains(QLatin1String(directory::oids::anyPurpose));
        if (!agent || t.managerApproval() || t.raSignatures > 0)
            continue;
        if (!t.securityDescriptor) {
            o.skip(tr("%1: %2").arg(t.name, t.securityDescriptorProblem));
            continue;
        }
        for (const EffectiveRights& r : t.rights)
            if (r.enroll && DirectoryData::isBroadGroup(r.sid))
                o.fire(tr("%1 issues Certificate Request Agent certificates without approval, and %2 may enroll.")
                           .arg(t.name, r.name),
                       {dirEvidence(c, t.dn, QStringLiteral("pKIExtendedKeyUsage"), ekuEvidence(t)),
                        dirEvidence(c, t.dn, QStringLiteral("msPKI-Enrollment-Flag"),
                                    flagEvidence(t.enrollmentFlags, directory::enrollmentFlagNames(t.enrollmentFlags))),
                        dirEvidence(c, t.dn, QStringLiteral("nTSecurityDescriptor"),
                                    tr("%1 (%2): %3").arg(r.name, r.sid.toString(), aceList(r)))});
    }
}

QString when(const std::optional<QDateTime>& t) {
    return t ? t->toUTC().toString(Qt::ISODate) : tr("never");
}

void svcUnusable(const Context& c, Outcome& o) {
    QString name;
    const DirectoryAccount* a = serviceAccount(c, o, &name);
    if (!o.notChecked.isEmpty())
        return;
    if (!a)
        return o.fire(tr("%1 does not exist in the directory: the SCEP pool cannot log on.").arg(name),
                      {Evidence{c.options.directory->source, c.options.directory->domain.dn,
                                tr("no user with sAMAccountName %1").arg(name.section(QLatin1Char('\\'), -1))}});
    const auto ev = [&](const QString& attribute, const QString& value) {
        return dirEvidence(c, a->dn, attribute, value);
    };
    if (!a->enabled)
        o.fire(tr("%1 is disabled.").arg(a->samAccountName),
               {ev(QStringLiteral("userAccountControl"), QStringLiteral("%1 (0x%2): ACCOUNTDISABLE")
                                                             .arg(a->userAccountControl)
                                                             .arg(a->userAccountControl, 0, 16))});
    if (a->locked)
        o.fire(tr("%1 is locked out.").arg(a->samAccountName),
               {ev(QStringLiteral("msDS-User-Account-Control-Computed"), QStringLiteral("LOCKOUT"))});
    if (a->accountExpires && *a->accountExpires <= c.now)
        o.fire(tr("%1 expired on %2.").arg(a->samAccountName, when(a->accountExpires)),
               {ev(QStringLiteral("accountExpires"), when(a->accountExpires))});
    if (a->passwordExpired(c.now))
        o.fire(a->mustChangePassword
                   ? tr("%1 must change its password at next logon: the pool cannot log on.").arg(a->samAccountName)
                   : tr("The password of %1 expired on %2.").arg(a->samAccountName, when(a->passwordExpires)),
               {ev(QStringLiteral("pwdLastSet"), when(a->passwordLastSet)),
                Evidence{c.options.directory->source, c.options.directory->domain.dn + QStringLiteral(" · maxPwdAge"),
                         c.options.directory->domain.maxPasswordAgeSeconds
                             ? tr("%1 days").arg(*c.options.directory->domain.maxPasswordAgeSeconds / 86400)
                             : tr("none")}});
}

void svcPasswordExpiry(const Context& c, Outcome& o) {
    const DirectoryAccount* a = serviceAccount(c, o);
    if (!a || a->gmsa)
        return;
    if (a->passwordNeverExpires)
        return o.fire(tr("The password of %1 never expires (last set %2): it is never rotated.")
                          .arg(a->samAccountName, when(a->passwordLastSet)),
                      {dirEvidence(c, a->dn, QStringLiteral("userAccountControl"),
                                   QStringLiteral("%1 (0x%2): DONT_EXPIRE_PASSWORD")
                                       .arg(a->userAccountControl)
                                       .arg(a->userAccountControl, 0, 16))});
    if (!a->passwordExpires || a->passwordExpired(c.now))
        return; // no domain maximum, or already expired (svc-unusable)
    const qint64 days = c.now.daysTo(*a->passwordExpires);
    if (days <= c.options.expiringDays)
        o.fire(trn("The password of %1 expires on %2, in %n day(s); then NDES stops.", int(days))
                   .arg(a->samAccountName, when(a->passwordExpires)),
               {dirEvidence(c, a->dn, QStringLiteral("pwdLastSet"), when(a->passwordLastSet)),
                Evidence{c.options.directory->source, c.options.directory->domain.dn + QStringLiteral(" · maxPwdAge"),
                         tr("%1 days").arg(c.options.directory->domain.maxPasswordAgeSeconds.value_or(0) / 86400)}});
}

void svcPrivileged(const Context& c, Outcome& o) {
    const DirectoryAccount* a = serviceAccount(c, o);
    if (!a)
        return;
    if (a->tokenGroups.isEmpty())
        return o.skip(tr("The groups of %1 were not read (tokenGroups).").arg(a->samAccountName));
    for (qsizetype i = 0; i < a->tokenGroups.size(); ++i) {
        const directory::Sid& g = a->tokenGroups[i];
        const QString s = g.toString();
        const bool admin = s == QLatin1String("S-1-5-32-544") || (s.startsWith(QLatin1String("S-1-5-21-")) &&
                                                                  (g.rid() == 512 || g.rid() == 518 || g.rid() == 519));
        if (admin)
            o.fire(tr("%1 is a member of %2.").arg(a->samAccountName, a->groupNames.value(i, s)),
                   {dirEvidence(c, a->dn, QStringLiteral("tokenGroups"),
                                tr("%1 (%2)").arg(a->groupNames.value(i, s), s))});
    }
}

void svcNoSpn(const Context& c, Outcome& o) {
    const DirectoryAccount* a = serviceAccount(c, o);
    if (!a)
        return;
    const QString host = c.snap.hostName().section(QLatin1Char('.'), 0, 0);
    for (const QString& spn : a->spns) {
        if (!spn.startsWith(QLatin1String("HTTP/"), Qt::CaseInsensitive))
            continue;
        if (host.isEmpty() || spn.mid(5)
                                      .section(QLatin1Char('.'), 0, 0)
                                      .section(QLatin1Char(':'), 0, 0)
                                      .compare(host, Qt::CaseInsensitive) == 0)
            return;
    }
    o.fire(host.isEmpty() ? tr("%1 has no HTTP/ service principal name.").arg(a->samAccountName)
                          : tr("%1 has no HTTP/%2 service principal name.").arg(a->samAccountName, host),
           {dirEvidence(c, a->dn, QStringLiteral("servicePrincipalName"),
                        a->spns.isEmpty() ? tr("none") : a->spns.join(QStringLiteral(", ")))});
}

void svcNotGmsa(const Context& c, Outcome& o) {
    const DirectoryAccount* a = serviceAccount(c, o);
    if (!a || a->gmsa)
        return;
    o.fire(tr("%1 is a %2, not a group managed service account.")
               .arg(a->samAccountName, a->computer ? tr("computer account") : tr("user account")),
           {dirEvidence(c, a->dn, QStringLiteral("objectClass"),
                        a->computer ? QStringLiteral("computer") : QStringLiteral("user"))});
}

struct Registered {
    const char* id;
    Evaluator evaluate;
};
const Registered evaluators[] = {
    {"evidence-altered", evidenceAltered},
    {"ndes-not-installed", ndesNotInstalled},
    {"ndes-on-ca", ndesOnCa},
    {"ndes-on-dc", ndesOnDc},
    {"mscep-missing", mscepMissing},
    {"templates-default", templatesDefault},
    {"mscep-flat-value", mscepFlatValue},
    {"mscep-unknown-value", mscepUnknownValue},
    {"password-max-looks-like-minutes", passwordMaxMinutes},
    {"enforce-password-off", enforcePasswordOff},
    {"enforce-password-absent", enforcePasswordAbsent},
    {"single-password", singlePassword},
    {"password-validity-long", passwordValidityLong},
    {"hash-sha1", hashSha1},
    {"policy-cert", policyCert},
    {"ra-missing", raMissing},
    {"ra-expired", raExpired},
    {"ra-expiring", raExpiring},
    {"ra-key-exportable", raKeyExportable},
    {"ra-key-acl", raKeyAcl},
    {"ra-csp", raCsp},
    {"no-https", noHttps},
    {"tls-cert", tlsCert},
    {"admin-page-anonymous", adminPageAnonymous},
    {"admin-page-ntlm-over-http", adminPageNtlmOverHttp},
    {"request-limits", requestLimits},
    {"root-store-intermediate", rootStoreIntermediate},
    {"apppool-identity", appPoolIdentity},
    {"svc-local-admin", svcLocalAdmin},
    {"svc-not-iis-iusrs", svcNotIisIusrs},
    {"ndes-errors-recent", ndesErrorsRecent},
    {"iis-scep-errors", iisScepErrors},
    {"live-critical", liveCritical},
    {"live-warning", liveWarning},
    {"template-not-published", templateNotPublished},
    {"template-esc1", templateEsc1},
    {"template-otp-leak", templateOtpLeak},
    {"template-eku", templateEku},
    {"template-schema-v1-subject", templateSchemaV1Subject},
    {"template-no-security-ext", templateNoSecurityExt},
    {"template-writable", templateWritable},
    {"template-publish-to-ad", templatePublishToAd},
    {"ra-template-esc3", raTemplateEsc3},
    {"svc-unusable", svcUnusable},
    {"svc-password-expiry", svcPasswordExpiry},
    {"svc-privileged", svcPrivileged},
    {"svc-no-spn", svcNoSpn},
    {"svc-not-gmsa", svcNotGmsa},
};

Context makeContext(const Snapshot& snap, const AuditOptions& options) {
    Context c(snap, options, options.now.isValid() ? options.now : QDateTime::currentDateTimeUtc());
    for (const RegistryEvidence& r : snap.registries()) {
        bool holds = r.reg.find(mscepPath) != nullptr;
        for (const RegistryKey& k : r.reg.keys())
            holds |= service::RegistryExport::normalize(k.path).startsWith(
                service::RegistryExport::normalize(mscepPath) + QLatin1Char('\\'));
        if (!holds)
            continue;
        c.mscepFiles << r.file;
        if (c.mscepReg)
            continue; // the first export is audited; runAudit names the others
        c.mscepReg = &r.reg;
        c.mscepFile = r.file;
        c.mscep = r.reg.find(mscepPath);
        auto s = service::MscepSettings::fromRegistry(r.reg);
        if (s)
            c.settings = *s;
    }
    if (snap.manifest())
        for (const QString& k : snap.manifest()->absentKeys)
            c.mscepAbsentPerManifest |=
                service::RegistryExport::normalize(k) == service::RegistryExport::normalize(mscepPath);
    if (snap.appHost()) {
        c.iis = &*snap.appHost();
        auto [site, app] = c.iis->findApplication(QStringLiteral("/CertSrv/mscep"));
        c.scepSite = site;
        c.scepApp = app;
        if (app)
            c.scepPool = c.iis->pool(app->pool.isEmpty() ? QStringLiteral("DefaultAppPool") : app->pool);
    }
    for (const CertificateEvidence& e : snap.certificates()) {
        if (e.store.compare(QLatin1String("Root"), Qt::CaseInsensitive) == 0) {
            c.rootCerts << &e;
            continue;
        }
        if (!e.store.isEmpty() && e.store.compare(QLatin1String("My"), Qt::CaseInsensitive) != 0)
            continue;
        c.myCerts << &e;
        if (!isRaCertificate(e.certificate))
            continue;
        const QString t = e.certificate.templateName();
        if (t.compare(QLatin1String("CEPEncryption"), Qt::CaseInsensitive) == 0 ||
            (t.isEmpty() && e.certificate.hasKeyUsage(pki::KeyUsage::KeyEncipherment)))
            c.raEncryption << &e;
        else
            c.raSigning << &e;
    }
    return c;
}

// The registry findings' remedy as a script: the setup wizard's step 04 (backup of the key first, -WhatIf, a
// transcript, the real MSCEP layout, stray plain values removed, the SCEP pool restarted) for the settings seen, with
// each registry finding put right and nothing else changed. None when the evidence lacks what the script would
// have to invent (the CA configuration).
QString registryRemedy(const Context& c) {
    if (!c.settings || !c.settings->caConfiguration || c.settings->caConfiguration->isEmpty())
        return {};
    const service::MscepSettings& s = *c.settings;
    setup::SetupPlan plan;
    plan.caConfig = *s.caConfiguration;
    plan.ndesHost = c.snap.hostName();
    const QString fallback = QString::fromLatin1(setup::SetupPlan::defaultTemplate);
    plan.signatureTemplate = s.signatureTemplate.value_or(fallback);
    plan.encryptionTemplate = s.encryptionTemplate.value_or(fallback);
    plan.generalPurposeTemplate = s.generalPurposeTemplate.value_or(fallback);
    plan.enforcePassword = true; // enforce-password-off and -absent
    plan.useSinglePassword = false;
    plan.passwordMax = s.passwordMax && !looksLikeMinutes(*s.passwordMax) ? int(*s.passwordMax) : 5;
    plan.passwordValidity =
        int(std::min<quint32>(s.passwordValidity.value_or(60), quint32(c.options.maxPasswordValidity)));
    plan.passwordLength = int(s.passwordLength.value_or(8));
    plan.hashAlgorithm = QStringLiteral("SHA256");
    plan.caCapabilitiesAlgorithms = s.caCapabilitiesAlgorithms.value_or(QStringList()); // left as it is
    return setup::ScriptWriter::registryScript(plan, c.now);
}

// Checks whose remedy that script is.
bool fixedByRegistryScript(const QString& id) {
    static const QStringList ids = {QStringLiteral("mscep-flat-value"),
                                    QStringLiteral("password-max-looks-like-minutes"),
                                    QStringLiteral("enforce-password-off"),
                                    QStringLiteral("enforce-password-absent"),
                                    QStringLiteral("single-password"),
                                    QStringLiteral("password-validity-long"),
                                    QStringLiteral("hash-sha1")};
    return ids.contains(id);
}

} // namespace

QString scepPoolAccount(const Snapshot& snapshot) {
    const AuditOptions options;
    const Context c = makeContext(snapshot, options);
    return c.poolRunsAsAccount() ? c.account() : QString();
}

QStringList evaluatorIds() {
    QStringList ids;
    for (const Registered& r : evaluators)
        ids << QString::fromLatin1(r.id);
    return ids;
}

int AuditResult::count(Severity s) const {
    return int(std::count_if(findings.begin(), findings.end(), [s](const Finding& f) { return f.severity == s; }));
}

std::optional<Severity> AuditResult::worst() const {
    std::optional<Severity> w;
    for (const Finding& f : findings)
        if (!w || f.severity > *w)
            w = f.severity;
    return w;
}

QJsonObject AuditResult::toJson() const {
    QJsonArray fileList;
    for (const SnapshotFile& f : files) {
        QJsonObject o{{QStringLiteral("name"), f.name},
                      {QStringLiteral("sha256"), f.sha256},
                      {QStringLiteral("kind"), f.kind},
                      {QStringLiteral("size"), f.size}};
        if (!f.problem.isEmpty())
            o.insert(QStringLiteral("problem"), f.problem);
        fileList.append(o);
    }
    QJsonObject snapshot{{QStringLiteral("host"), host},
                         {QStringLiteral("collectedAt"), collectedAt.toUTC().toString(Qt::ISODate)},
                         {QStringLiteral("files"), fileList}};
    if (!collectorVersion.isEmpty())
        snapshot.insert(QStringLiteral("collectorVersion"), collectorVersion);
    if (!collectedBy.isEmpty())
        snapshot.insert(QStringLiteral("collectedBy"), collectedBy);
    if (!problems.isEmpty())
        snapshot.insert(QStringLiteral("problems"), QJsonArray::fromStringList(problems));
    if (!liveUrl.isEmpty())
        snapshot.insert(QStringLiteral("live"), liveUrl);
    if (!directorySource.isEmpty())
        snapshot.insert(QStringLiteral("directory"), directorySource);
    QJsonArray f;
    for (const Finding& x : findings)
        f.append(x.toJson());
    QJsonArray n;
    for (const NotChecked& x : notChecked)
        n.append(x.toJson());
    QJsonObject counts;
    for (Severity s : {Severity::Critical, Severity::High, Severity::Medium, Severity::Low, Severity::Info})
        counts.insert(severityName(s), count(s));
    return {{QStringLiteral("catalogueVersion"), catalogueVersion},
            {QStringLiteral("snapshot"), snapshot},
            {QStringLiteral("counts"), counts},
            {QStringLiteral("findings"), f},
            {QStringLiteral("notChecked"), n},
            {QStringLiteral("passed"), QJsonArray::fromStringList(passed)}};
}

AuditResult runAudit(const Catalogue& catalogue, const Snapshot& snapshot, const AuditOptions& options) {
    const Context c = makeContext(snapshot, options);
    AuditResult result;
    result.catalogueVersion = catalogue.version();
    result.host = snapshot.hostName();
    result.collectedAt = snapshot.collectedAt();
    if (snapshot.manifest()) {
        result.collectorVersion = snapshot.manifest()->collectorVersion;
        result.collectedBy = snapshot.manifest()->collectedBy;
    }
    result.files = snapshot.files();
    result.problems = snapshot.problems();
    if (options.live) {
        result.liveUrl = options.live->url.toString();
        if (result.host.isEmpty())
            result.host = options.live->url.host();
        if (!result.collectedAt.isValid())
            result.collectedAt = options.live->checkedAt;
    }
    if (options.directory) {
        result.directorySource = options.directory->source;
        result.problems << options.directory->problems;
    } else if (!options.directoryProblem.isEmpty()) {
        result.problems << options.directoryProblem;
    }
    if (c.mscepFiles.size() > 1)
        result.problems << tr("%1 exports of MSCEP (%2): only %3 is audited; give one.")
                               .arg(c.mscepFiles.size())
                               .arg(c.mscepFiles.join(QStringLiteral(", ")), c.mscepFile);
    for (const CheckDefinition& d : catalogue.checks()) {
        Evaluator evaluate = nullptr;
        for (const Registered& r : evaluators)
            if (d.id == QLatin1String(r.id))
                evaluate = r.evaluate;
        if (!evaluate) {
            result.notChecked << NotChecked{d.id, d.title,
                                            d.needs.contains(QLatin1String("directory"))
                                                ? tr("Needs a read of Active Directory (templates, the CA, the service "
                                                     "account), which this version does not do yet.")
                                                : tr("This version of NDES Console cannot evaluate this check.")};
            continue;
        }
        Outcome o;
        evaluate(c, o);
        if (!o.notChecked.isEmpty() && o.hits.isEmpty()) {
            result.notChecked << NotChecked{d.id, d.title, o.notChecked};
            continue;
        }
        if (o.hits.isEmpty()) {
            result.passed << d.id;
            continue;
        }
        for (const Outcome::Hit& h : o.hits)
            result.findings << Finding{d.id,       d.severity, d.area,   d.title, h.detail,
                                       h.evidence, d.why,      d.remedy, {},      d.sources};
    }
    if (std::any_of(result.findings.begin(), result.findings.end(),
                    [](const Finding& f) { return fixedByRegistryScript(f.id); })) {
        const QString script = registryRemedy(c);
        for (Finding& f : result.findings)
            if (fixedByRegistryScript(f.id))
                f.remedyScript = script;
    }
    std::stable_sort(result.findings.begin(), result.findings.end(),
                     [](const Finding& a, const Finding& b) { return a.severity > b.severity; });
    return result;
}

} // namespace ndes::audit
