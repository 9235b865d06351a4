#Requires -Version 5.1
#Requires -RunAsAdministrator
<#
.SYNOPSIS
    NDES Console setup plan: step 01, the NDES service account (AD user, SPN, IIS_IUSRS, no local administrator)
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

$name = 'svc-ndes'
$upn = 'svc-ndes@corp.example'
$ou = 'OU=Service Accounts,OU=Tier 1,DC=corp,DC=example'
$spn = 'HTTP/' + 'ndes01.corp.example'
$member = 'CORP' + '\' + $name
function New-PlanPassword {
    # 24 characters from a cryptographic generator; shown nowhere, logged nowhere.
    $alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!#%+-=?@'
    $bytes = New-Object byte[] 24
    [System.Security.Cryptography.RandomNumberGenerator]::Create().GetBytes($bytes)
    $chars = foreach ($b in $bytes) { $alphabet[$b % $alphabet.Length] }
    return (-join $chars)
}
Start-Transcript -Path $TranscriptPath -Append | Out-Null
try {
    Import-Module ActiveDirectory
    $user = Get-ADUser -Filter 'sAMAccountName -eq $name' -Properties ServicePrincipalName
    if ($null -eq $user) {
        if ($PSCmdlet.ShouldProcess("$name in $ou", 'create the NDES service account')) {
            $plain = New-PlanPassword
            $secure = ConvertTo-SecureString -String $plain -AsPlainText -Force
            Set-Clipboard -Value $plain
            Remove-Variable -Name plain
            Write-Host 'The generated password is on the clipboard (not shown, not in the transcript): store it in your password vault now; step 03 asks for it.'
            New-ADUser -Name $name -SamAccountName $name -UserPrincipalName $upn -Path $ou -AccountPassword $secure -Enabled $true -Description 'NDES (SCEP) application pool identity'
            Write-Host "Created $name in $ou"
            $user = Get-ADUser -Identity $name -Properties ServicePrincipalName
        }
    } else {
        Write-Verbose "$name exists"
    }
    # Kerberos to the admin page needs HTTP/<NDES host> on the account that runs the pool.
    if ($null -ne $user -and -not (@($user.ServicePrincipalName) -contains $spn)) {
        if ($PSCmdlet.ShouldProcess($name, "add the SPN $spn")) {
            Set-ADUser -Identity $user -ServicePrincipalNames @{ Add = $spn }
            Write-Host "Added SPN $spn to $name"
        }
    }
    # On this server: member of IIS_IUSRS, and not a local administrator (least privilege).
    if ($null -eq (Get-LocalGroupMember -Group 'IIS_IUSRS' -Member $member -ErrorAction SilentlyContinue)) {
        if ($PSCmdlet.ShouldProcess('IIS_IUSRS', "add $member")) {
            Add-LocalGroupMember -Group 'IIS_IUSRS' -Member $member
            Write-Host "Added $member to IIS_IUSRS"
        }
    }
    if ($null -ne (Get-LocalGroupMember -Group 'Administrators' -Member $member -ErrorAction SilentlyContinue)) {
        Write-Warning "$member is a local administrator; NDES needs no such right."
        if ($PSCmdlet.ShouldProcess('Administrators', "remove $member")) {
            Remove-LocalGroupMember -Group 'Administrators' -Member $member
            Write-Host "Removed $member from Administrators"
        }
    }
    Write-Host "Check by hand on the CA: $member (or a group it is in) has Request Certificates (certsrv.msc > Properties > Security)."
} finally {
    Stop-Transcript | Out-Null
}
