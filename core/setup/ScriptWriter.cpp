// SPDX-License-Identifier: Apache-2.0
#include "setup/ScriptWriter.h"
#include "util/Access.h"

#include "ndes/RaRenewalScript.h"
#include "setup/RegWriter.h"
#include "util/AtomicFile.h"

#include <QDir>
#include <QFile>
#include <QHash>
#include <QStringList>

// Resources of a static library are registered by hand, from the global namespace.
static void initNdescoreResources() {
    Q_INIT_RESOURCE(ndescore);
}

namespace ndes::setup {

namespace {

QString q(const QString& v) {
    return service::RaRenewalScript::quote(v);
}

QString quotedList(const QStringList& values) {
    QStringList quoted;
    for (const QString& v : values)
        quoted << q(v);
    return QStringLiteral("@(%1)").arg(quoted.join(QStringLiteral(", ")));
}

// A plan value as text of the header's <# ... #> comment: one line, and no "#>" that would end the comment early and
// make the rest of the value code.
QString commentText(const QString& v) {
    QString text = v;
    for (QChar& c : text)
        if (c.category() == QChar::Other_Control)
            c = QLatin1Char(' ');
    return text.simplified().replace(QLatin1String("#>"), QLatin1String("# >"));
}

// What the templates in setup/powershell are filled with. Every plan value is a PowerShell literal (a quoted string,
// a number, a list of quoted strings); only values named *Text are comment text for the header, on one line.
struct Fill {
    QHash<QString, QString> values;
    QHash<QString, bool> flags;
};

Fill planFill(const SetupPlan& p) {
    // How the template choices are written into its attributes (MS-CRTD).
    const bool sign = p.purpose != SetupPlan::Purpose::Encryption;
    const bool encrypt = p.purpose != SetupPlan::Purpose::Signature;
    const int keyUsage = (sign ? 0x80 : 0) | (encrypt ? 0x20 : 0); // digitalSignature, keyEncipherment
    const int keySpec = encrypt ? 1 : 2;                           // AT_KEYEXCHANGE, AT_SIGNATURE
    const int nameFlag = (p.subjectInRequest ? 0x1 : 0) | (p.sanFromRequest ? 0x10000 : 0); // subject, SAN
    const int privateKeyFlag = p.exportableKey ? 0x10 : 0;                                  // exportable
    QString thumbprint = p.tlsThumbprint;
    thumbprint.remove(QLatin1Char(' '));
    const auto n = [](int v) {
        return QString::number(v);
    };
    Fill f;
    f.values = {
        {QStringLiteral("ndesHostText"), commentText(p.ndesHost)},
        {QStringLiteral("caConfigText"), commentText(p.caConfig)},
        {QStringLiteral("ndesHost"), q(p.ndesHost)},
        {QStringLiteral("caConfig"), q(p.caConfig)},
        {QStringLiteral("domainNetbios"), q(p.domainNetbios)},
        {QStringLiteral("accountName"), q(p.accountName)},
        {QStringLiteral("accountUpn"), q(p.accountUpn)},
        {QStringLiteral("accountOu"), q(p.accountOu)},
        {QStringLiteral("templateName"), q(p.templateName)},
        {QStringLiteral("templateDisplayName"), q(p.templateDisplayName)},
        {QStringLiteral("baseTemplate"), q(p.baseTemplate.trimmed())},
        {QStringLiteral("templateProvider"), q(p.templateProvider)},
        {QStringLiteral("templateCsp"), q(QStringLiteral("1,") + p.templateProvider)},
        {QStringLiteral("ekus"), quotedList(p.ekus)},
        {QStringLiteral("validityDays"), n(p.validityDays)},
        {QStringLiteral("renewalDays"), n(p.renewalDays)},
        {QStringLiteral("minimumKeySize"), n(p.minimumKeySize)},
        {QStringLiteral("keyUsage"), n(keyUsage)},
        {QStringLiteral("keyUsageByte"), QStringLiteral("0x%1").arg(keyUsage, 2, 16, QLatin1Char('0'))},
        {QStringLiteral("keySpec"), n(keySpec)},
        {QStringLiteral("nameFlag"), n(nameFlag)},
        {QStringLiteral("privateKeyFlag"), n(privateKeyFlag)},
        {QStringLiteral("raName"), q(p.raName)},
        {QStringLiteral("raCountry"), q(p.raCountry)},
        {QStringLiteral("raCompany"), q(p.raCompany)},
        {QStringLiteral("raSigningCsp"), q(p.raSigningCsp)},
        {QStringLiteral("raSigningKeyLength"), n(p.raSigningKeyLength)},
        {QStringLiteral("raEncryptionCsp"), q(p.raEncryptionCsp)},
        {QStringLiteral("raEncryptionKeyLength"), n(p.raEncryptionKeyLength)},
        {QStringLiteral("signatureTemplate"), q(p.signatureTemplate)},
        {QStringLiteral("encryptionTemplate"), q(p.encryptionTemplate)},
        {QStringLiteral("generalPurposeTemplate"), q(p.generalPurposeTemplate)},
        {QStringLiteral("enforcePassword"), n(p.enforcePassword ? 1 : 0)},
        {QStringLiteral("useSinglePassword"), n(p.useSinglePassword ? 1 : 0)},
        {QStringLiteral("passwordMax"), n(p.passwordMax)},
        {QStringLiteral("passwordValidity"), n(p.passwordValidity)},
        {QStringLiteral("passwordLength"), n(p.passwordLength)},
        {QStringLiteral("hashAlgorithm"), q(p.hashAlgorithm)},
        {QStringLiteral("caCapabilitiesAlgorithms"), quotedList(p.caCapabilitiesAlgorithms)},
        {QStringLiteral("maxUrl"), n(p.maxUrl)},
        {QStringLiteral("maxQueryString"), n(p.maxQueryString)},
        {QStringLiteral("maxFieldLength"), n(p.maxFieldLength)},
        {QStringLiteral("maxRequestBytes"), n(p.maxRequestBytes)},
        {QStringLiteral("tlsThumbprint"), q(thumbprint.toUpper())},
        {QStringLiteral("appPoolIdentity"), q(p.appPoolIdentity.trimmed())},
    };
    f.flags = {
        {QStringLiteral("generatePassword"), p.passwordPolicy == SetupPlan::PasswordPolicy::Generate},
        {QStringLiteral("caCapabilities"), !p.caCapabilitiesAlgorithms.isEmpty()},
        {QStringLiteral("https"), p.https},
        // The pool runs as the plan's identity, else as the service account.
        {QStringLiteral("appPoolIdentity"), !p.appPoolIdentity.trimmed().isEmpty()},
    };
    return f;
}

// The templates and their fill are built together: a name one lacks is a bug, and every test meets it first.
[[noreturn]] void templateBug(const QString& what) {
    qFatal("ScriptWriter: %s", qPrintable(what));
}

// {{key}} filled in one pass over the template's line: a value is copied, never read for placeholders, so it stays
// the literal planFill made it.
QString fillLine(QStringView line, const Fill& fill) {
    QString out;
    qsizetype at = 0;
    for (qsizetype open; (open = line.indexOf(u"{{", at)) >= 0;) {
        const qsizetype close = line.indexOf(u"}}", open + 2);
        const QString key = close < 0 ? QString() : line.sliced(open + 2, close - open - 2).toString();
        const auto value = fill.values.constFind(key);
        if (value == fill.values.cend())
            templateBug(QStringLiteral("no value for {{%1}}").arg(key));
        out += line.sliced(at, open - at);
        out += *value;
        at = close + 2;
    }
    out += line.sliced(at);
    return out;
}

// A template from setup/powershell: "## " lines are notes for its reader, "#include FILE" inserts another template,
// "#if FLAG", "#else" and "#endif" keep lines by a plan choice; every other line is copied, its {{key}}s filled.
QString expand(const QString& name, const Fill& fill) {
    QFile file(QStringLiteral(":/setup/powershell/") + name);
    if (!file.open(QIODevice::ReadOnly))
        templateBug(QStringLiteral("no template %1").arg(name));
    QString text = QString::fromUtf8(file.readAll());
    if (text.endsWith(QLatin1Char('\n')))
        text.chop(1);
    QString out;
    QList<bool> kept; // per open #if: whether the branch being read is kept
    for (const QString& line : text.split(QLatin1Char('\n'))) {
        if (line.startsWith(QLatin1String("#if "))) {
            const auto it = fill.flags.constFind(line.sliced(4));
            if (it == fill.flags.cend())
                templateBug(QStringLiteral("%1: no flag for %2").arg(name, line));
            kept.append(*it);
        } else if (line == QLatin1String("#else") || line == QLatin1String("#endif")) {
            if (kept.isEmpty())
                templateBug(QStringLiteral("%1: %2 without #if").arg(name, line));
            if (line == QLatin1String("#else"))
                kept.last() = !kept.last();
            else
                kept.removeLast();
        } else if (kept.contains(false) || line.startsWith(QLatin1String("## "))) {
            continue;
        } else if (line.startsWith(QLatin1String("#include "))) {
            out += expand(line.sliced(9), fill);
        } else {
            out += fillLine(line, fill) + QLatin1Char('\n');
        }
    }
    if (!kept.isEmpty())
        templateBug(QStringLiteral("%1: #if without #endif").arg(name));
    return out;
}

// header.ps1 (what the script does, where to run it: the NDES server unless said, -WhatIf and the transcript or
// read-only), then the script.
QString script(const SetupPlan& p, const QDateTime& at, const QString& name, const QString& title, bool changes,
               const QString& runOn = {}) {
    initNdescoreResources();
    Fill fill = planFill(p);
    fill.values.insert(QStringLiteral("titleText"), title);
    fill.values.insert(QStringLiteral("runOnText"), runOn.isEmpty() ? commentText(p.ndesHost) : runOn);
    fill.values.insert(QStringLiteral("generatedAtText"), at.toUTC().toString(Qt::ISODate));
    fill.flags.insert(QStringLiteral("changes"), changes);
    return expand(QStringLiteral("header.ps1"), fill) + expand(name, fill);
}

} // namespace

QString ScriptWriter::combinedScript(const SetupPlan& p, const QDateTime& at) {
    return script(p, at, QStringLiteral("setup-all.ps1"), QStringLiteral("all steps in order"), true);
}

QString ScriptWriter::serviceAccountScript(const SetupPlan& p, const QDateTime& at) {
    return script(p, at, QStringLiteral("01-service-account.ps1"),
                  QStringLiteral("step 01, the NDES service account (AD user, SPN, IIS_IUSRS, no local administrator, "
                                 "Request Certificates on the CA)"),
                  true);
}

QString ScriptWriter::templateScript(const SetupPlan& p, const QDateTime& at) {
    return script(p, at, QStringLiteral("02-certificate-template.ps1"),
                  QStringLiteral("step 02, the certificate template (created in AD or compared with the plan, Read and "
                                 "Enroll for the service account, published on the CA)"),
                  true, QStringLiteral("a domain-joined server with AD write rights on the configuration partition"));
}

QString ScriptWriter::roleScript(const SetupPlan& p, const QDateTime& at) {
    return script(p, at, QStringLiteral("03-ndes-role.ps1"),
                  QStringLiteral("step 03, the NDES role and its RA certificates"), true);
}

QString ScriptWriter::registryScript(const SetupPlan& p, const QDateTime& at) {
    return script(p, at, QStringLiteral("04-ndes-registry.ps1"),
                  QStringLiteral("step 04, NDES registry settings (challenge passwords, templates, hash)"), true);
}

QString ScriptWriter::iisScript(const SetupPlan& p, const QDateTime& at) {
    return script(p, at, QStringLiteral("05-iis-httpsys.ps1"),
                  QStringLiteral("step 05, IIS request filtering, HTTP.sys limits, the HTTPS binding and the SCEP pool "
                                 "identity"),
                  true);
}

QString ScriptWriter::rollbackScript(const SetupPlan& p, const QDateTime& at) {
    return script(p, at, QStringLiteral("rollback.ps1"), QStringLiteral("rollback of step 04 (the NDES registry)"),
                  true);
}

QString ScriptWriter::verifyScript(const SetupPlan& p, const QDateTime& at) {
    return script(p, at, QStringLiteral("verify.ps1"),
                  QStringLiteral("verification (read-only) of every step: account, template, role, registry, IIS and "
                                 "HTTP.sys"),
                  false);
}

QList<GeneratedScript> ScriptWriter::scripts(const SetupPlan& plan, const QDateTime& at) {
    return {
        {QStringLiteral("setup-all.ps1"), QStringLiteral("All steps"), combinedScript(plan, at)},
        {QStringLiteral("01-service-account.ps1"), QStringLiteral("Service account"), serviceAccountScript(plan, at)},
        {QStringLiteral("02-certificate-template.ps1"), QStringLiteral("Certificate template"),
         templateScript(plan, at)},
        {QStringLiteral("03-ndes-role.ps1"), QStringLiteral("NDES role and RA"), roleScript(plan, at)},
        {QStringLiteral("04-ndes-registry.ps1"), QStringLiteral("NDES registry"), registryScript(plan, at)},
        {QStringLiteral("05-iis-httpsys.ps1"), QStringLiteral("IIS and HTTP.sys"), iisScript(plan, at)},
        {QStringLiteral("rollback.ps1"), QStringLiteral("Rollback"), rollbackScript(plan, at)},
        {QStringLiteral("verify.ps1"), QStringLiteral("Verification (read-only)"), verifyScript(plan, at)},
    };
}

QByteArray ScriptWriter::fileBytes(const GeneratedScript& script) {
    QString text = script.text;
    text.replace(QLatin1Char('\n'), QLatin1String("\r\n"));
    return QByteArray("\xEF\xBB\xBF") + text.toUtf8();
}

Result<QStringList> writePlanFiles(const SetupPlan& plan, const QString& directory, const QDateTime& generatedAt) {
    if (auto capability = Access::request(WriteOperation::SetupFilesSave); !capability)
        return capability.error();
    const QDir dir(directory);
    if (!QDir().mkpath(directory))
        return makeError(ErrorKind::Io, QStringLiteral("Cannot create %1.").arg(directory));
    QList<QPair<QString, QByteArray>> files = {{QStringLiteral("mscep.reg"), RegWriter::file(plan)}};
    for (const GeneratedScript& script : ScriptWriter::scripts(plan, generatedAt))
        files.append({script.fileName, ScriptWriter::fileBytes(script)});
    QStringList written;
    for (const auto& [name, bytes] : files) {
        const QString path = dir.filePath(name);
        if (Status st = AtomicFile::write(path, bytes, AtomicFile::Access::WorldReadable); !st)
            return st.error();
        written << path;
    }
    return written;
}

} // namespace ndes::setup
