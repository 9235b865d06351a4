## SPDX-License-Identifier: Apache-2.0
## The MSCEP backup is trusted only when an administrator wrote it: anyone may create files under
## ProgramData, and rollback.ps1 imports it as an administrator.
function Test-PlanTrustedFile([string] $Path) {
    $owner = (Get-Acl -LiteralPath $Path).GetOwner([System.Security.Principal.SecurityIdentifier]).Value
    return $owner -eq 'S-1-5-32-544' -or $owner -eq 'S-1-5-18'
}
function Protect-PlanPath([string] $Path) {
    # Owned by Administrators; only Administrators and SYSTEM may touch it. Never through a junction or link
    # someone made in its place.
    if (((Get-Item -LiteralPath $Path -Force).Attributes -band [System.IO.FileAttributes]::ReparsePoint) -ne 0) {
        throw "$Path is a junction or link, not a folder or file of its own: remove it and run this step again."
    }
    $acl = Get-Acl -LiteralPath $Path
    $acl.SetAccessRuleProtection($true, $false)
    foreach ($rule in @($acl.GetAccessRules($true, $false, [System.Security.Principal.SecurityIdentifier]))) { [void]$acl.RemoveAccessRule($rule) }
    $inherit = if ((Get-Item -LiteralPath $Path).PSIsContainer) { 'ContainerInherit, ObjectInherit' } else { 'None' }
    foreach ($sid in 'S-1-5-32-544', 'S-1-5-18') {
        $acl.AddAccessRule((New-Object System.Security.AccessControl.FileSystemAccessRule([System.Security.Principal.SecurityIdentifier]$sid, 'FullControl', $inherit, 'None', 'Allow')))
    }
    $acl.SetOwner([System.Security.Principal.SecurityIdentifier]'S-1-5-32-544')
    Set-Acl -LiteralPath $Path -AclObject $acl -WhatIf:$false -Confirm:$false
}
