#Requires -Version 5.1
#Requires -RunAsAdministrator
<#
.SYNOPSIS
    NDES Console setup plan: step 01, the NDES service account (AD user, SPN, IIS_IUSRS, no local administrator, Request Certificates on the CA)
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

$name = 'svc-intune-ndes'
$upn = 'svc-intune-ndes@contoso.test'
$ou = 'OU=PKI,OU=Service Accounts,DC=contoso,DC=test'
$spn = 'HTTP/' + 'scep.contoso.test'
$member = 'CONTOSO' + '\' + $name
$caConfig = 'pki-ca.contoso.test\Contoso Issuing CA'
function ConvertTo-LdapFilterValue([string] $Value) {
    # RFC 4515: \ * ( ) and NUL go as \xx, so no name can change the search.
    $builder = New-Object System.Text.StringBuilder
    foreach ($c in $Value.ToCharArray()) {
        if ('\*()'.IndexOf($c) -ge 0 -or [int]$c -eq 0) { [void]$builder.AppendFormat('\{0:x2}', [int]$c) }
        else { [void]$builder.Append($c) }
    }
    return $builder.ToString()
}
function Get-PlanAccount([string] $SamAccountName) {
    $searcher = New-Object System.DirectoryServices.DirectorySearcher
    $searcher.Filter = '(&(objectCategory=person)(objectClass=user)(sAMAccountName=' + (ConvertTo-LdapFilterValue $SamAccountName) + '))'
    $found = $searcher.FindOne()
    if ($null -eq $found) { return $null }
    return $found.GetDirectoryEntry()
}
function Get-PlanAccountSid($Account) {
    return [System.Security.Principal.SecurityIdentifier]::new([byte[]]$Account.Properties['objectSid'].Value, 0)
}
function Get-PlanAccountSids($Account) {
    # Who the CA and the template see when the account asks: the account, every group it is in (nested ones too,
    # from tokenGroups), Everyone and Authenticated Users.
    $Account.RefreshCache([string[]]@('tokenGroups'))
    $sids = New-Object System.Collections.Generic.List[string]
    $sids.Add((Get-PlanAccountSid $Account).Value)
    foreach ($group in $Account.Properties['tokenGroups']) {
        $sids.Add([System.Security.Principal.SecurityIdentifier]::new([byte[]]$group, 0).Value)
    }
    $sids.Add('S-1-1-0')
    $sids.Add('S-1-5-11')
    return ,$sids.ToArray()
}
function Get-PlanCaEnroll([string] $CaConfig, [string[]] $Sids) {
    $admin = New-Object -ComObject CertificateAuthority.Admin
    $bytes = [byte[]]$admin.GetConfigEntry($CaConfig, '', 'Security')
    $descriptor = [System.Security.AccessControl.RawSecurityDescriptor]::new($bytes, 0)
    $allowed = $false
    $denied = $false
    foreach ($ace in $descriptor.DiscretionaryAcl) {
        if ($ace -isnot [System.Security.AccessControl.CommonAce]) { continue }
        if (($ace.AccessMask -band 0x200) -eq 0 -or $Sids -notcontains $ace.SecurityIdentifier.Value) { continue }
        if ($ace.AceQualifier -eq [System.Security.AccessControl.AceQualifier]::AccessDenied) { $denied = $true }
        else { $allowed = $true }
    }
    return [pscustomobject]@{ Allowed = ($allowed -and -not $denied); Denied = $denied; Descriptor = $descriptor; Admin = $admin }
}
Start-Transcript -Path $TranscriptPath -Append | Out-Null
try {
    Import-Module ActiveDirectory
    $user = Get-ADUser -Filter 'sAMAccountName -eq $name' -Properties ServicePrincipalName
    if ($null -eq $user) {
        if ($PSCmdlet.ShouldProcess("$name in $ou", 'create the NDES service account')) {
            $secure = Read-Host -AsSecureString -Prompt "Password for the new account $name"
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
    # Request Certificates on the CA: Authenticated Users have it by default; hardened CAs take it away.
    $account = Get-PlanAccount $name
    if ($null -eq $account) {
        Write-Host "$name does not exist yet (-WhatIf): its right on the CA is checked once it does."
    } else {
        $ca = $null
        try {
            $ca = Get-PlanCaEnroll $caConfig (Get-PlanAccountSids $account)
        } catch {
            Write-Warning "Cannot read the permissions of $caConfig ($($_.Exception.Message)): check by hand that $member or a group it is in has Request Certificates (certsrv.msc > Properties > Security)."
        }
        if ($null -eq $ca) {
            # Not readable: the warning above says what to check by hand.
        } elseif ($ca.Denied) {
            Write-Warning "A Deny entry on $caConfig takes Request Certificates from $member or a group it is in: remove it in certsrv.msc > Properties > Security."
        } elseif ($ca.Allowed) {
            Write-Verbose "$member may request certificates from $caConfig"
        } elseif ($PSCmdlet.ShouldProcess($caConfig, "allow Request Certificates for $member")) {
            $ace = [System.Security.AccessControl.CommonAce]::new([System.Security.AccessControl.AceFlags]::None, [System.Security.AccessControl.AceQualifier]::AccessAllowed, 0x200, (Get-PlanAccountSid $account), $false, $null)
            $ca.Descriptor.DiscretionaryAcl.InsertAce($ca.Descriptor.DiscretionaryAcl.Count, $ace)
            $bytes = New-Object byte[] $ca.Descriptor.BinaryLength
            $ca.Descriptor.GetBinaryForm($bytes, 0)
            $ca.Admin.SetConfigEntry($caConfig, '', 'Security', $bytes)
            Write-Host "Allowed Request Certificates on $caConfig for $member. The CA reads it when Certificate Services restarts: run Restart-Service certsvc on the CA."
        }
    }
} finally {
    Stop-Transcript | Out-Null
}
