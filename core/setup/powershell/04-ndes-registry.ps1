## SPDX-License-Identifier: Apache-2.0
## Step 04: the NDES registry (MSCEP), backed up once before the first change.
#include lib-set-plan-value.ps1
#include lib-native.ps1
#include lib-scep-pool.ps1
#include lib-backup.ps1

$mscep = 'HKLM:\SOFTWARE\Microsoft\Cryptography\MSCEP'
# The key as it was before NDES Console's first change, kept once: rollback.ps1 restores exactly that.
$backup = Join-Path $env:ProgramData 'NDES Console\mscep-before-ndes-console.reg'
$transcribing = $false
try {
    # A transcript under -WhatIf too; only the one started here is stopped.
    Start-Transcript -Path $TranscriptPath -Append -WhatIf:$false -Confirm:$false | Out-Null
    $transcribing = $true
    if (-not (Test-Path -LiteralPath $mscep)) {
        if ($WhatIfPreference) { Write-Warning 'MSCEP does not exist yet (step 03 creates it): nothing to compare.'; return }
        throw 'MSCEP is missing: install the NDES role first (step 03).'
    }
    if (-not $WhatIfPreference -and -not (Test-Path -LiteralPath $backup)) {
        New-Item -ItemType Directory -Path (Split-Path $backup) -Force -Confirm:$false | Out-Null
        Protect-PlanPath (Split-Path $backup)
        $export = Invoke-PlanNative 'reg.exe' @('export', 'HKLM\SOFTWARE\Microsoft\Cryptography\MSCEP', $backup, '/y')
        if ($export.ExitCode -ne 0) { throw "reg.exe export failed ($($export.ExitCode)): no backup, nothing changed. $($export.Output -join ' ')" }
        Protect-PlanPath $backup
        Write-Host "Saved the MSCEP key as it was to $backup"
    } elseif ((Test-Path -LiteralPath $backup) -and -not (Test-PlanTrustedFile $backup)) {
        throw "$backup was not written by an administrator (its owner is neither Administrators nor SYSTEM): move it away and run this step again, or rollback.ps1 would restore someone else's settings."
    }
    $changed = $false
    # The template names are values of MSCEP itself; every other setting is a subkey holding a value of the same name.
    $changed = (Set-PlanValue -Path $mscep -Name 'SignatureTemplate' -Value {{signatureTemplate}} -Kind String) -or $changed
    $changed = (Set-PlanValue -Path $mscep -Name 'EncryptionTemplate' -Value {{encryptionTemplate}} -Kind String) -or $changed
    $changed = (Set-PlanValue -Path $mscep -Name 'GeneralPurposeTemplate' -Value {{generalPurposeTemplate}} -Kind String) -or $changed
    $changed = (Set-PlanValue -Path "$mscep\EnforcePassword" -Name 'EnforcePassword' -Value {{enforcePassword}} -Kind DWord) -or $changed
    $changed = (Set-PlanValue -Path "$mscep\UseSinglePassword" -Name 'UseSinglePassword' -Value {{useSinglePassword}} -Kind DWord) -or $changed
    $changed = (Set-PlanValue -Path "$mscep\PasswordMax" -Name 'PasswordMax' -Value {{passwordMax}} -Kind DWord) -or $changed
    $changed = (Set-PlanValue -Path "$mscep\PasswordValidity" -Name 'PasswordValidity' -Value {{passwordValidity}} -Kind DWord) -or $changed
    $changed = (Set-PlanValue -Path "$mscep\PasswordLength" -Name 'PasswordLength' -Value {{passwordLength}} -Kind DWord) -or $changed
    $changed = (Set-PlanValue -Path "$mscep\HashAlgorithm" -Name 'HashAlgorithm' -Value {{hashAlgorithm}} -Kind String) -or $changed
#if caCapabilities
    $changed = (Set-PlanValue -Path "$mscep\CACapabilitiesAlgorithms" -Name 'CACapabilitiesAlgorithms' -Value {{caCapabilitiesAlgorithms}} -Kind MultiString) -or $changed
#endif
    $changed = (Set-PlanValue -Path "$mscep\CAInfo" -Name 'Configuration' -Value {{caConfig}} -Kind String) -or $changed
    # Values public guides write where NDES never reads them: NDES ignores them, so do we, but they mislead.
    foreach ($misplaced in 'EnforcePassword', 'PasswordMax', 'PasswordValidity', 'PasswordLength', 'UseSinglePassword', 'PasswordCacheMax') {
        if ($null -ne (Get-ItemProperty -LiteralPath $mscep -Name $misplaced -ErrorAction SilentlyContinue)) {
            if ($PSCmdlet.ShouldProcess("$mscep\$misplaced", 'remove (a value NDES never reads)')) {
                Remove-ItemProperty -LiteralPath $mscep -Name $misplaced
                Write-Host "Removed $mscep\$misplaced (NDES reads the subkey of that name, not this value)"
                $changed = $true
            } elseif ($WhatIfPreference) {
                $changed = $true
            }
        }
    }
    if ($changed -and -not $WhatIfPreference) {
        if (Import-PlanWebAdministration) {
            Restart-PlanScepPool
            Write-Host 'Restarted the SCEP application pool: NDES reads its settings when it starts.'
        } else {
            Write-Warning 'Restart the SCEP application pool (IIS Manager): NDES reads its settings when it starts.'
        }
    } elseif (-not $changed) {
        Write-Host 'Nothing to change: the NDES registry already matches the plan.'
    }
} finally {
    if ($transcribing) { Stop-Transcript | Out-Null }
}
