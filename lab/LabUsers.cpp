// SPDX-License-Identifier: Apache-2.0
#include "LabUsers.h"

#include <openssl/crypto.h>

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>

namespace ndes::lab {

namespace {
QString tr(const char* text) {
    return QCoreApplication::translate("LabUsers", text);
}
} // namespace

Result<LabUsers> LabUsers::load(const QString& path) {
    const QFileInfo info(path);
    if (!info.exists())
        return makeError(ErrorKind::Usage, tr("The users file %1 does not exist.").arg(path));
    const auto others = QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ExeGroup |
                        QFileDevice::ReadOther | QFileDevice::WriteOther | QFileDevice::ExeOther;
    if (info.permissions() & others)
        return makeError(ErrorKind::Usage, tr("The users file %1 holds passwords and is readable by others; "
                                              "restrict it with chmod 600 %1.")
                                               .arg(path));
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return makeError(ErrorKind::Io, tr("Cannot read %1: %2").arg(path, f.errorString()));
    QByteArray content = f.readAll();
    LabUsers out;
    int lineNo = 0;
    for (const QByteArray& rawLine : content.split('\n')) {
        ++lineNo;
        const QByteArray line = rawLine.trimmed();
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        const qsizetype first = line.indexOf(':');
        const qsizetype last = line.lastIndexOf(':');
        if (first <= 0 || last <= first)
            return makeError(ErrorKind::Usage,
                             tr("Line %1 of %2 is not DOMAIN\\user:password:enroll|noenroll.").arg(lineNo).arg(path));
        const QString account = QString::fromUtf8(line.left(first));
        const QByteArray right = line.mid(last + 1).trimmed().toLower();
        if (right != "enroll" && right != "noenroll")
            return makeError(ErrorKind::Usage,
                             tr("Line %1 of %2 must end in :enroll or :noenroll.").arg(lineNo).arg(path));
        User u;
        const qsizetype slash = account.indexOf(QLatin1Char('\\'));
        u.domain = slash >= 0 ? account.left(slash) : QString();
        u.name = slash >= 0 ? account.mid(slash + 1) : account;
        u.password = SecretBytes(line.mid(first + 1, last - first - 1));
        u.mayEnroll = right == "enroll";
        if (u.name.isEmpty())
            return makeError(ErrorKind::Usage, tr("Line %1 of %2 has no user name.").arg(lineNo).arg(path));
        out.m_users.push_back(std::move(u));
    }
    SecretBytes::cleanse(content);
    if (out.m_users.empty())
        return makeError(ErrorKind::Usage, tr("The users file %1 lists no user.").arg(path));
    return out;
}

const LabUsers::User* LabUsers::find(const QString& domain, const QString& name) const {
    for (const User& u : m_users)
        if (u.name.compare(name, Qt::CaseInsensitive) == 0 &&
            (domain.isEmpty() || u.domain.compare(domain, Qt::CaseInsensitive) == 0))
            return &u;
    return nullptr;
}

bool LabUsers::check(const QString& domainAndUser, const QByteArray& password, const User** user) const {
    const qsizetype slash = domainAndUser.indexOf(QLatin1Char('\\'));
    const User* u =
        slash >= 0 ? find(domainAndUser.left(slash), domainAndUser.mid(slash + 1)) : find({}, domainAndUser);
    if (!u)
        return false;
    const QByteArray& expected = u->password.bytes();
    if (expected.size() != password.size() ||
        CRYPTO_memcmp(expected.constData(), password.constData(), size_t(password.size())) != 0)
        return false;
    if (user)
        *user = u;
    return true;
}

} // namespace ndes::lab
