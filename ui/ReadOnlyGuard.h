// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

class QAction;
class QWidget;

namespace ndes::ui {

// In auditor (read-only) mode, a control that writes or spends stays disabled whatever its page later does with
// setEnabled(), and says why in its tooltip. Outside auditor mode these do nothing. The core refuses the write in
// any case (util/Access.h); this keeps the console from offering what it would refuse.
void guardWriteControl(QWidget* control);
void guardWriteControl(QAction* action);

// What a disabled write control's tooltip says.
[[nodiscard]] QString readOnlyToolTip();

} // namespace ndes::ui
