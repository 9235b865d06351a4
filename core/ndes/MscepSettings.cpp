// SPDX-License-Identifier: Apache-2.0
#include "ndes/MscepSettings.h"

#include <QCoreApplication>
#include <QSet>

namespace ndes::service {

namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("MscepSettings", text);
}

using Type = RegistryValue::Type;

// Settings NDES reads from a subkey holding a value of the same name, with the type it expects.
struct SubkeySetting {
    const char* name;
    Type type;
};
const SubkeySetting subkeySettings[] = {
    {"CAType", Type::Dword},
    {"CertsInMYStore", Type::Dword},
    {"EnforcePassword", Type::Dword},
    {"PasswordVDir", Type::String},
    {"UseSinglePassword", Type::Dword},
    {"PasswordLength", Type::Dword},
    {"PasswordMax", Type::Dword},
    {"PasswordValidity", Type::Dword},
    {"HashAlgorithm", Type::String},
    {"CACapabilitiesAlgorithms", Type::MultiString},
};

QString typeName(Type t) {
    switch (t) {
    case Type::String:
        return QStringLiteral("REG_SZ");
    case Type::Dword:
        return QStringLiteral("REG_DWORD");
    case Type::MultiString:
        return QStringLiteral("REG_MULTI_SZ");
    case Type::Binary:
        return QStringLiteral("REG_BINARY");
    case Type::ExpandString:
        return QStringLiteral("REG_EXPAND_SZ");
    case Type::Qword:
        return QStringLiteral("REG_QWORD");
    default:
        return QStringLiteral("another type");
    }
}

bool isTemplateValue(const QString& name) {
    return name.compare(QLatin1String("SignatureTemplate"), Qt::CaseInsensitive) == 0 ||
           name.compare(QLatin1String("EncryptionTemplate"), Qt::CaseInsensitive) == 0 ||
           name.compare(QLatin1String("GeneralPurposeTemplate"), Qt::CaseInsensitive) == 0;
}

} // namespace

Result<MscepSettings> MscepSettings::fromRegistry(const RegistryExport& reg) {
    const QString base = QString::fromLatin1(keyPath);
    const RegistryKey* mscep = reg.find(base);
    bool anyUnder = false;
    const QString prefix = RegistryExport::normalize(base) + QLatin1Char('\\');
    for (const RegistryKey& k : reg.keys())
        anyUnder |= RegistryExport::normalize(k.path).startsWith(prefix);
    if (!mscep && !anyUnder)
        return makeError(ErrorKind::Usage, tr("The .reg file has no %1 key; export that key with regedit or "
                                              "reg export.")
                                               .arg(base));
    MscepSettings s;
    if (mscep) {
        for (const RegistryValue& v : mscep->values) {
            if (isTemplateValue(v.name)) {
                if (v.type != Type::String) {
                    s.warnings << tr("MSCEP\\%1 (line %2) is %3; NDES reads a REG_SZ template name. Ignored.")
                                      .arg(v.name)
                                      .arg(v.line)
                                      .arg(typeName(v.type));
                    continue;
                }
                const QString n = v.name.toLower();
                (n == QLatin1String("signaturetemplate")    ? s.signatureTemplate
                 : n == QLatin1String("encryptiontemplate") ? s.encryptionTemplate
                                                            : s.generalPurposeTemplate) = v.string;
            } else if (v.name.compare(QLatin1String("EncryptedPassword"), Qt::CaseInsensitive) == 0) {
                s.hasEncryptedPassword = true;
            } else if (v.name.compare(QLatin1String("PasswordCacheMax"), Qt::CaseInsensitive) == 0) {
                s.warnings << tr("MSCEP has a value PasswordCacheMax (line %1): NDES reads no such name; the cache "
                                 "size is the value PasswordMax of the subkey MSCEP\\PasswordMax. Ignored.")
                                  .arg(v.line);
            } else {
                bool known = false;
                for (const SubkeySetting& ss : subkeySettings)
                    known |= v.name.compare(QLatin1String(ss.name), Qt::CaseInsensitive) == 0;
                if (known)
                    s.warnings << tr("%1 is written as a value directly under MSCEP (line %2); NDES reads it from the "
                                     "subkey MSCEP\\%1 (a value of the same name). Ignored, as NDES ignores it.")
                                      .arg(v.name)
                                      .arg(v.line);
                else
                    s.warnings << tr("MSCEP has a value %1 (line %2) that NDES does not read. Ignored.")
                                      .arg(v.name.isEmpty() ? QStringLiteral("(Default)") : v.name)
                                      .arg(v.line);
            }
        }
    }
    for (const RegistryKey& k : reg.keys()) {
        const QString norm = RegistryExport::normalize(k.path);
        if (!norm.startsWith(prefix) || k.deleted)
            continue;
        // The subkey name in its written case (the path may say HKLM or HKEY_LOCAL_MACHINE).
        QString trimmedPath = k.path.trimmed();
        while (trimmedPath.endsWith(QLatin1Char('\\')))
            trimmedPath.chop(1);
        const QString sub = trimmedPath.right(norm.size() - prefix.size());
        if (sub.compare(QLatin1String("CAInfo"), Qt::CaseInsensitive) == 0) {
            for (const RegistryValue& v : k.values)
                if (v.name.compare(QLatin1String("Configuration"), Qt::CaseInsensitive) == 0 && v.type == Type::String)
                    s.caConfiguration = v.string;
            continue;
        }
        const SubkeySetting* setting = nullptr;
        for (const SubkeySetting& ss : subkeySettings)
            if (sub.compare(QLatin1String(ss.name), Qt::CaseInsensitive) == 0)
                setting = &ss;
        if (!setting) {
            if (sub.compare(QLatin1String("PasswordCacheMax"), Qt::CaseInsensitive) == 0)
                s.warnings << tr("The subkey MSCEP\\PasswordCacheMax (line %1) is not read by NDES; the cache size "
                                 "is MSCEP\\PasswordMax. Ignored.")
                                  .arg(k.line);
            else
                s.warnings
                    << tr("The subkey MSCEP\\%1 (line %2) is not an NDES setting. Ignored.").arg(sub).arg(k.line);
            continue;
        }
        const RegistryValue* value = nullptr;
        for (const RegistryValue& v : k.values) {
            if (v.name.compare(QLatin1String(setting->name), Qt::CaseInsensitive) == 0)
                value = &v;
            else
                s.warnings << tr("MSCEP\\%1 holds a value named \"%2\" (line %3); NDES reads only the value %1. "
                                 "Ignored.")
                                  .arg(QLatin1String(setting->name), v.name)
                                  .arg(v.line);
        }
        if (!value)
            continue;
        if (value->type != setting->type) {
            s.warnings << tr("MSCEP\\%1\\%1 (line %2) is %3; NDES expects %4. Ignored.")
                              .arg(QLatin1String(setting->name))
                              .arg(value->line)
                              .arg(typeName(value->type), typeName(setting->type));
            continue;
        }
        const QString n = QString::fromLatin1(setting->name);
        const auto number = quint32(value->number);
        if (n == QLatin1String("CAType"))
            s.caType = number;
        else if (n == QLatin1String("CertsInMYStore"))
            s.certsInMyStore = number;
        else if (n == QLatin1String("EnforcePassword"))
            s.enforcePassword = number != 0;
        else if (n == QLatin1String("PasswordVDir"))
            s.passwordVDir = value->string;
        else if (n == QLatin1String("UseSinglePassword"))
            s.useSinglePassword = number != 0;
        else if (n == QLatin1String("PasswordLength"))
            s.passwordLength = number;
        else if (n == QLatin1String("PasswordMax"))
            s.passwordMax = number;
        else if (n == QLatin1String("PasswordValidity"))
            s.passwordValidity = number;
        else if (n == QLatin1String("HashAlgorithm"))
            s.hashAlgorithm = value->string;
        else if (n == QLatin1String("CACapabilitiesAlgorithms"))
            s.caCapabilitiesAlgorithms = value->strings;
    }
    return s;
}

} // namespace ndes::service
