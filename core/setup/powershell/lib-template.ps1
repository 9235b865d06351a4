## SPDX-License-Identifier: Apache-2.0
## The certificate template in AD: found by name, its rights for the account, what differs from the plan.
function Find-PlanTemplate($Container, [string] $Name, [switch] $OrDisplayName) {
    # AD compares names without case; the caller checks the case, which NDES and the CA do compare.
    $byName = @($Container.Children | Where-Object { [string]$_.Properties['cn'].Value -eq $Name })
    if ($byName.Count -gt 0) { return $byName[0] }
    if ($OrDisplayName) {
        # "Computer" is the display name of the template called Machine, "Web Server" of WebServer.
        $byDisplayName = @($Container.Children | Where-Object { [string]$_.Properties['displayName'].Value -eq $Name })
        if ($byDisplayName.Count -gt 0) { return $byDisplayName[0] }
    }
    return $null
}
function Get-PlanTemplateRights($Template, [string[]] $Sids) {
    # Read: GenericRead (0x20094). Enroll: the extended right 0e10c968-..., all extended rights, or GenericAll.
    $enroll = [guid]'0e10c968-78fb-11d2-90d4-00c04f79dc55'
    $result = [pscustomobject]@{ Read = $false; Enroll = $false; Denied = $false }
    foreach ($rule in $Template.ObjectSecurity.GetAccessRules($true, $true, [System.Security.Principal.SecurityIdentifier])) {
        if ($Sids -notcontains $rule.IdentityReference.Value) { continue }
        $rights = [int]$rule.ActiveDirectoryRights
        $full = ($rights -band 0xF01FF) -eq 0xF01FF
        $canRead = $full -or (($rights -band 0x20094) -eq 0x20094)
        $canEnroll = $full -or ((($rights -band 0x100) -ne 0) -and ($rule.ObjectType -eq $enroll -or $rule.ObjectType -eq [guid]::Empty))
        if ([string]$rule.AccessControlType -eq 'Deny') {
            if ($canEnroll) { $result.Denied = $true }
        } else {
            if ($canRead) { $result.Read = $true }
            if ($canEnroll) { $result.Enroll = $true }
        }
    }
    return $result
}
function Get-PlanTemplateDifferences($Template, $Plan) {
    # Each line: what, the plan's value, the template's. Empty when the template is as planned.
    $p = $Template.Properties
    $days = { param($v) if ($null -eq $v) { 'not set' } else { [math]::Round([System.BitConverter]::ToInt64([byte[]]$v, 0) / -864000000000) } }
    $providers = @($p['pKIDefaultCSPs'] | ForEach-Object { ([string]$_ -split ',', 2)[-1] })
    $actual = [ordered]@{
        'display name'                          = [string]$p['displayName'].Value
        'validity (days)'                       = & $days $p['pKIExpirationPeriod'].Value
        'renewal period (days)'                 = & $days $p['pKIOverlapPeriod'].Value
        'minimum key size'                      = [int]$p['msPKI-Minimal-Key-Size'].Value
        'key usage'                             = $(if ($null -eq $p['pKIKeyUsage'].Value) { 0 } else { ([byte[]]$p['pKIKeyUsage'].Value)[0] })
        'key spec'                              = [int]$p['pKIDefaultKeySpec'].Value
        'EKUs'                                  = (@($p['pKIExtendedKeyUsage'] | Sort-Object) -join ', ')
        'subject and SAN from the request flags' = ([int]$p['msPKI-Certificate-Name-Flag'].Value -band 0x10001)
        'exportable key flag'                   = ([int]$p['msPKI-Private-Key-Flag'].Value -band 0x10)
        'provider'                              = $(if ($providers -contains $Plan['provider']) { $Plan['provider'] } else { $providers -join ', ' })
    }
    $differences = New-Object System.Collections.Generic.List[string]
    foreach ($key in $Plan.Keys) {
        if ([string]$actual[$key] -cne [string]$Plan[$key]) {
            $differences.Add("$key : plan $($Plan[$key]), AD $($actual[$key])")
        }
    }
    return ,$differences.ToArray()
}
