// SPDX-License-Identifier: Apache-2.0
#include "setup/RegWriter.h"

namespace ndes::setup {

namespace {

const QString mscep = QStringLiteral("HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Cryptography\\MSCEP");

QString hexBytes(const QByteArray& bytes) {
    QStringList parts;
    for (char b : bytes)
        parts << QStringLiteral("%1").arg(quint8(b), 2, 16, QLatin1Char('0'));
    return parts.join(QLatin1Char(','));
}

QByteArray utf16le(const QString& s) {
    QByteArray out;
    for (QChar c : s) {
        out.append(char(c.unicode() & 0xFF));
        out.append(char(c.unicode() >> 8));
    }
    return out;
}

QString dword(int v) {
    return QStringLiteral("dword:%1").arg(quint32(v), 8, 16, QLatin1Char('0'));
}

} // namespace

QString RegWriter::quoted(const QString& value) {
    const bool plain = std::none_of(value.begin(), value.end(), [](QChar c) { return c.unicode() < 0x20; });
    if (!plain) // a line break in a quoted value would end it: REG_SZ as hex, NUL-terminated
        return QStringLiteral("hex(1):") + hexBytes(utf16le(value) + QByteArray(2, '\0'));
    QString escaped = value;
    escaped.replace(QLatin1Char('\\'), QLatin1String("\\\\"));
    escaped.replace(QLatin1Char('"'), QLatin1String("\\\""));
    return QLatin1Char('"') + escaped + QLatin1Char('"');
}

QString RegWriter::text(const SetupPlan& p) {
    QStringList lines;
    lines << QStringLiteral("Windows Registry Editor Version 5.00") << QString();
    lines << QStringLiteral("[%1]").arg(mscep);
    lines << QStringLiteral("\"SignatureTemplate\"=%1").arg(quoted(p.signatureTemplate));
    lines << QStringLiteral("\"EncryptionTemplate\"=%1").arg(quoted(p.encryptionTemplate));
    lines << QStringLiteral("\"GeneralPurposeTemplate\"=%1").arg(quoted(p.generalPurposeTemplate));
    lines << QString();
    auto subkey = [&](const QString& name, const QString& valueName, const QString& data) {
        lines << QStringLiteral("[%1\\%2]").arg(mscep, name);
        lines << QStringLiteral("\"%1\"=%2").arg(valueName, data) << QString();
    };
    subkey(QStringLiteral("CAInfo"), QStringLiteral("Configuration"), quoted(p.caConfig));
    subkey(QStringLiteral("EnforcePassword"), QStringLiteral("EnforcePassword"), dword(p.enforcePassword ? 1 : 0));
    subkey(QStringLiteral("UseSinglePassword"), QStringLiteral("UseSinglePassword"),
           dword(p.useSinglePassword ? 1 : 0));
    subkey(QStringLiteral("PasswordMax"), QStringLiteral("PasswordMax"), dword(p.passwordMax));
    subkey(QStringLiteral("PasswordValidity"), QStringLiteral("PasswordValidity"), dword(p.passwordValidity));
    subkey(QStringLiteral("PasswordLength"), QStringLiteral("PasswordLength"), dword(p.passwordLength));
    subkey(QStringLiteral("HashAlgorithm"), QStringLiteral("HashAlgorithm"), quoted(p.hashAlgorithm));
    if (!p.caCapabilitiesAlgorithms.isEmpty()) {
        QByteArray multi;
        for (const QString& a : p.caCapabilitiesAlgorithms)
            multi += utf16le(a) + QByteArray(2, '\0');
        multi += QByteArray(2, '\0');
        subkey(QStringLiteral("CACapabilitiesAlgorithms"), QStringLiteral("CACapabilitiesAlgorithms"),
               QStringLiteral("hex(7):") + hexBytes(multi));
    }
    return lines.join(QStringLiteral("\r\n")) + QStringLiteral("\r\n");
}

QByteArray RegWriter::file(const SetupPlan& plan) {
    return QByteArray("\xFF\xFE", 2) + utf16le(text(plan));
}

} // namespace ndes::setup
