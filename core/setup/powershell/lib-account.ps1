## SPDX-License-Identifier: Apache-2.0
## The service account in AD and the SIDs it acts as, through ADSI (on every domain member; the
## ActiveDirectory module is not).
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
