## SPDX-License-Identifier: Apache-2.0
## Step 01: the NDES service account. generatePassword: the script makes the password (else it asks for one).
$accountName = {{accountName}}
$upn = {{accountUpn}}
$ou = {{accountOu}}
$spn = 'HTTP/' + {{ndesHost}}
$member = {{domainNetbios}} + '\' + $accountName
$caConfig = {{caConfig}}
#include lib-account.ps1
#include lib-ca-enroll.ps1
#include lib-local-group.ps1
#include lib-read-password.ps1
#if generatePassword
function New-PlanPassword {
    # 24 characters from a cryptographic generator; shown nowhere, logged nowhere.
    $alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!#%+-=?@'
    $bytes = New-Object byte[] 24
    [System.Security.Cryptography.RandomNumberGenerator]::Create().GetBytes($bytes)
    $chars = foreach ($b in $bytes) { $alphabet[$b % $alphabet.Length] }
    return (-join $chars)
}
#endif
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
#if generatePassword
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
#else
            $secure = Read-PlanPassword "Password for the new account $accountName"
#endif
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
