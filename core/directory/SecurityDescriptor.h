// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>
#include <QUuid>

#include <optional>

namespace ndes::directory {

// A Windows security identifier (MS-DTYP 2.4.2): the binary form as AD stores it, and its S-1-… text.
class Sid {
public:
    Sid() = default;
    // The binary form; nullopt when it is not one (too short, more than 15 sub-authorities, bytes left over when
    // `exact`).
    [[nodiscard]] static std::optional<Sid> fromBinary(QByteArrayView bytes, bool exact = true);
    [[nodiscard]] static std::optional<Sid> fromString(const QString& text);
    [[nodiscard]] QString toString() const;
    [[nodiscard]] QByteArray toBinary() const { return m_bytes; }
    [[nodiscard]] bool isValid() const { return !m_bytes.isEmpty(); }
    [[nodiscard]] int size() const { return int(m_bytes.size()); }
    // The last sub-authority (the RID of a domain account), 0 when there is none.
    [[nodiscard]] quint32 rid() const;
    // The SID without its RID (a domain account's domain), invalid when it has no sub-authority.
    [[nodiscard]] Sid domain() const;
    friend bool operator==(const Sid& a, const Sid& b) { return a.m_bytes == b.m_bytes; }
    friend bool operator<(const Sid& a, const Sid& b) { return a.m_bytes < b.m_bytes; }

private:
    QByteArray m_bytes;
};

// The name of a well-known SID (MS-DTYP 2.4.2.4: Everyone, Authenticated Users, Domain Users of any domain, …),
// empty for any other.
[[nodiscard]] QString wellKnownSidName(const Sid& sid);

// Access rights of directory objects (MS-ADTS 5.1.3.2, MS-DTYP 2.4.3).
namespace rights {
inline constexpr quint32 createChild = 0x1;
inline constexpr quint32 deleteChild = 0x2;
inline constexpr quint32 listChildren = 0x4;
inline constexpr quint32 self = 0x8;
inline constexpr quint32 readProperty = 0x10;
inline constexpr quint32 writeProperty = 0x20;
inline constexpr quint32 deleteTree = 0x40;
inline constexpr quint32 listObject = 0x80;
inline constexpr quint32 controlAccess = 0x100; // an extended right (Enroll, AutoEnroll, …)
inline constexpr quint32 del = 0x10000;
inline constexpr quint32 readControl = 0x20000;
inline constexpr quint32 writeDacl = 0x40000;
inline constexpr quint32 writeOwner = 0x80000;
inline constexpr quint32 genericAll = 0x10000000;
inline constexpr quint32 genericExecute = 0x20000000;
inline constexpr quint32 genericWrite = 0x40000000;
inline constexpr quint32 genericRead = 0x80000000;
inline constexpr quint32 fullControl = 0xF01FF; // what GenericAll maps to on a directory object
} // namespace rights

// The names of the rights in a mask ("ReadProperty, ControlAccess"), each bit by its name, unknown ones in hex.
[[nodiscard]] QString rightsText(quint32 mask);

// One access control entry (MS-DTYP 2.4.4). Object ACEs carry the GUIDs of the property, property set or extended
// right they are about (objectType) and of the objects that inherit them (inheritedObjectType).
struct Ace {
    enum Type : quint8 {
        AccessAllowed = 0x0,
        AccessDenied = 0x1,
        SystemAudit = 0x2,
        SystemAlarm = 0x3,
        AccessAllowedCompound = 0x4,
        AccessAllowedObject = 0x5,
        AccessDeniedObject = 0x6,
        SystemAuditObject = 0x7,
        SystemAlarmObject = 0x8,
        AccessAllowedCallback = 0x9,
        AccessDeniedCallback = 0xA,
        AccessAllowedCallbackObject = 0xB,
        AccessDeniedCallbackObject = 0xC,
        SystemAuditCallback = 0xD,
        SystemAlarmCallback = 0xE,
        SystemAuditCallbackObject = 0xF,
        SystemAlarmCallbackObject = 0x10,
        SystemMandatoryLabel = 0x11,
        SystemResourceAttribute = 0x12,
        SystemScopedPolicyId = 0x13,
    };
    enum Flag : quint8 {
        ObjectInherit = 0x1,
        ContainerInherit = 0x2,
        NoPropagateInherit = 0x4,
        InheritOnly = 0x8,
        Inherited = 0x10,
        SuccessfulAccess = 0x40,
        FailedAccess = 0x80,
    };
    quint8 type = 0;
    quint8 flags = 0;
    quint32 mask = 0;
    std::optional<QUuid> objectType;
    std::optional<QUuid> inheritedObjectType;
    Sid sid;        // invalid for the ACE types that carry none this parser knows
    int index = 0;  // its position in its ACL, from 0
    QByteArray raw; // the ACE as parsed (written back as it was); empty for an ACE made here

    // An allow ACE for `sid` made here: plain, or an object ACE when `objectType` is given (an extended right).
    [[nodiscard]] static Ace allow(const Sid& sid, quint32 mask, std::optional<QUuid> objectType = std::nullopt);
    // The ACE's bytes: `raw` when parsed, else built from the fields (types with a mask and a SID only).
    [[nodiscard]] std::optional<QByteArray> toBinary() const;

    [[nodiscard]] bool isAllow() const;
    [[nodiscard]] bool isDeny() const;
    [[nodiscard]] bool isObjectAce() const;
    // Whether the ACE applies to the object itself (not only to children).
    [[nodiscard]] bool appliesToObject() const { return (flags & InheritOnly) == 0; }
    // SDDL of the ACE ("(OA;;CR;0e10c968-…;;S-1-5-21-…-1105)"), the evidence an auditor can compare with
    // `dsacl` or `Get-Acl`.
    [[nodiscard]] QString toSddl() const;
};

struct Acl {
    quint8 revision = 0;
    QList<Ace> aces;
};

// A self-relative security descriptor (MS-DTYP 2.4.6), as `nTSecurityDescriptor` holds it. Parsing never reads
// outside the bytes given; a descriptor with a bad offset, size or ACE is refused as a whole (with the reason), an
// ACE of a type this parser does not know is kept with its header only.
class SecurityDescriptor {
public:
    [[nodiscard]] static std::optional<SecurityDescriptor> parse(QByteArrayView bytes, QString* error = nullptr);

    quint16 control = 0;
    std::optional<Sid> owner;
    std::optional<Sid> group;
    std::optional<Acl> dacl; // absent: no DACL (everyone has every right)
    std::optional<Acl> sacl;

    [[nodiscard]] QString toSddl() const;
    // The self-relative form (what `nTSecurityDescriptor` is written as): the parts present, each ACL with the
    // revision its ACEs need; nullopt when an ACE made here has a type that cannot be built.
    [[nodiscard]] std::optional<QByteArray> toBinary() const;
};

} // namespace ndes::directory
