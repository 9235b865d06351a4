// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "util/SecretBytes.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <memory>
#include <optional>

namespace ndes::directory {

// One directory entry: its DN and its attributes (names in lower case, values as the server sent them).
struct LdapEntry {
    QString dn;
    QHash<QString, QList<QByteArray>> attributes;

    [[nodiscard]] QList<QByteArray> values(const QString& name) const { return attributes.value(name.toLower()); }
    [[nodiscard]] QByteArray value(const QString& name) const;  // the first value, empty when none
    [[nodiscard]] QString text(const QString& name) const;      // the first value as UTF-8
    [[nodiscard]] QStringList texts(const QString& name) const; // every value as UTF-8
    [[nodiscard]] std::optional<qint64> integer(const QString& name) const;
    [[nodiscard]] bool has(const QString& name) const { return attributes.contains(name.toLower()); }
};

// How to reach and authenticate to a directory. TLS always: ldaps://, or ldap:// with StartTLS (which must
// succeed); the server certificate is verified against `caFile` (a pinned CA, PEM) or the system's CAs, and its name
// against the URL's host. Passwords never travel without TLS.
struct LdapOptions {
    enum class Bind {
        Simple,   // bindDn (a DN or user@domain) and password
        Kerberos, // SASL GSSAPI with the user's own ticket (KRB5CCNAME); the principal ldap/<host of the URL>
    };
    QUrl url;
    QString caFile;
    Bind bind = Bind::Simple;
    QString bindDn;
    SecretBytes password;
    int connectTimeoutMs = 10'000;   // TCP connect and TLS handshake
    int operationTimeoutMs = 30'000; // each bind, search (all its pages) or change
    int maxEntries = 200'000;        // one search returning more is an error, not a memory exhaustion
    qint64 maxBytes = 512LL * 1024 * 1024;
    int pageSize = 500;

    // The URL checked: ldap or ldaps, a host, no path, no query; empty when good, else what is wrong.
    [[nodiscard]] QString urlProblem() const;
};

// A change to one attribute of an entry.
struct LdapModification {
    enum class Op { Add, Delete, Replace };
    Op op = Op::Add;
    QString attribute;
    QList<QByteArray> values;
};

// A connection to an LDAP server through OpenLDAP's libldap. Blocking, for one thread at a time: callers off the GUI
// thread run it in a worker (QtConcurrent). Every call has a deadline; referrals are never followed (Samba refers
// subtree searches from the domain root to ldaps://<realm>, which would resolve names off this machine).
class LdapConnection {
public:
    ~LdapConnection();
    LdapConnection(const LdapConnection&) = delete;
    LdapConnection& operator=(const LdapConnection&) = delete;

    // Connects, starts TLS, verifies the certificate and binds; nullptr with the reason on failure.
    [[nodiscard]] static std::unique_ptr<LdapConnection> open(const LdapOptions& options, QString* error);

    enum class Scope { Base, OneLevel, Subtree };
    struct SearchOptions {
        // The parts of nTSecurityDescriptor to return (LDAP_SERVER_SD_FLAGS_OID): 1 owner, 2 group, 4 DACL,
        // 8 SACL; 0 sends no control (the server then returns what the caller may read, or nothing).
        int sdFlags = 0;
        bool paged = true;
    };
    // Every entry under `base` that matches `filter`, with the attributes asked for (empty: all user attributes).
    // Continuation references are not followed (counted in referralsSkipped()); a referral result is an error.
    [[nodiscard]] std::optional<QList<LdapEntry>> search(const QString& base, Scope scope, const QString& filter,
                                                         const QStringList& attributes, SearchOptions options,
                                                         QString* error);
    [[nodiscard]] std::optional<QList<LdapEntry>> search(const QString& base, Scope scope, const QString& filter,
                                                         const QStringList& attributes, QString* error) {
        return search(base, scope, filter, attributes, SearchOptions{}, error);
    }

    // Changes: each waits for the server's answer; `sdFlags` as for search, when nTSecurityDescriptor is written.
    bool add(const QString& dn, const QList<LdapModification>& attributes, QString* error);
    bool modify(const QString& dn, const QList<LdapModification>& changes, QString* error, int sdFlags = 0);
    // The result code of the last failed change (LDAP_ALREADY_EXISTS, LDAP_TYPE_OR_VALUE_EXISTS, …), 0 when none.
    [[nodiscard]] int lastResultCode() const { return m_lastCode; }

    // The DSE's naming contexts and whom the server says we are (the "Who am I?" extended operation).
    [[nodiscard]] QString defaultNamingContext() const { return m_defaultNc; }
    [[nodiscard]] QString configurationNamingContext() const { return m_configNc; }
    [[nodiscard]] QString whoAmI() const { return m_whoAmI; }
    [[nodiscard]] int referralsSkipped() const { return m_referralsSkipped; }
    [[nodiscard]] const LdapOptions& options() const { return m_options; }

    // A filter value with its special characters escaped (RFC 4515), binary values byte by byte.
    [[nodiscard]] static QString escapeFilterValue(const QByteArray& value, bool binary = false);

private:
    struct Handle;
    LdapConnection();
    bool change(bool isAdd, const QString& dn, const QList<LdapModification>& mods, int sdFlags, QString* error);
    [[nodiscard]] QString describe(int code, const QString& what) const;

    std::unique_ptr<Handle> m_handle;
    LdapOptions m_options;
    QString m_defaultNc;
    QString m_configNc;
    QString m_whoAmI;
    int m_referralsSkipped = 0;
    int m_lastCode = 0;
};

} // namespace ndes::directory
