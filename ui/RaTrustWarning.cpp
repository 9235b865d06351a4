// SPDX-License-Identifier: Apache-2.0
#include "RaTrustWarning.h"

#include "inventory/ServerProfile.h"

#include <QCoreApplication>
#include <QLabel>

namespace ndes::ui {

QLabel* makeRaTrustWarning(QWidget* parent) {
    auto* banner = new QLabel(parent);
    banner->setObjectName(QStringLiteral("warningBanner"));
    banner->setWordWrap(true);
    banner->setTextFormat(Qt::PlainText);
    banner->hide();
    return banner;
}

void showRaTrustWarning(QLabel* banner, const inventory::ServerProfile* profile) {
    const bool show = profile && profile->raUnauthenticated();
    banner->setVisible(show);
    banner->setAccessibleName(show ? QCoreApplication::translate("RaTrustWarning", "RA not authenticated") : QString());
    if (show)
        banner->setText(QCoreApplication::translate(
                            "RaTrustWarning",
                            "⚠ The RA certificate of %1 is not authenticated: SCEP goes over plain HTTP and no CA is "
                            "pinned, so anyone in the path could put their own certificate in its place and read the "
                            "challenge password. Pin the CA's SHA-256 fingerprint for this server (Servers ▸ Edit ▸ CA "
                            "pin), or use HTTPS.")
                            .arg(profile->name));
}

} // namespace ndes::ui
