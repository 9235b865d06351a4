// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "LabUsers.h"
#include "util/Result.h"

#include <QByteArray>
#include <QMap>
#include <QTemporaryDir>
#include <memory>

namespace ndes::lab {

// Windows authentication for the admin page as IIS does it: NTLM and Negotiate, bound to the TCP connection,
// accepted through GSSAPI: gss-ntlmssp for NTLM (users from the lab's users file) and MIT Kerberos with a
// keytab for Negotiate/Kerberos. Accepts the 32-byte NTLM NEGOTIATE that Qt and curl send, as Windows does.
class WindowsAuthenticator {
public:
    enum class Scheme { Ntlm, Negotiate };
    struct Step {
        enum class State { Continue, Complete, Failed } state = State::Failed;
        QByteArray outputToken;
        QString account; // DOMAIN\user (NTLM) or user@REALM (Kerberos) when Complete
        QString error;
    };

    // `keytab` may be empty (no Kerberos). Writes gss-ntlmssp's user file into a private temporary directory,
    // ndes-lab-ntlm-XXXXXX under QDir::tempPath(), removed when this object is destroyed.
    static Result<std::unique_ptr<WindowsAuthenticator>> create(const LabUsers& users, const QString& keytab);
    ~WindowsAuthenticator();

    Step accept(quint64 connectionId, Scheme scheme, const QByteArray& token);
    void dropConnection(quint64 connectionId);

    // The token repairs gss-ntlmssp 1.2 needs to accept what Windows accepts (DESIGN.md); public for tests.
    static QByteArray repairNtlmToken(const QByteArray& token);

private:
    WindowsAuthenticator();
    struct Context;
    QTemporaryDir m_dir;
    QMap<quint64, Context*> m_contexts;
    void* m_ntlmCred = nullptr; // gss_cred_id_t for the NTLMSSP mechanism
};

} // namespace ndes::lab
