// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QProcess>
#include <QProcessEnvironment>
#include <QTemporaryDir>

#include <optional>

namespace ndes::test {

// A real Active Directory domain controller for the tests: Samba, provisioned fresh in a temporary folder (realm
// LAB.TEST, a fixed domain SID), listening on 127.0.0.1 only, LDAPS with its own CA, its KDC on a free port. Samba
// 4.17 cannot move the LDAP ports (389/636), so one runs at a time: tests that start one share the CTest resource
// lock "samba-dc". ../shared/SAMBA-AD-DC.md has the background.
class SambaDc {
public:
    SambaDc() = default;
    ~SambaDc();
    SambaDc(const SambaDc&) = delete;
    SambaDc& operator=(const SambaDc&) = delete;

    // Provisions the domain; `seedLdif` (records with or without changetype; @SID@ stands for the domain SID,
    // @SID:name@ for the SID of an account an earlier record added) is written into its database before the server
    // starts, with Samba's own tools. SDDL is accepted for nTSecurityDescriptor there.
    bool start(const QByteArray& seedLdif, QString* error);
    void stop();
    [[nodiscard]] bool running() const { return m_samba.state() == QProcess::Running; }

    [[nodiscard]] static QString domainSid() { return QStringLiteral("S-1-5-21-1000000001-1000000002-1000000003"); }
    [[nodiscard]] static QString baseDn() { return QStringLiteral("DC=lab,DC=test"); }
    [[nodiscard]] static QString configDn() { return QStringLiteral("CN=Configuration,DC=lab,DC=test"); }
    [[nodiscard]] static QString templatesDn() {
        return QStringLiteral("CN=Certificate Templates,CN=Public Key Services,CN=Services,CN=Configuration,DC=lab,"
                              "DC=test");
    }
    [[nodiscard]] static QString servicesDn() {
        return QStringLiteral("CN=Enrollment Services,CN=Public Key Services,CN=Services,CN=Configuration,DC=lab,"
                              "DC=test");
    }
    [[nodiscard]] static QString url() { return QStringLiteral("ldaps://127.0.0.1"); }
    [[nodiscard]] static QString adminDn() { return QStringLiteral("CN=Administrator,CN=Users,DC=lab,DC=test"); }
    [[nodiscard]] QByteArray adminPassword() const { return m_adminPassword; }
    [[nodiscard]] QString caFile() const { return m_dir.filePath(QStringLiteral("tls/ca.pem")); }
    [[nodiscard]] QString dir() const { return m_dir.path(); }
    // A file holding the admin password with no newline (ldapsearch -y), mode 0600.
    [[nodiscard]] QString adminPasswordFile() const { return m_dir.filePath(QStringLiteral("admin.pw")); }
    // KRB5_CONFIG for this realm (kinit, GSSAPI), and LDAPTLS_CACERT for ldapsearch.
    [[nodiscard]] QProcessEnvironment environment() const;
    [[nodiscard]] quint16 kdcPort() const { return m_kdcPort; }

    // ldapsearch (an independent client) as Administrator over LDAPS: its LDIF output, or empty with `error`.
    QByteArray ldapsearch(const QStringList& args, QString* error) const;
    // Runs a program with this DC's environment; its stdout, or nullopt with stderr in `error`.
    std::optional<QByteArray> run(const QString& program, const QStringList& args, const QByteArray& input,
                                  QString* error) const;

private:
    QTemporaryDir m_dir;
    QProcess m_samba;
    QByteArray m_adminPassword;
    quint16 m_kdcPort = 0;
};

} // namespace ndes::test
