// SPDX-License-Identifier: Apache-2.0
#include "ServerPassword.h"

#include "ConsoleContext.h"

#include <QCoreApplication>
#include <QInputDialog>
#include <QPointer>

namespace ndes::ui {

namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("ServerPassword", text);
}

} // namespace

void obtainServerPassword(ConsoleContext* context, const QString& profileId, QWidget* parent,
                          std::function<void(bool ok, SecretBytes password)> done) {
    const auto* profile = context->inventory().find(profileId);
    if (!profile)
        return done(false, {});
    const bool needsPassword = profile->auth == service::AdminAuth::Ntlm || profile->auth == service::AdminAuth::Basic;
    if (!needsPassword)
        return done(true, {});
    if (const SecretBytes* session = context->sessionPassword(profileId))
        return done(true, *session);
    QPointer<QWidget> guard(parent);
    context->credentials().read(inventory::CredentialStore::keyForServer(profileId),
                                [context, profileId, guard, done = std::move(done)](Result<SecretBytes> secret) {
                                    if (secret)
                                        return done(true, std::move(*secret));
                                    const auto* p = context->inventory().find(profileId);
                                    if (!p || !guard)
                                        return done(false, {});
                                    bool ok = false;
                                    QString typed = QInputDialog::getText(
                                        guard, tr("Password for %1").arg(p->name),
                                        tr("No password for %1 is in the keychain (%2).\nPassword for %1 "
                                           "(kept for this session only):")
                                            .arg(p->user, secret.error().message),
                                        QLineEdit::Password, QString(), &ok);
                                    if (!ok || typed.isEmpty()) {
                                        SecretBytes::cleanse(typed);
                                        return done(false, {});
                                    }
                                    SecretBytes pw(typed.toUtf8());
                                    SecretBytes::cleanse(typed);
                                    context->setSessionPassword(profileId, pw);
                                    done(true, std::move(pw));
                                });
}

} // namespace ndes::ui
