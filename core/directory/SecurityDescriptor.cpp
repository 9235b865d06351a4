// SPDX-License-Identifier: Apache-2.0
#include "directory/SecurityDescriptor.h"

#include <QCoreApplication>
#include <QStringList>
#include <QtEndian>

namespace ndes::directory {
namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("ndes::directory::SecurityDescriptor", text);
}

quint16 le16(QByteArrayView b, qsizetype at) {
    return qFromLittleEndian<quint16>(b.data() + at);
}
quint32 le32(QByteArrayView b, qsizetype at) {
    return qFromLittleEndian<quint32>(b.data() + at);
}

// A GUID as MS-DTYP 2.3.4.2 lays it out: the first three fields little-endian.
QUuid guidAt(QByteArrayView b, qsizetype at) {
    const auto* u = reinterpret_cast<const uchar*>(b.data() + at);
    return QUuid(qFromLittleEndian<quint32>(u), qFromLittleEndian<quint16>(u + 4), qFromLittleEndian<quint16>(u + 6),
                 u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
}

// MS-DTYP 2.4.2.1: S-1-IdentifierAuthority-SubAuthority…, the authority in decimal below 2^32, else in hex.
constexpr qsizetype sidHeader = 8;
constexpr int maxSubAuthorities = 15;

bool aceHasMaskAndSid(quint8 type) {
    switch (type) {
    case Ace::AccessAllowed:
    case Ace::AccessDenied:
    case Ace::SystemAudit:
    case Ace::SystemAlarm:
    case Ace::AccessAllowedCallback:
    case Ace::AccessDeniedCallback:
    case Ace::SystemAuditCallback:
    case Ace::SystemAlarmCallback:
    case Ace::SystemMandatoryLabel:
    case Ace::SystemResourceAttribute:
    case Ace::SystemScopedPolicyId:
        return true;
    default:
        return false;
    }
}

bool isObjectType(quint8 type) {
    switch (type) {
    case Ace::AccessAllowedObject:
    case Ace::AccessDeniedObject:
    case Ace::SystemAuditObject:
    case Ace::SystemAlarmObject:
    case Ace::AccessAllowedCallbackObject:
    case Ace::AccessDeniedCallbackObject:
    case Ace::SystemAuditCallbackObject:
    case Ace::SystemAlarmCallbackObject:
        return true;
    default:
        return false;
    }
}

std::optional<Acl> parseAcl(QByteArrayView bytes, quint32 offset, QString* error) {
    if (offset > quint32(bytes.size()) || bytes.size() - offset < 8) {
        *error = tr("The ACL at offset %1 lies outside the descriptor's %2 bytes.").arg(offset).arg(bytes.size());
        return std::nullopt;
    }
    const QByteArrayView acl = bytes.sliced(offset);
    Acl result;
    result.revision = quint8(acl[0]);
    const quint16 size = le16(acl, 2);
    const quint16 count = le16(acl, 4);
    if (size < 8 || size > acl.size()) {
        *error = tr("The ACL at offset %1 claims %2 bytes; %3 are there.").arg(offset).arg(size).arg(acl.size());
        return std::nullopt;
    }
    qsizetype at = 8;
    for (int i = 0; i < count; ++i) {
        if (size - at < 4) {
            *error = tr("The ACL at offset %1 claims %2 ACEs; its %3 bytes end after %4.")
                         .arg(offset)
                         .arg(count)
                         .arg(size)
                         .arg(i);
            return std::nullopt;
        }
        const quint16 aceSize = le16(acl, at + 2);
        if (aceSize < 4 || aceSize > size - at) {
            *error = tr("ACE %1 of the ACL at offset %2 claims %3 bytes; %4 are left.")
                         .arg(i)
                         .arg(offset)
                         .arg(aceSize)
                         .arg(size - at);
            return std::nullopt;
        }
        const QByteArrayView a = acl.sliced(at, aceSize);
        Ace ace;
        ace.index = i;
        ace.raw = a.toByteArray();
        ace.type = quint8(a[0]);
        ace.flags = quint8(a[1]);
        const bool plain = aceHasMaskAndSid(ace.type);
        const bool object = isObjectType(ace.type);
        if (plain || object) {
            qsizetype p = 4;
            if (a.size() - p < 4) {
                *error = tr("ACE %1 is too short for its access mask.").arg(i);
                return std::nullopt;
            }
            ace.mask = le32(a, p);
            p += 4;
            if (object) {
                if (a.size() - p < 4) {
                    *error = tr("Object ACE %1 is too short for its flags.").arg(i);
                    return std::nullopt;
                }
                const quint32 objectFlags = le32(a, p);
                p += 4;
                for (const quint32 flag : {1U, 2U}) {
                    if ((objectFlags & flag) == 0)
                        continue;
                    if (a.size() - p < 16) {
                        *error = tr("Object ACE %1 is too short for its GUIDs.").arg(i);
                        return std::nullopt;
                    }
                    (flag == 1 ? ace.objectType : ace.inheritedObjectType) = guidAt(a, p);
                    p += 16;
                }
            }
            // Callback ACEs carry application data after the SID: the SID need not end the ACE.
            const std::optional<Sid> sid = Sid::fromBinary(a.sliced(p), false);
            if (!sid) {
                *error = tr("ACE %1 has no valid SID.").arg(i);
                return std::nullopt;
            }
            ace.sid = *sid;
        }
        result.aces << ace;
        at += aceSize;
    }
    return result;
}

const char* aceTypeSddl(quint8 type) {
    switch (type) {
    case Ace::AccessAllowed:
        return "A";
    case Ace::AccessDenied:
        return "D";
    case Ace::SystemAudit:
        return "AU";
    case Ace::SystemAlarm:
        return "AL";
    case Ace::AccessAllowedObject:
        return "OA";
    case Ace::AccessDeniedObject:
        return "OD";
    case Ace::SystemAuditObject:
        return "OU";
    case Ace::SystemAlarmObject:
        return "OL";
    case Ace::AccessAllowedCallback:
        return "XA";
    case Ace::AccessDeniedCallback:
        return "XD";
    case Ace::AccessAllowedCallbackObject:
        return "ZA";
    case Ace::SystemAuditCallback:
        return "XU";
    case Ace::SystemMandatoryLabel:
        return "ML";
    case Ace::SystemResourceAttribute:
        return "RA";
    case Ace::SystemScopedPolicyId:
        return "SP";
    default:
        return nullptr;
    }
}

struct NamedBit {
    quint32 bit;
    const char* sddl;
    const char* name;
};
// In the order Windows writes them in SDDL: generic rights first, then by bit, lowest first (full control on a
// directory object reads CCDCLCSWRPWPDTLOCRSDRCWDWO, as dsacls and Get-Acl show it).
constexpr NamedBit rightBits[] = {
    {rights::genericAll, "GA", "GenericAll"},       {rights::genericRead, "GR", "GenericRead"},
    {rights::genericWrite, "GW", "GenericWrite"},   {rights::genericExecute, "GX", "GenericExecute"},
    {rights::createChild, "CC", "CreateChild"},     {rights::deleteChild, "DC", "DeleteChild"},
    {rights::listChildren, "LC", "ListChildren"},   {rights::self, "SW", "Self"},
    {rights::readProperty, "RP", "ReadProperty"},   {rights::writeProperty, "WP", "WriteProperty"},
    {rights::deleteTree, "DT", "DeleteTree"},       {rights::listObject, "LO", "ListObject"},
    {rights::controlAccess, "CR", "ControlAccess"}, {rights::del, "SD", "Delete"},
    {rights::readControl, "RC", "ReadControl"},     {rights::writeDacl, "WD", "WriteDacl"},
    {rights::writeOwner, "WO", "WriteOwner"},
};

} // namespace

// ---- Sid --------------------------------------------------------------------------------------------------------

std::optional<Sid> Sid::fromBinary(QByteArrayView bytes, bool exact) {
    if (bytes.size() < sidHeader || bytes[0] != 1)
        return std::nullopt;
    const int count = quint8(bytes[1]);
    if (count > maxSubAuthorities)
        return std::nullopt;
    const qsizetype size = sidHeader + 4 * count;
    if (bytes.size() < size || (exact && bytes.size() != size))
        return std::nullopt;
    Sid s;
    s.m_bytes = bytes.first(size).toByteArray();
    return s;
}

std::optional<Sid> Sid::fromString(const QString& text) {
    const QStringList parts = text.trimmed().split(QLatin1Char('-'));
    if (parts.size() < 3 || parts.size() > 3 + maxSubAuthorities ||
        parts[0].compare(QLatin1String("S"), Qt::CaseInsensitive) != 0 || parts[1] != QLatin1String("1"))
        return std::nullopt;
    bool ok = false;
    const quint64 authority = parts[2].startsWith(QLatin1String("0x"), Qt::CaseInsensitive)
                                  ? parts[2].mid(2).toULongLong(&ok, 16)
                                  : parts[2].toULongLong(&ok, 10);
    if (!ok || authority > 0xFFFFFFFFFFFFULL)
        return std::nullopt;
    QByteArray b(sidHeader, '\0');
    b[0] = 1;
    b[1] = char(parts.size() - 3);
    for (int i = 0; i < 6; ++i)
        b[2 + i] = char((authority >> (8 * (5 - i))) & 0xFF);
    for (qsizetype i = 3; i < parts.size(); ++i) {
        const quint32 v = parts[i].toUInt(&ok, 10);
        if (!ok || parts[i].isEmpty() || !parts[i][0].isDigit())
            return std::nullopt;
        char le[4];
        qToLittleEndian(v, le);
        b.append(le, 4);
    }
    return fromBinary(b);
}

QString Sid::toString() const {
    if (m_bytes.isEmpty())
        return {};
    quint64 authority = 0;
    for (int i = 0; i < 6; ++i)
        authority = (authority << 8) | quint8(m_bytes[2 + i]);
    QString s = QStringLiteral("S-1-");
    s += authority < 0x100000000ULL
             ? QString::number(authority)
             : QStringLiteral("0x") + QStringLiteral("%1").arg(authority, 12, 16, QLatin1Char('0')).toUpper();
    const int count = quint8(m_bytes[1]);
    for (int i = 0; i < count; ++i)
        s += QLatin1Char('-') + QString::number(le32(m_bytes, sidHeader + 4 * i));
    return s;
}

quint32 Sid::rid() const {
    const int count = m_bytes.isEmpty() ? 0 : quint8(m_bytes[1]);
    return count == 0 ? 0 : le32(m_bytes, sidHeader + 4 * (count - 1));
}

Sid Sid::domain() const {
    const int count = m_bytes.isEmpty() ? 0 : quint8(m_bytes[1]);
    if (count == 0)
        return {};
    Sid d;
    d.m_bytes = m_bytes.first(sidHeader + 4 * (count - 1));
    d.m_bytes[1] = char(count - 1);
    return d;
}

QString wellKnownSidName(const Sid& sid) {
    static const struct {
        const char* sid;
        const char* name;
    } fixed[] = {
        {"S-1-0-0", "Nobody"},
        {"S-1-1-0", "Everyone"},
        {"S-1-3-0", "Creator Owner"},
        {"S-1-3-1", "Creator Group"},
        {"S-1-5-7", "Anonymous Logon"},
        {"S-1-5-9", "Enterprise Domain Controllers"},
        {"S-1-5-10", "Principal Self"},
        {"S-1-5-11", "Authenticated Users"},
        {"S-1-5-18", "Local System"},
        {"S-1-5-19", "Local Service"},
        {"S-1-5-20", "Network Service"},
        {"S-1-5-32-544", "BUILTIN\\Administrators"},
        {"S-1-5-32-545", "BUILTIN\\Users"},
        {"S-1-5-32-546", "BUILTIN\\Guests"},
        {"S-1-5-32-548", "BUILTIN\\Account Operators"},
        {"S-1-5-32-549", "BUILTIN\\Server Operators"},
        {"S-1-5-32-550", "BUILTIN\\Print Operators"},
        {"S-1-5-32-551", "BUILTIN\\Backup Operators"},
        {"S-1-5-32-554", "BUILTIN\\Pre-Windows 2000 Compatible Access"},
        {"S-1-5-32-568", "BUILTIN\\IIS_IUSRS"},
    };
    const QString text = sid.toString();
    for (const auto& f : fixed)
        if (text == QLatin1String(f.sid))
            return QString::fromLatin1(f.name);
    // The accounts every domain has, S-1-5-21-<domain>-RID.
    if (text.startsWith(QLatin1String("S-1-5-21-")) && quint8(sid.toBinary()[1]) == 5) {
        static const struct {
            quint32 rid;
            const char* name;
        } domainRids[] = {
            {500, "Administrator"},
            {501, "Guest"},
            {502, "krbtgt"},
            {512, "Domain Admins"},
            {513, "Domain Users"},
            {514, "Domain Guests"},
            {515, "Domain Computers"},
            {516, "Domain Controllers"},
            {517, "Cert Publishers"},
            {518, "Schema Admins"},
            {519, "Enterprise Admins"},
            {520, "Group Policy Creator Owners"},
            {521, "Read-only Domain Controllers"},
            {526, "Key Admins"},
            {527, "Enterprise Key Admins"},
            {553, "RAS and IAS Servers"},
        };
        for (const auto& r : domainRids)
            if (sid.rid() == r.rid)
                return QString::fromLatin1(r.name);
    }
    return {};
}

QString rightsText(quint32 mask) {
    QStringList names;
    quint32 left = mask;
    for (const NamedBit& b : rightBits)
        if (mask & b.bit) {
            names << QString::fromLatin1(b.name);
            left &= ~b.bit;
        }
    if (left)
        names << QStringLiteral("0x%1").arg(left, 0, 16);
    return names.isEmpty() ? QStringLiteral("none") : names.join(QStringLiteral(", "));
}

// ---- Ace --------------------------------------------------------------------------------------------------------

bool Ace::isAllow() const {
    return type == AccessAllowed || type == AccessAllowedObject || type == AccessAllowedCallback ||
           type == AccessAllowedCallbackObject;
}

bool Ace::isDeny() const {
    return type == AccessDenied || type == AccessDeniedObject || type == AccessDeniedCallback ||
           type == AccessDeniedCallbackObject;
}

bool Ace::isObjectAce() const {
    return isObjectType(type);
}

QString Ace::toSddl() const {
    const char* t = aceTypeSddl(type);
    if (!t)
        return QStringLiteral("(0x%1;;;;;)").arg(type, 2, 16, QLatin1Char('0'));
    QString f;
    static const struct {
        quint8 bit;
        const char* sddl;
    } flagNames[] = {{ObjectInherit, "OI"}, {ContainerInherit, "CI"}, {NoPropagateInherit, "NP"}, {InheritOnly, "IO"},
                     {Inherited, "ID"},     {SuccessfulAccess, "SA"}, {FailedAccess, "FA"}};
    for (const auto& n : flagNames)
        if (flags & n.bit)
            f += QLatin1String(n.sddl);
    QString r;
    quint32 left = mask;
    for (const NamedBit& b : rightBits)
        if (mask & b.bit) {
            r += QLatin1String(b.sddl);
            left &= ~b.bit;
        }
    if (left)
        r = QStringLiteral("0x%1").arg(mask, 0, 16);
    const auto guid = [](const std::optional<QUuid>& g) {
        return g ? g->toString(QUuid::WithoutBraces) : QString();
    };
    return QStringLiteral("(%1;%2;%3;%4;%5;%6)")
        .arg(QLatin1String(t), f, r, guid(objectType), guid(inheritedObjectType), sid.toString());
}

// ---- SecurityDescriptor -----------------------------------------------------------------------------------------

std::optional<SecurityDescriptor> SecurityDescriptor::parse(QByteArrayView bytes, QString* error) {
    QString ignored;
    QString& why = error ? *error : ignored;
    constexpr qsizetype header = 20;
    if (bytes.size() < header) {
        why = tr("A security descriptor has at least 20 bytes; this one has %1.").arg(bytes.size());
        return std::nullopt;
    }
    if (bytes[0] != 1) {
        why = tr("Security descriptor revision %1; only 1 exists.").arg(quint8(bytes[0]));
        return std::nullopt;
    }
    SecurityDescriptor sd;
    sd.control = le16(bytes, 2);
    constexpr quint16 selfRelative = 0x8000, daclPresent = 0x0004, saclPresent = 0x0010;
    if ((sd.control & selfRelative) == 0) {
        why =
            tr("The security descriptor is not self-relative (control 0x%1).").arg(sd.control, 4, 16, QLatin1Char('0'));
        return std::nullopt;
    }
    const quint32 ownerAt = le32(bytes, 4), groupAt = le32(bytes, 8), saclAt = le32(bytes, 12),
                  daclAt = le32(bytes, 16);
    for (const auto& [at, slot] : {std::pair{ownerAt, &sd.owner}, std::pair{groupAt, &sd.group}}) {
        if (at == 0)
            continue;
        if (at < header || at >= quint32(bytes.size())) {
            why = tr("A SID offset (%1) lies outside the descriptor's %2 bytes.").arg(at).arg(bytes.size());
            return std::nullopt;
        }
        *slot = Sid::fromBinary(bytes.sliced(at), false);
        if (!*slot) {
            why = tr("The SID at offset %1 is not valid.").arg(at);
            return std::nullopt;
        }
    }
    if ((sd.control & saclPresent) && saclAt != 0) {
        if (saclAt < header) {
            why = tr("The SACL offset (%1) points into the header.").arg(saclAt);
            return std::nullopt;
        }
        sd.sacl = parseAcl(bytes, saclAt, &why);
        if (!sd.sacl)
            return std::nullopt;
    }
    if ((sd.control & daclPresent) && daclAt != 0) {
        if (daclAt < header) {
            why = tr("The DACL offset (%1) points into the header.").arg(daclAt);
            return std::nullopt;
        }
        sd.dacl = parseAcl(bytes, daclAt, &why);
        if (!sd.dacl)
            return std::nullopt;
    }
    return sd;
}

QString SecurityDescriptor::toSddl() const {
    QString s;
    if (owner)
        s += QStringLiteral("O:") + owner->toString();
    if (group)
        s += QStringLiteral("G:") + group->toString();
    s += QStringLiteral("D:");
    if (!dacl)
        s += QStringLiteral("NO_ACCESS_CONTROL");
    else
        for (const Ace& a : dacl->aces)
            s += a.toSddl();
    if (sacl) {
        s += QStringLiteral("S:");
        for (const Ace& a : sacl->aces)
            s += a.toSddl();
    }
    return s;
}

} // namespace ndes::directory

namespace ndes::directory {

namespace {

void putLe16(QByteArray& b, quint16 v) {
    char c[2];
    qToLittleEndian(v, c);
    b.append(c, 2);
}

void putLe32(QByteArray& b, quint32 v) {
    char c[4];
    qToLittleEndian(v, c);
    b.append(c, 4);
}

void putGuid(QByteArray& b, const QUuid& g) {
    putLe32(b, g.data1);
    putLe16(b, g.data2);
    putLe16(b, g.data3);
    b.append(reinterpret_cast<const char*>(g.data4), 8);
}

std::optional<QByteArray> aclToBinary(const Acl& acl) {
    QByteArray body;
    bool objectAces = false;
    for (const Ace& a : acl.aces) {
        const std::optional<QByteArray> bytes = a.toBinary();
        if (!bytes)
            return std::nullopt;
        objectAces = objectAces || isObjectType(a.type);
        body += *bytes;
    }
    if (8 + body.size() > 0xFFFF || acl.aces.size() > 0xFFFF)
        return std::nullopt;
    QByteArray out;
    // ACL_REVISION_DS (4) when an object ACE is in it; else what it had (2 at least).
    out.append(char(objectAces ? 4 : qMax<quint8>(acl.revision, 2)));
    out.append('\0');
    putLe16(out, quint16(8 + body.size()));
    putLe16(out, quint16(acl.aces.size()));
    putLe16(out, 0);
    return out + body;
}

} // namespace

Ace Ace::allow(const Sid& sid, quint32 mask, std::optional<QUuid> objectType) {
    Ace a;
    a.type = objectType ? AccessAllowedObject : AccessAllowed;
    a.mask = mask;
    a.objectType = objectType;
    a.sid = sid;
    return a;
}

std::optional<QByteArray> Ace::toBinary() const {
    if (!raw.isEmpty())
        return raw;
    const bool object = type == AccessAllowedObject || type == AccessDeniedObject || type == SystemAuditObject;
    if (!(object || type == AccessAllowed || type == AccessDenied || type == SystemAudit) || !sid.isValid())
        return std::nullopt;
    QByteArray body;
    putLe32(body, mask);
    if (object) {
        putLe32(body, (objectType ? 1U : 0U) | (inheritedObjectType ? 2U : 0U));
        if (objectType)
            putGuid(body, *objectType);
        if (inheritedObjectType)
            putGuid(body, *inheritedObjectType);
    }
    body += sid.toBinary();
    QByteArray out;
    out.append(char(type));
    out.append(char(flags));
    putLe16(out, quint16(4 + body.size()));
    return out + body;
}

std::optional<QByteArray> SecurityDescriptor::toBinary() const {
    constexpr quint16 selfRelative = 0x8000, daclPresent = 0x0004, saclPresent = 0x0010;
    QByteArray parts;
    quint32 ownerAt = 0, groupAt = 0, saclAt = 0, daclAt = 0;
    constexpr quint32 header = 20;
    if (sacl) {
        const auto b = aclToBinary(*sacl);
        if (!b)
            return std::nullopt;
        saclAt = header + quint32(parts.size());
        parts += *b;
    }
    if (dacl) {
        const auto b = aclToBinary(*dacl);
        if (!b)
            return std::nullopt;
        daclAt = header + quint32(parts.size());
        parts += *b;
    }
    if (owner) {
        ownerAt = header + quint32(parts.size());
        parts += owner->toBinary();
    }
    if (group) {
        groupAt = header + quint32(parts.size());
        parts += group->toBinary();
    }
    quint16 c = quint16(control | selfRelative);
    c = dacl ? quint16(c | daclPresent) : quint16(c & ~daclPresent);
    c = sacl ? quint16(c | saclPresent) : quint16(c & ~saclPresent);
    QByteArray out;
    out.append('\1');
    out.append('\0');
    putLe16(out, c);
    putLe32(out, ownerAt);
    putLe32(out, groupAt);
    putLe32(out, saclAt);
    putLe32(out, daclAt);
    return out + parts;
}

} // namespace ndes::directory
