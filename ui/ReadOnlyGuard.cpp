// SPDX-License-Identifier: Apache-2.0
#include "ReadOnlyGuard.h"

#include "util/Access.h"

#include <QAction>
#include <QCoreApplication>
#include <QEvent>
#include <QWidget>

namespace ndes::ui {

namespace {
// Keeps a widget disabled: every time something enables it, it is disabled again at once.
class KeepDisabled : public QObject {
public:
    using QObject::QObject;

protected:
    bool eventFilter(QObject* watched, QEvent* event) override {
        if (event->type() == QEvent::EnabledChange) {
            auto* w = qobject_cast<QWidget*>(watched);
            if (w && w->isEnabled())
                w->setEnabled(false);
        }
        return false;
    }
};
} // namespace

QString readOnlyToolTip() {
    return QCoreApplication::translate("ReadOnlyGuard", "Not available in auditor (read-only) mode");
}

void guardWriteControl(QWidget* control) {
    if (!control || !Access::readOnly())
        return;
    control->setProperty("ndesWriteControl", true);
    control->setToolTip(readOnlyToolTip());
    control->installEventFilter(new KeepDisabled(control));
    control->setEnabled(false);
}

void guardWriteControl(QAction* action) {
    if (!action || !Access::readOnly())
        return;
    action->setProperty("ndesWriteControl", true);
    action->setToolTip(readOnlyToolTip());
    action->setEnabled(false);
    QObject::connect(action, &QAction::enabledChanged, action, [action](bool enabled) {
        if (enabled)
            action->setEnabled(false);
    });
}

} // namespace ndes::ui
