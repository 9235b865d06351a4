## SPDX-License-Identifier: Apache-2.0
## The CA's own permissions (certsrv.msc > Properties > Security), read over DCOM: Request Certificates
## is the access bit 0x200 (MS-CSRA 3.1.1.7). A Deny wins over any Allow.
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
