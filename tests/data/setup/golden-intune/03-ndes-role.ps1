#Requires -Version 5.1
#Requires -RunAsAdministrator
<#
.SYNOPSIS
    NDES Console setup plan: step 03, the NDES role and its RA certificates
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

$account = 'CONTOSO' + '\' + 'svc-intune-ndes'
$transcribing = $false
try {
    # A transcript under -WhatIf too; only the one started here is stopped.
    Start-Transcript -Path $TranscriptPath -Append -WhatIf:$false -Confirm:$false | Out-Null
    $transcribing = $true
    $feature = Get-WindowsFeature -Name 'ADCS-Device-Enrollment'
    if (-not $feature.Installed) {
        if ($PSCmdlet.ShouldProcess($env:COMPUTERNAME, 'install the ADCS-Device-Enrollment feature')) {
            Install-WindowsFeature -Name 'ADCS-Device-Enrollment' -IncludeManagementTools | Out-Null
            Write-Host 'Installed the NDES feature'
        }
    }
    $status = Get-ItemProperty -LiteralPath 'HKLM:\SOFTWARE\Microsoft\ADCS\NDES' -Name 'ConfigurationStatus' -ErrorAction SilentlyContinue
    if ($null -ne $status -and $status.ConfigurationStatus -eq 2) {
        Write-Host 'NDES is already configured (ConfigurationStatus 2): nothing to do. To change the RA, remove the role configuration first.'
    } elseif ($PSCmdlet.ShouldProcess($env:COMPUTERNAME, "configure NDES for $account")) {
        $credential = Get-Credential -UserName $account -Message 'Password of the NDES service account (from step 01)'
        $arguments = @{
            ServiceAccountName     = $account
            ServiceAccountPassword = $credential.Password
            CAConfig               = 'pki-ca.contoso.test\Contoso Issuing CA'
            RAName                 = 'SCEP-CONTOSO-RA'
            RACountry              = 'NL'
            RACompany              = 'Contoso B.V. (O''Neil & Partners)'
            SigningProviderName    = 'Microsoft Strong Cryptographic Provider'
            SigningKeyLength       = 2048
            EncryptionProviderName = 'Microsoft Strong Cryptographic Provider'
            EncryptionKeyLength    = 2048
        }
        Install-AdcsNetworkDeviceEnrollmentService @arguments -Force | Out-Null
        Write-Host 'Configured NDES; its two RA certificates were requested from the CA.'
    }
} finally {
    if ($transcribing) { Stop-Transcript | Out-Null }
}
