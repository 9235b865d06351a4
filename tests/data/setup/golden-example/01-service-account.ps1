#Requires -Version 5.1
#Requires -RunAsAdministrator
<#
.SYNOPSIS
    NDES Console setup plan: step 01, the NDES service account (AD user, SPN, IIS_IUSRS, no local administrator, Request Certificates on the CA)
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

$accountName = 'svc-ndes'
$upn = 'svc-ndes@corp.example'
$ou = 'OU=Service Accounts,OU=Tier 1,DC=corp,DC=example'
$spn = 'HTTP/' + 'ndes01.corp.example'
$member = 'CORP' + '\' + $accountName
$caConfig = 'ca01.corp.example\Corp Issuing CA 1'
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
    # On the PDC emulator, where step 01 creates the account: another DC may not have it yet.
    $domain = [System.DirectoryServices.ActiveDirectory.Domain]::GetComputerDomain()
    $root = [ADSI]('LDAP://' + $domain.PdcRoleOwner.Name + '/' + [string]$domain.GetDirectoryEntry().Properties['distinguishedName'].Value)
    $searcher = New-Object System.DirectoryServices.DirectorySearcher($root)
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
function Find-PlanLocalMember([string] $GroupSid, [string[]] $MemberSids) {
    # The first of MemberSids that is a direct member of the local group, or $null.
    $groupName = ([System.Security.Principal.SecurityIdentifier]$GroupSid).Translate([System.Security.Principal.NTAccount]).Value.Split('\')[-1]
    $group = [ADSI]"WinNT://$env:COMPUTERNAME/$groupName,group"
    foreach ($entry in @($group.Invoke('Members'))) {
        $sid = $null
        try {
            $bytes = [byte[]]$entry.GetType().InvokeMember('objectSid', 'GetProperty', $null, $entry, $null)
            $sid = [System.Security.Principal.SecurityIdentifier]::new($bytes, 0).Value
        } catch {
            # A member whose domain cannot be reached: its path may still carry the SID (WinNT://S-1-...).
            $path = [string]$entry.GetType().InvokeMember('ADsPath', 'GetProperty', $null, $entry, $null)
            if ($path -match '(S-1-[0-9-]+)$') { $sid = $Matches[1] }
        }
        if ($null -ne $sid -and $MemberSids -contains $sid) { return $sid }
    }
    return $null
}
function Get-PlanSidName([string] $Sid) {
    try { return ([System.Security.Principal.SecurityIdentifier]$Sid).Translate([System.Security.Principal.NTAccount]).Value }
    catch { return $Sid }
}
function Read-PlanPassword([string] $Prompt) {
    while ($true) {
        $first = Read-Host -AsSecureString -Prompt $Prompt
        $second = Read-Host -AsSecureString -Prompt 'The same password again'
        $same = [System.Net.NetworkCredential]::new('', $first).Password -ceq [System.Net.NetworkCredential]::new('', $second).Password
        if ($same -and $first.Length -gt 0) { return $first }
        Write-Warning 'The two entries differ or are empty; type it again.'
    }
}
function New-PlanPassword {
    # 24 characters from a cryptographic generator; shown nowhere, logged nowhere.
    $alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!#%+-=?@'
    $bytes = New-Object byte[] 24
    [System.Security.Cryptography.RandomNumberGenerator]::Create().GetBytes($bytes)
    $chars = foreach ($b in $bytes) { $alphabet[$b % $alphabet.Length] }
    return (-join $chars)
}
$transcribing = $false
try {
    # A transcript under -WhatIf too; only the one started here is stopped.
    Start-Transcript -Path $TranscriptPath -Append -WhatIf:$false -Confirm:$false | Out-Null
    $transcribing = $true
    if ($null -eq (Get-Module -ListAvailable -Name ActiveDirectory)) {
        if (-not $PSCmdlet.ShouldProcess($env:COMPUTERNAME, 'install RSAT-AD-PowerShell (the ActiveDirectory module)')) {
            Write-Warning 'The rest of this step needs the ActiveDirectory module.'
            return
        }
        Install-WindowsFeature -Name 'RSAT-AD-PowerShell' | Out-Null
    }
    Import-Module ActiveDirectory
    # One domain controller for every read and write, so an account created a moment ago is found at once.
    $server = (Get-ADDomain).PDCEmulator
    $user = Get-ADUser -Server $server -Filter 'sAMAccountName -eq $accountName' -Properties ServicePrincipalName
    if ($null -eq $user) {
        if ($PSCmdlet.ShouldProcess("$accountName in $ou", 'create the NDES service account')) {
            if (Test-Path -LiteralPath 'variable:PSSenderInfo') {
                # Remotely the clipboard is the remote session's: the password would be lost.
                $secure = Read-PlanPassword "A password for the new account $accountName (a remote session has no clipboard of yours)"
            } else {
                $plain = New-PlanPassword
                $secure = ConvertTo-SecureString -String $plain -AsPlainText -Force
                Set-Clipboard -Value $plain
                Remove-Variable -Name plain
                Write-Host 'The generated password is on the clipboard (not shown, not in the transcript): store it in your password vault now; step 03 asks for it.'
            }
            $user = New-ADUser -Server $server -Name $accountName -SamAccountName $accountName -UserPrincipalName $upn -Path $ou -AccountPassword $secure -Enabled $true -Description 'NDES (SCEP) application pool identity' -PassThru
            $user = Get-ADUser -Server $server -Identity $user -Properties ServicePrincipalName
            Write-Host "Created $accountName in $ou"
        }
    } else {
        Write-Verbose "$accountName exists"
    }
    if ($null -eq $user) {
        Write-Host "$accountName does not exist yet (-WhatIf): its SPN, groups and right on the CA are checked once it does."
        return
    }
    # Kerberos to the admin page needs HTTP/<NDES host> on the account that runs the pool.
    if (-not (@($user.ServicePrincipalName) -contains $spn)) {
        if ($PSCmdlet.ShouldProcess($accountName, "add the SPN $spn")) {
            Set-ADUser -Server $server -Identity $user -ServicePrincipalNames @{ Add = $spn }
            Write-Host "Added SPN $spn to $accountName"
        }
    }
    # On this server, by SID (names of built-in groups are translated): member of IIS_IUSRS, and not a local administrator (least privilege).
    $accountSid = $user.SID.Value
    $account = [ADSI]"LDAP://$server/<SID=$accountSid>"
    $sids = Get-PlanAccountSids $account
    if ($null -eq (Find-PlanLocalMember 'S-1-5-32-568' @($accountSid))) {
        if ($PSCmdlet.ShouldProcess('IIS_IUSRS', "add $member")) {
            Add-LocalGroupMember -SID 'S-1-5-32-568' -Member $accountSid
            Write-Host "Added $member to IIS_IUSRS"
        }
    }
    # Also through a group it is in: that one is said, not changed (it is an AD group's membership).
    $adminThrough = Find-PlanLocalMember 'S-1-5-32-544' @($accountSid)
    if ($null -eq $adminThrough) { $adminThrough = Find-PlanLocalMember 'S-1-5-32-544' $sids }
    if ($null -ne $adminThrough -and $adminThrough -ne $accountSid) {
        Write-Warning "$member is a local administrator through $(Get-PlanSidName $adminThrough): NDES needs no such right; take it out of that group or the group out of Administrators."
    } elseif ($null -ne $adminThrough) {
        Write-Warning "$member is a local administrator; NDES needs no such right."
        if ($PSCmdlet.ShouldProcess('Administrators', "remove $member")) {
            Remove-LocalGroupMember -SID 'S-1-5-32-544' -Member $accountSid
            Write-Host "Removed $member from Administrators"
        }
    }
    # Request Certificates on the CA: Authenticated Users have it by default; hardened CAs take it away.
    $ca = $null
    try {
        $ca = Get-PlanCaEnroll $caConfig $sids
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
        $ace = [System.Security.AccessControl.CommonAce]::new([System.Security.AccessControl.AceFlags]::None, [System.Security.AccessControl.AceQualifier]::AccessAllowed, 0x200, $user.SID, $false, $null)
        $ca.Descriptor.DiscretionaryAcl.InsertAce($ca.Descriptor.DiscretionaryAcl.Count, $ace)
        $bytes = New-Object byte[] $ca.Descriptor.BinaryLength
        $ca.Descriptor.GetBinaryForm($bytes, 0)
        $ca.Admin.SetConfigEntry($caConfig, '', 'Security', $bytes)
        Write-Host "Allowed Request Certificates on $caConfig for $member. The CA reads it when Certificate Services restarts: run Restart-Service certsvc on the CA."
    }
} finally {
    if ($transcribing) { Stop-Transcript | Out-Null }
}
