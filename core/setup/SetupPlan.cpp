// SPDX-License-Identifier: Apache-2.0
#include "setup/SetupPlan.h"
#include "util/Access.h"

#include "pki/Certificate.h"

#include "util/AtomicFile.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

namespace ndes::setup {

namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("SetupPlan", text);
}

const char* purposeName(SetupPlan::Purpose p) {
    switch (p) {
    case SetupPlan::Purpose::Signature:
        return "signature";
    case SetupPlan::Purpose::Encryption:
        return "encryption";
    default:
        return "signatureAndEncryption";
    }
}

QJsonArray array(const QStringList& l) {
    return QJsonArray::fromStringList(l);
}

// Reads typed fields and remembers the first one of the wrong type.
class Reader {
public:
    explicit Reader(QString section, QJsonObject o)
        : m_section(std::move(section))
        , m_o(std::move(o)) {}
    void str(const char* key, QString& out) {
        const QJsonValue v = m_o.value(QLatin1String(key));
        if (v.isUndefined() || v.isNull())
            return;
        if (!v.isString())
            return wrong(key, "text");
        out = v.toString();
    }
    void integer(const char* key, int& out) {
        const QJsonValue v = m_o.value(QLatin1String(key));
        if (v.isUndefined() || v.isNull())
            return;
        if (!v.isDouble() || v.toDouble() != double(qint64(v.toDouble())) || std::abs(v.toDouble()) > 1e9)
            return wrong(key, "a whole number");
        out = int(v.toDouble());
    }
    void boolean(const char* key, bool& out) {
        const QJsonValue v = m_o.value(QLatin1String(key));
        if (v.isUndefined() || v.isNull())
            return;
        if (!v.isBool())
            return wrong(key, "true or false");
        out = v.toBool();
    }
    void list(const char* key, QStringList& out) {
        const QJsonValue v = m_o.value(QLatin1String(key));
        if (v.isUndefined() || v.isNull())
            return;
        if (!v.isArray())
            return wrong(key, "a list of text");
        out.clear();
        for (const QJsonValue& x : v.toArray()) {
            if (!x.isString())
                return wrong(key, "a list of text");
            out << x.toString();
        }
    }
    [[nodiscard]] const QString& error() const { return m_error; }

private:
    void wrong(const char* key, const char* what) {
        if (m_error.isEmpty())
            m_error = tr("%1.%2 must be %3.").arg(m_section, QLatin1String(key), QLatin1String(what));
    }
    QString m_section;
    QJsonObject m_o;
    QString m_error;
};

} // namespace

QString SetupPlan::caHost() const {
    return caConfig.section(QLatin1Char('\\'), 0, 0);
}
QString SetupPlan::caName() const {
    return caConfig.section(QLatin1Char('\\'), 1);
}

QJsonObject SetupPlan::toJson() const {
    return QJsonObject{
        {QStringLiteral("format"), QStringLiteral("ndes-console-setup-plan")},
        {QStringLiteral("version"), formatVersion},
        {QStringLiteral("environment"), QJsonObject{{QStringLiteral("domainDns"), domainDns},
                                                    {QStringLiteral("domainNetbios"), domainNetbios},
                                                    {QStringLiteral("caConfig"), caConfig},
                                                    {QStringLiteral("ndesHost"), ndesHost},
                                                    {QStringLiteral("intune"), intune}}},
        {QStringLiteral("serviceAccount"),
         QJsonObject{{QStringLiteral("name"), accountName},
                     {QStringLiteral("upn"), accountUpn},
                     {QStringLiteral("ou"), accountOu},
                     {QStringLiteral("password"), passwordPolicy == PasswordPolicy::Generate
                                                      ? QStringLiteral("generate")
                                                      : QStringLiteral("prompt")}}},
        {QStringLiteral("template"), QJsonObject{{QStringLiteral("name"), templateName},
                                                 {QStringLiteral("displayName"), templateDisplayName},
                                                 {QStringLiteral("base"), baseTemplate},
                                                 {QStringLiteral("validityDays"), validityDays},
                                                 {QStringLiteral("renewalDays"), renewalDays},
                                                 {QStringLiteral("purpose"), QLatin1String(purposeName(purpose))},
                                                 {QStringLiteral("minimumKeySize"), minimumKeySize},
                                                 {QStringLiteral("provider"), templateProvider},
                                                 {QStringLiteral("ekus"), array(ekus)},
                                                 {QStringLiteral("subjectInRequest"), subjectInRequest},
                                                 {QStringLiteral("exportableKey"), exportableKey},
                                                 {QStringLiteral("sanFromRequest"), sanFromRequest}}},
        {QStringLiteral("registry"),
         QJsonObject{{QStringLiteral("signatureTemplate"), signatureTemplate},
                     {QStringLiteral("encryptionTemplate"), encryptionTemplate},
                     {QStringLiteral("generalPurposeTemplate"), generalPurposeTemplate},
                     {QStringLiteral("enforcePassword"), enforcePassword},
                     {QStringLiteral("passwordMax"), passwordMax},
                     {QStringLiteral("passwordValidity"), passwordValidity},
                     {QStringLiteral("passwordLength"), passwordLength},
                     {QStringLiteral("useSinglePassword"), useSinglePassword},
                     {QStringLiteral("hashAlgorithm"), hashAlgorithm},
                     {QStringLiteral("caCapabilitiesAlgorithms"), array(caCapabilitiesAlgorithms)}}},
        {QStringLiteral("iis"), QJsonObject{{QStringLiteral("https"), https},
                                            {QStringLiteral("tlsThumbprint"), tlsThumbprint},
                                            {QStringLiteral("maxUrl"), maxUrl},
                                            {QStringLiteral("maxQueryString"), maxQueryString},
                                            {QStringLiteral("maxFieldLength"), maxFieldLength},
                                            {QStringLiteral("maxRequestBytes"), maxRequestBytes},
                                            {QStringLiteral("appPoolIdentity"), appPoolIdentity}}},
        {QStringLiteral("role"), QJsonObject{{QStringLiteral("raName"), raName},
                                             {QStringLiteral("raCountry"), raCountry},
                                             {QStringLiteral("raCompany"), raCompany},
                                             {QStringLiteral("signingKeyLength"), raSigningKeyLength},
                                             {QStringLiteral("encryptionKeyLength"), raEncryptionKeyLength},
                                             {QStringLiteral("signingCsp"), raSigningCsp},
                                             {QStringLiteral("encryptionCsp"), raEncryptionCsp}}}};
}

QByteArray SetupPlan::toJsonBytes() const {
    return QJsonDocument(toJson()).toJson(QJsonDocument::Indented);
}

Result<SetupPlan> SetupPlan::fromJson(const QByteArray& json) {
    if (json.size() > 1024 * 1024)
        return makeError(ErrorKind::Usage, tr("The plan is larger than 1 MB; it is not a setup plan."));
    QJsonParseError err{};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject())
        return makeError(ErrorKind::Usage,
                         tr("The plan is not valid JSON: %1 (at byte %2).").arg(err.errorString()).arg(err.offset));
    const QJsonObject root = doc.object();
    if (root.value(QLatin1String("format")).toString() != QLatin1String("ndes-console-setup-plan"))
        return makeError(ErrorKind::Usage, tr("This JSON is not an NDES Console setup plan (its \"format\" is not "
                                              "\"ndes-console-setup-plan\")."));
    const int version = root.value(QLatin1String("version")).toInt(-1);
    if (version != formatVersion)
        return makeError(
            ErrorKind::Usage,
            tr("The plan has version %1; this NDES Console reads version %2.").arg(version).arg(formatVersion));
    SetupPlan p;
    QStringList errors;
    {
        Reader r(QStringLiteral("environment"), root.value(QLatin1String("environment")).toObject());
        r.str("domainDns", p.domainDns);
        r.str("domainNetbios", p.domainNetbios);
        r.str("caConfig", p.caConfig);
        r.str("ndesHost", p.ndesHost);
        r.boolean("intune", p.intune);
        errors << r.error();
    }
    {
        Reader r(QStringLiteral("serviceAccount"), root.value(QLatin1String("serviceAccount")).toObject());
        r.str("name", p.accountName);
        r.str("upn", p.accountUpn);
        r.str("ou", p.accountOu);
        QString policy = QStringLiteral("prompt");
        r.str("password", policy);
        if (policy == QLatin1String("generate"))
            p.passwordPolicy = PasswordPolicy::Generate;
        else if (policy != QLatin1String("prompt"))
            errors << tr("serviceAccount.password must be \"generate\" or \"prompt\" (a plan never holds a password).");
        errors << r.error();
    }
    {
        Reader r(QStringLiteral("template"), root.value(QLatin1String("template")).toObject());
        r.str("name", p.templateName);
        r.str("displayName", p.templateDisplayName);
        r.str("base", p.baseTemplate);
        r.integer("validityDays", p.validityDays);
        r.integer("renewalDays", p.renewalDays);
        QString purpose = QLatin1String(purposeName(p.purpose));
        r.str("purpose", purpose);
        if (purpose == QLatin1String("signature"))
            p.purpose = Purpose::Signature;
        else if (purpose == QLatin1String("encryption"))
            p.purpose = Purpose::Encryption;
        else if (purpose == QLatin1String("signatureAndEncryption"))
            p.purpose = Purpose::SignatureAndEncryption;
        else
            errors << tr("template.purpose must be \"signature\", \"encryption\" or \"signatureAndEncryption\".");
        r.integer("minimumKeySize", p.minimumKeySize);
        r.str("provider", p.templateProvider);
        r.list("ekus", p.ekus);
        p.ekus = normalizedEkus(p.ekus);
        r.boolean("subjectInRequest", p.subjectInRequest);
        r.boolean("exportableKey", p.exportableKey);
        r.boolean("sanFromRequest", p.sanFromRequest);
        errors << r.error();
    }
    {
        Reader r(QStringLiteral("registry"), root.value(QLatin1String("registry")).toObject());
        r.str("signatureTemplate", p.signatureTemplate);
        r.str("encryptionTemplate", p.encryptionTemplate);
        r.str("generalPurposeTemplate", p.generalPurposeTemplate);
        r.boolean("enforcePassword", p.enforcePassword);
        r.integer("passwordMax", p.passwordMax);
        r.integer("passwordValidity", p.passwordValidity);
        r.integer("passwordLength", p.passwordLength);
        r.boolean("useSinglePassword", p.useSinglePassword);
        r.str("hashAlgorithm", p.hashAlgorithm);
        r.list("caCapabilitiesAlgorithms", p.caCapabilitiesAlgorithms);
        errors << r.error();
    }
    {
        Reader r(QStringLiteral("iis"), root.value(QLatin1String("iis")).toObject());
        r.boolean("https", p.https);
        r.str("tlsThumbprint", p.tlsThumbprint);
        r.integer("maxUrl", p.maxUrl);
        r.integer("maxQueryString", p.maxQueryString);
        r.integer("maxFieldLength", p.maxFieldLength);
        r.integer("maxRequestBytes", p.maxRequestBytes);
        r.str("appPoolIdentity", p.appPoolIdentity);
        errors << r.error();
    }
    {
        Reader r(QStringLiteral("role"), root.value(QLatin1String("role")).toObject());
        r.str("raName", p.raName);
        r.str("raCountry", p.raCountry);
        r.str("raCompany", p.raCompany);
        r.integer("signingKeyLength", p.raSigningKeyLength);
        r.integer("encryptionKeyLength", p.raEncryptionKeyLength);
        r.str("signingCsp", p.raSigningCsp);
        r.str("encryptionCsp", p.raEncryptionCsp);
        errors << r.error();
    }
    errors.removeAll(QString());
    if (!errors.isEmpty())
        return makeError(ErrorKind::Usage, errors.join(QLatin1Char(' ')));
    return p;
}

Result<SetupPlan> SetupPlan::load(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return makeError(ErrorKind::Io, tr("Cannot read %1: %2").arg(path, f.errorString()));
    return fromJson(f.read(1024 * 1024 + 1));
}

Status SetupPlan::save(const QString& path) const {
    if (auto capability = Access::request(WriteOperation::SetupFilesSave); !capability)
        return capability.error();
    return AtomicFile::write(path, toJsonBytes(), AtomicFile::Access::OwnerOnly);
}

// --- validation ------------------------------------------------------------------------------------------------

namespace {

bool isOid(const QString& s) {
    static const QRegularExpression re(QStringLiteral("^[0-2](\\.(0|[1-9][0-9]*))+$"));
    return re.match(s).hasMatch();
}

bool isDnsName(const QString& s) {
    static const QRegularExpression re(QStringLiteral("^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\\.["
                                                      "A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"));
    return re.match(s).hasMatch();
}

// RFC 4514-ish: RDNs of OU/CN/DC=value separated by unescaped commas, ending in DC components.
bool isOuDn(const QString& dn) {
    if (dn.trimmed().isEmpty())
        return false;
    QStringList rdns;
    QString cur;
    for (qsizetype i = 0; i < dn.size(); ++i) {
        const QChar c = dn.at(i);
        if (c == QLatin1Char('\\') && i + 1 < dn.size()) {
            cur += c;
            cur += dn.at(++i);
        } else if (c == QLatin1Char(',')) {
            rdns << cur.trimmed();
            cur.clear();
        } else {
            cur += c;
        }
    }
    rdns << cur.trimmed();
    bool sawDc = false;
    for (const QString& rdn : rdns) {
        const qsizetype eq = rdn.indexOf(QLatin1Char('='));
        if (eq <= 0 || eq == rdn.size() - 1)
            return false;
        const QString type = rdn.left(eq).trimmed().toUpper();
        if (type != QLatin1String("OU") && type != QLatin1String("CN") && type != QLatin1String("DC"))
            return false;
        if (type == QLatin1String("DC"))
            sawDc = true;
        else if (sawDc)
            return false; // DC components come last
    }
    return sawDc;
}

// Control characters (C0, DEL, C1, line and paragraph separators) and invisible format characters (Unicode Cf:
// bidirectional overrides, zero-width spaces), which would make a script read differently from what it does.
bool hasControl(const QString& s) {
    return std::any_of(s.begin(), s.end(), [](QChar c) {
        const char16_t u = c.unicode();
        return u < 0x20 || (u >= 0x7F && u <= 0x9F) || u == 0x2028 || u == 0x2029 ||
               c.category() == QChar::Other_Format;
    });
}

} // namespace

QList<PlanIssue> validate(const SetupPlan& p) {
    QList<PlanIssue> out;
    auto error = [&](const char* field, const char* code, const QString& message) {
        out.append({PlanIssue::Severity::Error, QLatin1String(field), QLatin1String(code), message});
    };
    auto warning = [&](const char* field, const char* code, const QString& message) {
        out.append({PlanIssue::Severity::Warning, QLatin1String(field), QLatin1String(code), message});
    };

    // Environment
    if (!isDnsName(p.domainDns) || !p.domainDns.contains(QLatin1Char('.')))
        error("domainDns", "domain-dns", tr("Enter the AD domain's DNS name, e.g. corp.example."));
    static const QRegularExpression netbios(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9!@#$%^&')(._{}~-]{0,14}$"));
    if (!netbios.match(p.domainNetbios).hasMatch())
        error("domainNetbios", "domain-netbios",
              tr("The NetBIOS domain name has 1 to 15 characters without spaces or \\ / : * ? \" < > |, e.g. CORP."));
    {
        const QStringList parts = p.caConfig.split(QLatin1Char('\\'));
        if (parts.size() != 2 || !isDnsName(parts.at(0)) || parts.at(1).trimmed().isEmpty() || hasControl(p.caConfig))
            error("caConfig", "ca-config",
                  tr("The CA config string is HOST\\CA Name with one backslash, e.g. ca01.corp.example\\Corp Issuing "
                     "CA (certutil -dump lists it as Config)."));
        // certutil.exe gets it as one argument, and Windows PowerShell 5.1 does not escape quotes inside arguments
        // to native programs: a quote would end it and start others. No CA name has one.
        if (p.caConfig.contains(QLatin1Char('"')))
            error("caConfig", "ca-config-quote",
                  tr("The CA config string cannot contain a double quote (\"): no CA name has one, and certutil would "
                     "read what follows it as more arguments."));
    }
    if (!isDnsName(p.ndesHost) || !p.ndesHost.contains(QLatin1Char('.')))
        error("ndesHost", "ndes-host",
              tr("Enter the NDES server's fully qualified name, e.g. ndes01.corp.example: "
                 "it goes into the SPN and the TLS certificate."));
    else if (!p.caHost().isEmpty() &&
             (p.caHost().compare(p.ndesHost, Qt::CaseInsensitive) == 0 ||
              p.caHost()
                      .section(QLatin1Char('.'), 0, 0)
                      .compare(p.ndesHost.section(QLatin1Char('.'), 0, 0), Qt::CaseInsensitive) == 0))
        warning("ndesHost", "ndes-on-ca",
                tr("NDES and the CA are on the same server. Microsoft advises a separate NDES server: NDES runs an "
                   "internet-facing IIS, and a compromise of it should not reach the CA's key."));

    // Service account
    static const QRegularExpression samBad(QStringLiteral("[\"/\\\\\\[\\]:;|=,+*?<>@\\s]"));
    if (p.accountName.isEmpty() || p.accountName.size() > 20)
        error("accountName", "account-name-length",
              tr("The account's sAMAccountName has 1 to 20 characters (Windows cuts longer names; the service would "
                 "log on as another name). Shorten \"%1\".")
                  .arg(p.accountName));
    else if (samBad.match(p.accountName).hasMatch() || p.accountName.endsWith(QLatin1Char('.')) ||
             hasControl(p.accountName))
        error("accountName", "account-name-characters",
              tr("sAMAccountName cannot contain spaces or \" / \\ [ ] : ; | = , + * ? < > @, nor end with a dot."));
    {
        static const QRegularExpression upn(QStringLiteral("^[^@\\s]+@([A-Za-z0-9-]+\\.)+[A-Za-z0-9-]+$"));
        if (!upn.match(p.accountUpn).hasMatch())
            error("accountUpn", "account-upn", tr("The UPN is name@domain, e.g. svc-ndes@corp.example."));
    }
    if (!isOuDn(p.accountOu))
        error("accountOu", "account-ou",
              tr("The OU is a distinguished name ending in the domain's DC parts, e.g. OU=Service "
                 "Accounts,DC=corp,DC=example (commas in a name escaped as \\,)."));

    // Certificate template
    static const QRegularExpression templateName(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"));
    if (!templateName.match(p.templateName).hasMatch())
        error("templateName", "template-name",
              tr("Give the template a short name of letters, digits, - _ . (no spaces): the registry and the CA "
                 "refer to it by this name, and a space there is a classic source of \"template not found\"."));
    if (p.templateDisplayName.trimmed().isEmpty() || hasControl(p.templateDisplayName))
        error("templateDisplayName", "template-display-name", tr("Give the template a display name."));
    if (p.validityDays < 1 || p.validityDays > 3650)
        error("validityDays", "validity", tr("Validity is 1 to 3650 days."));
    if (p.renewalDays < 0 || p.renewalDays >= p.validityDays)
        error("renewalDays", "renewal-period",
              tr("The renewal period (%1 days) must be shorter than the validity (%2 days); the CA refuses such a "
                 "template.")
                  .arg(p.renewalDays)
                  .arg(p.validityDays));
    if (p.minimumKeySize < 2048)
        error("minimumKeySize", "key-size", tr("The minimum key size must be at least 2048 bits."));
    if (p.ekus.isEmpty())
        error("ekus", "ekus-empty", tr("List at least one extended key usage, e.g. Client Authentication."));
    for (const QString& eku : p.ekus)
        if (!isOid(eku))
            error("ekus", "eku-oid",
                  tr("\"%1\" is not an OID (e.g. 1.3.6.1.5.5.7.3.2 for Client Authentication).").arg(eku));
    {
        static const QStringList needSignature = {
            QStringLiteral("1.3.6.1.5.5.7.3.1"), QStringLiteral("1.3.6.1.5.5.7.3.2"),
            QStringLiteral("1.3.6.1.5.5.7.3.3"), QStringLiteral("1.3.6.1.5.5.7.3.9")};
        static const QStringList needEncryption = {QStringLiteral("1.3.6.1.4.1.311.10.3.4")}; // EFS
        for (const QString& eku : p.ekus) {
            if (p.purpose == SetupPlan::Purpose::Encryption && needSignature.contains(eku))
                error("ekus", "eku-purpose",
                      tr("%1 needs a signing key, but the template's purpose is encryption: choose signature (and "
                         "encryption) or drop the EKU.")
                          .arg(eku));
            if (p.purpose == SetupPlan::Purpose::Signature && needEncryption.contains(eku))
                error("ekus", "eku-purpose",
                      tr("%1 (EFS) needs key encipherment, but the template's purpose is signature.").arg(eku));
        }
    }
    if (p.baseTemplate.trimmed().isEmpty() || hasControl(p.baseTemplate))
        error("baseTemplate", "template-base",
              tr("Name the template to start from: Computer, WebServer, or the name of one of your own."));
    if (!p.subjectInRequest)
        error("subjectInRequest", "template-subject-from-ad",
              tr("NDES asks the CA on the devices' behalf as its service account: without \"subject supplied in the "
                 "request\" the CA builds every certificate's name from that account's AD object, so devices cannot "
                 "be told apart (or the request fails). Let the request supply the subject."));
    else if (!p.sanFromRequest)
        warning("sanFromRequest", "template-san-anyway",
                tr("With the subject supplied in the request, the CA also copies the request's subject alternative "
                   "names (it ignores the template's SAN flag, MS-WCCE 3.2.2.6.2.1.4.5.9): unticking this only stops "
                   "Windows clients from asking for a SAN, not devices."));
    if (p.templateProvider.contains(QLatin1String("Key Storage Provider"), Qt::CaseInsensitive))
        warning("templateProvider", "template-ksp",
                tr("Devices enrolling over SCEP bring their own keys; the provider matters only for Windows clients. "
                   "Use a CryptoAPI provider unless you know the clients support KSP."));

    // Registry: the template name, identical wherever it is used (case matters). Each value is named as the admin
    // knows it (the registry value), not by the plan's JSON key.
    struct Slot {
        const char* key;
        const char* value; // the MSCEP registry value
        const QString* name;
        SetupPlan::Purpose purpose;
    };
    const Slot registryValues[] = {
        {"signatureTemplate", "SignatureTemplate", &p.signatureTemplate, SetupPlan::Purpose::Signature},
        {"encryptionTemplate", "EncryptionTemplate", &p.encryptionTemplate, SetupPlan::Purpose::Encryption},
        {"generalPurposeTemplate", "GeneralPurposeTemplate", &p.generalPurposeTemplate,
         SetupPlan::Purpose::SignatureAndEncryption},
    };
    for (const Slot& slot : registryValues) {
        const QString& value = *slot.name;
        if (value == p.templateName)
            continue;
        if (value.compare(p.templateName, Qt::CaseInsensitive) == 0)
            out.append({PlanIssue::Severity::Error, QString::fromLatin1(slot.key), QStringLiteral("template-case"),
                        tr("%1 is \"%2\" but the template is \"%3\": they differ in case, and NDES compares exactly "
                           "— every request that uses it would fail with \"template not available\" (event 31).")
                            .arg(QLatin1String(slot.value), value, p.templateName)});
        else if (slot.purpose == p.purpose)
            out.append({PlanIssue::Severity::Error, QString::fromLatin1(slot.key), QStringLiteral("template-mismatch"),
                        tr("%1 is \"%2\" but the template you create is \"%3\": requests of this kind would use a "
                           "template the CA does not issue.")
                            .arg(QLatin1String(slot.value), value, p.templateName)});
    }
    for (const QString* t : {&p.signatureTemplate, &p.encryptionTemplate, &p.generalPurposeTemplate})
        if (t->isEmpty() || hasControl(*t))
            error("signatureTemplate", "template-empty", tr("Name a template in each of the three registry values."));
    if (p.signatureTemplate == QLatin1String(SetupPlan::defaultTemplate) &&
        p.encryptionTemplate == QLatin1String(SetupPlan::defaultTemplate) &&
        p.generalPurposeTemplate == QLatin1String(SetupPlan::defaultTemplate))
        error("signatureTemplate", "template-default",
              tr("All three registry values are still IPSECIntermediateOffline, the setup default: devices would get "
                 "IPsec certificates. Name your template."));
    if (!p.enforcePassword && !p.intune)
        warning("enforcePassword", "no-password",
                tr("EnforcePassword 0 without the Intune connector means any device that reaches NDES gets a "
                   "certificate. Keep it 1 unless Intune validates requests."));
    if (p.passwordMax < 1 || p.passwordMax > 100000)
        error("passwordMax", "password-max",
              tr("PasswordMax is the number of unused passwords NDES keeps (the cache size, not minutes): 1 to "
                 "100000."));
    if (p.passwordValidity < 1 || p.passwordValidity > 10080)
        error("passwordValidity", "password-validity", tr("PasswordValidity is in minutes: 1 to 10080."));
    else if (p.passwordValidity > 30)
        warning("passwordValidity", "password-validity-long",
                tr("Passwords stay valid %1 minutes. Over 30 gives a stolen password more time; NDES's default is 60, "
                   "hardening guides use 30 or less.")
                    .arg(p.passwordValidity));
    if (p.passwordLength < 8 || p.passwordLength > 64)
        error("passwordLength", "password-length", tr("PasswordLength is in bytes: 8 to 64."));
    if (p.useSinglePassword)
        warning("useSinglePassword", "single-password",
                tr("One static password never expires and works for every device; anyone who learns it can enroll."));
    static const QStringList hashes = {QStringLiteral("SHA1"), QStringLiteral("SHA256"), QStringLiteral("SHA384"),
                                       QStringLiteral("SHA512")};
    if (!hashes.contains(p.hashAlgorithm))
        error("hashAlgorithm", "hash-algorithm", tr("HashAlgorithm is one of SHA1, SHA256, SHA384, SHA512."));
    else if (p.hashAlgorithm == QLatin1String("SHA1"))
        warning("hashAlgorithm", "hash-sha1", tr("SHA1 is weak; use SHA256 unless old devices need SHA1."));
    static const QStringList caps = {QStringLiteral("SHA-1"), QStringLiteral("SHA-256"), QStringLiteral("SHA-512"),
                                     QStringLiteral("AES"), QStringLiteral("DES3")};
    for (const QString& c : p.caCapabilitiesAlgorithms)
        if (!caps.contains(c))
            error("caCapabilitiesAlgorithms", "ca-capabilities",
                  tr("\"%1\" is not a capability NDES advertises (SHA-1, SHA-256, SHA-512, AES, DES3).").arg(c));

    // IIS and HTTP.sys
    if (!p.https)
        warning("https", "no-tls", tr("Without HTTPS, challenge passwords and the admin page travel in clear text."));
    else {
        static const QRegularExpression thumb(QStringLiteral("^[0-9A-Fa-f]{40}$"));
        QString t = p.tlsThumbprint;
        t.remove(QLatin1Char(' '));
        if (!thumb.match(t).hasMatch())
            error("tlsThumbprint", "tls-thumbprint",
                  tr("The HTTPS binding needs the certificate's SHA-1 thumbprint: 40 hex digits (certlm.msc > "
                     "Details > Thumbprint). No certificate yet? Untick HTTPS for now (the plan then warns)."));
    }
    for (const auto& [field, value] :
         {std::pair{"maxUrl", p.maxUrl}, std::pair{"maxQueryString", p.maxQueryString},
          std::pair{"maxFieldLength", p.maxFieldLength}, std::pair{"maxRequestBytes", p.maxRequestBytes}}) {
        if (value < 1 || value > 16777216)
            error(field, "limit-range", tr("%1 must be between 1 and 16777216.").arg(QLatin1String(field)));
        else if (value < 65534)
            warning(field, "limit-low",
                    tr("%1 is %2; SCEP requests in the URL (GET, or Intune's long challenges) need 65534, or IIS "
                       "answers 404.14/414 and NDES never sees them.")
                        .arg(QLatin1String(field))
                        .arg(value));
    }

    if (!p.appPoolIdentity.trimmed().isEmpty()) {
        static const QRegularExpression account(
            QStringLiteral("^[^\\\\\\s/:*?\"<>|]{1,15}\\\\[^\"/\\\\\\[\\]:;|=,+*?<>@\\s]{1,20}$"));
        const QString identity = p.appPoolIdentity.trimmed();
        if (!account.match(identity).hasMatch() || hasControl(identity))
            error("appPoolIdentity", "pool-identity",
                  tr("The SCEP application pool identity is DOMAIN\\account, e.g. CORP\\svc-ndes; leave it empty for "
                     "the service account."));
        else if (identity.compare(p.domainNetbios + QLatin1Char('\\') + p.accountName, Qt::CaseInsensitive) != 0)
            warning("appPoolIdentity", "pool-identity-other",
                    tr("The SCEP application pool would run as %1, not as the service account %2\\%3: the service "
                       "account's rights (IIS_IUSRS, Enroll on the template, Request Certificates, the RA keys) must "
                       "then be given to %1 by hand.")
                        .arg(identity, p.domainNetbios, p.accountName));
    }

    // NDES role and RA
    if (p.raName.trimmed().isEmpty() || hasControl(p.raName) || p.raName.size() > 64)
        error("raName", "ra-name", tr("Give the RA a name (up to 64 characters), e.g. NDES01-MSCEP-RA."));
    static const QRegularExpression country(QStringLiteral("^[A-Z]{2}$"));
    if (!country.match(p.raCountry).hasMatch())
        error("raCountry", "ra-country", tr("The RA's country is a two-letter ISO code in capitals, e.g. DE."));
    if (hasControl(p.raCompany))
        error("raCompany", "ra-company", tr("The company name cannot contain control characters."));
    if (p.raSigningKeyLength < 2048 || p.raEncryptionKeyLength < 2048)
        error("raKeyLength", "ra-key-size", tr("RA keys must be at least 2048 bits."));
    for (const QString* csp : {&p.raSigningCsp, &p.raEncryptionCsp})
        if (csp->contains(QLatin1String("Key Storage Provider"), Qt::CaseInsensitive) ||
            !csp->contains(QLatin1String("Cryptographic Provider"), Qt::CaseInsensitive))
            error("raCsp", "ra-csp",
                  tr("\"%1\" is not a CryptoAPI provider: NDES cannot use KSP/CNG keys for its RA. Use Microsoft "
                     "Strong Cryptographic Provider (or Microsoft Enhanced RSA and AES Cryptographic Provider).")
                      .arg(*csp));
    return out;
}

QStringList normalizedEkus(const QStringList& ekus) {
    QStringList out;
    for (const QString& e : ekus)
        out << pki::Certificate::extendedKeyUsageOid(e);
    return out;
}

} // namespace ndes::setup
