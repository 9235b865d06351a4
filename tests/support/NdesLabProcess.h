// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QFileDevice>
#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>
#include <QUrl>

#include <csignal>

namespace ndes::test {

// ndes-lab started as its own process on a random loopback port, stopped on destruction.
class NdesLabProcess {
public:
    NdesLabProcess() = default;
    ~NdesLabProcess();
    NdesLabProcess(const NdesLabProcess&) = delete;
    NdesLabProcess& operator=(const NdesLabProcess&) = delete;

    // Starts `ndes-lab --listen 127.0.0.1:0 --state <temp> <extra>`; false with `error` set on failure.
    bool start(const QStringList& extra, QString* error, int* startupMs = nullptr);
    void setEnvironment(const QProcessEnvironment& env) { m_process.setProcessEnvironment(env); }
    // Stops the lab as a service manager would: `signal` (SIGTERM, or SIGINT as Ctrl+C sends), then waits for it to
    // exit, so its destructors run (SIGKILL only if it is still there after 10 s).
    void stop(int signal = SIGTERM);

    [[nodiscard]] QStringList baseUrls() const { return m_urls; }
    [[nodiscard]] QString baseUrl() const { return m_urls.value(0); }
    [[nodiscard]] QString scepUrl(int server = 0) const {
        return m_urls.value(server) + QStringLiteral("/certsrv/mscep/mscep.dll");
    }
    [[nodiscard]] QString adminUrl(int server = 0) const {
        return m_urls.value(server) + QStringLiteral("/certsrv/mscep_admin/");
    }
    [[nodiscard]] QString stateDir() const { return m_dir.filePath(QStringLiteral("state")); }
    [[nodiscard]] QString dir() const { return m_dir.path(); }
    // root + issuing CA as one PEM file, for `openssl verify -CAfile`.
    [[nodiscard]] QString chainPemPath(int server = 0) const;
    [[nodiscard]] QString stderrText();
    [[nodiscard]] int exitCode() const { return m_process.exitCode(); }
    [[nodiscard]] QProcess::ExitStatus exitStatus() const { return m_process.exitStatus(); }

    // A control request (POST /ndes-lab/control/...); returns the body, or a null array on failure.
    QByteArray control(const QString& pathAndQuery, int server = 0) const;

    static QString executable();

private:
    QTemporaryDir m_dir;
    QProcess m_process;
    QStringList m_urls;
    QByteArray m_stderr;
};

// The lab's test accounts: LAB\alice (Alice-Pa55, may enroll) and LAB\bob (Bob-Pa55, may not), as a users file
// in `dir` with the given permissions (0600 unless a test wants the lab to refuse it).
QString writeUsers(const QTemporaryDir& dir,
                   QFileDevice::Permissions permissions = QFileDevice::ReadOwner | QFileDevice::WriteOwner);

// Runs curl (an independent HTTP client) and returns the body, with the HTTP status in *status.
QByteArray curl(const QStringList& args, int* status,
                const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment());

// Decodes an NDES admin page (UTF-16LE, BOM or not, maybe a stray byte) for assertions in tests.
QString decodeUtf16Le(const QByteArray& body);

} // namespace ndes::test
