// SPDX-License-Identifier: Apache-2.0
#include "PasswordCache.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <QCoreApplication>

namespace ndes::lab {

namespace {
bool sameSecret(const QByteArray& a, const QByteArray& b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.constData(), b.constData(), size_t(a.size())) == 0;
}
} // namespace

PasswordCache::PasswordCache(int maxEntries, int validityMinutes, int lengthBytes, bool singlePassword)
    : m_max(qMax(1, maxEntries))
    , m_validityMinutes(qMax(1, validityMinutes))
    , m_length(qBound(4, lengthBytes, 64))
    , m_single(singlePassword) {}

void PasswordCache::purge(const QDateTime& now) {
    if (m_single)
        return;
    for (auto it = m_entries.begin(); it != m_entries.end();) {
        if (it->used || it->created.addSecs(qint64(m_validityMinutes) * 60) <= now) {
            m_retired.push_back(std::move(*it));
            it = m_entries.erase(it);
        } else {
            ++it;
        }
    }
    // Keep the memory of retired passwords bounded.
    while (m_retired.size() > 1024)
        m_retired.erase(m_retired.begin());
}

Result<QByteArray> PasswordCache::issue(const QDateTime& now) {
    purge(now);
    if (m_single && !m_entries.empty())
        return m_entries.front().password.bytes();
    if (int(m_entries.size()) >= m_max)
        return makeError(ErrorKind::HttpStatus,
                         QCoreApplication::translate("PasswordCache", "The password cache is full."));
    QByteArray raw(m_length, '\0');
    RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), m_length);
    QByteArray hex = raw.toHex().toUpper();
    SecretBytes::cleanse(raw);
    Entry e;
    e.password = SecretBytes(hex);
    e.created = now;
    m_entries.push_back(std::move(e));
    return hex;
}

PasswordCache::Verdict PasswordCache::consume(const QByteArray& challenge, const QDateTime& now) {
    if (m_single) {
        for (const Entry& e : m_entries)
            if (sameSecret(e.password.bytes(), challenge))
                return Verdict::Accepted;
        return Verdict::Unknown;
    }
    for (Entry& e : m_entries) {
        if (!sameSecret(e.password.bytes(), challenge))
            continue;
        if (e.created.addSecs(qint64(m_validityMinutes) * 60) <= now) {
            purge(now);
            return Verdict::Expired;
        }
        e.used = true;
        purge(now);
        return Verdict::Accepted;
    }
    for (const Entry& e : m_retired)
        if (sameSecret(e.password.bytes(), challenge))
            return e.used ? Verdict::AlreadyUsed : Verdict::Expired;
    return Verdict::Unknown;
}

int PasswordCache::unusedCount(const QDateTime& now) {
    purge(now);
    return int(m_entries.size());
}

} // namespace ndes::lab
