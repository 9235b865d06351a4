// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "util/Result.h"

#include <QByteArray>
#include <QList>
#include <QStringList>

namespace ndes::service {

// One value of a .reg export.
struct RegistryValue {
    enum class Type { String, Dword, Qword, Binary, ExpandString, MultiString, Other, Delete };
    QString name; // empty for the default value (@)
    Type type = Type::String;
    QString string;      // String, ExpandString
    quint64 number = 0;  // Dword, Qword
    QByteArray bytes;    // Binary and Other (raw)
    QStringList strings; // MultiString
    int line = 0;

    // The value as people read it: a number in decimal, strings joined with ", ", binary data by its size.
    [[nodiscard]] QString text() const;
};

struct RegistryKey {
    QString path;         // as written, e.g. HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Cryptography\MSCEP
    bool deleted = false; // [-KEY]
    QList<RegistryValue> values;
    int line = 0;
};

// A Windows Registry Editor export (.reg): "Windows Registry Editor Version 5.00" in UTF-16LE (what regedit
// writes) or UTF-8, or REGEDIT4. Hostile input is refused with a line number, never crashes; size is capped.
class RegistryExport {
public:
    static constexpr qsizetype maxBytes = qsizetype(16) * 1024 * 1024;

    static Result<RegistryExport> parse(const QByteArray& data);
    static Result<RegistryExport> load(const QString& path);

    [[nodiscard]] const QList<RegistryKey>& keys() const { return m_keys; }
    // Keys whose path ends with `suffix` (case-insensitive; HKLM and HKEY_LOCAL_MACHINE are the same).
    [[nodiscard]] const RegistryKey* find(const QString& path) const;
    [[nodiscard]] static QString normalize(const QString& path);

private:
    QList<RegistryKey> m_keys;
};

} // namespace ndes::service
