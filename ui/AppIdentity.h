// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QIcon>
#include <QString>

namespace ndes::ui {

// The application's ID (reverse DNS): the desktop file's and the AppStream component's name, the icon's name.
inline constexpr const char* applicationId = "org.ndesconsole.NdesConsole";

// The application icon, from the resources compiled into ndesui (resources/icons/<applicationId>.svg).
[[nodiscard]] QIcon applicationIcon();

} // namespace ndes::ui
