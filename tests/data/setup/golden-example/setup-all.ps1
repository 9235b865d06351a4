#Requires -Version 5.1
#Requires -RunAsAdministrator
<#
.SYNOPSIS
    NDES Console setup plan: all steps in order
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

# Runs the steps in order from this folder; -WhatIf and the transcript pass through.
foreach ($step in '01-service-account.ps1', '02-certificate-template.ps1', '03-ndes-role.ps1', '04-ndes-registry.ps1', '05-iis-httpsys.ps1') {
    Write-Host "== $step"
    & (Join-Path $PSScriptRoot $step) -TranscriptPath $TranscriptPath -WhatIf:$WhatIfPreference
}
Write-Host 'Done. Run verify.ps1 to see what still differs from the plan.'
