// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QProcess>
#include <QString>
#include <QTemporaryDir>
#include <QUrl>

namespace ndes::test {

// A real micromdm scepserver (Debian package "scep") with a fresh CA depot on a random loopback port.
// It binds every interface (the tool has no address flag), so the port is random and high; tests only
// ever talk to 127.0.0.1.
class ScepServerProcess {
public:
    ScepServerProcess() = default;
    ~ScepServerProcess();
    ScepServerProcess(const ScepServerProcess&) = delete;
    ScepServerProcess& operator=(const ScepServerProcess&) = delete;

    // Returns false with `error` set when scepserver is missing or does not come up.
    bool start(const QString& challenge, QString* error, int allowRenewDays = 0);
    void stop();

    [[nodiscard]] QUrl url() const;
    [[nodiscard]] QString caPemPath() const;
    [[nodiscard]] QString depotPath() const { return m_dir.path() + QStringLiteral("/depot"); }
    [[nodiscard]] QString log() const;

    static QString findExecutable(const QString& name);

private:
    QTemporaryDir m_dir;
    QProcess m_process;
    quint16 m_port = 0;
};

} // namespace ndes::test
