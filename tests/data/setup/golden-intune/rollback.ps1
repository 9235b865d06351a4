#Requires -Version 5.1
#Requires -RunAsAdministrator
<#
.SYNOPSIS
    NDES Console setup plan: rollback of step 04 (the NDES registry)
.DESCRIPTION
    Generated 2026-11-25T09:00:00Z from the plan for scep.contoso.test (CA pki-ca.contoso.test\Contoso Issuing CA).
    Run on scep.contoso.test in an elevated PowerShell.
    It checks each setting before changing it: running it again changes nothing.
    -WhatIf shows what it would change. A transcript goes to -TranscriptPath.
#>
[CmdletBinding(SupportsShouldProcess = $true)]
param(
    [string] $TranscriptPath = (Join-Path $env:TEMP ('ndes-setup-' + (Get-Date -Format 'yyyyMMdd-HHmmss') + '.log'))
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$mscep = 'HKLM:\SOFTWARE\Microsoft\Cryptography\MSCEP'
$backup = Join-Path $env:ProgramData 'NDES Console\mscep-before-ndes-console.reg'
Start-Transcript -Path $TranscriptPath -Append | Out-Null
try {
    # The MSCEP key exactly as step 04 found it before its first change: the key is replaced, not merged.
    if (-not (Test-Path -LiteralPath $backup)) {
        Write-Warning "No backup at $backup: step 04 has not changed anything here."
    } elseif ($PSCmdlet.ShouldProcess('HKLM\SOFTWARE\Microsoft\Cryptography\MSCEP', "replace with $backup")) {
        Remove-Item -LiteralPath $mscep -Recurse
        & reg.exe import $backup
        if ($LASTEXITCODE -ne 0) { throw "reg.exe import failed ($LASTEXITCODE); import $backup by hand" }
        Import-Module WebAdministration
        Restart-WebAppPool -Name 'SCEP'
        Write-Host "Restored the MSCEP key from $backup and restarted the SCEP pool"
    }
    # IIS and HTTP.sys limits are left as they are: larger limits break nothing, and lowering them breaks SCEP GET requests.
    Write-Host 'IIS request filtering and HTTP.sys limits were not changed back (larger limits are harmless).'
} finally {
    Stop-Transcript | Out-Null
}
