// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "NdesLabServer.h"
#include "util/Result.h"

#include <QDateTime>
#include <QString>

namespace ndes::lab {

// `ndes-lab snapshot`: the lab as Collect-NdesSnapshot.ps1 would find it on a Windows NDES server, in the
// collector's format (manifest.json with SHA-256s, regedit's UTF-16LE .reg exports, applicationHost.config, the
// certificates of LocalMachine\My and Root with facts about their keys, groups, rights, services, netsh's sslcert
// list, the NDES events), so the demo and the tests audit the lab end to end: its settings, its RA certificates and
// its faults turn into findings as they would on Windows. OUT must not exist or be empty.
Status writeLabSnapshot(const NdesLabServer::Options& options, const QString& outDir, const QDateTime& now);

} // namespace ndes::lab
