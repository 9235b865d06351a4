// SPDX-License-Identifier: Apache-2.0
// Fuzzes the applicationHost.config reader and the effective-settings merge on it.
#include "audit/AppHostConfig.h"

#include <QByteArray>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const QByteArray bytes = QByteArray::fromRawData(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    auto cfg = ndes::audit::AppHostConfig::parse(bytes);
    if (cfg.ok()) {
        auto [site, app] = cfg->findApplication(QStringLiteral("/CertSrv/mscep"));
        if (site)
            (void)cfg->effective(site->name, QStringLiteral("/CertSrv/mscep_admin")).anonymous.value.has_value();
        for (const auto& s : cfg->sites())
            (void)cfg->effective(s.name, QStringLiteral("/"));
    }
    return 0;
}
