// SPDX-License-Identifier: Apache-2.0
#pragma once

class QLabel;
class QWidget;

namespace ndes::inventory {
struct ServerProfile;
}

namespace ndes::ui {

// The banner that says a server's RA certificate is not authenticated (SCEP over plain HTTP, no CA pinned), shown
// wherever the console sends a challenge password inside a SCEP request.
[[nodiscard]] QLabel* makeRaTrustWarning(QWidget* parent);
// Shows the banner for `profile` when its RA is unauthenticated, hides it otherwise (and for no profile).
void showRaTrustWarning(QLabel* banner, const inventory::ServerProfile* profile);

} // namespace ndes::ui
