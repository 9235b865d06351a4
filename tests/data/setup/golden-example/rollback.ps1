#Requires -Version 5.1
#Requires -RunAsAdministrator
<#
.SYNOPSIS
    NDES Console setup plan: rollback of step 04 (the NDES registry)
.DESCRIPTION
    Generated 2026-11-25T09:00:00Z from the plan for ndes01.corp.example (CA ca01.corp.example\Corp Issuing CA 1).
    Run on ndes01.corp.example in an elevated PowerShell.
    It checks each setting before changing it: running it again changes nothing.
    -WhatIf shows what it would change. A transcript goes to -TranscriptPath.
#>
[CmdletBinding(SupportsShouldProcess = $true)]
param(
    [string] $TranscriptPath = (Join-Path $env:TEMP ('ndes-setup-' + (Get-Date -Format 'yyyyMMdd-HHmmss') + '.log'))
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

function Invoke-PlanNative([string] $FilePath, [string[]] $Arguments) {
    $ErrorActionPreference = 'Continue'
    $output = @(& $FilePath @Arguments 2>&1 | ForEach-Object { "$_" })
    return [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = $output }
}
function Restart-PlanScepPool {
    if ((Get-WebAppPoolState -Name 'SCEP').Value -eq 'Stopped') { Start-WebAppPool -Name 'SCEP' }
    else { Restart-WebAppPool -Name 'SCEP' }
}

$cryptography = 'HKLM:\SOFTWARE\Microsoft\Cryptography'
$mscep = "$cryptography\MSCEP"
$aside = 'MSCEP.before-rollback'
$backup = Join-Path $env:ProgramData 'NDES Console\mscep-before-ndes-console.reg'
$now = Join-Path $env:TEMP 'mscep-now.reg'
Start-Transcript -Path $TranscriptPath -Append | Out-Null
try {
    # The MSCEP key exactly as step 04 found it before its first change: the key is replaced, not merged.
    if (-not (Test-Path -LiteralPath $backup)) {
        Write-Warning "No backup at $backup: step 04 has not changed anything here."
        return
    }
    $export = Invoke-PlanNative 'reg.exe' @('export', 'HKLM\SOFTWARE\Microsoft\Cryptography\MSCEP', $now, '/y')
    $same = $export.ExitCode -eq 0 -and (Get-FileHash -LiteralPath $now).Hash -eq (Get-FileHash -LiteralPath $backup).Hash
    Remove-Item -LiteralPath $now -ErrorAction SilentlyContinue
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
        Import-Module WebAdministration
        Restart-PlanScepPool
        Write-Host "Restored the MSCEP key from $backup and restarted the SCEP pool"
    }
    # IIS and HTTP.sys limits are left as they are: larger limits break nothing, and lowering them breaks SCEP GET requests.
    Write-Host 'IIS request filtering and HTTP.sys limits were not changed back (larger limits are harmless).'
} finally {
    Stop-Transcript | Out-Null
}
