// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "Command.h"

#include "directory/Directory.h"
#include "util/Result.h"

namespace ndesctl {

// The bind options `directory` and `audit --directory` share: --bind-dn DN with --password-env VAR or
// --password-stdin (the password never on the command line), or --kerberos (the user's own ticket); --tls-ca FILE
// pins the CA of the domain controller's certificate; --timeout bounds each operation.
void addDirectoryBind(QCommandLineParser& p, bool withPasswordOptions);
ndes::Result<ndes::directory::LdapOptions> directoryOptions(const QCommandLineParser& p, const QString& url);

// `ndesctl directory templates|services|account NAME|who-can-enroll TEMPLATE|export`: what Active Directory says
// about NDES's templates, the CAs, the service account, read over LDAPS.
class DirectoryCommand : public Command {
public:
    DirectoryCommand();

protected:
    void declare(QCommandLineParser& p) override;
    int run(const QCommandLineParser& p, const CtlOutput& out) override;
    [[nodiscard]] QString details() const override;
    [[nodiscard]] bool takesArguments() const override { return true; }
};

} // namespace ndesctl
