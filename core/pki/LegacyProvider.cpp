// SPDX-License-Identifier: Apache-2.0
#include "pki/LegacyProvider.h"

#include <openssl/err.h>
#include <openssl/provider.h>

#include <QMutex>

namespace ndes::pki {

namespace {
QMutex mutex;
bool loaded = false;
QStringList loadReasons;
// Kept for the life of the process: OpenSSL caches algorithms from them.
OSSL_PROVIDER* defaultProvider = nullptr;
OSSL_PROVIDER* legacyProvider = nullptr;
} // namespace

bool LegacyProvider::ensureLoaded(const QString& reason) {
    QMutexLocker lock(&mutex);
    if (!loadReasons.contains(reason))
        loadReasons << reason;
    if (loaded)
        return true;
    // Loading any provider explicitly disables the implicit default one, so load both.
    if (!defaultProvider)
        defaultProvider = OSSL_PROVIDER_load(nullptr, "default");
    if (!legacyProvider)
        legacyProvider = OSSL_PROVIDER_load(nullptr, "legacy");
    if (!defaultProvider || !legacyProvider) {
        ERR_clear_error();
        return false;
    }
    loaded = true;
    return true;
}

bool LegacyProvider::isLoaded() {
    QMutexLocker lock(&mutex);
    return loaded;
}

QStringList LegacyProvider::reasons() {
    QMutexLocker lock(&mutex);
    return loadReasons;
}

} // namespace ndes::pki
