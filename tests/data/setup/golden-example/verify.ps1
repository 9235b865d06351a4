#Requires -Version 5.1
#Requires -RunAsAdministrator
<#
.SYNOPSIS
    NDES Console setup plan: verification (read-only) of every step: account, template, role, registry, IIS and HTTP.sys
.DESCRIPTION
    Generated 2026-11-25T09:00:00Z from the plan for ndes01.corp.example (CA ca01.corp.example\Corp Issuing CA 1).
    Run on ndes01.corp.example in an elevated PowerShell.
    Read-only: it prints what differs from the plan and changes nothing. Exit code 0: as planned; 1: differences; 2: some parts could not be checked (said which).
#>
[CmdletBinding()]
param()
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$accountName = 'svc-ndes'
$member = 'CORP' + '\' + $accountName
$upn = 'svc-ndes@corp.example'
$ou = 'OU=Service Accounts,OU=Tier 1,DC=corp,DC=example'
$spn = 'HTTP/' + 'ndes01.corp.example'
$caConfig = 'ca01.corp.example\Corp Issuing CA 1'
$templateName = 'NDES-NetworkDevice'
$ekus = @('1.3.6.1.5.5.7.3.2', '1.3.6.1.5.5.7.3.1')
$planTemplate = [ordered]@{
    'display name'                           = 'NDES Network Device'
    'validity (days)'                        = 365
    'renewal period (days)'                  = 42
    'minimum key size'                       = 2048
    'key usage'                              = 160
    'key spec'                               = 1
    'EKUs'                                   = (@($ekus | Sort-Object) -join ', ')
    'subject and SAN from the request flags' = 65537
    'exportable key flag'                    = 0
    'provider'                               = 'Microsoft Strong Cryptographic Provider'
}
$raName = 'NDES01-MSCEP-RA'
$mscep = 'HKLM:\SOFTWARE\Microsoft\Cryptography\MSCEP'
$differences = 0
$unchecked = 0
function Write-Result([string] $Status, [string] $Text) {
    Write-Host ('{0,-10}{1}' -f $Status, $Text)
    if ($Status -eq 'UNCHECKED') { $script:unchecked++ } elseif ($Status -ne 'ok') { $script:differences++ }
}
function Compare-PlanValue([string] $Path, [string] $Name, $Expected) {
    $item = Get-ItemProperty -LiteralPath $Path -Name $Name -ErrorAction SilentlyContinue
    $actual = if ($null -eq $item) { $null } else { $item.$Name }
    if ($null -eq $actual -or ((@($actual) -join ', ') -cne (@($Expected) -join ', '))) {
        Write-Result 'DIFFERS' "$Path\$Name : plan $(@($Expected) -join ', '), server $(if ($null -eq $actual) { 'not set' } else { @($actual) -join ', ' })"
    } else {
        Write-Result 'ok' "$Path\$Name = $(@($actual) -join ', ')"
    }
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
function Invoke-PlanNative([string] $FilePath, [string[]] $Arguments) {
    $ErrorActionPreference = 'Continue'
    $output = @(& $FilePath @Arguments 2>&1 | ForEach-Object { "$_" })
    return [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = $output }
}
# Each part is checked on its own: one that cannot be read (no AD, no CA, no IIS) is reported and the others still run.
Write-Host '== Step 01: the service account'
$sids = $null
$account = $null
try {
    $account = Get-PlanAccount $accountName
    if ($null -eq $account) {
        Write-Result 'DIFFERS' "account $member : not found in AD"
    } else {
        $sids = Get-PlanAccountSids $account
        $actualUpn = [string]$account.Properties['userPrincipalName'].Value
        if ($actualUpn -ne $upn) { Write-Result 'DIFFERS' "account UPN : plan $upn, AD $actualUpn" } else { Write-Result 'ok' "account $member, UPN $upn" }
        $parent = ([string]$account.Properties['distinguishedName'].Value -split '(?<!\\),', 2)[-1]
        if ($parent -ne $ou) { Write-Result 'DIFFERS' "account OU : plan $ou, AD $parent" } else { Write-Result 'ok' "account in $ou" }
        if (([int]$account.Properties['userAccountControl'].Value -band 2) -ne 0) { Write-Result 'DIFFERS' "account $member is disabled: NDES cannot start" }
        if (@($account.Properties['servicePrincipalName']) -contains $spn) { Write-Result 'ok' "SPN $spn" } else { Write-Result 'DIFFERS' "SPN $spn : missing (Kerberos to the admin page fails)" }
    }
} catch {
    Write-Result 'UNCHECKED' "the account in AD: $($_.Exception.Message)"
}
try {
    if ($null -ne $account) {
        $accountSid = (Get-PlanAccountSid $account).Value
        if ($null -ne (Find-PlanLocalMember 'S-1-5-32-568' @($accountSid))) { Write-Result 'ok' "$member is in IIS_IUSRS" } else { Write-Result 'DIFFERS' "$member is not in IIS_IUSRS" }
        $adminThrough = Find-PlanLocalMember 'S-1-5-32-544' @($accountSid)
        if ($null -eq $adminThrough -and $null -ne $sids) { $adminThrough = Find-PlanLocalMember 'S-1-5-32-544' $sids }
        if ($null -ne $adminThrough) { Write-Result 'DIFFERS' "$member is a local administrator through $(Get-PlanSidName $adminThrough) (NDES needs no such right)" }
        elseif ($null -eq $sids) { Write-Result 'UNCHECKED' "whether $member is a local administrator through a group (its groups could not be read)" }
        else { Write-Result 'ok' "$member is not a local administrator" }
    }
} catch {
    Write-Result 'UNCHECKED' "local groups: $($_.Exception.Message)"
}
if ($null -ne $sids) {
    try {
        $ca = Get-PlanCaEnroll $caConfig $sids
        if ($ca.Allowed) { Write-Result 'ok' "Request Certificates on $caConfig" }
        elseif ($ca.Denied) { Write-Result 'DIFFERS' "Request Certificates on $caConfig : denied to $member or a group it is in" }
        else { Write-Result 'DIFFERS' "Request Certificates on $caConfig : not allowed for $member or any group it is in" }
    } catch {
        Write-Result 'UNCHECKED' "the CA's permissions: $($_.Exception.Message)"
    }
}
Write-Host '== Step 02: the certificate template'
try {
    $configNC = ([ADSI]'LDAP://RootDSE').configurationNamingContext
    $container = [ADSI]("LDAP://CN=Certificate Templates,CN=Public Key Services,CN=Services,$configNC")
    $template = Find-PlanTemplate $container $templateName
    if ($null -eq $template) {
        Write-Result 'DIFFERS' "template $templateName : not found in AD"
    } elseif ([string]$template.Properties['cn'].Value -cne $templateName) {
        Write-Result 'DIFFERS' "template $templateName : AD has $($template.Properties['cn'].Value) (case differs; NDES and the CA compare exactly)"
    } else {
        $found = Get-PlanTemplateDifferences $template $planTemplate
        foreach ($difference in $found) { Write-Result 'DIFFERS' "template $templateName $difference" }
        if ($found.Count -eq 0) { Write-Result 'ok' "template $templateName is as planned" }
        if ($null -ne $sids) {
            $rights = Get-PlanTemplateRights $template $sids
            if ($rights.Read -and $rights.Enroll -and -not $rights.Denied) { Write-Result 'ok' "Read and Enroll on $templateName for $member" }
            else { Write-Result 'DIFFERS' "rights on $templateName for $member : Read $($rights.Read), Enroll $($rights.Enroll), denied $($rights.Denied)" }
        }
    }
} catch {
    Write-Result 'UNCHECKED' "the template in AD: $($_.Exception.Message)"
}
$list = Invoke-PlanNative 'certutil.exe' @('-config', $caConfig, '-CATemplates')
if ($list.ExitCode -ne 0) { Write-Result 'UNCHECKED' "the templates $caConfig issues (certutil -CATemplates failed: $($list.ExitCode))" }
elseif (@($list.Output | Where-Object { $_ -cmatch ('^' + [regex]::Escape($templateName) + ':') }).Count -gt 0) { Write-Result 'ok' "$caConfig issues $templateName" }
else { Write-Result 'DIFFERS' "$caConfig does not issue $templateName (event 31 for every request)" }
Write-Host '== Step 03: the NDES role and its RA certificates'
try {
    if ((Get-WindowsFeature -Name 'ADCS-Device-Enrollment').Installed) { Write-Result 'ok' 'the NDES feature is installed' } else { Write-Result 'DIFFERS' 'the NDES feature (ADCS-Device-Enrollment) is not installed' }
    $status = Get-ItemProperty -LiteralPath 'HKLM:\SOFTWARE\Microsoft\ADCS\NDES' -Name 'ConfigurationStatus' -ErrorAction SilentlyContinue
    if ($null -ne $status -and $status.ConfigurationStatus -eq 2) { Write-Result 'ok' 'NDES is configured' } else { Write-Result 'DIFFERS' 'NDES is not configured (ConfigurationStatus is not 2)' }
    # Two RA certificates named by the RA name, both Certificate Request Agent: one signs (digitalSignature), one decrypts (keyEncipherment).
    $now = Get-Date
    $ra = @(Get-ChildItem -LiteralPath 'Cert:\LocalMachine\My' | Where-Object {
        $eku = @($_.Extensions | Where-Object { $_ -is [System.Security.Cryptography.X509Certificates.X509EnhancedKeyUsageExtension] })
        $eku.Count -gt 0 -and @($eku[0].EnhancedKeyUsages | ForEach-Object { $_.Value }) -contains '1.3.6.1.4.1.311.20.2.1' -and $_.GetNameInfo([System.Security.Cryptography.X509Certificates.X509NameType]::SimpleName, $false) -eq $raName -and $_.NotAfter -gt $now
    })
    foreach ($use in @(@('signing', 'DigitalSignature', 2048), @('encryption', 'KeyEncipherment', 2048))) {
        $match = @($ra | Where-Object {
            $ku = @($_.Extensions | Where-Object { $_ -is [System.Security.Cryptography.X509Certificates.X509KeyUsageExtension] })
            $ku.Count -gt 0 -and ($ku[0].KeyUsages -band [System.Security.Cryptography.X509Certificates.X509KeyUsageFlags]$use[1]) -ne 0
        } | Sort-Object NotAfter -Descending)
        if ($match.Count -eq 0) { Write-Result 'DIFFERS' "no valid $($use[0]) RA certificate named $raName in LocalMachine\My"; continue }
        $bits = $match[0].PublicKey.Key.KeySize
        if ($bits -ne $use[2]) { Write-Result 'DIFFERS' "$($use[0]) RA key : plan $($use[2]) bits, server $bits" }
        else { Write-Result 'ok' "$($use[0]) RA certificate $raName, $bits bits, valid until $($match[0].NotAfter.ToString('yyyy-MM-dd'))" }
    }
} catch {
    Write-Result 'UNCHECKED' "the NDES role: $($_.Exception.Message)"
}
Write-Host '== Step 04: the NDES registry'
Compare-PlanValue $mscep 'SignatureTemplate' 'NDES-NetworkDevice'
Compare-PlanValue $mscep 'EncryptionTemplate' 'NDES-NetworkDevice'
Compare-PlanValue $mscep 'GeneralPurposeTemplate' 'NDES-NetworkDevice'
Compare-PlanValue "$mscep\EnforcePassword" 'EnforcePassword' 1
Compare-PlanValue "$mscep\UseSinglePassword" 'UseSinglePassword' 0
Compare-PlanValue "$mscep\PasswordMax" 'PasswordMax' 20
Compare-PlanValue "$mscep\PasswordValidity" 'PasswordValidity' 30
Compare-PlanValue "$mscep\PasswordLength" 'PasswordLength' 8
Compare-PlanValue "$mscep\HashAlgorithm" 'HashAlgorithm' 'SHA256'
Compare-PlanValue "$mscep\CACapabilitiesAlgorithms" 'CACapabilitiesAlgorithms' @('SHA-256', 'SHA-512', 'AES')
Compare-PlanValue "$mscep\CAInfo" 'Configuration' 'ca01.corp.example\Corp Issuing CA 1'
foreach ($misplaced in 'EnforcePassword', 'PasswordMax', 'PasswordValidity', 'PasswordLength', 'UseSinglePassword', 'PasswordCacheMax') {
    if ($null -ne (Get-ItemProperty -LiteralPath $mscep -Name $misplaced -ErrorAction SilentlyContinue)) {
        Write-Result 'MISPLACED' "$mscep\$misplaced : a value NDES never reads (it reads the subkey of that name)"
    }
}
Write-Host '== Step 05: IIS and HTTP.sys'
Compare-PlanValue 'HKLM:\SYSTEM\CurrentControlSet\Services\HTTP\Parameters' 'MaxFieldLength' 65534
Compare-PlanValue 'HKLM:\SYSTEM\CurrentControlSet\Services\HTTP\Parameters' 'MaxRequestBytes' 65534
try {
    Import-Module WebAdministration
    foreach ($limit in @(@('maxUrl', 65534), @('maxQueryString', 65534))) {
        $value = (Get-WebConfigurationProperty -PSPath 'MACHINE/WEBROOT/APPHOST' -Location 'Default Web Site' -Filter 'system.webServer/security/requestFiltering/requestLimits' -Name $limit[0]).Value
        if ($value -ne $limit[1]) { Write-Result 'DIFFERS' "request filtering $($limit[0]) : plan $($limit[1]), server $value" }
        else { Write-Result 'ok' "request filtering $($limit[0]) = $value" }
    }
    $poolIdentity = 'CORP' + '\' + 'svc-ndes'
    $pool = Get-Item -LiteralPath 'IIS:\AppPools\SCEP' -ErrorAction SilentlyContinue
    if ($null -eq $pool) { Write-Result 'DIFFERS' 'SCEP application pool : missing' }
    elseif ([string]$pool.processModel.userName -ne $poolIdentity) { Write-Result 'DIFFERS' "SCEP application pool identity : plan $poolIdentity, server $($pool.processModel.userName)" }
    else { Write-Result 'ok' "SCEP application pool runs as $poolIdentity" }
    $thumbprint = '3A1F9C2E7B4D6A8F0E1C3B5D7F9A2C4E6B8D0F12'
    $bound = Get-Item -LiteralPath 'IIS:\SslBindings\0.0.0.0!443' -ErrorAction SilentlyContinue
    if ($null -eq $bound) { Write-Result 'DIFFERS' 'HTTPS on port 443 : no certificate bound' }
    elseif ($bound.Thumbprint -ne $thumbprint) { Write-Result 'DIFFERS' "HTTPS certificate : plan $thumbprint, server $($bound.Thumbprint)" }
    else { Write-Result 'ok' "HTTPS on port 443 with $thumbprint" }
} catch {
    Write-Result 'UNCHECKED' "IIS: $($_.Exception.Message)"
}
if ($differences -eq 0 -and $unchecked -eq 0) { Write-Host 'The server matches the plan.' }
else { Write-Host "$differences difference(s) from the plan, $unchecked part(s) not checked." }
exit $(if ($differences -ne 0) { 1 } elseif ($unchecked -ne 0) { 2 } else { 0 })
