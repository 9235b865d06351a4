// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>
#include <QStringList>

class QSettings;

namespace ndes::inventory {

// Where NDES Console and ndesctl keep their files: one folder each, shared by both programs.
//   config: <GenericConfigLocation>/ndes-console   inventory.json, ndes-console.conf (the settings, on Linux)
//   data:   <GenericDataLocation>/ndes-console     challenge-audit.jsonl, setup-draft.json
// On Linux that is ~/.config/ndes-console and ~/.local/share/ndes-console.
inline constexpr const char* appFolderName = "ndes-console";

QString configDir();
QString dataDir();

// Sets the organization and application names that QSettings uses, so that QSettings() is
// <config>/ndes-console/ndes-console.conf (the registry key HKCU\Software\ndes-console\ndes-console on Windows).
// The console sets its display name ("NDES Console") itself.
void setApplicationNames();

// Earlier versions named both the organization and the application "NDES Console", so Qt put the files one
// folder too deep: "<config>/NDES Console/NDES Console/inventory.json" and the same under <data>, with the
// settings in "<config>/NDES Console/NDES Console.conf". The console moves them to the folders above when it
// starts. Nothing is overwritten, no symbolic link is followed, a copy across file systems is owner-only; a file
// that already exists in the new place wins and the old one is reported. The audit trail's anchor (kept in the
// settings under the trail's path) moves with the trail and before it, so the moved trail still verifies and a
// trail that went missing is still reported as missing. With nothing left in the old places it does nothing.
struct LegacyMove {
    QStringList moved; // "old → new", for the status bar and the log
    QStringList kept;  // old files left because a newer one exists
    QStringList errors;
    [[nodiscard]] bool isEmpty() const { return moved.isEmpty() && kept.isEmpty() && errors.isEmpty(); }
    [[nodiscard]] QString summary() const;
};
LegacyMove moveLegacyFiles(QSettings& settings);
// The inventory of earlier versions, for ndesctl to read where the console has not moved it yet (ndesctl moves
// nothing: a console of that version may still be using the files).
QString legacyInventoryPath();

} // namespace ndes::inventory
