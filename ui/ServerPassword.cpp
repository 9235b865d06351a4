// SPDX-License-Identifier: Apache-2.0
#include "ServerPassword.h"

#include "ConsoleContext.h"

#include "ndes/ChallengePasswordClient.h"
#include "util/Clock.h"

#include <QCoreApplication>
#include <QFutureWatcher>
#include <QInputDialog>
#include <QMap>
#include <QPointer>

#include <algorithm>

namespace ndes::ui {

namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("ServerPassword", text);
}

// The watcher's argument outlives the call as a shared pointer: Qt's future holds the result with the password.
using Fetch = QFutureWatcher<Result<service::ChallengePassword>>;

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
    const bool hadParent = parent != nullptr;
    context->credentials().read(
        inventory::CredentialStore::keyForServer(profileId),
        [context, profileId, guard, hadParent, done = std::move(done)](Result<SecretBytes> secret) {
            // The keychain answers later: the page or dialog that asked (and that `done`
            // refers to) may be gone by then.
            if (hadParent && !guard)
                return;
            if (secret)
                return done(true, std::move(*secret));
            const auto* p = context->inventory().find(profileId);
            if (!p || !guard)
                return done(false, {});
            bool ok = false;
            QString typed = QInputDialog::getText(guard, tr("Password for %1").arg(p->name),
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

QString connectionTestText(const service::HealthReport& r, const QString& title, bool signsIn) {
    static const QMap<QString, const char*> stepLabels{
        {QStringLiteral("tls"), QT_TRANSLATE_NOOP("ServerPassword", "TLS")},
        {QStringLiteral("caps"), "GetCACaps"},
        {QStringLiteral("cacert"), "GetCACert"},
        {QStringLiteral("crl"), "CRL"},
        {QStringLiteral("admin"), QT_TRANSLATE_NOOP("ServerPassword", "Admin page")},
        {QStringLiteral("directory"), QT_TRANSLATE_NOOP("ServerPassword", "Active Directory")}};
    QStringList lines{QStringLiteral("%1: %2").arg(title, service::healthStatusLabel(r.status))};
    QStringList failedDetails;
    for (const service::ProbeStep& s : r.steps) {
        const auto label = stepLabels.constFind(s.name);
        lines << QStringLiteral("%1 %2 (%3 ms)%4")
                     .arg(s.ok ? QStringLiteral("✔") : QStringLiteral("✖"),
                          label == stepLabels.constEnd() ? s.name : tr(*label))
                     .arg(s.ms)
                     .arg(s.detail.isEmpty() ? QString() : QStringLiteral(": ") + s.detail);
        if (!s.ok && !s.detail.isEmpty())
            failedDetails << s.detail;
    }
    for (const service::ExpiryItem& e : r.expiries)
        if (e.role != service::ExpiryRole::Crl)
            lines << QStringLiteral("  %1: %2, expires %3")
                         .arg(service::expiryRoleName(e.role), e.subject, displayDateTime(e.notAfter));
    // A reason that only repeats a failed step's words is said once (the step line already has them).
    for (const service::HealthReason& reason : r.reasons)
        if (std::none_of(failedDetails.begin(), failedDetails.end(),
                         [&](const QString& d) { return reason.message.contains(d); }))
            lines << (reason.severity == service::HealthStatus::Warning ? QStringLiteral("⚠ ") : QStringLiteral("✖ ")) +
                         reason.message;
    if (signsIn)
        lines << tr("Sign-in not checked: this test does not sign in, because signing in spends a challenge "
                    "password. A wrong account password shows only with \"Check sign-in\".");
    return lines.join(QLatin1Char('\n'));
}

bool isSignInRefusal(const QString& errorCode) {
    return errorCode == QLatin1String("unauthorized") || errorCode == QLatin1String("auth-loop") ||
           errorCode == QLatin1String("forbidden") || errorCode == QLatin1String("insufficient-permission");
}

void checkSignIn(ConsoleContext* context, const inventory::ServerProfile& profile, SecretBytes password,
                 QObject* receiver, std::function<void(const Result<QString>& outcome)> done) {
    service::ChallengeRequest req;
    req.adminUrl = profile.adminUrl;
    req.auth = profile.auth;
    req.user = profile.user;
    req.password = std::move(password);
    req.allowHttp = profile.allowHttp;
    req.extraCaPem = service::pemBundle(profile.healthTarget().extraTlsCaCertificates);
    // The fetch and its audit entry belong to the context, not to the dialog that asked: closing the dialog while
    // NDES issues the password must not leave a password without its line in the audit trail.
    auto* watcher = new Fetch(context);
    QPointer<QObject> asker(receiver);
    QObject::connect(watcher, &Fetch::finished, context, [context, watcher, profile, asker, done = std::move(done)] {
        watcher->deleteLater();
        Result<service::ChallengePassword> result = watcher->result();
        const QString account = profile.user.isEmpty() ? tr("(current user)") : profile.user;
        service::ChallengeAuditEntry audit{Clock::instance().now(),
                                           QStringLiteral("%1 as %2").arg(ConsoleContext::localUser(), account),
                                           profile.name.isEmpty() ? profile.adminUrl.host() : profile.name,
                                           tr("(sign-in check)"),
                                           QString(),
                                           result ? QStringLiteral("issued") : result.error().code};
        const Status logged = context->auditTrail().append(audit);
        if (!profile.id.isEmpty())
            context->noteAdminPageResult(profile.id, result ? QString() : result.error().code);
        if (result)
            result->password.wipe(); // spent on the check; nobody sees it
        if (!asker)
            return;
        if (!result)
            return done(result.error());
        QString text = tr("Signed in as %1: the admin page accepted the account and issued a challenge password "
                          "(not shown; recorded in the audit trail).")
                           .arg(account);
        if (!logged)
            text += QLatin1Char(' ') + logged.error().message;
        done(text);
    });
    watcher->setFuture(service::ChallengePasswordClient::fetchAsync(std::move(req)));
}

} // namespace ndes::ui
