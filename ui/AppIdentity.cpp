// SPDX-License-Identifier: Apache-2.0
#include "AppIdentity.h"

// Q_INIT_RESOURCE must be called from the global namespace.
static void initUiResources() {
    Q_INIT_RESOURCE(ndesui);
}

namespace ndes::ui {

QIcon applicationIcon() {
    initUiResources();
    return QIcon(QStringLiteral(":/icons/%1.svg").arg(QLatin1String(applicationId)));
}

} // namespace ndes::ui
