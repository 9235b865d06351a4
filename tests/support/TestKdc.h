// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QProcess>
#include <QProcessEnvironment>
#include <QTemporaryDir>

namespace ndes::test {

// A throw-away MIT Kerberos KDC on a random loopback port (realm LAB.EXAMPLE), with its own configuration in
// a temporary directory, a user principal, HTTP/localhost in a keytab, and a credential cache from kinit.
class TestKdc {
public:
    TestKdc() = default;
    ~TestKdc();
    TestKdc(const TestKdc&) = delete;
    TestKdc& operator=(const TestKdc&) = delete;

    bool start(const QString& user, const QByteArray& password, QString* error);
    void stop();

    // KRB5_CONFIG, KRB5_KDC_PROFILE and KRB5CCNAME for processes that use this realm.
    [[nodiscard]] QProcessEnvironment environment() const;
    [[nodiscard]] QString keytabPath() const { return m_dir.filePath(QStringLiteral("http.keytab")); }
    [[nodiscard]] QString realm() const { return QStringLiteral("LAB.EXAMPLE"); }

private:
    bool run(const QString& program, const QStringList& args, const QByteArray& input, QString* error);
    QTemporaryDir m_dir;
    QProcess m_kdc;
    quint16 m_port = 0;
};

} // namespace ndes::test
