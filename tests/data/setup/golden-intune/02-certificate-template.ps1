#Requires -Version 5.1
#Requires -RunAsAdministrator
<#
.SYNOPSIS
    NDES Console setup plan: step 02, the certificate template (created in AD or compared with the plan, Read and Enroll for the service account, published on the CA)
.DESCRIPTION
    Generated 2026-11-25T09:00:00Z from the plan for scep.contoso.test (CA pki-ca.contoso.test\Contoso Issuing CA).
    Run on a domain-joined server with AD write rights on the configuration partition in an elevated PowerShell.
    It checks each setting before changing it: running it again changes nothing.
    -WhatIf shows what it would change. A transcript goes to -TranscriptPath.
#>
[CmdletBinding(SupportsShouldProcess = $true)]
param(
    [string] $TranscriptPath = (Join-Path $env:TEMP ('ndes-setup-' + (Get-Date -Format 'yyyyMMdd-HHmmss') + '.log'))
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$templateName = 'Intune-SCEP-User'
$displayName = 'Intune SCEP User'
$baseName = 'Computer'
$accountName = 'svc-intune-ndes'
$member = 'CONTOSO' + '\' + $accountName
$caConfig = 'pki-ca.contoso.test\Contoso Issuing CA'
$ekus = @('1.3.6.1.5.5.7.3.2')
$planTemplate = [ordered]@{
    'display name'                           = 'Intune SCEP User'
    'validity (days)'                        = 730
    'renewal period (days)'                  = 60
    'minimum key size'                       = 2048
    'key usage'                              = 128
    'key spec'                               = 2
    'EKUs'                                   = (@($ekus | Sort-Object) -join ', ')
    'subject and SAN from the request flags' = 65537
    'exportable key flag'                    = 0
    'provider'                               = 'Microsoft Strong Cryptographic Provider'
}
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
function Invoke-PlanNative([string] $FilePath, [string[]] $Arguments) {
    $ErrorActionPreference = 'Continue'
    $output = @(& $FilePath @Arguments 2>&1 | ForEach-Object { "$_" })
    return [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = $output }
}
function ConvertTo-Period([int] $Days) {
    # A template period is a negative count of 100 ns as eight little-endian bytes.
    # The comma keeps it one byte[]: PowerShell would otherwise return eight separate bytes.
    return ,([System.BitConverter]::GetBytes([long](-1 * [long]$Days * 864000000000)))
}
$transcribing = $false
try {
    # A transcript under -WhatIf too; only the one started here is stopped.
    Start-Transcript -Path $TranscriptPath -Append -WhatIf:$false -Confirm:$false | Out-Null
    $transcribing = $true
    $configNC = ([ADSI]'LDAP://RootDSE').configurationNamingContext
    $pks = "CN=Public Key Services,CN=Services,$configNC"
    $container = [ADSI]("LDAP://CN=Certificate Templates,$pks")
    $template = Find-PlanTemplate $container $templateName
    if ($null -ne $template) {
        $existingName = [string]$template.Properties['cn'].Value
        if ($existingName -cne $templateName) { throw "A template named $existingName exists. AD ignores the case of names, NDES and the CA do not: use $existingName in the plan (template and registry) or another name." }
        # An existing template is not changed: certificates already issued from it, and other CAs using it, depend on it.
        $differences = Get-PlanTemplateDifferences $template $planTemplate
        if ($differences.Count -eq 0) {
            Write-Host "Template $templateName exists and is as planned"
        } else {
            foreach ($difference in $differences) { Write-Warning "Template $templateName differs from the plan: $difference" }
            Write-Warning "Template $templateName exists and is left as it is: change it in certtmpl.msc, or give the plan a new template name."
        }
    } elseif ($PSCmdlet.ShouldProcess($templateName, "create the template from $baseName")) {
        $base = Find-PlanTemplate $container $baseName -OrDisplayName
        if ($null -eq $base) { throw "Base template $baseName not found (by name or display name) in $($container.Path)." }
        # A new template OID under the forest's own arc, registered in the OID container.
        $oidContainer = [ADSI]("LDAP://CN=OID,$pks")
        $forestArc = [string]$oidContainer.Properties['msPKI-Cert-Template-OID'].Value
        $oid = $forestArc + '.' + (Get-Random -Minimum 1000000 -Maximum 99999999) + '.' + (Get-Random -Minimum 1000000 -Maximum 99999999)
        $oidObject = $oidContainer.Create('msPKI-Enterprise-Oid', 'CN=' + (Get-Random -Minimum 1000000 -Maximum 99999999) + '.' + ([guid]::NewGuid().ToString('N').ToUpperInvariant()))
        $oidObject.Put('flags', 1)
        $oidObject.Put('displayName', $displayName)
        $oidObject.Put('msPKI-Cert-Template-OID', $oid)
        $oidObject.SetInfo()
        # Nothing is left behind if the template cannot be written: the OID object goes again.
        try {
            $template = $container.Create('pKICertificateTemplate', "CN=$templateName")
            # From the base: what the plan does not decide.
            foreach ($attribute in 'flags', 'pKIMaxIssuingDepth', 'pKICriticalExtensions', 'msPKI-RA-Signature', 'msPKI-Enrollment-Flag') {
                $value = $base.Properties[$attribute].Value
                if ($null -ne $value) { $template.Put($attribute, $value) }
            }
            # From the plan.
            $template.Put('displayName', $displayName)
            $template.Put('revision', 100)
            $template.Put('msPKI-Template-Schema-Version', 2)
            $template.Put('msPKI-Template-Minor-Revision', 0)
            $template.Put('msPKI-Cert-Template-OID', $oid)
            $template.Put('pKIExpirationPeriod', [byte[]](ConvertTo-Period 730))
            $template.Put('pKIOverlapPeriod', [byte[]](ConvertTo-Period 60))
            $template.Put('msPKI-Minimal-Key-Size', 2048)
            $template.Put('pKIDefaultKeySpec', 2)
            $template.Put('pKIKeyUsage', [byte[]](0x80, 0x00))
            $template.Put('pKIDefaultCSPs', @('1,Microsoft Strong Cryptographic Provider'))
            $template.PutEx(2, 'pKIExtendedKeyUsage', $ekus)
            $template.PutEx(2, 'msPKI-Certificate-Application-Policy', $ekus)
            # 0x1: the subject comes with the request (the CA then takes the request's SAN too); 0x10000 tells clients to send a SAN. 0x10 = exportable key.
            $template.Put('msPKI-Certificate-Name-Flag', 65537)
            $template.Put('msPKI-Private-Key-Flag', 0)
            $template.SetInfo()
        } catch {
            $oidObject.DeleteTree()
            throw
        }
        Write-Host "Created template $templateName ($oid) from $baseName"
    } else {
        $template = $null
    }
    # Read and Enroll for the service account, nothing more (a group it is in counts too).
    $account = Get-PlanAccount $accountName
    if ($null -eq $template) {
        Write-Host 'The template does not exist yet (-WhatIf): its rights are checked once it does.'
    } elseif ($null -eq $account) {
        Write-Warning "$member does not exist yet: run step 01, then this step again for Read and Enroll."
    } else {
        $rights = Get-PlanTemplateRights $template (Get-PlanAccountSids $account)
        $sid = Get-PlanAccountSid $account
        if ($rights.Denied) { Write-Warning "A Deny entry on template $templateName takes Enroll from $member or a group it is in: remove it in certtmpl.msc > Security." }
        $grant = @()
        if (-not $rights.Read) { $grant += 'Read' }
        if (-not $rights.Enroll) { $grant += 'Enroll' }
        if ($grant.Count -gt 0 -and $PSCmdlet.ShouldProcess($templateName, "allow $($grant -join ' and ') for $member")) {
            if (-not $rights.Read) { $template.ObjectSecurity.AddAccessRule((New-Object System.DirectoryServices.ActiveDirectoryAccessRule($sid, 'GenericRead', 'Allow'))) }
            if (-not $rights.Enroll) { $template.ObjectSecurity.AddAccessRule((New-Object System.DirectoryServices.ActiveDirectoryAccessRule($sid, 'ExtendedRight', 'Allow', [guid]'0e10c968-78fb-11d2-90d4-00c04f79dc55'))) }
            $template.CommitChanges()
            Write-Host "Allowed $($grant -join ' and ') on template $templateName for $member"
        }
    }
    # Published on the CA, or NDES gets "template not available" (event 31).
    $list = Invoke-PlanNative 'certutil.exe' @('-config', $caConfig, '-CATemplates')
    if ($list.ExitCode -ne 0) { throw "certutil -CATemplates failed ($($list.ExitCode)) for $caConfig : $($list.Output -join ' ')" }
    $published = @($list.Output | Where-Object { $_ -cmatch ('^' + [regex]::Escape($templateName) + ':') })
    if ($published.Count -eq 0 -and $PSCmdlet.ShouldProcess($caConfig, "publish template $templateName")) {
        # The CA reads templates from its domain controller: one created a moment ago may not be there yet.
        $attempt = 0
        while ($true) {
            $attempt++
            $set = Invoke-PlanNative 'certutil.exe' @('-config', $caConfig, '-SetCATemplates', ('+' + $templateName))
            if ($set.ExitCode -eq 0) { break }
            if ($attempt -ge 6) { throw "certutil -SetCATemplates failed ($($set.ExitCode)): publish $templateName on the CA by hand (certsrv.msc). $($set.Output -join ' ')" }
            Write-Host "The CA does not see $templateName yet (AD replication); trying again in 20 s ($attempt of 6)"
            Start-Sleep -Seconds 20
        }
        Write-Host "Published $templateName on $caConfig"
    }
} finally {
    if ($transcribing) { Stop-Transcript | Out-Null }
}
