// SPDX-License-Identifier: Apache-2.0
#include "ConsoleContext.h"
#include "util/Access.h"

#include "util/Clock.h"

#include <QPointer>

#ifdef Q_OS_UNIX
#include <pwd.h>
#include <unistd.h>
#endif

namespace ndes::ui {

ConsoleContext::ConsoleContext(QString inventoryPath, QString auditPath, QObject* parent)
    : QObject(parent)
    , m_inventoryPath(std::move(inventoryPath))
    , m_audit(std::move(auditPath)) {
    m_audit.setAnchorStore(&m_settings);
    auto loaded = inventory::Inventory::load(m_inventoryPath);
    if (loaded)
        m_inventory = std::move(*loaded);
    else
        m_loadError = loaded.error().message;
}

Result<QString> ConsoleContext::saveProfile(const inventory::ServerProfile& profile) {
    inventory::Inventory next = m_inventory;
    auto id = next.upsert(profile);
    if (!id)
        return id;
    // Auditor mode: changes to the list last for this session only.
    if (Status s = Access::readOnly() ? Status() : next.save(m_inventoryPath); !s)
        return s.error();
    m_inventory = std::move(next);
    emit inventoryChanged();
    return id;
}

Status ConsoleContext::removeProfile(const QString& id) {
    inventory::Inventory next = m_inventory;
    next.remove(id);
    if (Status s = Access::readOnly() ? Status() : next.save(m_inventoryPath); !s)
        return s;
    m_inventory = std::move(next);
    forgetSessionPassword(id);
    emit inventoryChanged();
    return {};
}

const SecretBytes* ConsoleContext::sessionPassword(const QString& profileId) const {
    auto it = m_session.constFind(profileId);
    return it == m_session.constEnd() ? nullptr : &it.value();
}

void ConsoleContext::forgetSessionPassword(const QString& profileId) {
    auto it = m_session.find(profileId);
    if (it == m_session.end())
        return;
    it->wipe();
    m_session.erase(it);
}

void ConsoleContext::noteAdminPageResult(const QString& profileId, const QString& errorCode) {
    if (errorCode == QLatin1String("unauthorized") || errorCode == QLatin1String("auth-loop"))
        forgetSessionPassword(profileId);
    m_signIns[profileId] = {Clock::instance().now(), errorCode};
    emit signInNoted(profileId);
}

std::optional<ConsoleContext::SignIn> ConsoleContext::lastSignIn(const QString& profileId) const {
    const auto it = m_signIns.constFind(profileId);
    return it == m_signIns.constEnd() ? std::nullopt : std::optional<SignIn>(*it);
}

QString ConsoleContext::localUser() {
    QString user = qEnvironmentVariable("USER", qEnvironmentVariable("USERNAME"));
#ifdef Q_OS_UNIX
    if (user.isEmpty())
        if (const passwd* pw = getpwuid(getuid()))
            user = QString::fromLocal8Bit(pw->pw_name);
#endif
    return user.isEmpty() ? QStringLiteral("unknown") : user;
}

std::function<void(const QString&, std::function<void(Result<SecretBytes>)>)> ConsoleContext::directoryPasswords() {
    QPointer<ConsoleContext> self(this);
    return [self](const QString& key, std::function<void(Result<SecretBytes>)> done) {
        if (!self)
            return done(Error{ErrorKind::Internal, tr("the console is closing"), {}, {}, 0, -1});
        if (const SecretBytes* session = self->sessionPassword(key))
            return done(*session);
        self->m_credentials.read(key, std::move(done));
    };
}

} // namespace ndes::ui
