## SPDX-License-Identifier: Apache-2.0
## Local group membership by SID through ADSI: Get-LocalGroupMember fails on a group holding a SID that
## no longer resolves, and group names are translated ("Administratoren"), their SIDs are not.
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
