## SPDX-License-Identifier: Apache-2.0
## Step 03: the NDES role and its RA certificates.
$account = {{domainNetbios}} + '\' + {{accountName}}
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
            CAConfig               = {{caConfig}}
            RAName                 = {{raName}}
            RACountry              = {{raCountry}}
            RACompany              = {{raCompany}}
            SigningProviderName    = {{raSigningCsp}}
            SigningKeyLength       = {{raSigningKeyLength}}
            EncryptionProviderName = {{raEncryptionCsp}}
            EncryptionKeyLength    = {{raEncryptionKeyLength}}
        }
        Install-AdcsNetworkDeviceEnrollmentService @arguments -Force | Out-Null
        Write-Host 'Configured NDES; its two RA certificates were requested from the CA.'
    }
} finally {
    if ($transcribing) { Stop-Transcript | Out-Null }
}
