## SPDX-License-Identifier: Apache-2.0
## Rollback of step 04: the MSCEP key as step 04 found it before its first change. No plan values.
#include lib-native.ps1
#include lib-scep-pool.ps1
#include lib-backup.ps1

$cryptography = 'HKLM:\SOFTWARE\Microsoft\Cryptography'
$mscep = "$cryptography\MSCEP"
$aside = 'MSCEP.before-rollback'
$backup = Join-Path $env:ProgramData 'NDES Console\mscep-before-ndes-console.reg'
$now = Join-Path $env:TEMP 'mscep-now.reg'
$transcribing = $false
try {
    # A transcript under -WhatIf too; only the one started here is stopped.
    Start-Transcript -Path $TranscriptPath -Append -WhatIf:$false -Confirm:$false | Out-Null
    $transcribing = $true
    # The MSCEP key exactly as step 04 found it before its first change: the key is replaced, not merged.
    if (-not (Test-Path -LiteralPath $backup)) {
        Write-Warning "No backup at $backup: step 04 has not changed anything here."
        return
    }
    # Imported as an administrator, so only a file an administrator wrote, and only if it touches nothing but MSCEP.
    if (-not (Test-PlanTrustedFile $backup)) { throw "$backup was not written by an administrator (its owner is neither Administrators nor SYSTEM): not imported." }
    $keys = @(Get-Content -LiteralPath $backup | Where-Object { $_ -match '^\s*\[' })
    $outside = @($keys | Where-Object { $_ -notmatch '^\s*\[-?HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Cryptography\\MSCEP(\\|\])' })
    if ($keys.Count -eq 0) { throw "$backup holds no registry key: not imported." }
    if ($outside.Count -gt 0) { throw "$backup writes outside the MSCEP key ($($outside[0])): not imported." }
    $export = Invoke-PlanNative 'reg.exe' @('export', 'HKLM\SOFTWARE\Microsoft\Cryptography\MSCEP', $now, '/y')
    $same = $export.ExitCode -eq 0 -and (Get-FileHash -LiteralPath $now).Hash -eq (Get-FileHash -LiteralPath $backup).Hash
    Remove-Item -LiteralPath $now -ErrorAction SilentlyContinue -WhatIf:$false
    if ($same) {
        Write-Host 'The MSCEP key is already as it was before step 04: nothing to do.'
    } elseif ($PSCmdlet.ShouldProcess('HKLM\SOFTWARE\Microsoft\Cryptography\MSCEP', "replace with $backup")) {
        # Set aside, not deleted, until the import has worked.
        if (Test-Path -LiteralPath "$cryptography\$aside") { Remove-Item -LiteralPath "$cryptography\$aside" -Recurse }
        if (Test-Path -LiteralPath $mscep) { Rename-Item -LiteralPath $mscep -NewName $aside }
        $import = Invoke-PlanNative 'reg.exe' @('import', $backup)
        if ($import.ExitCode -ne 0) {
            if (Test-Path -LiteralPath $mscep) { Remove-Item -LiteralPath $mscep -Recurse }
            if (Test-Path -LiteralPath "$cryptography\$aside") { Rename-Item -LiteralPath "$cryptography\$aside" -NewName 'MSCEP' }
            throw "reg.exe import failed ($($import.ExitCode)): the MSCEP key is as it was. Import $backup by hand. $($import.Output -join ' ')"
        }
        if (Test-Path -LiteralPath "$cryptography\$aside") { Remove-Item -LiteralPath "$cryptography\$aside" -Recurse }
        Write-Host "Restored the MSCEP key from $backup"
        if (Import-PlanWebAdministration) { Restart-PlanScepPool; Write-Host 'Restarted the SCEP application pool' }
        else { Write-Warning 'Restart the SCEP application pool (IIS Manager) for NDES to read the restored settings.' }
    }
    # IIS and HTTP.sys limits are left as they are: larger limits break nothing, and lowering them breaks SCEP GET requests.
    Write-Host 'IIS request filtering and HTTP.sys limits were not changed back (larger limits are harmless).'
} finally {
    if ($transcribing) { Stop-Transcript | Out-Null }
}
