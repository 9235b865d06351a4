// SPDX-License-Identifier: Apache-2.0
#include "commands/KeychainCommand.h"

#include "Options.h"
#include "SecretInput.h"
#include "inventory/CredentialStore.h"

namespace ndesctl {

using namespace ndes;

KeychainCommand::KeychainCommand()
    : Command(QStringLiteral("keychain"),
              QStringLiteral("Store a server account's password in the OS keychain (keychain set NAME)")) {}

void KeychainCommand::declare(QCommandLineParser& p) {
    p.addOptions({{QStringLiteral("password-env"), QStringLiteral("Environment variable that holds the password."),
                   QStringLiteral("VAR")},
                  {QStringLiteral("password-stdin"),
                   QStringLiteral("Read the password from the first line of standard input.")}});
    p.addPositionalArgument(QStringLiteral("set"), QStringLiteral("The action (set)."));
    p.addPositionalArgument(QStringLiteral("NAME"), QStringLiteral("Server profile name or id, or an entry name."));
}

int KeychainCommand::run(const QCommandLineParser& p, const CtlOutput& out) {
    const QStringList pos = p.positionalArguments();
    if (pos.size() != 2 || pos[0] != QLatin1String("set"))
        return out.fail(
            makeError(ErrorKind::Usage,
                      QStringLiteral("Usage: ndesctl keychain set NAME (--password-env VAR | --password-stdin)")));
    auto secret = readSecret(p, QStringLiteral("password-env"), QStringLiteral("password-stdin"),
                             QStringLiteral("the password"), QStringLiteral("--password-env VAR or --password-stdin"));
    if (!secret)
        return out.fail(secret.error());
    const QString key = opt::keychainKey(pos[1]);
    if (Status s = inventory::CredentialStore::writeBlocking(key, *secret); !s)
        return out.fail(s.error());
    out.text(QStringLiteral("Stored in the keychain as \"%1\".").arg(key));
    out.document({{QStringLiteral("stored"), key}});
    return ExitOk;
}

} // namespace ndesctl
