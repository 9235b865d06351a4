// SPDX-License-Identifier: Apache-2.0
// Fuzzes the .reg parser and the MSCEP settings model built on it.
#include "ndes/MscepSettings.h"
#include "ndes/RegistryExport.h"

#include <QByteArray>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const QByteArray bytes = QByteArray::fromRawData(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    auto reg = ndes::service::RegistryExport::parse(bytes);
    if (reg.ok()) {
        auto s = ndes::service::MscepSettings::fromRegistry(*reg);
        if (s.ok())
            (void)s->warnings.size();
    }
    return 0;
}
